package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// proc is a thugom command run as a child process, its log kept.
type proc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  strings.Builder
	done chan struct{} // the log is closed
}

func startProc(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: child(t, env, args...), done: make(chan struct{})}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); <-p.done; _ = p.cmd.Wait() })
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
	}()
	return p
}

func (p *proc) logs() string { p.mu.Lock(); defer p.mu.Unlock(); return p.log.String() }

// waitLog waits until the log has s, or fails at the deadline.
func (p *proc) waitLog(t *testing.T, s string, deadline time.Time) {
	t.Helper()
	for !strings.Contains(p.logs(), s) {
		select {
		case <-p.done:
			t.Fatalf("process ended before %q:\n%s", s, p.logs())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q by the deadline:\n%s", s, p.logs())
		}
	}
}

// kill9 kills the process with SIGKILL and waits for it.
func (p *proc) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("did not die by SIGKILL: %v", err)
	}
}

// recoveryBound is the target: every depot's new plan done within
// this long of the kill of every worker.
const recoveryBound = 150 * time.Second

// TestClusterSurvivesKillOfEveryWorker is issue 24's scenario on an
// external-style database (pgtest's server, by URL): `thugom demo` on
// DATABASE_URL with a data directory that does not exist yet; then two
// `thugom worker` from the same directory; a storm of re-plans over every
// depot of the day, asked with a small solve budget (it travels with the
// jobs: the workers' own is 20 s); kill -9 of both workers while they
// solve; two new workers. Nothing is lost (every storm job completed, or
// cancelled as superseded; none discarded), nothing doubled (a depot gets
// at most one plan version per re-plan asked), every depot's new plan is
// done within recoveryBound of the kill, and each orphan's rescue is
// logged with its job, depot and day.
func TestClusterSurvivesKillOfEveryWorker(t *testing.T) {
	t.Parallel()
	began := time.Now()
	db, url := pgtest.NewWithURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "fresh", "data") // does not exist
	env := []string{"DATABASE_URL=" + url, "THUGOM_SECRET=cluster-test-secret-0123456789abcdef"}

	demo := startProc(t, env, "demo", "--data-dir", dir, "--addr", freeAddr(t), "--households", "60", "--plan-budget", "300ms")
	demo.waitLog(t, "demo ready", time.Now().Add(3*time.Minute))
	var df demoFile
	if b, err := os.ReadFile(filepath.Join(dir, "demo.json")); err != nil || json.Unmarshal(b, &df) != nil {
		t.Fatalf("demo.json in the fresh data dir: %v", err)
	}
	if err := demo.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-demo.done
	if err := demo.cmd.Wait(); err != nil {
		t.Fatalf("demo stop: %v\n%s", err, demo.logs())
	}
	day, err := jobs.ParseDay(df.Day)
	if err != nil {
		t.Fatal(err)
	}
	var depots []int64
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT depot_id FROM plans WHERE day = $1 ORDER BY 1`, day)
	if err == nil {
		for rows.Next() {
			var d int64
			if err = rows.Scan(&d); err != nil {
				break
			}
			depots = append(depots, d)
		}
		rows.Close()
	}
	if err != nil || len(depots) < 2 {
		t.Fatalf("the demo's planned depots: %v %v", depots, err)
	}

	workers := func() []*proc {
		ws := []*proc{startProc(t, env, "worker", "--data-dir", dir, "--workers", "4"),
			startProc(t, env, "worker", "--data-dir", dir, "--workers", "4")}
		for _, w := range ws {
			w.waitLog(t, "river client started", time.Now().Add(time.Minute))
		}
		return ws
	}
	first := workers()

	// The storm: two re-plans of every depot's day, asked by a process whose
	// solve budget is 1 s.
	asker, err := jobs.New(db, jobs.Deps{PlanBudget: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	stormAt := time.Now()
	perDepot := map[int64]int{}
	var storm []int64
	for range 2 {
		for _, d := range depots {
			e, err := asker.RequestPlan(ctx, d, day, true, false, jobs.Actor{Name: "dispatcher:storm"})
			if err != nil {
				t.Fatal(err)
			}
			storm = append(storm, e.JobID)
			perDepot[d]++
		}
	}
	// Kill both workers while each solves one of them.
	for {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(DISTINCT attempted_by[array_length(attempted_by, 1)]) FROM river_job WHERE id = ANY($1) AND state = 'running'`, storm).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 2 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the two workers never ran storm jobs at once:\n%s\n%s", first[0].logs(), first[1].logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, w := range first {
		w.kill9(t)
	}
	killedAt := time.Now()
	var orphans []int64
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(array_agg(id), '{}') FROM river_job WHERE id = ANY($1) AND state = 'running'`, storm).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	second := workers()

	// Every storm job ends; every depot has a plan made after the storm.
	deadline := killedAt.Add(recoveryBound)
	for {
		var open, planned int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state NOT IN ('completed', 'cancelled', 'discarded')) FROM river_job WHERE id = ANY($1)`, storm).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if err := db.Pool.QueryRow(ctx, `SELECT count(DISTINCT depot_id) FROM plans WHERE day = $1 AND status = 'done' AND created_at > $2`, day, stormAt).Scan(&planned); err != nil {
			t.Fatal(err)
		}
		if open == 0 && planned == len(depots) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v after the kill: %d storm jobs open, %d of %d depots planned\n%s\n%s", recoveryBound, open, planned, len(depots), second[0].logs(), second[1].logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
	recovered := time.Since(killedAt)

	var discarded int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE id = ANY($1) AND state = 'discarded'`, storm).Scan(&discarded); err != nil || discarded != 0 {
		t.Errorf("%d storm jobs discarded (%v)", discarded, err)
	}
	versions := map[int64]int{}
	rows, err = db.Pool.Query(ctx, `SELECT depot_id, count(*) FROM plans WHERE day = $1 AND created_at > $2 GROUP BY depot_id`, day, stormAt)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d int64
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			t.Fatal(err)
		}
		versions[d] = n
	}
	rows.Close()
	for _, d := range depots {
		if versions[d] < 1 || versions[d] > perDepot[d] {
			t.Errorf("depot %d: %d plan versions for %d re-plans asked", d, versions[d], perDepot[d])
		}
	}
	all := first[0].logs() + first[1].logs() + second[0].logs() + second[1].logs()
	if strings.Contains(all, "in use") {
		t.Errorf("a worker warned of a client id in use:\n%s", all)
	}
	rescues := second[0].logs() + second[1].logs()
	for _, id := range orphans {
		var depot int64
		var d string
		if err := db.Pool.QueryRow(ctx, `SELECT (args->>'depot_id')::bigint, args->>'day' FROM river_job WHERE id = $1`, id).Scan(&depot, &d); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(rescues, "orphaned job rescued") || !containsAll(rescues, "job="+itoa(id), "depot="+itoa(depot), "day="+d) {
			t.Errorf("no rescue of orphan %d (depot %d, %s) logged:\n%s", id, depot, d, rescues)
		}
	}
	byProcess, err := storeJobsByClient(ctx, db, storm)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d depots, %d re-plans; %d orphaned by the kill; every plan done %v after it; jobs per process (last attempt) %v; test wall %v",
		len(depots), len(storm), len(orphans), recovered.Round(100*time.Millisecond), byProcess, time.Since(began).Round(100*time.Millisecond))
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// storeJobsByClient counts the jobs by the client id of their last attempt
// (none: cancelled before any).
func storeJobsByClient(ctx context.Context, db *store.DB, ids []int64) (map[string]int, error) {
	rows, err := db.Pool.Query(ctx, `SELECT coalesce(attempted_by[array_length(attempted_by, 1)], '-'), count(*) FROM river_job WHERE id = ANY($1) GROUP BY 1`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var by string
		var n int
		if err := rows.Scan(&by, &n); err != nil {
			return nil, err
		}
		out[by] = n
	}
	return out, rows.Err()
}
