package jobs

import (
	"context"
	"log/slog"
	"testing"

	"github.com/thugom/thugom/store/pgtest"
)

// A job left running by this process's previous life (same client id) is
// retried at start; a second live process with the same id gets another id
// and rescues nothing, and a job of another client is left to River.
func TestRescueOwnOrphanedJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	log := slog.New(slog.DiscardHandler)
	ins, err := New(db, Deps{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	insert := func(by string, household int64) int64 {
		t.Helper()
		res, err := ins.Client().Insert(ctx, GeocodeHouseholdArgs{HouseholdID: household}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now(), attempted_by = ARRAY[$2::text] WHERE id = $1`, res.Job.ID, by); err != nil {
			t.Fatal(err)
		}
		return res.Job.ID
	}
	mine, theirs := insert("thugom-host-1", 1), insert("thugom-host-2", 2)

	svc, err := New(db, Deps{Logger: log, ClientID: "thugom-host-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.releaseID()
	twin, err := New(db, Deps{Logger: log, ClientID: "thugom-host-1"})
	if err != nil {
		t.Fatal(err)
	}
	if twin.deps.ClientID == "thugom-host-1" || twin.idLock != nil {
		t.Fatalf("a second live process shares the id %q", twin.deps.ClientID)
	}
	if err := twin.rescueOwn(ctx); err != nil {
		t.Fatal(err)
	}
	state := func(id int64) string {
		var s string
		if err := db.Pool.QueryRow(ctx, `SELECT state FROM river_job WHERE id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if st := state(mine); st != "running" {
		t.Fatalf("the twin rescued a job of the live process: %s", st)
	}
	if err := svc.rescueOwn(ctx); err != nil {
		t.Fatal(err)
	}
	if st := state(mine); st != "available" {
		t.Errorf("own orphaned job is %s, want available", st)
	}
	if st := state(theirs); st != "running" {
		t.Errorf("another client's job is %s, want left running (River's rescuer)", st)
	}
}
