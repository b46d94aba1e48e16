package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestMigrateTwiceIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t) // already migrated from the template
	res, err := store.Migrate(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Goose) != 0 || len(res.River) != 0 {
		t.Fatalf("second migrate applied %v / river %v, want nothing", res.Goose, res.River)
	}
	for _, table := range []string{"carriers", "depots", "departures", "vehicles", "drivers", "households",
		"products", "orders", "plans", "plan_unassigned", "routes", "stops", "stop_orders", "tasks",
		"notifications", "events", "tokens", "river_job"} {
		var ok bool
		if err := db.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&ok); err != nil || !ok {
			t.Errorf("table %s missing (err %v)", table, err)
		}
	}
}

// serve and worker processes may start at once: concurrent migrations of
// an empty database all succeed, and the schema is applied once.
func TestConcurrentMigrations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewEmpty(t)
	errs := make(chan error, 3)
	applied := make(chan int, 3)
	for i := 0; i < 3; i++ {
		go func() {
			res, err := store.Migrate(ctx, db.Pool)
			if err == nil {
				applied <- len(res.Goose)
			}
			errs <- err
		}()
	}
	total := 0
	for i := 0; i < 3; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(applied)
	for n := range applied {
		total += n
	}
	if total == 0 {
		t.Fatal("no migration applied")
	}
	res, err := store.Migrate(ctx, db.Pool)
	if err != nil || len(res.Goose)+len(res.River) != 0 {
		t.Fatalf("after concurrent runs: %+v %v", res, err)
	}
	if recorded := countApplied(t, db); total != recorded {
		t.Fatalf("%d migrations applied by three runs, %d recorded: some ran twice", total, recorded)
	}
}

func countApplied(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), "SELECT count(*) FROM goose_db_version WHERE version_id > 0").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	boom := errors.New("boom")
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO carriers (code, name, marketplace) VALUES ('x', 'X', 'xm')"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	var n int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM carriers").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("rolled back insert is visible: %d rows", n)
	}
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO carriers (code, name, marketplace) VALUES ('x', 'X', 'xm')")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, "SELECT count(*) FROM carriers").Scan(&n); err != nil || n != 1 {
		t.Fatalf("committed insert: n=%d err=%v", n, err)
	}
}

func TestEventsAreAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := db.Exec(ctx, "INSERT INTO events (actor, action, subject) VALUES ('system', 'test', 'x:1')"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, "UPDATE events SET actor = 'evil'"); err == nil {
		t.Fatal("UPDATE on events succeeded")
	}
	if _, err := db.Exec(ctx, "DELETE FROM events"); err == nil {
		t.Fatal("DELETE on events succeeded")
	}
}

// Each test database is its own: rows of one test are not seen by another.
func TestDatabasesAreIsolated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := pgtest.New(t), pgtest.New(t)
	if _, err := a.Exec(ctx, "INSERT INTO carriers (code, name, marketplace) VALUES ('x', 'X', 'xm')"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRow(ctx, "SELECT count(*) FROM carriers").Scan(&n); err != nil || n != 0 {
		t.Fatalf("other database sees %d rows (err %v)", n, err)
	}
}

// TestUnavailable: the errors of a database that cannot be reached now (the
// API's 503) and those that are the request's or a bug (not 503).
func TestUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	_, stmtErr := db.Exec(ctx, `SELECT 1/0`)
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"cannot connect now", fmt.Errorf("query: %w", &pgconn.PgError{Code: "57P03"}), true},
		{"connection failure class", &pgconn.PgError{Code: "08006"}, true},
		{"connection lost mid-answer", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{"a statement's own error", stmtErr, false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"not found", pgx.ErrNoRows, false},
		{"a plain error", errors.New("boom"), false},
	} {
		if got := store.Unavailable(c.err); got != c.want {
			t.Errorf("%s: Unavailable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
	if stmtErr == nil {
		t.Fatal("SELECT 1/0 did not fail")
	}
}
