package jobs_test

import (
	"context"
	"testing"
	"time"
)

// Tomorrow planned at 17:00: every window message gives at least 12 h of
// notice for the orders known then, and none leaves in the night.
func TestEveningPlanningNotice(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 200, workers: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	b.geocodeAll(t)
	b.clock.t = testDay.Add(-24*time.Hour + 17*time.Hour) // the evening before
	if err := b.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.svc.Stop(context.Background()) }()
	depots, err := b.svc.PlanTomorrow(ctx)
	if err != nil || len(depots) == 0 {
		t.Fatalf("plan tomorrow: %v %v", depots, err)
	}
	waitFor(t, ctx, func() bool {
		return count(t, b.db, `SELECT count(DISTINCT depot_id) FROM plans WHERE status = 'done'`) == len(depots) &&
			count(t, b.db, `SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded') AND kind = 'send_sms'`) == 0
	})
	rep, err := b.svc.NoticeReport(ctx, testDay)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("notice for %s: %d window messages, >=12h %.0f %%, min %.1f h, median %.1f h, buckets %+v, night non-urgent %d",
		rep.Day, rep.WindowMessages, 100*rep.AtLeast12h, rep.MinHours, rep.MedianHours, rep.Buckets, rep.NightNonUrgent)
	if rep.WindowMessages == 0 {
		t.Fatal("no window message sent")
	}
	if rep.AtLeast12h < 0.95 {
		t.Errorf("%.0f %% of window messages give 12 h, want >= 95 %%", 100*rep.AtLeast12h)
	}
	if rep.NightNonUrgent != 0 {
		t.Errorf("%d messages that could wait left in the night", rep.NightNonUrgent)
	}
	// Reminders: every one scheduled ≥ 1 h before its window and in waking hours.
	if n := count(t, b.db, `SELECT count(*) FROM river_job WHERE kind = 'packaging_reminder'`); n == 0 {
		t.Error("no packing reminder scheduled")
	}
	early := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'pickup_window' AND window_start < $1`, testDay.Add(7*time.Hour))
	t.Logf("%d windows before 07:00 (their reminders go the evening before)", early)
	// Told at 17:00, households have their notice: the minimum notice
	// (noticefloor.go) holds back none of the morning's windows (planned at
	// night, none would start before 08:30).
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'pickup_window' AND window_start < $1`, testDay.Add(8*time.Hour+30*time.Minute)); n == 0 {
		t.Error("planned at 17:00, no window before 08:30: the notice floor held back the evening's plan")
	}
}
