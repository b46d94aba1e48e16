package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/thugom/thugom/store/pgserver"
)

// TestHelperCommand is not a test: run as a child process by the tests
// below, it runs the thugom command in THUGOM_TEST_ARGS like main does.
func TestHelperCommand(t *testing.T) {
	args := strings.Fields(os.Getenv("THUGOM_TEST_ARGS"))
	if len(args) == 0 {
		t.Skip("helper process only")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := commands[args[0]].run(ctx, args[1:])
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "thugom %s: %v\n", args[0], err)
		os.Exit(max(1, exitCode(err)))
	}
	os.Exit(0)
}

// child starts this test binary as "thugom <args>".
func child(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCommand$", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), "DATABASE_URL=", "THUGOM_TEST_ARGS="+strings.Join(args, " "))
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// dataDir is a temporary --data-dir the postgres user can reach when the
// tests run as root.
func dataDir(t *testing.T) string {
	t.Helper()
	if _, err := pgserver.FindBinDir(); err != nil && os.Getenv("TEST_DATABASE_URL") != "" {
		t.Skip("no PostgreSQL binaries and TEST_DATABASE_URL is set: embedded server not tested")
	}
	d := t.TempDir()
	for p := d; p != "/" && p != os.TempDir(); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(d, "data")
}

func TestMigrateTwiceOnTheEmbeddedServer(t *testing.T) {
	t.Parallel()
	dir := dataDir(t)
	out, err := child(t, nil, "migrate", "--data-dir", dir).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "applied 00001_core.sql") {
		t.Fatalf("first migrate: %v\n%s", err, out)
	}
	out, err = child(t, nil, "migrate", "--data-dir", dir).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "schema up to date") {
		t.Fatalf("second migrate: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "pg", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("server left running after migrate: %v", err)
	}
}

func TestNoPostgreSQLSaysWhatToDo(t *testing.T) {
	t.Parallel()
	out, err := child(t, []string{"THUGOM_PG_BIN=" + t.TempDir()}, "migrate", "--data-dir", filepath.Join(t.TempDir(), "data")).CombinedOutput()
	if err == nil {
		t.Fatal("migrate without PostgreSQL binaries succeeded")
	}
	for _, want := range []string{"install PostgreSQL", "DATABASE_URL"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("error does not say %q:\n%s", want, out)
		}
	}
}

// kill -9 of the demo while it works, then the same command again: the
// embedded server comes back on the same data, nothing is seeded twice, the
// pending jobs run and the demo gets ready.
func TestDemoSurvivesKill9(t *testing.T) {
	t.Parallel()
	dir := dataDir(t)
	addr := freeAddr(t)
	args := []string{"demo", "--data-dir", dir, "--addr", addr, "--households", "150", "--plan-budget", "300ms", "--seed", "5"}

	// One worker in the first run, so geocoding jobs are surely pending when
	// it dies (the seed commits them with the rows).
	first := child(t, nil, append(args, "--workers", "1")...)
	seeded := waitLine(t, first, "demo seeded", 2*time.Minute)
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	if !seeded {
		t.Fatal("first run never seeded")
	}

	second := child(t, nil, args...)
	ready := make(chan bool, 1)
	var log strings.Builder
	stderr, _ := second.StderrPipe()
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		reseeded := false
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			reseeded = reseeded || strings.Contains(sc.Text(), "demo seeded")
			if strings.Contains(sc.Text(), "demo ready") {
				ready <- !reseeded
				_, _ = io.Copy(io.Discard, stderr)
				return
			}
		}
		close(ready)
	}()
	select {
	case ok, more := <-ready:
		if !more || !ok {
			_ = second.Process.Kill()
			_ = second.Wait()
			t.Fatalf("second run not ready or seeded again:\n%s", log.String())
		}
	case <-time.After(3 * time.Minute):
		_ = second.Process.Kill()
		_ = second.Wait()
		t.Fatalf("second run not ready after 3 minutes:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "msg=\"geocoding done\"") || !strings.Contains(log.String(), "msg=\"every depot planned\"") {
		t.Errorf("second run did not finish the pending work:\n%s", log.String())
	}
	var df demoFile
	data, err := os.ReadFile(filepath.Join(dir, "demo.json"))
	if err != nil || json.Unmarshal(data, &df) != nil {
		t.Fatalf("demo.json: %v %s", err, data)
	}
	if df.DispatcherToken == "" || len(df.Drivers) < 2 || len(df.Households) < 1 {
		t.Fatalf("demo.json incomplete: %s", data)
	}
	for _, u := range []string{df.BaseURL, df.Drivers[0].ManifestURL, df.Drivers[1].ManifestURL, df.Households[0].PageURL} {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", u, res.StatusCode)
		}
	}
	demoWaybillAfterPickup(t, df)
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("demo after SIGTERM: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pg", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("embedded server still running after the demo stopped: %v", err)
	}
	demoRestartKeepsLinks(t, dir, df, args)
}

