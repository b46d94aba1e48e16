package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/demo"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

func init() {
	register(&command{name: "demo", summary: "serve with a seeded, geocoded and planned Lạng Sơn demo day; writes <data-dir>/demo.json", run: runDemo})
}

// demoFile is <data-dir>/demo.json: where to start. Its tokens are the
// same on every start of the same data directory (demoTokenFor): the links
// keep working after a restart.
type demoFile struct {
	BaseURL         string `json:"base_url"`
	Day             string `json:"day"`
	DispatcherToken string `json:"dispatcher_token"`
	// AdminToken opens /metrics (Authorization: Bearer) and River's UI
	// (RiverURL, which sets a cookie under /admin/).
	AdminToken string `json:"admin_token"`
	MetricsURL string `json:"metrics_url"`
	RiverURL   string `json:"river_url"`
	// DispatcherURL opens the map of the day of the first driver's depot,
	// signed in (the token rides in the fragment, never sent to a server).
	DispatcherURL string          `json:"dispatcher_url"`
	Drivers       []demoDriver    `json:"drivers"`
	Households    []demoHousehold `json:"households"`
	// Carriers: the carriers' fakes the demo runs (absent when
	// THUGOM_CARRIERS names real ones).
	Carriers *demoCarriers `json:"carriers,omitempty"`
}

type demoDriver struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
	// AppURL opens the driver's app on a phone, signed in; SheetURL is the
	// printable sheet of the driver's working day.
	AppURL      string `json:"app_url"`
	SheetURL    string `json:"sheet_url"`
	ManifestURL string `json:"manifest_url"`
}

type demoHousehold struct {
	ID      int64  `json:"id"`
	PageURL string `json:"page_url"`
}

