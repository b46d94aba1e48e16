package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/thugom/thugom/geo"
)

func init() {
	register(&command{name: "geocode", summary: "geocode Lạng Sơn addresses to communes, points and H3 cells (CSV out, no database)", run: runGeocode})
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("geocode FILE --column addr").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func runGeocode(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("geocode", flag.ContinueOnError)
	column := fs.String("column", "", "read addresses from this column of a CSV with a header (default: one address per line)")
	res := fs.Int("res", geo.DefaultResolution, "H3 resolution of the cells (0-15)")
	latCol := fs.String("pin-lat", "", "CSV column with the household's GPS latitude (optional, with --column)")
	lonCol := fs.String("pin-lon", "", "CSV column with the household's GPS longitude (optional, with --column)")
	out := fs.String("o", "-", "output file (- for stdout)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "parallel workers")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: thugom geocode [FILE|-] [--column NAME] [--res 9] [--pin-lat COL --pin-lon COL] [-o FILE]")
		fmt.Fprintln(fs.Output(), "writes CSV: input,commune_code,commune_name,old_commune_code,old_district_code,precision,confidence,lat,lon,h3,candidates")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return fmt.Errorf("one input file at most, got %d", len(pos))
	}
	if *res < 0 || *res > 15 {
		return fmt.Errorf("--res %d out of 0-15", *res)
	}
	if (*latCol == "") != (*lonCol == "") || *latCol != "" && *column == "" {
		return errors.New("--pin-lat and --pin-lon go together, with --column")
	}
	in := io.Reader(os.Stdin)
	if len(pos) == 1 && pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	w := io.Writer(os.Stdout)
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	defer bw.Flush()

	g := geo.Default()
	rows := make(chan geocodeJob, 4)
	go func() {
		defer close(rows)
		readErr := readAddresses(ctx, in, *column, *latCol, *lonCol, rows)
		if readErr != nil {
			rows <- geocodeJob{err: readErr}
		}
	}()
	cw := csv.NewWriter(bw)
	if err := cw.Write([]string{"input", "commune_code", "commune_name", "old_commune_code", "old_district_code",
		"precision", "confidence", "lat", "lon", "h3", "candidates"}); err != nil {
		return err
	}
	n := 0
	for job := range rows {
		if job.err != nil {
			return job.err
		}
		results := geocodeBatch(g, job, *res, *workers)
		for _, r := range results {
			rec := []string{r.Input, r.CommuneCode, r.CommuneName, r.OldCommuneCode, r.OldDistrictCode,
				string(r.Precision), strconv.FormatFloat(r.Confidence, 'f', 3, 64), "", "", r.Cell,
				strings.Join(r.Candidates, " ")}
			if r.Precision != geo.PrecisionNone {
				rec[7] = strconv.FormatFloat(r.Lat, 'f', 6, 64)
				rec[8] = strconv.FormatFloat(r.Lon, 'f', 6, 64)
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
			n++
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return nil
}

// geocodeJob is a batch of input rows.
type geocodeJob struct {
	addrs []string
	pins  []*geo.Point
	err   error
}

const geocodeBatchSize = 4096

func readAddresses(ctx context.Context, in io.Reader, column, latCol, lonCol string, out chan<- geocodeJob) error {
	job := geocodeJob{}
	emit := func() {
		if len(job.addrs) > 0 {
			out <- job
			job = geocodeJob{}
		}
	}
	if column == "" {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			line := strings.TrimRight(sc.Text(), "\r")
			job.addrs = append(job.addrs, line)
			job.pins = append(job.pins, nil)
			if len(job.addrs) == geocodeBatchSize {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				emit()
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("read addresses: %w", err)
		}
		emit()
		return nil
	}
	r := csv.NewReader(bufio.NewReaderSize(in, 1<<16))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("read CSV header: %w", err)
	}
	find := func(name string) int {
		for i, h := range head {
			if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), name) {
				return i
			}
		}
		return -1
	}
	ac, la, lo := find(column), -1, -1
	if ac < 0 {
		return fmt.Errorf("column %q not in the CSV header %q", column, head)
	}
	if latCol != "" {
		if la, lo = find(latCol), find(lonCol); la < 0 || lo < 0 {
			return fmt.Errorf("pin columns %q/%q not in the CSV header", latCol, lonCol)
		}
	}
	line := 1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return fmt.Errorf("CSV line %d: %w", line, err)
		}
		addr := ""
		if ac < len(rec) {
			addr = rec[ac]
		}
		var pin *geo.Point
		if la >= 0 && la < len(rec) && lo < len(rec) {
			lat, e1 := strconv.ParseFloat(strings.TrimSpace(rec[la]), 64)
			lon, e2 := strconv.ParseFloat(strings.TrimSpace(rec[lo]), 64)
			if e1 == nil && e2 == nil {
				pin = &geo.Point{Lat: lat, Lon: lon}
			}
		}
		job.addrs = append(job.addrs, addr)
		job.pins = append(job.pins, pin)
		if len(job.addrs) == geocodeBatchSize {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			emit()
		}
	}
	emit()
	return nil
}

// geocodeBatch geocodes a batch on several cores, keeping the order.
func geocodeBatch(g *geo.Geocoder, job geocodeJob, res, workers int) []geo.Result {
	out := make([]geo.Result, len(job.addrs))
	workers = max(1, min(workers, len(job.addrs)))
	var wg sync.WaitGroup
	chunk := (len(job.addrs) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(job.addrs))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				out[i] = g.GeocodeWith(job.addrs[i], geo.Options{Pin: job.pins[i], Resolution: res})
			}
		}()
	}
	wg.Wait()
	return out
}
