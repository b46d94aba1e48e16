// Package store persists thugom's nouns in PostgreSQL: the connection pool
// and transactions (DB, DBTX, InTx), the schema (Migrate: goose migrations
// embedded from migrations/ plus River's own through rivermigrate), what a
// database error means to a user (thugom.Error kinds; Unavailable for a
// database that cannot be reached now), and the queries. Their SQL lives in
// sql/*.sql, one file per noun (orders.sql, stops.sql, ...), as blocks that
// start with a line "-- name: X"; the Go functions that run them sit in the
// file of the same noun (orders.go, stops.go, ...).
//
// Every query function takes a DBTX, satisfied by *DB, *pgxpool.Pool and
// pgx.Tx, so a caller can write rows and insert the River job that processes
// them in one transaction:
//
//	err := db.InTx(ctx, func(tx pgx.Tx) error {
//		if err := store.InsertOrder(ctx, tx, o); err != nil {
//			return err
//		}
//		_, err := riverClient.InsertTx(ctx, tx, jobs.GeocodeHouseholdArgs{HouseholdID: o.HouseholdID}, nil)
//		return err
//	})
//
// Two subpackages: store/pgserver runs the embedded PostgreSQL server (the
// binary's default database and the tests' cluster), store/pgtest gives each
// test a clone of a migrated template database.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/thugom/thugom"
)

// DBTX is what query functions run on: a pool, a DB or a transaction.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

var (
	_ DBTX = (*pgxpool.Pool)(nil)
	_ DBTX = (pgx.Tx)(nil)
	_ DBTX = (*DB)(nil)
)

// DB is the application's connection pool. It embeds *pgxpool.Pool, so it is
// a DBTX itself and db.Pool is what River's driver wants.
type DB struct {
	*pgxpool.Pool
}

// Open connects to the database at url (a postgres:// URL or a key=value
// DSN) and checks it answers.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database url: %w", err)
	}
	// River's workers each hold a connection while a job's transaction
	// runs; pgxpool's default (4 on this kind of machine) starves them.
	// pool_max_conns in the URL wins.
	if !strings.Contains(url, "pool_max_conns") && cfg.MaxConns < 40 {
		cfg.MaxConns = 40
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "thugom"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", cfg.ConnConfig.Host, err)
	}
	return &DB{Pool: pool}, nil
}

// InTx runs fn in a transaction, committed when fn returns nil and rolled
// back otherwise (also when fn panics).
func (db *DB) InTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return InTx(ctx, db.Pool, fn)
}

// TxBeginner is what InTx needs: a pool, a DB, a connection or a transaction
// (which gives a savepoint).
type TxBeginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// InTx runs fn in a transaction begun on b (a savepoint when b is a pgx.Tx).
func InTx(ctx context.Context, b TxBeginner, fn func(tx pgx.Tx) error) (err error) {
	tx, err := b.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Unavailable reports whether err means the database cannot be reached now
// (a refused or lost connection, the server shutting down or starting up):
// no fault of the request, and one a retry in a moment may get past. The API
// answers it 503 with Retry-After, not 500.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "failed to connect") || strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "closed pool")
}

// pgCode returns the SQLSTATE of a PostgreSQL error, "" otherwise.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// pgConstraint returns the violated constraint name of a PostgreSQL error.
func pgConstraint(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	return ""
}

// SQLSTATE codes used to translate errors.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeCheckViolation      = "23514"
)

// dateArg passes a local day to a date column as text, so the server never
// converts it through UTC.
func dateArg(day time.Time) string { return day.In(thugom.Local).Format(time.DateOnly) }