func runDemo(ctx context.Context, args []string) error {
	fs, cfg := newConfig("demo")
	seed := fs.Uint64("seed", 20260915, "seed of the demo scenario")
	households := fs.Int("households", 3000, "households in the demo scenario")
	dayFlag := fs.String("day", "", "harvest day YYYY-MM-DD (default: today before 06:00 Asia/Ho_Chi_Minh, else tomorrow)")
	planTimeout := fs.Duration("plan-timeout", 20*time.Minute, "how long to wait for every depot's plan")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.load(); err != nil {
		return err
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	// The demo wants its first plans quickly: a shorter solve per depot and
	// both cores, unless asked otherwise.
	if !explicit["plan-budget"] && os.Getenv("THUGOM_PLAN_BUDGET") == "" {
		cfg.PlanBudget = 5 * time.Second
	}
	if !explicit["plan-workers"] && os.Getenv("THUGOM_PLAN_WORKERS") == "" {
		cfg.PlanWorkers = 2
	}
	// The demo's window SMS (in the outbox) link to its own pages.
	if !explicit["sms-link-base"] && os.Getenv("THUGOM_SMS_LINK_BASE") == "" {
		cfg.SMSLinkBase = cfg.BaseURL
	}
	if cfg.Workers <= 0 {
		return errors.New("demo: --workers must be at least 1 (the demo geocodes and plans)")
	}
	if *households < 1 || *households > 200000 {
		return fmt.Errorf("demo: --households must be between 1 and 200000, not %d", *households)
	}
	start := time.Now()
	fakes, stopCarriers, err := startDemoCarriers(ctx, cfg)
	if err != nil {
		return err
	}
	defer stopCarriers()
	svc, err := startService(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer svc.stop()
	fakes.deliver(ctx, svc)

	df, err := prepareDemo(ctx, svc, *seed, *households, *dayFlag, *planTimeout)
	if err != nil {
		if ctx.Err() != nil { // interrupted while preparing: a clean stop
			slog.Info("demo interrupted before it was ready; run it again to resume")
			return nil
		}
		return err
	}
	slog.Info("demo ready", "took", time.Since(start).Round(100*time.Millisecond), "file", filepath.Join(cfg.DataDir, "demo.json"))
	fmt.Printf("\nthugom demo: %s planned\n", df.Day)
	fmt.Printf("  API:               %s  (OpenAPI: %s/openapi.json)\n", df.BaseURL, df.BaseURL)
	fmt.Printf("  dispatcher map:    %s\n", df.DispatcherURL)
	fmt.Printf("  dispatcher token:  %s\n", df.DispatcherToken)
	for _, d := range df.Drivers {
		fmt.Printf("  driver %d app:     %s\n", d.ID, d.AppURL)
		fmt.Printf("  driver %d sheet:   %s\n", d.ID, d.SheetURL)
	}
	fmt.Printf("  administrator:     %s  (River UI: %s; /metrics: curl -H 'Authorization: Bearer %s' %s)\n",
		df.AdminToken, df.RiverURL, df.AdminToken, df.MetricsURL)
	for _, h := range df.Households {
		fmt.Printf("  household %d page: %s\n", h.ID, h.PageURL)
	}
	if cc := svc.db.Config().ConnConfig; strings.HasPrefix(cc.Host, "/") { // the embedded server: a unix socket
		fmt.Printf("  database:          psql -h %s -p %d -U %s %s  (the socket's directory; as root: sudo -u %s psql ...)\n",
			cc.Host, cc.Port, cc.User, cc.Database, cc.User)
	}
	fmt.Printf("  everything above:  %s\n\n", filepath.Join(cfg.DataDir, "demo.json"))
	return svc.wait(ctx)
}

// prepareDemo seeds (once), waits for geocoding, plans every depot's day and
// writes demo.json.
func prepareDemo(ctx context.Context, svc *service, seed uint64, households int, dayFlag string, planTimeout time.Duration) (*demoFile, error) {
	day, err := seedDemo(ctx, svc, seed, households, dayFlag)
	if err != nil {
		return nil, err
	}
	if err := waitGeocoded(ctx, svc); err != nil {
		return nil, err
	}
	if err := planDemo(ctx, svc, day, planTimeout); err != nil {
		return nil, err
	}
	return writeDemoFile(ctx, svc, day)
}

// seedDemo seeds the scenario unless a demo is already in the database, and
// returns the harvest day. The rows and their geocoding jobs are written in
// one transaction: a crash leaves either everything or nothing.
func seedDemo(ctx context.Context, svc *service, seed uint64, households int, dayFlag string) (time.Time, error) {
	if day, ok, err := demo.SeededDay(ctx, svc.db); err != nil || ok {
		if ok {
			slog.Info("demo already seeded: not seeding again", "day", day.Format(time.DateOnly))
		}
		return day, err
	}
	// The demo day is the next harvest day still ahead: today before 06:00
	// local time, else tomorrow, so the whole day can be planned.
	now := time.Now()
	day := thugom.Day(now)
	if now.Sub(day) >= 6*time.Hour {
		day = thugom.Day(day.Add(36 * time.Hour))
	}
	if dayFlag != "" {
		d, err := time.ParseInLocation(time.DateOnly, dayFlag, thugom.Local)
		if err != nil {
			return time.Time{}, fmt.Errorf("--day: %w", err)
		}
		day = d
	}
	n, err := store.CountHouseholds(ctx, svc.db)
	if err != nil {
		return time.Time{}, err
	}
	if n > 0 {
		return time.Time{}, fmt.Errorf("demo: the database already has %d households but no demo: use an empty --data-dir or DATABASE_URL", n)
	}
	t0 := time.Now()
	sc, err := demo.Build(geo.Default().Gazetteer(), demo.Options{Seed: seed, Households: households, Day: day})
	if err != nil {
		return time.Time{}, err
	}
	var seeded *demo.Seeded
	err = svc.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if seeded, err = demo.Seed(ctx, tx, sc, time.Now()); err != nil {
			return err
		}
		params := make([]river.InsertManyParams, 0, len(seeded.ToGeocode))
		for _, id := range seeded.ToGeocode {
			params = append(params, river.InsertManyParams{Args: jobs.GeocodeHouseholdArgs{HouseholdID: id}})
		}
		_, err = svc.jobs.Client().InsertManyTx(ctx, tx, params)
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("demo: seed: %w", err)
	}
	slog.Info("demo seeded", "day", day.Format(time.DateOnly), "households", len(seeded.HouseholdIDs),
		"orders", len(seeded.OrderIDs), "depots", len(seeded.DepotIDs), "drivers", len(seeded.DriverIDs), "took", time.Since(t0).Round(time.Millisecond))
	return day, nil
}

var activeStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled, rivertype.JobStatePending}

// jobsActive reports whether jobs of the kinds are queued or running.
func jobsActive(ctx context.Context, svc *service, kinds ...string) (bool, error) {
	res, err := svc.jobs.Client().JobList(ctx, river.NewJobListParams().Kinds(kinds...).States(activeStates...).First(1))
	if err != nil {
		return false, err
	}
	return len(res.Jobs) > 0, nil
}

