package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func init() {
	register(&command{name: "bench-http", summary: "load a running server: manifests, household pages or quotes at a fixed rate (uses demo.json)", run: runBenchHTTP})
}

// benchDemo is what bench-http reads of a demo.json.
type benchDemo struct {
	BaseURL string `json:"base_url"`
	Drivers []struct {
		ManifestURL string `json:"manifest_url"`
	} `json:"drivers"`
	Households []struct {
		ID      int64  `json:"id"`
		PageURL string `json:"page_url"`
	} `json:"households"`
}

// benchReq is one of the requests a client repeats: a GET of URL, or a
// POST of Body to it, with Token (when set) and Key (an Idempotency-Key,
// when set). A GET asks for gzip as browsers do, unless Plain (read by
// bench-http itself: the transport then unzips).
type benchReq struct {
	URL   string
	Body  []byte
	Token string
	Key   string
	Plain bool
}

func (b benchReq) build(ctx context.Context) (*http.Request, error) {
	method, body := http.MethodGet, io.Reader(nil)
	if b.Body != nil {
		method, body = http.MethodPost, bytes.NewReader(b.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.URL, body)
	if err != nil {
		return nil, err
	}
	switch {
	case b.Body == nil && !b.Plain:
		req.Header.Set("Accept-Encoding", "gzip")
	case b.Body != nil:
		req.Header.Set("Content-Type", "application/json")
	}
	if b.Token != "" {
		req.Header.Set("Authorization", "Bearer "+b.Token)
	}
	if b.Key != "" {
		req.Header.Set("Idempotency-Key", b.Key)
	}
	return req, nil
}

// runBenchHTTP drives the URLs of a demo.json (drivers' manifests or
// households' pages) or POST /v1/quotes (with a marketplace token, every
// demo household to each of --provinces, at one fixed --at) open-loop at
// --rate requests/s from --clients concurrent clients, and prints latency
// percentiles measured from each request's scheduled time (no coordinated
// omission). The quotes mode then asks each question once more and checks
// the answer is the same.
//
//	thugom demo --data-dir .thugom &        # writes .thugom/demo.json
//	thugom bench-http --demo .thugom/demo.json --target manifest --rate 500 --clients 100 --duration 10s
//	thugom bench-http --demo .thugom/demo.json --target quotes --token "$(thugom token create --role marketplace --carrier viettelpost --data-dir .thugom | tail -1)"
func runBenchHTTP(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench-http", flag.ContinueOnError)
	demo := fs.String("demo", ".thugom/demo.json", "demo.json of the running server")
	target := fs.String("target", "manifest", "what to load: manifest, household, quotes or webhooks")
	rate := fs.Int("rate", 500, "requests per second")
	clients := fs.Int("clients", 100, "concurrent clients")
	dur := fs.Duration("duration", 10*time.Second, "how long to send")
	token := fs.String("token", "", "quotes: the marketplace token")
	provinces := fs.String("provinces", "01,79,48,31", "quotes: destination provinces (comma-separated)")
	weight := fs.Float64("weight", 8, "quotes: weight_kg")
	product := fs.String("product", "na", "quotes: product code")
	hhFlag := fs.String("households", "", "quotes: household ids to ask about, as ranges (1-3000,4007; default the demo.json's)")
	atFlag := fs.String("at", "", "quotes: the placement time asked (RFC 3339; default now, rounded to the minute)")
	pickups := fs.Int("pickups", 60, "webhooks: planned stops of the demo's drivers to report picked up (their orders' shipments are the load's)")
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
	var d benchDemo
	if err := json.Unmarshal(raw, &d); err != nil {
		return fmt.Errorf("bench-http: %s: %w", *demo, err)
	}
	tr := &http.Transport{MaxIdleConns: *clients, MaxIdleConnsPerHost: *clients}
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	ld := benchLoadOpts{rate: *rate, clients: *clients, dur: *dur}
	var reqs []benchReq
	switch *target {
	case "webhooks":
		return benchWebhooks(ctx, hc, raw, d.BaseURL, ld, *pickups)
	case "manifest":
		for _, x := range d.Drivers {
			reqs = append(reqs, benchReq{URL: x.ManifestURL})
		}
	case "household":
		for _, x := range d.Households {
			reqs = append(reqs, benchReq{URL: x.PageURL})
		}
	case "quotes":
		if reqs, err = quoteReqs(d, *token, *hhFlag, *provinces, *weight, *product, *atFlag); err != nil {
			return err
		}
	default:
		return fmt.Errorf("bench-http: --target must be manifest, household, quotes or webhooks, not %q", *target)
	}
	if len(reqs) == 0 {
		return fmt.Errorf("bench-http: no %s requests from %s", *target, *demo)
	}
	first := benchWarm(ctx, hc, reqs)
	if *target == "quotes" {
		// The demo's households are of both carriers: the load asks only
		// the questions the token's carrier answered.
		if reqs, first = answered(reqs, first); len(reqs) == 0 {
			return errors.New("bench-http: no quote answered 200 (is the token a marketplace's of a demo carrier?)")
		}
	}
	lat, failed, el := benchLoad(ctx, hc, reqs, ld)
	if err := benchReport(*target, lat, failed, el, *clients, len(reqs)); err != nil {
		return err
	}
	if *target == "quotes" {
		if err := benchSameAnswers(ctx, hc, reqs, first); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("bench-http: %d requests failed", failed)
	}
	return nil
}

// benchReport prints the load's count and latency percentiles.
func benchReport(target string, lat []time.Duration, failed int, el time.Duration, clients, distinct int) error {
	if len(lat) == 0 {
		return errors.New("bench-http: no requests sent")
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(10 * time.Microsecond) }
	fmt.Printf("%s: %d requests in %s (%.0f/s) from %d clients over %d distinct requests, %d failed\n",
		target, len(lat), el.Round(time.Millisecond), float64(len(lat))/el.Seconds(), clients, distinct, failed)
	fmt.Printf("latency p50 %s  p90 %s  p99 %s  max %s\n", q(.5), q(.9), q(.99), q(1))
	return nil
}

// quoteReqs are the quotes mode's questions: every demo household to each
// province, at one placement time.
func quoteReqs(d benchDemo, token, households, provinces string, weight float64, product, atFlag string) ([]benchReq, error) {
	if token == "" {
		return nil, errors.New("bench-http: --target quotes needs --token (thugom token create --role marketplace --carrier ...)")
	}
	if d.BaseURL == "" {
		return nil, errors.New("bench-http: the demo.json has no base_url")
	}
	at := time.Now().UTC().Truncate(time.Minute)
	if atFlag != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, atFlag); err != nil {
			return nil, fmt.Errorf("bench-http: --at: %w", err)
		}
	}
	var ids []int64
	for _, h := range d.Households {
		ids = append(ids, h.ID)
	}
	if households != "" {
		var err error
		if ids, err = idRanges(households); err != nil {
			return nil, err
		}
	}
	var out []benchReq
	for _, h := range ids {
		for _, p := range strings.Split(provinces, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			body, err := json.Marshal(map[string]any{"household_id": h, "destination_province": p, "weight_kg": weight,
				"product": product, "at": at.Format(time.RFC3339)})
			if err != nil {
				return nil, err
			}
			out = append(out, benchReq{URL: strings.TrimRight(d.BaseURL, "/") + "/v1/quotes", Body: body, Token: token})
		}
	}
	return out, nil
}

