package jobs

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom/store/pgtest"
)

// Every working service runs under a client id of its own, and a given id
// in use by a live one is refused. A job left running by a dead process is
// rescued at the second sweep that finds its client's lock free; the jobs
// of a live process, and of ids that hold no lock (another release's), are
// left alone.
func TestRescueOrphanedJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	log := slog.New(slog.DiscardHandler)
	live, err := New(db, Deps{Logger: log, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer live.releaseID()
	other, err := New(db, Deps{Logger: log, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer other.releaseID()
	if a, b := live.deps.ClientID, other.deps.ClientID; a == b || !strings.HasPrefix(a, clientIDPrefix) {
		t.Fatalf("client ids %q and %q: want two distinct ids starting %q", a, b, clientIDPrefix)
	}
	if twin, err := New(db, Deps{Logger: log, Workers: 1, ClientID: live.deps.ClientID}); err == nil {
		twin.releaseID()
		t.Fatalf("a second live service took the id %q", live.deps.ClientID)
	}
	insert := func(by string, household int64) int64 {
		t.Helper()
		res, err := live.Client().Insert(ctx, GeocodeHouseholdArgs{HouseholdID: household}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now(), attempted_by = ARRAY[$2::text] WHERE id = $1`, res.Job.ID, by); err != nil {
			t.Fatal(err)
		}
		return res.Job.ID
	}
	dead := insert(clientIDPrefix+"gone/1/0000", 1)
	alive := insert(live.deps.ClientID, 2)
	old := insert("thugom-host-1a2b3c4d", 3)
	state := func(id int64) string {
		var s string
		if err := db.Pool.QueryRow(ctx, `SELECT state FROM river_job WHERE id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	suspects, err := other.sweepOnce(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(suspects, []int64{dead}) || state(dead) != "running" {
		t.Fatalf("first sweep: suspects %v (want [%d]), dead job %s (want still running)", suspects, dead, state(dead))
	}
	// Another worker took the suspect again meanwhile: it is not rescued.
	if _, err := db.Pool.Exec(ctx, `UPDATE river_job SET attempt = 2, attempted_by = attempted_by || $2::text WHERE id = $1`, dead, live.deps.ClientID); err != nil {
		t.Fatal(err)
	}
	if suspects, err = other.sweepOnce(ctx, suspects); err != nil || len(suspects) != 0 || state(dead) != "running" {
		t.Fatalf("sweep of a job taken again: suspects %v, err %v, state %s", suspects, err, state(dead))
	}
	// Its new process dies too.
	live.releaseID()
	deadline := time.Now().Add(10 * time.Second) // its backend ends a moment after the close
	for suspects = nil; len(suspects) != 2; time.Sleep(20 * time.Millisecond) {
		if suspects, err = other.sweepOnce(ctx, nil); err != nil || time.Now().After(deadline) {
			t.Fatalf("after the live one died: suspects %v, err %v", suspects, err)
		}
	}
	if _, err := other.sweepOnce(ctx, suspects); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]string{dead: "available", alive: "available", old: "running"} {
		if got := state(id); got != want {
			t.Errorf("job %d is %s, want %s", id, got, want)
		}
	}
}

// A live process whose lock's connection is lost (the database restarted,
// an administrator ended it) takes its lock again, within about lockCheck:
// a sweep needs two looks orphanSweep apart to take its jobs for orphans.
func TestClientIDLockTakenAgain(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := pgtest.New(t)
	svc, err := New(db, Deps{Logger: slog.New(slog.DiscardHandler), Workers: 1, SLAWatchEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = svc.Stop(context.Background()) }()
	id := svc.deps.ClientID
	live := func() bool {
		var ok bool
		if err := db.Pool.QueryRow(ctx, `SELECT thugom_client_live($1)`, id).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !live() {
		t.Fatal("a started service's client is not live")
	}
	var ended bool
	if err := db.Pool.QueryRow(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&ended); err != nil || !ended {
		t.Fatalf("end the lock's backend: %v %v", ended, err)
	}
	for deadline := time.Now().Add(10 * time.Second); live(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the lock outlived its backend")
		}
	}
	lost := time.Now()
	for !live() {
		if ctx.Err() != nil {
			t.Fatal("the lock was not taken again")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("lock taken again %v after it was lost", time.Since(lost).Round(time.Millisecond))
}