// waitGeocoded waits until no geocoding job is left.
func waitGeocoded(ctx context.Context, svc *service) error {
	t0, last := time.Now(), time.Now()
	for {
		active, err := jobsActive(ctx, svc, jobs.KindGeocodeHousehold)
		if err != nil {
			return err
		}
		if !active {
			left, err := store.CountHouseholdsToGeocode(ctx, svc.db)
			if err != nil {
				return err
			}
			slog.Info("geocoding done", "took", time.Since(t0).Round(100*time.Millisecond), "not_placed", left)
			return nil
		}
		if time.Since(last) > 5*time.Second {
			left, _ := store.CountHouseholdsToGeocode(ctx, svc.db)
			slog.Info("geocoding", "households_left", left)
			last = time.Now()
		}
		if err := sleep(ctx, 250*time.Millisecond); err != nil {
			return err
		}
	}
}

// planDemo enqueues the plan of every depot with orders that has no finished
// plan for the day, and waits until each has one.
func planDemo(ctx context.Context, svc *service, day time.Time, timeout time.Duration) error {
	t0, last := time.Now(), time.Now()
	depots, err := store.DepotsWithOpenOrders(ctx, svc.db, day.Add(24*time.Hour))
	if err != nil {
		return err
	}
	states, err := store.DepotsPlanned(ctx, svc.db, day)
	if err != nil {
		return err
	}
	done := map[int64]bool{}
	for _, s := range states {
		done[s.DepotID] = s.Done
	}
	var params []river.InsertManyParams
	for _, id := range depots {
		if !done[id] {
			params = append(params, river.InsertManyParams{Args: jobs.PlanDepotDayArgs{DepotID: id, Day: day.Format(time.DateOnly), Reason: "demo"}})
		}
	}
	if len(params) > 0 {
		if _, err := svc.jobs.Client().InsertMany(ctx, params); err != nil {
			return fmt.Errorf("demo: enqueue plans: %w", err)
		}
		slog.Info("planning", "depots", len(params), "budget_per_depot", svc.cfg.PlanBudget, "parallel", svc.cfg.PlanWorkers)
	}
	for {
		states, err := store.DepotsPlanned(ctx, svc.db, day)
		if err != nil {
			return err
		}
		nDone, nFailed := 0, 0
		for _, s := range states {
			if s.Done {
				nDone++
			} else if s.Failed {
				nFailed++
			}
		}
		if nDone >= len(depots) {
			slog.Info("every depot planned", "depots", nDone, "took", time.Since(t0).Round(100*time.Millisecond))
			return nil
		}
		active, err := jobsActive(ctx, svc, jobs.KindPlanDepotDay, jobs.KindReplan)
		if err != nil {
			return err
		}
		if !active {
			if nDone == 0 {
				return fmt.Errorf("demo: planning ended without a finished plan (%d of %d depots failed): see the log and %s/admin/river", nFailed, len(depots), svc.cfg.BaseURL)
			}
			slog.Warn("planning ended with depots unplanned", "done", nDone, "failed", nFailed, "depots", len(depots))
			return nil
		}
		if time.Since(t0) > timeout {
			return fmt.Errorf("demo: planning not finished after %s (%d of %d depots)", timeout, nDone, len(depots))
		}
		if time.Since(last) > 5*time.Second {
			slog.Info("planning", "done", nDone, "failed", nFailed, "depots", len(depots))
			last = time.Now()
		}
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			return err
		}
	}
}

