package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDemoFirstRunAsRootUnderPrivateHome is the README's first command on a
// fresh server: root, a clone under a 0700 home, `thugom demo` with no
// flag. The postgres user cannot enter the clone, so the cluster lives
// under THUGOM_PG_HOME (here a temporary stand-in for /var/lib/thugom).
// Bounded (3 minutes); the processes and directories are removed.
func TestDemoFirstRunAsRootUnderPrivateHome(t *testing.T) {
	t.Parallel()
	dataDir(t) // skips without binaries when an external server is used
	if os.Geteuid() != 0 {
		t.Skip("not root")
	}
	if _, err := user.Lookup("postgres"); err != nil {
		t.Skip("no postgres user")
	}
	home, err := os.MkdirTemp("/tmp", "thugom-root-home-")
	if err != nil {
		t.Fatal(err)
	}
	pgHome, err := os.MkdirTemp("/tmp", "thugom-var-lib-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home); os.RemoveAll(pgHome) })
	clone := filepath.Join(home, "thugom")
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(clone, 0o755); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := child(t, []string{"THUGOM_PG_HOME=" + pgHome, "THUGOM_DATA_DIR=", "THUGOM_ADDR=" + addr},
		"demo", "--households", "40", "--plan-budget", "200ms")
	cmd.Dir = clone
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	var log strings.Builder
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "demo ready") {
				ready <- true
				_, _ = io.Copy(io.Discard, stderr)
				return
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("demo exited before ready:\n%s", log.String())
		}
	case <-time.After(3 * time.Minute):
		t.Fatalf("demo not ready after 3 minutes:\n%s", log.String())
	}
	rec, err := os.ReadFile(filepath.Join(clone, ".thugom", "pg.location"))
	if err != nil || !strings.HasPrefix(string(rec), pgHome+"/") {
		t.Errorf("cluster place %q (%v), want under %s", rec, err, pgHome)
	}
	var df demoFile
	data, err := os.ReadFile(filepath.Join(clone, ".thugom", "demo.json"))
	if err != nil || json.Unmarshal(data, &df) != nil {
		t.Fatalf("demo.json: %v %s", err, data)
	}
	res, err := http.Get(df.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d", df.BaseURL, res.StatusCode)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("demo after SIGTERM: %v", err)
	}
	if fi, err := os.Stat(home); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the home's mode was changed: %v %v", fi, err)
	}
}