// idRanges reads "1-3000,4007" as the ids it names.
func idRanges(s string) ([]int64, error) {
	var out []int64
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.ParseInt(lo, 10, 64)
		b := a
		if err == nil && isRange {
			b, err = strconv.ParseInt(hi, 10, 64)
		}
		if err != nil || a <= 0 || b < a || b-a > 100000 {
			return nil, fmt.Errorf("bench-http: --households: %q is not an id or a range lo-hi", part)
		}
		for id := a; id <= b; id++ {
			out = append(out, id)
		}
	}
	return out, nil
}

// benchWarm sends each request once and returns the bodies of the 200
// answers (nil for the others).
func benchWarm(ctx context.Context, hc *http.Client, reqs []benchReq) [][]byte {
	out := make([][]byte, len(reqs))
	for i, r := range reqs {
		out[i], _ = benchDo(ctx, hc, r)
	}
	return out
}

// answered keeps the requests answered 200 and their answers.
func answered(reqs []benchReq, first [][]byte) ([]benchReq, [][]byte) {
	var rs []benchReq
	var fs [][]byte
	for i, b := range first {
		if b != nil {
			rs, fs = append(rs, reqs[i]), append(fs, b)
		}
	}
	return rs, fs
}

// benchDo sends r and returns the body of a 200 answer.
func benchDo(ctx context.Context, hc *http.Client, r benchReq) ([]byte, error) {
	req, err := r.build(ctx)
	if err != nil {
		return nil, err
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %s: %.200s", req.Method, r.URL, res.Status, body)
	}
	return body, nil
}