// writeDemoFile makes sure the demo's tokens exist (derived from the data
// directory's secret: the same on every start; other demo tokens are
// revoked) and writes <data-dir>/demo.json.
func writeDemoFile(ctx context.Context, svc *service, day time.Time) (*demoFile, error) {
	cfg := svc.cfg
	df := &demoFile{BaseURL: cfg.BaseURL, Day: day.Format(time.DateOnly), Carriers: cfg.demoCarriers}
	driverIDs, err := store.DriversWithRoutes(ctx, svc.db, day, 3)
	if err != nil {
		return nil, err
	}
	if len(driverIDs) < 2 {
		return nil, fmt.Errorf("demo: only %d drivers have routes on %s", len(driverIDs), df.Day)
	}
	householdIDs, err := store.HouseholdsWithPickups(ctx, svc.db, day, 3)
	if err != nil {
		return nil, err
	}
	if len(householdIDs) == 0 {
		return nil, fmt.Errorf("demo: no household has a pickup on %s", df.Day)
	}
	now := time.Now()
	err = svc.db.InTx(ctx, func(tx pgx.Tx) error {
		keep := map[int64]bool{}
		tok := func(t thugom.Token) (string, error) {
			t.CreatedAt = now
			s, id, err := demoToken(ctx, tx, cfg.Secret, t)
			keep[id] = true
			return s, err
		}
		first, err := store.DriverByID(ctx, tx, driverIDs[0])
		if err != nil {
			return err
		}
		carrier := first.CarrierID
		if df.DispatcherToken, err = tok(thugom.Token{Name: "demo: dispatcher", Role: thugom.RoleDispatcher, CarrierID: &carrier}); err != nil {
			return err
		}
		df.DispatcherURL = fmt.Sprintf("%s/?date=%s&depot=%d#token=%s", cfg.BaseURL, df.Day, first.DepotID, df.DispatcherToken)
		if df.AdminToken, err = tok(thugom.Token{Name: "demo: admin", Role: thugom.RoleAdmin}); err != nil {
			return err
		}
		df.MetricsURL, df.RiverURL = cfg.BaseURL+"/metrics", cfg.BaseURL+"/admin/river?access_token="+df.AdminToken
		for _, id := range driverIDs {
			s, err := tok(thugom.Token{Name: fmt.Sprintf("demo: driver %d", id), Role: thugom.RoleDriver, DriverID: &id})
			if err != nil {
				return err
			}
			df.Drivers = append(df.Drivers, demoDriver{ID: id, Token: s, AppURL: cfg.BaseURL + "/d/#token=" + s,
				SheetURL:    fmt.Sprintf("%s/v1/drivers/%d/manifest.html?access_token=%s", cfg.BaseURL, id, s),
				ManifestURL: fmt.Sprintf("%s/v1/drivers/%d/manifest?date=%s&access_token=%s", cfg.BaseURL, id, df.Day, s)})
		}
		return revokeOtherDemoTokens(ctx, tx, keep, now)
	})
	if err != nil {
		return nil, fmt.Errorf("demo: tokens: %w", err)
	}
	for _, id := range householdIDs {
		df.Households = append(df.Households, demoHousehold{ID: id, PageURL: api.HouseholdPageURL(cfg.BaseURL, cfg.Secret, id, day.Add(7*24*time.Hour))})
	}
	b, err := json.MarshalIndent(df, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := cfg.makeDataDir(); err != nil {
		return nil, err
	}
	path := filepath.Join(cfg.DataDir, "demo.json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	return df, nil
}

// demoTokenFor derives the demo's token of a name from the data
// directory's secret (which already signs the household links): the same
// token on every start, so demo.json's links survive a restart.
func demoTokenFor(secret []byte, name string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("thugom demo token\x00" + name))
	return api.TokenPrefix + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// demoToken returns the demo's token of t.Name and its id: the live one
// if there, else stored now. One an operator revoked is not brought back:
// a random token replaces it.
func demoToken(ctx context.Context, tx pgx.Tx, secret []byte, t thugom.Token) (string, int64, error) {
	tok := demoTokenFor(secret, t.Name)
	if cur, err := store.TokenByHash(ctx, tx, api.HashToken(tok)); err == nil {
		return tok, cur.ID, nil
	} else if !errors.Is(err, thugom.ErrNotFound) {
		return "", 0, err
	}
	sp, err := tx.Begin(ctx) // a savepoint: the insert of a revoked hash fails
	if err != nil {
		return "", 0, err
	}
	id, err := store.InsertToken(ctx, sp, t, api.HashToken(tok))
	if err == nil {
		return tok, id, sp.Commit(ctx)
	}
	if err := sp.Rollback(ctx); err != nil {
		return "", 0, err
	}
	tok, hash, err := api.NewToken()
	if err != nil {
		return "", 0, err
	}
	id, err = store.InsertToken(ctx, tx, t, hash)
	return tok, id, err
}

// revokeOtherDemoTokens revokes the live demo tokens not kept (a previous
// demo's drivers, tokens of an earlier version).
func revokeOtherDemoTokens(ctx context.Context, tx pgx.Tx, keep map[int64]bool, now time.Time) error {
	old, err := store.ListTokens(ctx, tx)
	if err != nil {
		return err
	}
	for _, t := range old {
		if t.RevokedAt == nil && strings.HasPrefix(t.Name, "demo:") && !keep[t.ID] {
			if err := store.RevokeToken(ctx, tx, t.ID, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
