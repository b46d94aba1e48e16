package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgserver"
)

// config is the one configuration of the binary: flags, with defaults from
// the environment.
//
//	DATABASE_URL      PostgreSQL ≥ 14 to use; when unset an embedded server runs on <data-dir>/pg
//	THUGOM_ADDR       --addr, HTTP listen address (default 127.0.0.1:8080)
//	THUGOM_DATA_DIR   --data-dir, directory of the embedded server, secret and demo.json (default ./.thugom)
//	THUGOM_BASE_URL   --base-url, public URL of the API used in links (default http://<addr>)
//	THUGOM_SECRET     key signing household links (default: generated once into <data-dir>/secret)
//	THUGOM_LOG_LEVEL  debug, info (default), warn, error
//	THUGOM_PG_BIN     directory of initdb and postgres for the embedded server (default: searched)
//	THUGOM_PG_HOME    where the embedded cluster lives when thugom runs as root and the postgres user cannot enter the data dir (default /var/lib/thugom; recorded in <data-dir>/pg.location)
//	THUGOM_WORKERS    --workers, River workers of the default queue (default 32; 0 runs none: the process only enqueues)
//	THUGOM_PLAN_WORKERS --plan-workers, concurrent plan solves (default 1)
//	THUGOM_PLAN_BUDGET  --plan-budget, solver time per depot plan, carried by the plans this process asks for (default 20s; demo 5s; at most 40s for a job)
//	THUGOM_SMS_LINK_BASE --sms-link-base, host the window SMS link to (<host>/s/<code>; default none)
//	THUGOM_AUTO_PUBLISH --auto-publish, automatic re-plans: always (default), draft, max-changes=N
//	THUGOM_BORROW_RADIUS_KM --borrow-radius-km, how far a depot may borrow an idle vehicle of its carrier (default 30)
type config struct {
	Addr        string
	DataDir     string
	BaseURL     string
	DatabaseURL string
	Secret      []byte
	// getenv reads the environment (os.Getenv when nil); the demo points
	// the carriers' connectors at its fakes through it.
	getenv func(string) string
	// demoCarriers: the fakes the demo started (nil otherwise).
	demoCarriers *demoCarriers
	LogLevel     string
	Workers      int
	PlanWorkers  int
	PlanBudget   time.Duration
	PGBin        string
	// BorrowRadiusKm: how far a depot borrows idle vehicles (jobs/borrow.go).
	BorrowRadiusKm float64
	// RetryTargets aims the least-slack stops early so a failed visit can
	// be retried before their truck (jobs.Deps.RetryTargets); on unless
	// THUGOM_RETRY_TARGETS=0.
	RetryTargets bool
	// Households' notice (issue 13): evening planning, waking hours, the
	// phone shown on bad links.
	EveningAt, WakingHours, HelpPhone string
	PGHome                            string
	// SMSLinkBase is the host window SMS link to (/s/{code}); empty: no link.
	SMSLinkBase string
	// AutoPublish is the publish policy of automatic re-plans.
	AutoPublish string
	// DropOffMinKm: households farther than this from every planned stop
	// may be offered their commune's drop-off point.
	DropOffMinKm float64
	// MinNotice is the least notice of a window a household did not ask
	// for, from when it can first be told (0: none, the default;
	// jobs/noticefloor.go).
	MinNotice time.Duration
}

// commandFlags lists the common flags each command reads; a command not
// listed gets them all. Help then shows only a command's own flags.
var commandFlags = map[string][]string{
	"serve":    {"addr", "data-dir", "base-url", "log-level", "workers", "plan-workers", "plan-budget", "evening-at", "waking-hours", "help-phone", "sms-link-base", "auto-publish", "borrow-radius-km", "min-notice"},
	"demo":     {"addr", "data-dir", "base-url", "log-level", "workers", "plan-workers", "plan-budget", "evening-at", "waking-hours", "help-phone", "sms-link-base", "auto-publish", "borrow-radius-km", "min-notice"},
	"worker":   {"data-dir", "log-level", "workers", "plan-workers", "plan-budget", "evening-at", "waking-hours", "sms-link-base", "auto-publish", "borrow-radius-km", "min-notice"},
	"migrate":  {"data-dir", "log-level"},
	"simulate": {"data-dir", "log-level", "plan-budget", "borrow-radius-km", "min-notice"},
}

