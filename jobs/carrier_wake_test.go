package jobs_test

import (
	"context"
	"slices"
	"testing"

	"github.com/riverqueue/river/rivertype"

	"github.com/thugom/thugom/jobs"
)

// A message whose turn came while its job ran sleeps out its own snooze
// (the wake of the one ahead was lost on the running job): the sweep
// retries it now, and only it: not one whose create is not sent, not one
// sleeping a carrier's short Retry-After.
func TestWakeLostCarrierJobs(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtIntake, 0)
	ctx := context.Background()
	var orders [3]int64
	for i, ref := range []string{"PM-WAKE-LOST", "PM-WAKE-UNCREATED", "PM-WAKE-RETRY-AFTER"} {
		create, order := importOrder(t, cb, ref)
		if i != 1 {
			if err := cb.svc.SendCarrier(ctx, create); err != nil {
				t.Fatal(err)
			}
		}
		if err := cb.svc.CancelOrder(ctx, order, "test", jobs.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		orders[i] = order
	}
	lost, notCreated, retryAfter := orders[0], orders[1], orders[2]
	// The state a snoozed job is left in: scheduled, its wait ahead.
	sleep := func(order int64, wait string) int64 {
		var job int64
		if err := cb.db.QueryRow(ctx, `UPDATE river_job j SET state = 'scheduled', scheduled_at = now() + $2::interval
			FROM carrier_outbox m WHERE m.job_id = j.id AND m.id = $1 RETURNING j.id`, msgOf(t, cb, order, "cancel"), wait).Scan(&job); err != nil {
			t.Fatal(err)
		}
		return job
	}
	lostJob, notCreatedJob, retryAfterJob := sleep(lost, "55 minutes"), sleep(notCreated, "55 minutes"), sleep(retryAfter, "2 minutes")

	n, err := cb.svc.WakeLostCarrierJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("woke %d jobs, want 1", n)
	}
	state := func(job int64) string {
		var s string
		if err := cb.db.QueryRow(ctx, `SELECT state FROM river_job WHERE id = $1`, job).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := state(lostJob); s != string(rivertype.JobStateAvailable) {
		t.Errorf("the lost wake's job is %s, want available", s)
	}
	for _, j := range []int64{notCreatedJob, retryAfterJob} {
		if s := state(j); s != string(rivertype.JobStateScheduled) {
			t.Errorf("job %d woken (%s): its create is not sent, or it waits a Retry-After", j, s)
		}
	}
	if n, err := cb.svc.WakeLostCarrierJobs(ctx); err != nil || n != 0 {
		t.Errorf("a second sweep woke %d (%v), want 0", n, err)
	}
	// The sweep's wake and the one ahead's (wakeNext) meet on one job: it
	// runs twice, and the carrier hears the cancel once.
	cancelMsg := msgOf(t, cb, lost, "cancel")
	for range 2 {
		if err := cb.svc.SendCarrier(ctx, cancelMsg); err != nil {
			t.Fatal(err)
		}
	}
	if o, ok := cb.vnp.Order("PM-WAKE-LOST"); !ok || !o.Cancelled || !slices.Equal(o.Updates, []string{"cancel"}) {
		t.Errorf("the carrier's order after two runs of its cancel: %+v", o)
	}
}
