package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// Migrations: NNNNN_name.sql goose files. FOUNDATION numbers 00001–00099,
// JOBS 00100–00199, API 00200–00299.
//
//go:embed migrations/*.sql
var migrationsFS embed.FS

// MigrateResult says what Migrate applied.
type MigrateResult struct {
	River []int    // River migration versions applied
	Goose []string // goose migration files applied
}

// Migrate brings the schema up to date: River's migrations through
// rivermigrate, then thugom's goose migrations. It is idempotent and safe to
// run from several processes at once (a PostgreSQL advisory lock serialises
// them).
func Migrate(ctx context.Context, pool *pgxpool.Pool) (*MigrateResult, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, query("MigrateLock")); err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), query("MigrateUnlock")) //nolint:errcheck

	res := &MigrateResult{}
	rm, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("migrate river: %w", err)
	}
	rr, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("migrate river: %w", err)
	}
	for _, v := range rr.Versions {
		res.River = append(res.River, v.Version)
	}

	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return nil, err
	}
	sqldb := stdlib.OpenDBFromPool(pool)
	defer sqldb.Close()
	// Out-of-order: the three number ranges grow independently, so a lower
	// number may arrive after a higher one was applied.
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, sub,
		goose.WithAllowOutofOrder(true), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		res.Goose = append(res.Goose, r.Source.Path)
	}
	return res, nil
}
