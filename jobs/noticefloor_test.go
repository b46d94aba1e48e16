package jobs_test

import (
	"context"
	"testing"
	"time"
)

// Tomorrow planned at 23:00: the window messages leave at 06:30, so no
// household gets a window starting before 08:30 (the default 2 h of notice)
// though the demo's produce is ready from 07:00: a readiness still ahead is
// not a household asking to be collected at once.
func TestNightPlanningMinimumNotice(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	b := planTomorrowAt(ctx, t, 80, testDay.Add(-time.Hour)) // 23:00 the evening before
	const untold = `FROM stops s WHERE s.kind = 'pickup' AND s.household_id IS NOT NULL
		AND EXISTS (SELECT 1 FROM stop_orders so JOIN orders o ON o.id = so.order_id WHERE so.stop_id = s.id AND (o.ready_from IS NULL OR o.ready_from > $1))`
	now := b.clock.t
	all := count(t, b.db, `SELECT count(*) `+untold, now)
	if all == 0 {
		t.Fatal("no pickup planned for a household that did not ask")
	}
	from := testDay.Add(8*time.Hour + 30*time.Minute)
	if n := count(t, b.db, `SELECT count(*) `+untold+` AND s.window_start < $2`, now, from); n != 0 {
		t.Errorf("%d of %d windows of households that did not ask start before 08:30 (told at 06:30)", n, all)
	}
	if n := count(t, b.db, `SELECT count(*) `+untold+` AND s.arrive_at < $2`, now, from); n != 0 {
		t.Errorf("%d of %d arrivals at households that did not ask before 08:30", n, all)
	}
	// The SMS leave at 06:30 with at least 2 h of notice.
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'pickup_window' AND window_start < send_at + interval '2 hours'`); n != 0 {
		t.Errorf("%d window messages give less than 2 h of notice", n)
	}
	t.Logf("%d pickups of households that did not ask, none before 08:30", all)
}

// The same night with the floor off (--min-notice 0): windows from 06:45
// come back, which is what the floor is for (and TestNightPlanningMinimumNotice
// would not notice a floor that never bites).
func TestNightPlanningWithoutNotice(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	b := planTomorrowAtOpts(ctx, t, setupOpts{households: 80, workers: 2, minNotice: -1}, testDay.Add(-time.Hour))
	if n := count(t, b.db, `SELECT count(*) FROM stops WHERE kind = 'pickup' AND window_start < $1`, testDay.Add(8*time.Hour+30*time.Minute)); n == 0 {
		t.Error("without a minimum notice, no window before 08:30: the night test proves nothing")
	}
}

// planTomorrowAt seeds households, starts the service at the clock time at
// and plans tomorrow, waiting until every depot's plan is done (the service
// stops with the test).
func planTomorrowAt(ctx context.Context, t *testing.T, households int, at time.Time) *bundle {
	t.Helper()
	return planTomorrowAtOpts(ctx, t, setupOpts{households: households, workers: 2}, at)
}

func planTomorrowAtOpts(ctx context.Context, t *testing.T, o setupOpts, at time.Time) *bundle {
	t.Helper()
	b := setup(t, o)
	b.geocodeAll(t)
	b.clock.t = at
	if err := b.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.svc.Stop(context.Background()) })
	depots, err := b.svc.PlanTomorrow(ctx)
	if err != nil || len(depots) == 0 {
		t.Fatalf("plan tomorrow: %v %v", depots, err)
	}
	waitFor(t, ctx, func() bool {
		return count(t, b.db, `SELECT count(DISTINCT depot_id) FROM plans WHERE status = 'done'`) == len(depots)
	})
	return b
}

// The last call (20:30, half an hour before the waking hours end) re-plans
// tomorrow for the orders that came in since the evening planning: their
// window messages leave tonight, so the notice floor leaves tomorrow's
// first hours to them — windows from 06:45, as planned at 17:00, not from
// 08:30 as when the morning planning (05:30) is the first to see them.
func TestLastCallTellsTonight(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	b := setup(t, setupOpts{households: 80, workers: 2})
	b.geocodeAll(t)
	lastCall := testDay.Add(-3*time.Hour - 30*time.Minute) // 20:30 the evening before
	b.clock.t = lastCall
	if got := b.svc.LastCallAt(); got != 20*3600+30*60 {
		t.Fatalf("last call at %v, want 20:30", time.Duration(got)*time.Second)
	}
	if err := b.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.svc.Stop(context.Background()) })
	depots, err := b.svc.LastCall(ctx, testDay)
	if err != nil || len(depots) == 0 {
		t.Fatalf("last call: %v %v", depots, err)
	}
	waitFor(t, ctx, func() bool {
		return count(t, b.db, `SELECT count(DISTINCT depot_id) FROM plans WHERE status = 'done'`) == len(depots)
	})
	early := testDay.Add(8*time.Hour + 30*time.Minute)
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'pickup_window' AND window_start < $1 AND send_at < $2`, early, testDay.Add(-3*time.Hour)); n == 0 {
		t.Error("no window before 08:30 told before 21:00: the last call tells no one tonight")
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'pickup_window' AND window_start < send_at + interval '2 hours'`); n != 0 {
		t.Errorf("%d window messages give less than 2 h of notice", n)
	}
}

// No notice floor, no last call: the evening planning's 17:00 is the day's
// last.
func TestNoLastCallWithoutNotice(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{minNotice: -1})
	if got := b.svc.LastCallAt(); got >= 0 {
		t.Errorf("last call at %v without a notice floor", time.Duration(got)*time.Second)
	}
}