// benchLoad sends the requests open-loop at rate per second for dur and
// returns the latencies from each request's scheduled time, the number that
// failed and how long the measured requests took. Client c repeats request
// c mod len(reqs), unless ld.order gives the request of each send (the
// i-th send is reqs[ld.order[i mod len(ld.order)]]); ld.seen, when set,
// reads each 200 answer. The first second at the full rate opens the
// connections; it is sent but not measured.
func benchLoad(ctx context.Context, hc *http.Client, reqs []benchReq, ld benchLoadOpts) ([]time.Duration, int, time.Duration) {
	rate := ld.rate
	warm := rate
	n := warm + int(float64(rate)*ld.dur.Seconds())
	type job struct {
		at      time.Time
		measure bool
		idx     int
	}
	at := make(chan job, n)
	lat := make([]time.Duration, 0, n)
	var mu sync.Mutex
	failed, firstErr := 0, error(nil)
	var wg sync.WaitGroup
	for c := 0; c < ld.clients; c++ {
		wg.Add(1)
		go func(mine int) {
			defer wg.Done()
			for j := range at {
				i := mine
				if j.idx >= 0 {
					i = j.idx
				}
				body, err := benchDo(ctx, hc, reqs[i])
				d := time.Since(j.at)
				if err == nil && ld.seen != nil {
					ld.seen(i, body)
				}
				mu.Lock()
				if j.measure {
					lat = append(lat, d)
				}
				if err != nil {
					failed++
					if firstErr == nil {
						firstErr = err
					}
				}
				mu.Unlock()
			}
		}(c % len(reqs))
	}
	start := time.Now()
	step := time.Second / time.Duration(rate)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		t := start.Add(time.Duration(i) * step)
		time.Sleep(time.Until(t))
		idx := -1
		if len(ld.order) > 0 {
			idx = ld.order[i%len(ld.order)]
		}
		at <- job{t, i >= warm, idx}
	}
	close(at)
	wg.Wait()
	el := time.Since(start) - time.Second
	if firstErr != nil {
		fmt.Fprintln(os.Stderr, "bench-http: first failure:", firstErr)
	}
	return lat, failed, el
}

// benchLoadOpts is how benchLoad sends.
type benchLoadOpts struct {
	rate, clients int
	dur           time.Duration
	order         []int
	seen          func(i int, body []byte)
}

// benchSameAnswers asks each question once more and compares the promise
// with the first answer (the quote's id and expiry are its own).
func benchSameAnswers(ctx context.Context, hc *http.Client, reqs []benchReq, first [][]byte) error {
	promise := func(body []byte) (string, error) {
		var a map[string]any
		if err := json.Unmarshal(body, &a); err != nil {
			return "", err
		}
		delete(a, "quote_id")
		delete(a, "expires_at")
		b, err := json.Marshal(a)
		return string(b), err
	}
	same := 0
	for i, r := range reqs {
		again, err := benchDo(ctx, hc, r)
		if err != nil {
			return fmt.Errorf("bench-http: asking again: %w", err)
		}
		a, err1 := promise(first[i])
		b, err2 := promise(again)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("bench-http: %w", err)
		}
		if a != b {
			return fmt.Errorf("bench-http: the same question answered twice differently:\n  %s\n  %s", a, b)
		}
		same++
	}
	fmt.Printf("same answer for the same question: %d of %d distinct questions asked again\n", same, len(reqs))
	return nil
}