// demoRestartKeepsLinks starts the stopped demo again: demo.json is the
// same, and every link of the first one still opens (the driver's app and
// sheet, the dispatcher, /metrics and River's UI for the administrator).
func demoRestartKeepsLinks(t *testing.T, dir string, was demoFile, args []string) {
	t.Helper()
	third := child(t, nil, args...)
	if !waitLine(t, third, "demo ready", 3*time.Minute) {
		_ = third.Process.Kill()
		_ = third.Wait()
		t.Fatal("restarted demo not ready")
	}
	defer func() {
		_ = third.Process.Signal(syscall.SIGTERM)
		_ = third.Wait()
	}()
	var df demoFile
	data, err := os.ReadFile(filepath.Join(dir, "demo.json"))
	if err != nil || json.Unmarshal(data, &df) != nil {
		t.Fatalf("demo.json after the restart: %v %s", err, data)
	}
	if df.DispatcherToken != was.DispatcherToken || df.AdminToken != was.AdminToken || df.AdminToken == "" ||
		len(df.Drivers) != len(was.Drivers) || df.Drivers[0].Token != was.Drivers[0].Token || df.Drivers[0].AppURL != was.Drivers[0].AppURL {
		t.Errorf("the restart changed the links:\nbefore %+v\nafter  %+v", was, df)
	}
	if df.Carriers == nil || was.Carriers == nil || df.Carriers.ViettelPost.Token != was.Carriers.ViettelPost.Token || df.Carriers.VNPost.Key != was.Carriers.VNPost.Key {
		t.Errorf("the restart changed the carriers' webhook secrets: before %+v, after %+v", was.Carriers, df.Carriers)
	}
	if df.Carriers != nil && was.Carriers != nil && (df.Carriers.ViettelPost.APIURL != was.Carriers.ViettelPost.APIURL || df.Carriers.VNPost.APIURL != was.Carriers.VNPost.APIURL) {
		t.Errorf("the restart moved the fake carriers: before %s %s, after %s %s", was.Carriers.ViettelPost.APIURL, was.Carriers.VNPost.APIURL,
			df.Carriers.ViettelPost.APIURL, df.Carriers.VNPost.APIURL)
	}
	if !strings.Contains(was.Drivers[0].AppURL, "/d/#token="+was.Drivers[0].Token) {
		t.Errorf("driver app link %q", was.Drivers[0].AppURL)
	}
	jar, err := cookiejar.New(nil) // River's UI signs in by a cookie, as in a browser
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	get := func(u, bearer string) int {
		t.Helper()
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	d := was.Drivers[0]
	for _, c := range []struct{ url, bearer string }{
		{was.BaseURL + "/v1/me/manifest", d.Token}, // what the app asks with its link's token
		{d.SheetURL, ""}, {d.ManifestURL, ""},
		{was.BaseURL + "/v1/me", was.DispatcherToken},
		{was.MetricsURL, was.AdminToken}, {was.RiverURL, ""},
		{was.Households[0].PageURL, ""},
	} {
		if st := get(c.url, c.bearer); st != http.StatusOK {
			t.Errorf("after the restart, GET %s: %d", c.url, st)
		}
	}
	if st := get(was.MetricsURL, was.DispatcherToken); st != http.StatusForbidden {
		t.Errorf("/metrics for a dispatcher: %d, want 403", st)
	}
}

// waitLine starts cmd and reads its stderr until a line contains want.
func waitLine(t *testing.T, cmd *exec.Cmd, want string, limit time.Duration) bool {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), want) {
				found <- true
				go func() { _, _ = io.Copy(io.Discard, stderr) }()
				return
			}
		}
		found <- false
	}()
	select {
	case ok := <-found:
		return ok
	case <-time.After(limit):
		return false
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
