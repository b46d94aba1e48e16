package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
)

func init() {
	register(&command{name: "bench-http", summary: "load a running server: manifests and household pages at a fixed rate (uses demo.json)", run: runBenchHTTP})
}

// runBenchHTTP drives the URLs of a demo.json (drivers' manifests or
// households' pages) open-loop at --rate requests/s from --clients
// concurrent clients, and prints latency percentiles measured from each
// request's scheduled time (no coordinated omission).
//
//	thugom demo --data-dir .thugom &        # writes .thugom/demo.json
//	thugom bench-http --demo .thugom/demo.json --target manifest --rate 500 --clients 100 --duration 10s
func runBenchHTTP(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench-http", flag.ContinueOnError)
	demo := fs.String("demo", ".thugom/demo.json", "demo.json of the running server")
	target := fs.String("target", "manifest", "what to load: manifest or household")
	rate := fs.Int("rate", 500, "requests per second")
	clients := fs.Int("clients", 100, "concurrent clients")
	dur := fs.Duration("duration", 10*time.Second, "how long to send")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rate <= 0 || *clients <= 0 || *dur <= 0 {
		return errors.New("bench-http: --rate, --clients and --duration must be positive")
	}
	raw, err := os.ReadFile(*demo)
	if err != nil {
		return fmt.Errorf("bench-http: %w", err)
	}
	var d struct {
		Drivers []struct {
			ManifestURL string `json:"manifest_url"`
		} `json:"drivers"`
		Households []struct {
			PageURL string `json:"page_url"`
		} `json:"households"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return fmt.Errorf("bench-http: %s: %w", *demo, err)
	}
	var urls []string
	switch *target {
	case "manifest":
		for _, x := range d.Drivers {
			urls = append(urls, x.ManifestURL)
		}
	case "household":
		for _, x := range d.Households {
			urls = append(urls, x.PageURL)
		}
	default:
		return fmt.Errorf("bench-http: --target must be manifest or household, not %q", *target)
	}
	if len(urls) == 0 {
		return fmt.Errorf("bench-http: no %s URLs in %s", *target, *demo)
	}
	tr := &http.Transport{MaxIdleConns: *clients, MaxIdleConnsPerHost: *clients}
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	// Warm up: each URL once.
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		if res, err := hc.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	// The first second at the full rate opens the connections; it is sent
	// but not measured.
	warm := *rate
	n := warm + int(float64(*rate)*dur.Seconds())
	type job struct {
		at      time.Time
		measure bool
	}
	at := make(chan job, n)
	lat := make([]time.Duration, 0, n)
	var mu sync.Mutex
	failed := 0
	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			u := urls[c%len(urls)]
			for j := range at {
				req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				res, err := hc.Do(req)
				ok := err == nil && res.StatusCode == http.StatusOK
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				d := time.Since(j.at)
				mu.Lock()
				if j.measure {
					lat = append(lat, d)
				}
				if !ok {
					failed++
				}
				mu.Unlock()
			}
		}(c)
	}
	start := time.Now()
	step := time.Second / time.Duration(*rate)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		t := start.Add(time.Duration(i) * step)
		time.Sleep(time.Until(t))
		at <- job{t, i >= warm}
	}
	close(at)
	wg.Wait()
	el := time.Since(start) - time.Second
	if len(lat) == 0 {
		return errors.New("bench-http: no requests sent")
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("%s: %d requests in %s (%.0f/s) from %d clients over %d URLs, %d failed\n",
		*target, len(lat), el.Round(time.Millisecond), float64(len(lat))/el.Seconds(), *clients, len(urls), failed)
	fmt.Printf("latency p50 %s  p90 %s  p99 %s  max %s\n", q(.5).Round(10*time.Microsecond), q(.9).Round(10*time.Microsecond),
		q(.99).Round(10*time.Microsecond), q(1).Round(10*time.Microsecond))
	if failed > 0 {
		return fmt.Errorf("bench-http: %d requests failed", failed)
	}
	return nil
}
