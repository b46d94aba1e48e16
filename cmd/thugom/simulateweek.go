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
	html, ordersCSV, whatIf, promises, compare    string
	lang                                          sim.Lang
	outage                                        sim.Outage
	noCarriers                                    bool
}

// readWeekReport reads another run's report (--compare): the last line of
// its --json output.
func readWeekReport(path string) (*sim.WeekReport, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--compare: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var rep sim.WeekReport
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		return nil, fmt.Errorf("--compare %s: not the JSON of thugom simulate --days N --json: %w", path, err)
	}
	if len(rep.Days) == 0 {
		return nil, fmt.Errorf("--compare %s: not the JSON of thugom simulate --days N --json (no days)", path)
	}
	return &rep, nil
}

// simulateWeek runs sim.RunWeek and prints its account: with --json, one
// JSON object as the last line (days, total, elapsed_seconds).
func simulateWeek(ctx context.Context, db *store.DB, cfg *config, f simWeekFlags) error {
	deps := jobs.Deps{Logger: slog.Default().With("component", "simulate"), PlanBudget: cfg.PlanBudget, DropOffMinKm: cfg.DropOffMinKm, BorrowRadiusKm: cfg.BorrowRadiusKm, RetryTargets: cfg.RetryTargets, MinNotice: cfg.minNotice()}
	opt := sim.WeekOptions{Seed: f.seed, Households: f.households, Days: f.days, FailureRate: f.failures, Postponements: f.postpone, Promises: f.promises,
		CarrierOutage: f.outage, NoCarriers: f.noCarriers}
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
		return flagError{err}
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
	var others []*sim.WeekReport
	if f.compare != "" {
		other, err := readWeekReport(f.compare)
		if err != nil {
			return err
		}
		others = append(others, other)
	}
	if err := writeFile(f.html, func(w io.Writer) error { return sim.WriteHTML(w, rep, f.lang, others...) }); err != nil {
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
	days := fmt.Sprintf("%d days", len(rep.Days))
	if len(rep.Days) == 1 {
		days = "1 day"
	}
	fmt.Fprintf(os.Stderr, "%s: within promise %d of %d non-cancelled orders (%.1f %%), late %d, never collected %d, in %s\n",
		days, t.WithinPromise, t.Placed-t.Cancelled, 100*t.WithinPromiseRate, t.Late, t.NeverCollected, time.Since(t0).Round(time.Second))
	p := rep.Promises
	fmt.Fprintf(os.Stderr, "promises (%s): %d quoted; within promise %.1f %% of all, %.1f %% of %d keepable; %d flagged at placement (%.1f %% kept anyway, %.1f %% by keepable_by); promise %.1f h median, %.1f h p90 (policy %.1f h); %.1f %% by the second truck; %d quotes earlier than possible; late by cause %v\n",
		p.Mode, p.Quoted, 100*p.WithinPromiseRate, 100*p.WithinKeepableRate, p.Keepable, p.Flagged, 100*p.FlaggedWithinPromiseRate, 100*p.FlaggedByKeepableRate,
		p.PromiseHoursP50, p.PromiseHoursP90, p.PolicyPromiseHoursP50, 100*p.BySecondTruckRate, p.EarlierThanPossible, p.LateBy)
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
