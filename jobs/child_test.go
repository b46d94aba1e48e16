package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// childEnv, when set, makes the test binary a worker process: TestMain
// calls childMain instead of running tests. The parent passes the database
// URL, a client id, the SMS gateway URL and the plan budget.
const childEnv = "THUGOM_JOBS_CHILD"

// childDeps are the service settings of worker processes in these tests:
// a short job timeout so a killed worker's jobs are rescued within seconds.
func childDeps(id, gateway string) jobs.Deps {
	return jobs.Deps{
		ClientID: id, Clock: func() time.Time { return testMorning }, Workers: 2,
		PlanBudget: 2 * time.Second, JobTimeout: 4 * time.Second, RescueStuckJobsAfter: 5 * time.Second,
		SMS: &jobs.HTTPGateway{URL: gateway}, SLAWatchEvery: -1, FetchPollInterval: 200 * time.Millisecond,
		// One message per stop: the 07:30 plan with 2 h of notice would
		// also tell a household its order is late.
		MinNotice: -1,
	}
}

func childMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	db, err := store.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	defer db.Close()
	deps := childDeps(os.Getenv("THUGOM_CHILD_ID"), os.Getenv("THUGOM_GATEWAY"))
	var h jobs.Hooks
	if os.Getenv("THUGOM_CHILD_MODE") == "bench" {
		deps.Workers, deps.FetchCooldown = benchWorkers, 20*time.Millisecond
		h.Workers = registerBench(db)
	}
	svc, err := jobs.NewWithHooks(db, deps, h)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	if err := svc.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = svc.Stop(sctx)
	return 0
}

// startChild re-executes the test binary as a worker process.
func startChild(t testing.TB, url, id, gateway string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "DATABASE_URL="+url, "THUGOM_CHILD_ID="+id, "THUGOM_GATEWAY="+gateway)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	return cmd
}

func kill9(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("worker did not die by SIGKILL: %v", err)
	}
}

// gateway is a local SMS gateway that is slow on purpose (messages are in
// flight when a worker dies) and counts deliveries per idempotency key.
type gateway struct {
	mu   sync.Mutex
	keys map[string]int
	srv  *httptest.Server
}

func newGateway(t *testing.T, delay time.Duration) *gateway {
	g := &gateway{keys: map[string]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		g.mu.Lock()
		g.keys[r.Header.Get("Idempotency-Key")]++
		n := len(g.keys)
		g.mu.Unlock()
		fmt.Fprintf(w, `{"id": "gw-%d"}`, n)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) counts() (distinct, total int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, n := range g.keys {
		distinct++
		total += n
	}
	return distinct, total
}

// TestKillWorker kills worker processes with SIGKILL twice: in the middle
// of a plan job, then while SMS are being sent. The plan job is retried and
// finishes; there is one plan, one task per stop, one notification per
// event; every SMS reaches the gateway under its idempotency key, and the
// outbox-free path marks each notification sent once.
func TestKillWorker(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("kills processes; skipped with -short")
	}
	b := setup(t, setupOpts{households: 200})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	gw := newGateway(t, 150*time.Millisecond)
	var planJob int64
	err := b.db.InTx(ctx, func(tx pgx.Tx) error {
		res, err := b.svc.Client().InsertTx(ctx, tx, jobs.PlanDepotDayArgs{DepotID: depot, Day: jobs.DayString(testDay), Reason: "kill test",
			Solver: &jobs.Solver{BudgetMS: childDeps("", "").PlanBudget.Milliseconds()}}, nil)
		if err == nil {
			planJob = res.Job.ID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// 1. A worker takes the plan job and dies in the middle of the solve.
	c1 := startChild(t, b.url, "child-1", gw.srv.URL)
	waitFor(t, ctx, func() bool {
		return count(t, b.db, `SELECT count(*) FROM river_job WHERE id = $1 AND state = 'running' AND 'child-1' = ANY(attempted_by)`, planJob) == 1
	})
	time.Sleep(500 * time.Millisecond) // inside the 2 s solve
	kill9(t, c1)
	if n := count(t, b.db, `SELECT count(*) FROM plans`); n != 0 {
		t.Fatalf("%d plans written by a worker killed mid-solve", n)
	}

	// 2. Another worker rescues it, plans, and dies while sending SMS.
	c2 := startChild(t, b.url, "child-2", gw.srv.URL)
	waitFor(t, ctx, func() bool {
		d, _ := gw.counts()
		return d >= 3
	})
	kill9(t, c2)
	if n := count(t, b.db, `SELECT count(*) FROM river_job WHERE id = $1 AND state = 'completed' AND attempt >= 2`, planJob); n != 1 {
		t.Fatalf("plan job not completed on a retry")
	}
	queued := count(t, b.db, `SELECT count(*) FROM notifications WHERE status = 'queued'`)
	t.Logf("killed while %d SMS were still queued", queued)

	// 3. This process finishes the work.
	deps := childDeps("parent", gw.srv.URL)
	svc, err := jobs.New(b.db, deps)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := svc.Stop(context.Background()); err != nil {
			t.Logf("stop: %v", err)
		}
	}()
	waitFor(t, ctx, func() bool {
		return count(t, b.db, `SELECT count(*) FROM notifications WHERE status <> 'sent'`) == 0 &&
			count(t, b.db, `SELECT count(*) FROM river_job WHERE kind = 'send_sms' AND state <> 'completed'`) == 0
	})

	pickups := count(t, b.db, `SELECT count(*) FROM stops WHERE kind = 'pickup'`)
	notes := count(t, b.db, `SELECT count(*) FROM notifications`)
	distinct, total := gw.counts()
	t.Logf("plan job attempts %d; %d pickup stops, %d notifications, gateway: %d messages, %d deliveries",
		count(t, b.db, `SELECT attempt FROM river_job WHERE id = $1`, planJob), pickups, notes, distinct, total)
	if n := count(t, b.db, `SELECT count(*) FROM plans`); n != 1 {
		t.Errorf("%d plans, want 1", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM tasks WHERE kind = 'pickup'`); n != pickups {
		t.Errorf("%d pickup tasks for %d stops", n, pickups)
	}
	if notes != pickups {
		t.Errorf("%d notifications for %d households told their window", notes, pickups)
	}
	if distinct != notes {
		t.Errorf("gateway got %d distinct messages for %d notifications", distinct, notes)
	}
	// A message in flight when its worker died may be delivered again, but
	// only under the same idempotency key (the gateway keeps one); at most
	// one per worker slot of the killed process.
	if total-distinct > 2 {
		t.Errorf("%d repeated deliveries", total-distinct)
	}
	if n := count(t, b.db, `SELECT count(*) FROM river_job WHERE kind = 'send_sms'`); n != notes {
		t.Errorf("%d send jobs for %d notifications", n, notes)
	}
}
