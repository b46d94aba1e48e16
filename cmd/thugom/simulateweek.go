package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/thugom/thugom/demo/sim"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

type simWeekFlags struct {
	days, households, postpone, iterations, drain int
	seed                                          uint64
	failures                                      float64
	iterationsSet, asJSON                         bool
	html, ordersCSV, whatIf                       string
}

// simulateWeek runs sim.RunWeek and prints its account: with --json, one
// JSON object as the last line (days, total, elapsed_seconds).
func simulateWeek(ctx context.Context, db *store.DB, cfg *config, f simWeekFlags) error {
	deps := jobs.Deps{Logger: slog.Default().With("component", "simulate"), PlanBudget: cfg.PlanBudget, DropOffMinKm: cfg.DropOffMinKm, BorrowRadiusKm: cfg.BorrowRadiusKm, MinNotice: cfg.minNotice()}
	opt := sim.WeekOptions{Seed: f.seed, Households: f.households, Days: f.days, FailureRate: f.failures, Postponements: f.postpone}
	if f.postpone == 0 {
		opt.Postponements = -1
	}
	opt.DrainDays = f.drain
	if f.drain == 0 {
		opt.DrainDays = -1
	}
	if f.iterationsSet {
		// One budget for every depot; 0 is the time budget (--plan-budget).
		n := f.iterations
		opt.Iterations = func(int) int { return n }
	}
	extra, err := parseWhatIf(f.whatIf)
	if err != nil {
		return err
	}
	opt.ExtraVehicles = extra
	if !f.asJSON {
		opt.Progress = func(s string) { fmt.Fprintln(os.Stderr, s) }
	}
	t0 := time.Now()
	rep, err := sim.RunWeek(ctx, db, deps, opt)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if err := writeFile(f.html, func(w io.Writer) error { return sim.WriteHTML(w, rep) }); err != nil {
		return err
	}
	if err := writeFile(f.ordersCSV, func(w io.Writer) error { return sim.WriteOrdersCSV(w, rep) }); err != nil {
		return err
	}
	if f.asJSON {
		return json.NewEncoder(os.Stdout).Encode(rep)
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	t := rep.Total
	fmt.Fprintf(os.Stderr, "%d days: within promise %d of %d non-cancelled orders (%.1f %%), late %d, never collected %d, in %s\n",
		len(rep.Days), t.WithinPromise, t.Placed-t.Cancelled, 100*t.WithinPromiseRate, t.Late, t.NeverCollected, time.Since(t0).Round(time.Second))
	return nil
}

// parseWhatIf reads --what-if-vehicles: CODE=N pairs, comma-separated.
func parseWhatIf(s string) (map[string]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		code, n, ok := strings.Cut(strings.TrimSpace(part), "=")
		k, err := strconv.Atoi(n)
		if !ok || code == "" || err != nil || k < 1 || k > 20 {
			return nil, fmt.Errorf("--what-if-vehicles %q: want CODE=N with N in 1..20, comma-separated", part)
		}
		out[code] += k
	}
	return out, nil
}

// writeFile writes a report to path (nothing when path is empty).
func writeFile(path string, write func(io.Writer) error) error {
	if path == "" {
		return nil
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
