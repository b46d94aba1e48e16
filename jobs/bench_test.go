package jobs_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgserver"
	"github.com/thugom/thugom/store/pgtest"
)

// benchArgs is a job that records that it ran, in the same transaction
// that completes it: a job done twice would leave two rows.
type benchArgs struct {
	N int `json:"n"`
}

func (benchArgs) Kind() string { return "bench_noop" }

type benchWorker struct {
	river.WorkerDefaults[benchArgs]
	db *store.DB
}

func (w *benchWorker) Work(ctx context.Context, job *river.Job[benchArgs]) error {
	return w.db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO bench_done (n, client) VALUES ($1, $2)`, job.Args.N, job.AttemptedBy[len(job.AttemptedBy)-1]); err != nil {
			return err
		}
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
}

const benchWorkers = 50

func registerBench(db *store.DB) func(*river.Workers) {
	return func(w *river.Workers) { river.AddWorker(w, &benchWorker{db: db}) }
}

func createBenchTable(t testing.TB, db *store.DB) {
	t.Helper()
	if _, err := db.Exec(context.Background(), `CREATE TABLE IF NOT EXISTS bench_done (n int NOT NULL, client text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
}

// insertBench enqueues n bench jobs with an insert-only client.
func insertBench(t testing.TB, db *store.DB, from, n int) {
	t.Helper()
	svc, err := jobs.New(db, jobs.Deps{Extra: registerBench(db)})
	if err != nil {
		t.Fatal(err)
	}
	var ps []river.InsertManyParams
	for i := from; i < from+n; i++ {
		ps = append(ps, river.InsertManyParams{Args: benchArgs{N: i}})
		if len(ps) == 1000 || i == from+n-1 {
			if _, err := svc.Client().InsertManyFast(context.Background(), ps); err != nil {
				t.Fatal(err)
			}
			ps = ps[:0]
		}
	}
}

func stopChild(t testing.TB, cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
}

// runTwoWorkers works n jobs with two worker processes on one database and
// returns how long it took and the jobs done by each process.
func runTwoWorkers(t testing.TB, db *store.DB, url string, n int) (time.Duration, map[string]int) {
	createBenchTable(t, db)
	insertBench(t, db, 0, n)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	t0 := time.Now()
	a := startChild(t, url, "worker-a", "http://127.0.0.1:1", "THUGOM_CHILD_MODE=bench")
	b := startChild(t, url, "worker-b", "http://127.0.0.1:1", "THUGOM_CHILD_MODE=bench")
	for {
		var done int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM bench_done`).Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done >= n {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timed out with %d of %d jobs done", done, n)
		case <-time.After(20 * time.Millisecond):
		}
	}
	took := time.Since(t0)
	stopChild(t, a)
	stopChild(t, b)
	per := map[string]int{}
	rows, err := db.Query(ctx, `SELECT client, count(*) FROM bench_done GROUP BY client`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		var k int
		if err := rows.Scan(&c, &k); err != nil {
			t.Fatal(err)
		}
		per[c] = k
	}
	var total, distinct int
	if err := db.QueryRow(ctx, `SELECT count(*), count(DISTINCT n) FROM bench_done`).Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if total != n || distinct != n {
		t.Fatalf("%d runs of %d distinct jobs for %d jobs: not exactly once", total, distinct, n)
	}
	return took, per
}

// TestTwoWorkersExactlyOnce: two worker processes share one database; every
// job runs exactly once and both processes take a share.
func TestTwoWorkersExactlyOnce(t *testing.T) {
	t.Parallel()
	db, url := pgtest.NewWithURL(t)
	took, per := runTwoWorkers(t, db, url, 1000)
	t.Logf("1000 jobs in %s by %v", took.Round(time.Millisecond), per)
	if len(per) != 2 {
		t.Errorf("jobs done by %v: want both processes", per)
	}
}

// BenchmarkTwoWorkers: 10,000 jobs, two worker processes, one database.
//
//	go test ./jobs -run '^$' -bench TwoWorkers -benchtime 1x
func BenchmarkTwoWorkers(b *testing.B) {
	for i := 0; i < b.N; i++ {
		db, url := pgtest.NewWithURL(b)
		took, per := runTwoWorkers(b, db, url, 10000)
		b.ReportMetric(10000/took.Seconds(), "jobs/s")
		b.Logf("10000 jobs in %s by %v", took.Round(time.Millisecond), per)
	}
}

// TestPostgresRestart restarts the PostgreSQL server while a worker is
// busy and jobs keep arriving: the worker reconnects, and every job is done
// exactly once.
func TestPostgresRestart(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("restarts a server; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	tmp, err := os.MkdirTemp("", "thugom-restart-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	if err := os.Chmod(tmp, 0o711); err != nil { // the server may run as user postgres
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "pg")
	srv, err := pgserver.Start(ctx, pgserver.Config{Dir: dir, Unsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop(context.Background()) }()
	url := srv.URL("postgres")
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := store.Migrate(ctx, db.Pool); err != nil {
		t.Fatal(err)
	}
	createBenchTable(t, db)
	deps := childDeps("restart-worker", "http://127.0.0.1:1")
	deps.Workers, deps.Extra = 10, registerBench(db)
	svc, err := jobs.New(db, deps)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = svc.Stop(context.Background()) }()

	const batches, per = 20, 100
	inserted := 0
	insert := func() bool {
		var ps []river.InsertManyParams
		for i := 0; i < per; i++ {
			ps = append(ps, river.InsertManyParams{Args: benchArgs{N: inserted + i}})
		}
		if _, err := svc.Client().InsertManyFast(ctx, ps); err != nil {
			return false // the server is down: try again
		}
		inserted += per
		return true
	}
	for b := 0; inserted < batches*per; b++ {
		if b == batches/2 {
			if err := srv.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond)
			if srv, err = pgserver.Start(ctx, pgserver.Config{Dir: dir, Unsafe: true}); err != nil {
				t.Fatal(err)
			}
			t.Logf("server restarted with %d jobs inserted", inserted)
		}
		if !insert() {
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
	}
	n := batches * per
	waitFor(t, ctx, func() bool {
		var done int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM bench_done`).Scan(&done); err != nil {
			return false // reconnecting
		}
		return done >= n
	})
	var total, distinct int
	if err := db.QueryRow(ctx, `SELECT count(*), count(DISTINCT n) FROM bench_done`).Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if total != n || distinct != n {
		t.Fatalf("%d runs of %d distinct jobs for %d: lost or repeated", total, distinct, n)
	}
	if left := count(t, db, `SELECT count(*) FROM river_job WHERE state <> 'completed'`); left != 0 {
		t.Errorf("%d jobs not completed", left)
	}
}
