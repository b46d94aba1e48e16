package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/thugom/thugom/demo/sim"
	"github.com/thugom/thugom/store"
)

func init() {
	register(&command{name: "simulate", summary: "run harvest days on a simulated clock (orders all day, evening plans, failures, a breakdown, postponements) and report", run: runSimulate})
}

// runSimulate runs sim.RunWeek (one day or more) in a database of its own
// (thugom_simulate, dropped and created again on the embedded server or
// DATABASE_URL's), so the demo's data is never touched.
func runSimulate(ctx context.Context, args []string) error {
	fs, cfg := newConfig("simulate")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	households := fs.Int("households", 3000, "demo households")
	seed := fs.Uint64("seed", 42, "scenario and randomness seed")
	failures := fs.Float64("failure-rate", 0.10, "share of pickups that fail")
	postpone := fs.Int("postponements", 5, "households that reply 2 (postpone) at 08:00 each harvest day")
	iterations := fs.Int("iterations", 0, "solver iterations per plan for every depot (deterministic); 0 uses --plan-budget; unset, they scale to each depot's size (sim.BudgetFor)")
	days := fs.Int("days", 1, "harvest days (orders arriving all day, evening plans, the same failures, a breakdown a day, one rainy day), then up to --drain-days to collect what is still open")
	htmlOut := fs.String("html", "", "also write a self-contained HTML report to this file")
	lang := fs.String("lang", string(sim.LangVi), "the HTML report's language: vi (Vietnamese) or en (English)")
	ordersCSV := fs.String("orders-csv", "", "also write every order's outcome (one CSV line each) to this file")
	whatIf := fs.String("what-if-vehicles", "", "a what-if: motorbikes added to depots, as CODE=N[,CODE=N] (e.g. VTP-04=2); the report says so")
	promises := fs.String("promises", sim.PromisesPolicy, "how orders get their promise: policy (the marketplace's 24 h / 48 h) or quoted (each order first asks its carrier's quote, POST /v1/quotes's core call, and is placed with it)")
	compare := fs.String("compare", "", "with --html, another run's --json output (e.g. the same days with the other --promises) whose promise figures the report shows beside this run's")
	drain := fs.Int("drain-days", 2, "days after the harvest days (no new orders) to collect what is still open; 0 for none")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	outage := fs.String("carrier-outage", "", "with --carriers (implied), both carriers' fakes down (503 to every call, their webhooks held) for HH:MM-HH:MM of the middle harvest day (the only one with --days 1); the report's carriers.outage says what was held and when it drained")
	withCarriers := fs.Bool("carriers", false, "run through the carriers' fakes (shipments, every transition sent by River, the couriers' webhooks: delivered_at the carrier's fact beside the estimate); off, every delivery is thugom's estimate. A week's some fifty thousand carrier messages take this machine's two cores well past the week's ten minutes, so it is a mode, not the default")
	if err := fs.Parse(args); err != nil {
		return flagError{err}
	}
	if err := cfg.load(); err != nil {
		return err
	}
	reportLang, err := sim.ParseLang(*lang)
	if err != nil {
		return flagError{fmt.Errorf("simulate: --lang: %w", err)}
	}
	if *asJSON && cfg.LogLevel == "info" {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	}
	if *failures < 0 || *failures >= 1 || *households <= 0 || *postpone < 0 || *iterations < 0 || *days < 1 || *days > 14 {
		return flagError{fmt.Errorf("simulate: --failure-rate must be in [0, 1), --households > 0, --postponements and --iterations >= 0, --days in 1..14")}
	}
	if *promises != sim.PromisesPolicy && *promises != sim.PromisesQuoted {
		return flagError{fmt.Errorf("simulate: --promises must be %s or %s", sim.PromisesPolicy, sim.PromisesQuoted)}
	}
	var carrierOutage sim.Outage
	if *outage != "" {
		o, err := sim.ParseOutage(*outage)
		if err != nil {
			return flagError{fmt.Errorf("simulate: %w", err)}
		}
		carrierOutage = o
	}
	if *drain < 0 || *drain > 7 {
		return flagError{fmt.Errorf("simulate: --drain-days must be in 0..7")}
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
	return simulateWeek(ctx, db, cfg, simWeekFlags{days: *days, households: *households, seed: *seed, failures: *failures,
		postpone: *postpone, iterations: *iterations, iterationsSet: iterationsSet, asJSON: *asJSON, html: *htmlOut, ordersCSV: *ordersCSV, whatIf: *whatIf, drain: *drain, promises: *promises, compare: *compare, lang: reportLang,
		outage: carrierOutage, noCarriers: !*withCarriers && *outage == ""})
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
