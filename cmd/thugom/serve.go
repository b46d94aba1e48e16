package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

func init() {
	register(&command{name: "serve", summary: "run the HTTP API and the River workers (migrates first)", run: runServe})
	register(&command{name: "worker", summary: "run River workers only (scale-out: any number, one database)", run: runWorker})
}

func runServe(ctx context.Context, args []string) error {
	fs, cfg := newConfig("serve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.load(); err != nil {
		return err
	}
	svc, err := startService(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer svc.stop()
	return svc.wait(ctx)
}

func runWorker(ctx context.Context, args []string) error {
	fs, cfg := newConfig("worker")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.load(); err != nil {
		return err
	}
	if cfg.Workers <= 0 {
		return errors.New("worker: --workers must be at least 1")
	}
	svc, err := startService(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer svc.stop()
	return svc.wait(ctx)
}

// service is a running thugom: the database (embedded or DATABASE_URL), the
// River workers and, unless worker-only, the HTTP API.
type service struct {
	cfg     *config
	db      *store.DB
	closeDB func()
	jobs    *jobs.Service
	srv     *http.Server
	httpErr chan error
	cancel  context.CancelFunc
}

// startService opens the database, migrates, starts the workers and, when
// withHTTP, the HTTP API on cfg.Addr.
func startService(ctx context.Context, cfg *config, withHTTP bool) (*service, error) {
	if err := cfg.makeDataDir(); err != nil {
		return nil, err
	}
	if err := cfg.loadSecret(); err != nil {
		return nil, err
	}
	db, closeDB, err := cfg.openDB(ctx)
	if err != nil {
		return nil, err
	}
	s := &service{cfg: cfg, db: db, closeDB: closeDB, httpErr: make(chan error, 1)}
	ok := false
	defer func() {
		if !ok {
			s.stop()
		}
	}()
	// Bind first: a busy port fails before any work starts.
	var ln net.Listener
	if withHTTP {
		if ln, err = (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Addr); err != nil {
			return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
		}
		defer func() {
			if !ok {
				ln.Close()
			}
		}()
	}
	res, err := store.Migrate(ctx, db.Pool)
	if err != nil {
		return nil, err
	}
	if res.Changed() {
		slog.Info("migrated", "thugom", res.Goose, "river", res.River, "checks", res.Checks)
	}
	sms, esms, err := jobs.SMSFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	carriers, err := jobs.CarriersFromEnv(cfg.env)
	if err != nil {
		return nil, err
	}
	eveningAt, err := thugom.ParseClockTime("--evening-at", cfg.EveningAt)
	if err != nil {
		return nil, err
	}
	waking, err := thugom.ParseWakingHours(cfg.WakingHours)
	if err != nil {
		return nil, err
	}
	autoPublish, err := jobs.ParsePublishPolicy(cfg.AutoPublish)
	if err != nil {
		return nil, fmt.Errorf("--auto-publish: %w", err)
	}
	s.jobs, err = jobs.New(db, jobs.Deps{
		Logger:      slog.Default().With("component", "jobs"),
		Workers:     cfg.Workers,
		PlanWorkers: cfg.PlanWorkers,
		PlanBudget:  cfg.PlanBudget,
		SMS:         sms, EveningAt: eveningAt, WakingHours: waking, BorrowRadiusKm: cfg.BorrowRadiusKm, RetryTargets: cfg.RetryTargets,
		LinkBase: cfg.SMSLinkBase, LinkSecret: cfg.Secret,
		AutoPublish: autoPublish, DropOffMinKm: cfg.DropOffMinKm, Carriers: carriers,
		MinNotice: cfg.minNotice(),
	})
	if err != nil {
		return nil, err
	}
	// Background work lives until stop, not until the signal: stop drains
	// it in order (HTTP first, then workers, then the database).
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	if err := s.jobs.Start(bg); err != nil {
		return nil, err
	}
	if withHTTP {
		deps := api.Deps{
			DB: db, Service: s.jobs, Clock: time.Now, Secret: cfg.Secret, BaseURL: cfg.BaseURL, ESMS: esms, HelpPhone: cfg.HelpPhone, SIMToken: os.Getenv("THUGOM_SIM_TOKEN"),
			Logger:          slog.Default().With("component", "api"),
			Metrics:         s.jobs.MetricsHandler(),
			Registerer:      s.jobs.MetricsRegisterer(),
			CommunesGeoJSON: geo.Default().Gazetteer().CommunesGeoJSON,
			MapAttribution:  geo.Attribution,
		}
		if ui, err := s.jobs.RiverUI(bg, "/admin/river"); err != nil {
			slog.Warn("river ui unavailable", "err", err)
		} else {
			deps.RiverUI = ui
		}
		s.srv = &http.Server{
			Handler:           api.New(deps),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       60 * time.Second,
			WriteTimeout:      120 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
		}
		go func() { s.httpErr <- s.srv.Serve(ln) }()
		slog.Info("serving", "addr", ln.Addr().String(), "base_url", cfg.BaseURL)
	}
	slog.Info("workers", "running", s.jobs.Working(), "default_queue", cfg.Workers, "planning_queue", cfg.PlanWorkers)
	ok = true
	return s, nil
}

// wait blocks until the context ends (a signal) or the HTTP server fails.
func (s *service) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		slog.Info("shutting down")
		return nil
	case err := <-s.httpErr:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("http: %w", err)
	}
}

// stop shuts down in order: HTTP (in-flight requests finish), workers
// (running jobs finish or are cancelled for a retry), database.
func (s *service) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if s.srv != nil {
		if err := s.srv.Shutdown(ctx); err != nil {
			slog.Warn("http shutdown", "err", err)
		}
	}
	if s.jobs != nil {
		if err := s.jobs.Stop(ctx); err != nil {
			slog.Warn("workers stop", "err", err)
		}
	}
	if s.cancel != nil {
		s.cancel()
	}
	if s.closeDB != nil {
		s.closeDB()
	}
}
