package pgserver

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFirstRunAsRootUnderPrivateHome: as root, a data dir under a 0700 home
// (a clone in /root) cannot be entered by the postgres user; the cluster
// then lives under HomeRoot, recorded beside the data dir, and the next
// start finds the same cluster with its data. Bounded by one minute;
// everything it creates is removed.
func TestFirstRunAsRootUnderPrivateHome(t *testing.T) {
	tempDir(t) // skips without binaries when an external server is used
	if os.Geteuid() != 0 {
		t.Skip("not root: the cluster stays in the data dir (TestStartStopRestart covers it)")
	}
	if _, err := user.Lookup("postgres"); err != nil {
		t.Skip("no postgres user")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	home, err := os.MkdirTemp("/tmp", "thugom-home-")
	if err != nil {
		t.Fatal(err)
	}
	homeRoot, err := os.MkdirTemp("/tmp", "thugom-varlib-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home); os.RemoveAll(homeRoot) })
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(home, "thugom", "data")
	cfg := Config{Dir: filepath.Join(data, "pg"), Unsafe: true, HomeRoot: homeRoot}

	srv, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("first run as root under a 0700 home: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	if !strings.HasPrefix(srv.Dir(), homeRoot+"/") {
		t.Fatalf("cluster in %s, want under %s", srv.Dir(), homeRoot)
	}
	rec, err := os.ReadFile(filepath.Join(data, "pg.location"))
	if err != nil || strings.TrimSpace(string(rec)) != srv.Dir() {
		t.Fatalf("location record %q (%v), want %s", rec, err, srv.Dir())
	}
	if _, err := os.Stat(filepath.Join(data, "postgres.log")); err != nil {
		t.Errorf("the log is not beside the data dir: %v", err)
	}
	exec1(t, ctx, srv.URL("postgres"), "CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)")
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	srv2, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	t.Cleanup(func() { _ = srv2.Stop(context.Background()) })
	if srv2.Dir() != srv.Dir() {
		t.Fatalf("second run in %s, first in %s", srv2.Dir(), srv.Dir())
	}
	if n := count(t, ctx, srv2.URL("postgres")); n != 1 {
		t.Fatalf("%d rows kept, want 1", n)
	}
	if fi, err := os.Stat(home); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the home was changed: %v %v", fi.Mode(), err)
	}
}

// TestNotRootStaysInPlace: without root the cluster is never moved.
func TestNotRootStaysInPlace(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: Config{Dir: "/root/x/pg", HomeRoot: "/nonexistent"}}
	if err := s.relocate(nil); err != nil || s.cfg.Dir != "/root/x/pg" {
		t.Fatalf("relocate without root: %s, %v", s.cfg.Dir, err)
	}
}
