package jobs

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/thugom/thugom/store/pgtest"
)

// Re-plans of one depot-day: the older waiting one is superseded by the
// newer, which waits while an older one of its day runs; another depot's
// re-plan is not held back.
func TestReplanSupersedesAndWaits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	svc, err := New(db, Deps{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	c := svc.Client()
	insert := func(depot int64, cause string) *rivertype.JobRow {
		t.Helper()
		res, err := c.Insert(ctx, ReplanArgs{DepotID: depot, Day: "2026-11-23", Cause: cause, RequestedAt: time.Now()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Job
	}
	a, b, other := insert(1, "first"), insert(1, "second"), insert(2, "other depot")
	var cancel *river.JobCancelError
	if err := replanVerdict(ctx, c, a); !errors.As(err, &cancel) {
		t.Errorf("the older waiting re-plan: %v, want cancelled as superseded", err)
	}
	if err := replanVerdict(ctx, c, b); err != nil {
		t.Errorf("the newest re-plan: %v, want to run", err)
	}
	if err := replanVerdict(ctx, c, other); err != nil {
		t.Errorf("another depot's re-plan: %v, want to run", err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() WHERE id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	var snooze *river.JobSnoozeError
	if err := replanVerdict(ctx, c, b); !errors.As(err, &snooze) {
		t.Errorf("a re-plan whose day is being re-planned: %v, want snoozed", err)
	}
	if err := replanVerdict(ctx, c, other); err != nil {
		t.Errorf("another depot's re-plan while depot 1 re-plans: %v, want to run", err)
	}
	// The older one's process died (its client holds no lock): the newer
	// one supersedes it instead of waiting.
	if _, err := db.Pool.Exec(ctx, `UPDATE river_job SET attempted_by = ARRAY[$2::text] WHERE id = $1`, a.ID, clientIDPrefix+"gone/1/0000"); err != nil {
		t.Fatal(err)
	}
	if err := replanVerdict(ctx, c, b); err != nil {
		t.Errorf("a re-plan whose day's running re-plan is orphaned: %v, want to run", err)
	}
}
