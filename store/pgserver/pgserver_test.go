package pgserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// tempDir returns a temporary directory the postgres user can enter when
// the tests run as root. The tests of the embedded server need PostgreSQL's
// binaries; without them they fail, unless TEST_DATABASE_URL says the
// machine runs its tests against an existing server instead.
func tempDir(t *testing.T) string {
	t.Helper()
	if _, err := FindBinDir(); err != nil && os.Getenv("TEST_DATABASE_URL") != "" {
		t.Skip("no PostgreSQL binaries and TEST_DATABASE_URL is set: embedded server not tested")
	}
	d := t.TempDir()
	for p := d; p != "/" && p != os.TempDir(); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func exec1(t *testing.T, ctx context.Context, url, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, ctx context.Context, url string) int {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM kept").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStartInitdbStopRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(tempDir(t), "pg")
	s, err := Start(ctx, Config{Dir: dir, Unsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		t.Fatalf("no cluster after Start: %v", err)
	}
	if strings.Contains(s.URL("postgres"), "localhost") || !strings.Contains(s.URL("postgres"), "host=") {
		t.Fatalf("URL is not a unix socket URL: %s", s.URL("postgres"))
	}
	exec1(t, ctx, s.URL("postgres"), "CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)")
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("postmaster.pid after clean stop: %v", err)
	}
	s2, err := Start(ctx, Config{Dir: dir, Unsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s2.Stop(ctx) }()
	if n := count(t, ctx, s2.URL("postgres")); n != 1 {
		t.Fatalf("rows after restart = %d, want 1", n)
	}
}

// The postmaster itself is killed with SIGKILL: postmaster.pid stays behind
// and names a dead process; Start must recover the same data.
func TestRestartAfterPostmasterKill9(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(tempDir(t), "pg")
	s, err := Start(ctx, Config{Dir: dir}) // durable: the row must survive
	if err != nil {
		t.Fatal(err)
	}
	exec1(t, ctx, s.URL("postgres"), "CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)")
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.Done()
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); err != nil {
		t.Fatalf("expected a stale postmaster.pid: %v", err)
	}
	s2, err := Start(ctx, Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s2.Stop(ctx) }()
	if n := count(t, ctx, s2.URL("postgres")); n != 1 {
		t.Fatalf("rows after crash restart = %d, want 1", n)
	}
}

// The process owning the server is killed with SIGKILL (kill -9 of thugom):
// the server must not outlive it, and the next Start comes back on the same
// data.
func TestRestartAfterOwnerKill9(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(tempDir(t), "pg")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperOwner$")
	cmd.Env = append(os.Environ(), "PGSERVER_HELPER_DIR="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var ready string
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
			ready = u
			break
		}
	}
	if ready == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("helper did not start a server")
	}
	exec1(t, ctx, ready, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)")
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	s, err := Start(ctx, Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Stop(ctx) }()
	if n := count(t, ctx, s.URL("postgres")); n != 1 {
		t.Fatalf("rows after owner kill -9 = %d, want 1", n)
	}
}

// TestHelperOwner is the child process of TestRestartAfterOwnerKill9.
func TestHelperOwner(t *testing.T) {
	dir := os.Getenv("PGSERVER_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	s, err := Start(context.Background(), Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("READY %s\n", s.URL("postgres"))
	time.Sleep(time.Minute) // killed by the parent
}

// A second Start on a directory whose server runs adopts it and leaves it
// running when stopped.
func TestAdoptRunningServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(tempDir(t), "pg")
	s, err := Start(ctx, Config{Dir: dir, Unsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Stop(ctx) }()
	s2, err := Start(ctx, Config{Dir: dir, Unsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	if !s2.adopted {
		t.Fatal("second Start did not adopt the running server")
	}
	if err := s2.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	exec1(t, ctx, s.URL("postgres"), "SELECT 1") // still up
}

func TestNoBinariesError(t *testing.T) {
	t.Parallel()
	_, err := findBinDir([]string{t.TempDir(), "", "/nonexistent"})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
	for _, want := range []string{"install PostgreSQL", "DATABASE_URL", "apt-get install postgresql"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	_, err = Start(context.Background(), Config{Dir: filepath.Join(t.TempDir(), "pg"), BinDir: t.TempDir()})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("Start with an empty BinDir: err = %v, want ErrNoBinaries", err)
	}
}

func TestLongPathUsesShortSocketDir(t *testing.T) {
	t.Parallel()
	long := "/" + strings.Repeat("d", 120)
	d, err := socketDir(long, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(d)
	if len(d)+len("/.s.PGSQL.5432") > 107 {
		t.Fatalf("socket dir %s too long", d)
	}
	if d2, _ := socketDir("/short/pg", nil); d2 != "/short/pg" {
		t.Fatalf("short path moved to %s", d2)
	}
}
