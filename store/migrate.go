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
	River  []int         // River migration versions applied
	Goose  []string      // goose migration files applied
	Checks []CheckChange // status CHECK constraints remade from their Go lists
}

// Changed reports whether Migrate changed anything.
func (r *MigrateResult) Changed() bool {
	return len(r.River)+len(r.Goose)+len(r.Checks) > 0
}

// Migrate brings the schema up to date: River's migrations through
// rivermigrate, thugom's goose migrations, then the status columns' CHECK
// constraints made from their Go lists (SyncStatusChecks with
// StatusColumns). It is idempotent and safe to run from several processes
// at once (a PostgreSQL advisory lock serialises them).
func Migrate(ctx context.Context, pool *pgxpool.Pool) (*MigrateResult, error) {
	res := &MigrateResult{}
	err := withMigrateLock(ctx, pool, func(conn *pgxpool.Conn) error {
		var err error
		if res.River, err = migrateRiver(ctx, pool); err != nil {
			return err
		}
		if res.Goose, err = migrateGoose(ctx, pool); err != nil {
			return err
		}
		res.Checks, err = syncStatusChecks(ctx, conn, StatusColumns)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// withMigrateLock runs fn on a connection holding the migrations' advisory
// lock, waiting for another process's migration to finish first.
func withMigrateLock(ctx context.Context, pool *pgxpool.Pool, fn func(conn *pgxpool.Conn) error) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, query("MigrateLock")); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), query("MigrateUnlock")) //nolint:errcheck
	return fn(conn)
}

// migrateRiver applies River's migrations and returns their versions.
func migrateRiver(ctx context.Context, pool *pgxpool.Pool) ([]int, error) {
	rm, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("migrate river: %w", err)
	}
	rr, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("migrate river: %w", err)
	}
	var applied []int
	for _, v := range rr.Versions {
		applied = append(applied, v.Version)
	}
	return applied, nil
}

// migrateGoose applies thugom's migrations and returns their files.
func migrateGoose(ctx context.Context, pool *pgxpool.Pool) ([]string, error) {
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
	var applied []string
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	return applied, nil
}
