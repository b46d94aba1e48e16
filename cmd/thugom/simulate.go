package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/thugom/thugom/demo/sim"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

func init() {
	register(&command{name: "simulate", summary: "run the demo day on a simulated clock (pickups, failures, a breakdown, postponements) and report", run: runSimulate})
}

// runSimulate runs sim.Run in a database of its own (thugom_simulate,
// dropped and created again on the embedded server or DATABASE_URL's), so the
// demo's data is never touched.
func runSimulate(ctx context.Context, args []string) error {
	fs, cfg := newConfig("simulate")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	households := fs.Int("households", 3000, "demo households")
	seed := fs.Uint64("seed", 42, "scenario and randomness seed")
	failures := fs.Float64("failure-rate", 0.10, "share of pickups that fail")
	postpone := fs.Int("postponements", 5, "households that reply 2 (postpone) at 08:00")
	iterations := fs.Int("iterations", 16000, "solver iterations per plan (deterministic); 0 uses --plan-budget; with --days > 1, 0 scales them to each depot's size (sim.BudgetFor)")
	days := fs.Int("days", 1, "harvest days; 1 is the single demo day, more a harvest week (orders arriving all day, evening plans, a rainy day)")
	htmlOut := fs.String("html", "", "with --days > 1, also write a self-contained HTML report to this file")
	ordersCSV := fs.String("orders-csv", "", "with --days > 1, also write every order's outcome (one CSV line each) to this file")
	whatIf := fs.String("what-if-vehicles", "", "with --days > 1, a what-if: motorbikes added to depots, as CODE=N[,CODE=N] (e.g. VTP-04=2); the report says so")
	promises := fs.String("promises", sim.PromisesPolicy, "with --days > 1, how orders get their promise: policy (the marketplace's 24 h / 48 h) or quoted (each order first asks its carrier's quote, POST /v1/quotes's core call, and is placed with it)")
	compare := fs.String("compare", "", "with --days > 1 and --html, another run's --json output (e.g. the same week with the other --promises) whose promise figures the report shows beside this run's")
	drain := fs.Int("drain-days", 2, "with --days > 1, days after the week (no new orders) to collect what is still open; 0 for none")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	outage := fs.String("carrier-outage", "", "with --days > 1, both carriers' fakes down (503 to every call, their webhooks held) for HH:MM-HH:MM of the middle day; the report's carriers.outage says what was held and when it drained")
	noCarriers := fs.Bool("no-carriers", false, "with --days > 1, leave the carriers' fakes out: no shipment, every delivery thugom's estimate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.load(); err != nil {
		return err
	}
	if *asJSON && cfg.LogLevel == "info" {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	}
	if *failures < 0 || *failures >= 1 || *households <= 0 || *postpone < 0 || *iterations < 0 || *days < 1 || *days > 14 {
		return fmt.Errorf("simulate: --failure-rate must be in [0, 1), --households > 0, --postponements and --iterations >= 0, --days in 1..14")
	}
	if *promises != sim.PromisesPolicy && (*promises != sim.PromisesQuoted || *days == 1) {
		return fmt.Errorf("simulate: --promises must be %s or %s (quoted with --days > 1)", sim.PromisesPolicy, sim.PromisesQuoted)
	}
	if *days == 1 && (*htmlOut != "" || *ordersCSV != "" || *whatIf != "" || *compare != "") {
		// The single day has no report of its own yet: say so rather than
		// write nothing.
		return fmt.Errorf("simulate: --html, --orders-csv, --what-if-vehicles and --compare need the week's machinery: give --days 2 or more")
	}
	var carrierOutage sim.Outage
	if *outage != "" {
		if *days == 1 || *noCarriers {
			return fmt.Errorf("simulate: --carrier-outage needs the week's carriers: --days 2 or more, without --no-carriers")
		}
		o, err := sim.ParseOutage(*outage)
		if err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
		carrierOutage = o
	}
	if *drain < 0 || *drain > 7 {
		return fmt.Errorf("simulate: --drain-days must be in 0..7")
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	iterationsSet := false
	fs.Visit(func(f *flag.Flag) { iterationsSet = iterationsSet || f.Name == "iterations" })
	admin, closeDB, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	const name = "thugom_simulate"
	if err := store.DropDatabase(ctx, admin, name); err != nil {
		return fmt.Errorf("simulate: drop old database: %w", err)
	}
	if err := store.CreateDatabase(ctx, admin, name, ""); err != nil {
		return fmt.Errorf("simulate: create database: %w", err)
	}
	// The simulation's database is made anew each run: its commits need not
	// wait for the disk.
	if err := sim.NoSyncCommit(ctx, admin, name); err != nil {
		return fmt.Errorf("simulate: database settings: %w", err)
	}
	u, err := withDatabase(admin.Config().ConnString(), name)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, u)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := store.Migrate(ctx, db.Pool); err != nil {
		return err
	}
	if *days > 1 {
		return simulateWeek(ctx, db, cfg, simWeekFlags{days: *days, households: *households, seed: *seed, failures: *failures,
			postpone: *postpone, iterations: *iterations, iterationsSet: iterationsSet, asJSON: *asJSON, html: *htmlOut, ordersCSV: *ordersCSV, whatIf: *whatIf, drain: *drain, promises: *promises, compare: *compare,
			outage: carrierOutage, noCarriers: *noCarriers})
	}
	deps := jobs.Deps{Logger: slog.Default().With("component", "simulate"), PlanIterations: *iterations, PlanBudget: cfg.PlanBudget, BorrowRadiusKm: cfg.BorrowRadiusKm, RetryTargets: cfg.RetryTargets, MinNotice: cfg.minNotice()}
	opt := sim.Options{Seed: *seed, Households: *households, FailureRate: *failures, Postponements: *postpone}
	if *postpone == 0 {
		opt.Postponements = -1
	}
	if !*asJSON {
		opt.Progress = func(s string) { fmt.Fprintln(os.Stderr, s) }
	}
	t0 := time.Now()
	rep, err := sim.Run(ctx, db, deps, opt)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(rep)
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	fmt.Fprintf(os.Stderr, "on time %d of %d feasible orders (%.1f %%) in %s\n", rep.OnTime, rep.FeasibleOrders, 100*rep.OnTimeRate, time.Since(t0).Round(time.Second))
	return nil
}

// withDatabase returns a connection string naming another database.
func withDatabase(conn, db string) (string, error) {
	if strings.HasPrefix(conn, "postgres://") || strings.HasPrefix(conn, "postgresql://") {
		u, err := url.Parse(conn)
		if err != nil {
			return "", err
		}
		u.Path = "/" + db
		return u.String(), nil
	}
	// key=value DSN: replace or add dbname.
	var parts []string
	for _, p := range strings.Fields(conn) {
		if !strings.HasPrefix(p, "dbname=") {
			parts = append(parts, p)
		}
	}
	return strings.Join(append(parts, "dbname="+db), " "), nil
}
