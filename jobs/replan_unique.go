package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Re-plans are unique per depot-day where it matters, when they start: a
// re-plan reads the day as it is when it runs, so one waiting behind a
// newer one for the same depot-day has nothing left to do (the newer one
// supersedes it: cancelled), and one that finds an older one of its day
// running waits (snoozed) instead of holding a second planning worker that
// another depot's plan needs. River's own unique inserts cannot say this:
// they must count running jobs as duplicates, which would drop a change
// made during a running re-plan. An older one running under a process that
// died (its client's lock free, rescue.go) is not waited for: the newer one
// runs, and the orphan, once rescued, finds its change covered and skips.

// replanSnooze is how long a re-plan waits for its day's running one.
const replanSnooze = 2 * time.Second

// replanStart is the hook of ReplanArgs that applies replanVerdict.
type replanStart struct{ river.HookDefaults }

// WorkBegin implements rivertype.HookWorkBegin.
func (*replanStart) WorkBegin(ctx context.Context, job *rivertype.JobRow) error {
	c, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return nil //nolint:nilerr // outside a client (tests of the worker): just work
	}
	return replanVerdict(ctx, c, job)
}

// replanVerdict is nil when job (a re-plan) should run now, a JobCancel
// when a newer re-plan of its depot-day is queued or running, and a
// JobSnooze when an older one of its day is running in a live process.
func replanVerdict(ctx context.Context, c *river.Client[pgx.Tx], job *rivertype.JobRow) error {
	var a ReplanArgs
	if err := json.Unmarshal(job.EncodedArgs, &a); err != nil {
		return nil //nolint:nilerr // the worker reports it
	}
	same := river.NamedArgs{"id": job.ID, "depot": a.DepotID, "day": a.Day}
	newer, err := c.JobList(ctx, river.NewJobListParams().Kinds(KindReplan).First(1).
		States(rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateScheduled,
			rivertype.JobStateRetryable, rivertype.JobStateRunning).
		Where("id > @id AND (args->>'depot_id')::bigint = @depot AND args->>'day' = @day", same))
	if err != nil {
		return nil //nolint:nilerr // cannot tell: work, which is always correct
	}
	if len(newer.Jobs) > 0 {
		return river.JobCancel(fmt.Errorf("superseded by re-plan job %d of depot %d on %s", newer.Jobs[0].ID, a.DepotID, a.Day))
	}
	older, err := c.JobList(ctx, river.NewJobListParams().Kinds(KindReplan).First(1).
		States(rivertype.JobStateRunning).
		Where("id < @id AND (args->>'depot_id')::bigint = @depot AND args->>'day' = @day"+
			" AND NOT coalesce(starts_with(attempted_by[array_length(attempted_by, 1)], @prefix)"+
			" AND NOT thugom_client_live(attempted_by[array_length(attempted_by, 1)]), false)",
			river.NamedArgs{"id": job.ID, "depot": a.DepotID, "day": a.Day, "prefix": clientIDPrefix}))
	if err == nil && len(older.Jobs) > 0 {
		return river.JobSnooze(replanSnooze)
	}
	return nil
}