// newConfig registers on a new flag set for command name the common flags
// it reads (commandFlags; "token ..." reads only the database's), with the
// defaults it really uses (the demo plans faster). Call cfg.load after
// fs.Parse.
func newConfig(name string) (*flag.FlagSet, *config) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c := &config{}
	planWorkers, planBudget := 1, 20*time.Second
	if name == "demo" {
		planWorkers, planBudget = 2, 5*time.Second
	}
	want, ok := commandFlags[name]
	if strings.HasPrefix(name, "token") {
		want, ok = []string{"data-dir", "log-level"}, true
	}
	has := func(f string) bool { return !ok || slices.Contains(want, f) }
	str := func(dst *string, f, def, usage string) {
		*dst = def
		if has(f) {
			fs.StringVar(dst, f, def, usage)
		}
	}
	num := func(dst *int, f string, def int, usage string) {
		*dst = def
		if has(f) {
			fs.IntVar(dst, f, def, usage)
		}
	}
	str(&c.Addr, "addr", envOr("THUGOM_ADDR", "127.0.0.1:8080"), "HTTP listen address (env THUGOM_ADDR)")
	str(&c.DataDir, "data-dir", envOr("THUGOM_DATA_DIR", ".thugom"), "data directory: embedded PostgreSQL, secret, demo.json (env THUGOM_DATA_DIR)")
	str(&c.BaseURL, "base-url", os.Getenv("THUGOM_BASE_URL"), "public base URL for links (env THUGOM_BASE_URL; default http://<addr>)")
	str(&c.LogLevel, "log-level", envOr("THUGOM_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env THUGOM_LOG_LEVEL)")
	num(&c.Workers, "workers", envInt("THUGOM_WORKERS", 32), "River workers of the default queue; 0 runs no workers (env THUGOM_WORKERS)")
	num(&c.PlanWorkers, "plan-workers", envInt("THUGOM_PLAN_WORKERS", planWorkers), "concurrent plan solves, CPU-bound (env THUGOM_PLAN_WORKERS)")
	c.PlanBudget = envDuration("THUGOM_PLAN_BUDGET", planBudget)
	if has("plan-budget") {
		fs.DurationVar(&c.PlanBudget, "plan-budget", c.PlanBudget, "solver time per depot plan, carried by the planning jobs this process asks for (env THUGOM_PLAN_BUDGET)")
	}
	c.BorrowRadiusKm = envFloat("THUGOM_BORROW_RADIUS_KM", jobs.DefaultBorrowRadiusKm)
	c.RetryTargets = envInt("THUGOM_RETRY_TARGETS", 1) != 0
	if has("borrow-radius-km") {
		fs.Float64Var(&c.BorrowRadiusKm, "borrow-radius-km", c.BorrowRadiusKm, "how far (road km) a depot may borrow an idle vehicle of its carrier (env THUGOM_BORROW_RADIUS_KM)")
	}
	c.MinNotice = envDuration("THUGOM_MIN_NOTICE", 0)
	if has("min-notice") {
		fs.DurationVar(&c.MinNotice, "min-notice", c.MinNotice, "least notice of a pickup window from when the household can first be told (waking hours), unless it asked (a readiness under this ahead, or ready) or was told; tomorrow is re-planned at the last call (30 min before the waking hours end) for the orders since the evening planning; 0: none (env THUGOM_MIN_NOTICE)")
	}
	str(&c.EveningAt, "evening-at", envOr("THUGOM_EVENING_AT", "17:00"), "local time tomorrow is planned and households told their windows (env THUGOM_EVENING_AT)")
	str(&c.WakingHours, "waking-hours", envOr("THUGOM_WAKING_HOURS", thugom.DefaultWakingHours.String()), "local hours households may be texted (env THUGOM_WAKING_HOURS)")
	str(&c.AutoPublish, "auto-publish", envOr("THUGOM_AUTO_PUBLISH", "always"), "automatic re-plans (failed pickup, breakdown, SLA watch): always published, kept as a draft, or max-changes=N (env THUGOM_AUTO_PUBLISH)")
	str(&c.HelpPhone, "help-phone", os.Getenv("THUGOM_HELP_PHONE"), "post office phone shown on invalid household links (env THUGOM_HELP_PHONE)")
	str(&c.SMSLinkBase, "sms-link-base", os.Getenv("THUGOM_SMS_LINK_BASE"), "public host window SMS link to as <host>/s/<code>, e.g. thugom.vn; empty: no link (env THUGOM_SMS_LINK_BASE)")
	c.DropOffMinKm = 5
	if v, err := strconv.ParseFloat(os.Getenv("THUGOM_DROPOFF_MIN_KM"), 64); err == nil {
		c.DropOffMinKm = v
	}
	if slices.Contains([]string{"serve", "demo", "worker", "simulate"}, name) {
		fs.Float64Var(&c.DropOffMinKm, "dropoff-min-km", c.DropOffMinKm, "km from every planned stop beyond which a household may be offered its commune's drop-off point (env THUGOM_DROPOFF_MIN_KM)")
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: thugom %s [flags]\n\n", name)
		if has("data-dir") {
			fmt.Fprintf(fs.Output(), "DATABASE_URL selects an existing PostgreSQL; when unset an embedded server runs on <data-dir>/pg.\n\n")
		}
		fmt.Fprintf(fs.Output(), "flags:\n")
		fs.PrintDefaults()
	}
	return fs, c
}

