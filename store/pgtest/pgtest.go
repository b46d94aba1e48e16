// Package pgtest gives each test its own fully migrated PostgreSQL database.
//
// One throwaway cluster is started per test package with the same embedded
// server code as the binary (store/pgserver: temp dir, unix socket only,
// fsync off), or the server at TEST_DATABASE_URL is used when that is set.
// The schema is migrated once into a template database; each test gets a
// clone of it (CREATE DATABASE ... TEMPLATE), dropped when the test ends, so
// tests can run in parallel and never see each other's rows.
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		t.Parallel()
//		db := pgtest.New(t) // *store.DB; db.Pool is the *pgxpool.Pool
//		...
//	}
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgserver"
)

var (
	once     sync.Once
	setupErr error
	srv      *pgserver.Server
	tmpDir   string
	adminURL string
	template string
	admin    *pgxpool.Pool
	counter  atomic.Int64
)

// Main runs the package's tests and then stops the cluster. Call it from
// TestMain.
func Main(m *testing.M) {
	code := m.Run()
	shutdown()
	os.Exit(code)
}

// New returns a connection pool to a fresh, fully migrated database of its
// own, dropped when the test ends. A missing PostgreSQL fails the test with
// the error that says how to install it.
func New(t testing.TB) *store.DB {
	db, _ := NewWithURL(t)
	return db
}

// NewWithURL is New and also returns the database's connection URL, e.g. to
// hand to a child process as DATABASE_URL.
func NewWithURL(t testing.TB) (*store.DB, string) {
	t.Helper()
	return newDB(t, true)
}

// NewEmpty returns a pool to a fresh database without any migration (to
// test migrations themselves), dropped when the test ends.
func NewEmpty(t testing.TB) *store.DB {
	t.Helper()
	db, _ := newDB(t, false)
	return db
}

func newDB(t testing.TB, migrated bool) (*store.DB, string) {
	t.Helper()
	once.Do(func() { setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("pgtest: %v", setupErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), counter.Add(1))
	from := ""
	if migrated {
		from = template
	}
	if err := store.CreateDatabase(ctx, admin, name, from); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	u, err := dbURL(name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	cfg.MaxConns = 10
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := store.DropDatabase(ctx, admin, name); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return &store.DB{Pool: pool}, u
}

// dbURL returns the connection string of database name on the test server:
// adminURL with its database replaced.
func dbURL(name string) (string, error) {
	if strings.HasPrefix(adminURL, "postgres://") || strings.HasPrefix(adminURL, "postgresql://") {
		u, err := url.Parse(adminURL)
		if err != nil {
			return "", fmt.Errorf("parse TEST_DATABASE_URL: %w", err)
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	// key=value form: a later key wins.
	return adminURL + " dbname=" + name, nil
}

func setup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		adminURL = u
	} else {
		var err error
		tmpDir, err = os.MkdirTemp("", "thugom-pgtest-")
		if err != nil {
			return err
		}
		// When root, the server runs as postgres and must enter this dir.
		if err := os.Chmod(tmpDir, 0o711); err != nil {
			return err
		}
		srv, err = pgserver.Start(ctx, pgserver.Config{Dir: filepath.Join(tmpDir, "pg"), Unsafe: true})
		if err != nil {
			os.RemoveAll(tmpDir)
			return err
		}
		adminURL = srv.URL("postgres")
	}
	var err error
	admin, err = pgxpool.New(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect %s: %w", redact(adminURL), err)
	}
	template = fmt.Sprintf("thugom_tpl_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000)
	if err := store.CreateDatabase(ctx, admin, template, ""); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	u, err := dbURL(template)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, u)
	if err != nil {
		return err
	}
	defer db.Close() // a template must have no connections when cloned
	if _, err := store.Migrate(ctx, db.Pool); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	return nil
}

func shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if admin != nil {
		if template != "" && srv == nil { // a shared server: leave it clean
			_ = store.DropDatabase(ctx, admin, template)
		}
		admin.Close()
	}
	if srv != nil {
		_ = srv.Stop(ctx)
	}
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
}

func redact(u string) string {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return "(unparsable url)"
	}
	return fmt.Sprintf("host=%s db=%s user=%s", cfg.Host, cfg.Database, cfg.User)
}
