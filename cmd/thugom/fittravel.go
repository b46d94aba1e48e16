package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/thugom/thugom/geo"
)

func init() {
	register(&command{name: "fittravel", summary: "fit the travel model's detour factor and speeds from completed routes (CSV)", run: runFitTravel})
}

// The input CSV has a header with the columns route_id, profile, driven_m,
// driven_s, stops and optionally service_s. stops lists the visited points
// in order as "lat lon;lat lon;...".
func runFitTravel(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fittravel", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: thugom fittravel [FILE|-]")
		fmt.Fprintln(fs.Output(), "input CSV columns: route_id,profile,driven_m,driven_s[,service_s],stops  (stops: \"lat lon;lat lon;...\")")
		fmt.Fprintln(fs.Output(), "prints the fitted detour factor and speeds as JSON, with the route-time error before and after")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	in := io.Reader(os.Stdin)
	if len(pos) > 0 && pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	obs, err := readRouteObservations(in)
	if err != nil {
		return err
	}
	res, err := geo.FitTravel(obs, map[string]geo.Profile{"motorbike": geo.Motorbike, "van": geo.Van})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

func readRouteObservations(in io.Reader) ([]geo.RouteObservation, error) {
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range []string{"route_id", "profile", "driven_m", "driven_s", "stops"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("missing column %q in header %q", c, head)
		}
	}
	get := func(rec []string, c string) string {
		if i, ok := col[c]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var obs []geo.RouteObservation
	line := 1
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		o := geo.RouteObservation{ID: get(rec, "route_id"), Profile: get(rec, "profile")}
		if o.DrivenMeters, err = strconv.ParseFloat(get(rec, "driven_m"), 64); err != nil {
			return nil, fmt.Errorf("line %d: driven_m: %w", line, err)
		}
		if o.DrivenSeconds, err = strconv.ParseFloat(get(rec, "driven_s"), 64); err != nil {
			return nil, fmt.Errorf("line %d: driven_s: %w", line, err)
		}
		if s := get(rec, "service_s"); s != "" {
			if o.ServiceSeconds, err = strconv.ParseFloat(s, 64); err != nil {
				return nil, fmt.Errorf("line %d: service_s: %w", line, err)
			}
		}
		for _, st := range strings.Split(get(rec, "stops"), ";") {
			f := strings.Fields(strings.ReplaceAll(st, ",", " "))
			if len(f) == 0 {
				continue
			}
			if len(f) != 2 {
				return nil, fmt.Errorf("line %d: stop %q is not \"lat lon\"", line, st)
			}
			lat, e1 := strconv.ParseFloat(f[0], 64)
			lon, e2 := strconv.ParseFloat(f[1], 64)
			if e1 != nil || e2 != nil {
				return nil, fmt.Errorf("line %d: stop %q is not \"lat lon\"", line, st)
			}
			o.Stops = append(o.Stops, geo.Point{Lat: lat, Lon: lon})
		}
		obs = append(obs, o)
	}
	return obs, nil
}