// load completes the configuration after flag parsing: environment-only
// settings, the logger, and the base URL.
// env reads the configuration's environment.
func (c *config) env(k string) string {
	if c.getenv != nil {
		return c.getenv(k)
	}
	return os.Getenv(k)
}

func (c *config) load() error {
	c.DatabaseURL = os.Getenv("DATABASE_URL")
	c.PGBin = os.Getenv("THUGOM_PG_BIN")
	c.PGHome = os.Getenv("THUGOM_PG_HOME")
	if c.DropOffMinKm < 0 || c.DropOffMinKm > 100 {
		return fmt.Errorf("--dropoff-min-km must be between 0 and 100, not %g", c.DropOffMinKm)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	if c.BaseURL == "" {
		host := c.Addr
		if strings.HasPrefix(host, ":") {
			host = "127.0.0.1" + host
		}
		c.BaseURL = "http://" + host
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return err
	}
	c.DataDir = abs
	return nil
}

// makeDataDir creates the data directory, whatever the database: the
// secret, demo.json and the embedded server live there. It must be
// enterable by the postgres user when we are root.
func (c *config) makeDataDir() error {
	if err := os.MkdirAll(c.DataDir, 0o711); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	return nil
}

// loadSecret returns THUGOM_SECRET, or the secret kept in <data-dir>/secret,
// created on first use.
func (c *config) loadSecret() error {
	if s := os.Getenv("THUGOM_SECRET"); s != "" {
		if len(s) < 16 {
			return errors.New("THUGOM_SECRET must be at least 16 characters")
		}
		c.Secret = []byte(s)
		return nil
	}
	if s := c.readKept("secret"); len(s) >= 32 {
		c.Secret = []byte(s)
		return nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return err
	}
	s := hex.EncodeToString(buf)
	if err := c.keep("secret", s); err != nil {
		return fmt.Errorf("write secret: %w", err)
	}
	c.Secret = []byte(s)
	return nil
}

// readKept returns the value kept in <data-dir>/name, trimmed ("" when
// there is none).
func (c *config) readKept(name string) string {
	b, err := os.ReadFile(filepath.Join(c.DataDir, name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// keep writes value to <data-dir>/name, readable by its owner only,
// creating the data directory when needed.
func (c *config) keep(name, value string) error {
	if err := c.makeDataDir(); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c.DataDir, name), []byte(value+"\n"), 0o600)
}

// openDB connects to DATABASE_URL, or starts the embedded server on
// <data-dir>/pg. The returned close function closes the pool and stops the
// embedded server.
func (c *config) openDB(ctx context.Context) (*store.DB, func(), error) {
	if c.DatabaseURL != "" {
		db, err := store.Open(ctx, c.DatabaseURL)
		if err != nil {
			return nil, nil, err
		}
		return db, db.Close, nil
	}
	if err := c.makeDataDir(); err != nil {
		return nil, nil, err
	}
	start := time.Now()
	srv, err := pgserver.Start(ctx, pgserver.Config{Dir: filepath.Join(c.DataDir, "pg"), BinDir: c.PGBin, HomeRoot: c.PGHome,
		Supervise: true, Logger: slog.Default()})
	if err != nil {
		return nil, nil, err
	}
	slog.Info("embedded PostgreSQL ready", "dir", srv.Dir(), "took", time.Since(start).Round(time.Millisecond))
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			slog.Warn("stop embedded PostgreSQL", "err", err)
		}
	}
	// The embedded cluster's database is named thugom (embeddedDB).
	if err := srv.EnsureDatabase(ctx, embeddedDB); err != nil {
		stop()
		return nil, nil, err
	}
	db, err := store.Open(ctx, srv.URL(embeddedDB))
	if err != nil {
		stop()
		return nil, nil, err
	}
	return db, func() { db.Close(); stop() }, nil
}

func envDuration(key string, def time.Duration) time.Duration {
	if v := os.Getenv(key); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		slog.Warn("ignoring environment variable that is not a duration (e.g. 5s)", "name", key)
	}
	return def
}

func envInt(key string, def int) int {
	if v := os.Getenv(key); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
		slog.Warn("ignoring non-numeric environment variable", "name", key)
	}
	return def
}

func envFloat(key string, def float64) float64 {
	if v := os.Getenv(key); v != "" {
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			return x
		}
		slog.Warn("ignoring non-numeric environment variable", "name", key)
	}
	return def
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// embeddedDB is the name of thugom's database in the embedded cluster.
const embeddedDB = "thugom"

// minNotice is MinNotice as jobs.Deps reads it: 0 on the command line is
// none (negative there; 0 there is the default).
func (c *config) minNotice() time.Duration {
	if c.MinNotice == 0 {
		return -1
	}
	return c.MinNotice
}
