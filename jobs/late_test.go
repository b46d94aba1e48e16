package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom/jobs"
)

// TestLateHouseholdTold: a household whose pickup is planned after its
// handover deadline gets one SMS saying so (not one per re-plan), and a
// household planned in time gets none.
func TestLateHouseholdTold(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 200})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	st := b.firstPlannedStop(t, depot)
	if _, err := b.db.Exec(ctx, `UPDATE orders SET handover_deadline = $2 WHERE id = ANY($1::bigint[])`, st.orders, b.clock.t.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	before := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'pickup_late'`)
	for i := 0; i < 2; i++ {
		b.clock.t = b.clock.t.Add(time.Minute)
		if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, RequestedAt: b.clock.t}); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'pickup_late' AND household_id = $1`, st.household); n != 1 {
		t.Errorf("the late household got %d late SMS, want 1", n)
	}
	var body string
	if err := b.db.QueryRow(ctx, `SELECT body FROM notifications WHERE kind = 'pickup_late' AND household_id = $1`, st.household).Scan(&body); err == nil && !strings.Contains(body, "TRE HEN") {
		t.Errorf("late SMS does not say it is late: %q", body)
	}
	// Only households with a late stop are told.
	if n := count(t, b.db, `SELECT count(*) FROM notifications n WHERE n.kind = 'pickup_late' AND NOT EXISTS (
		SELECT 1 FROM orders o WHERE o.household_id = n.household_id AND o.at_risk AND o.at_risk_reason LIKE 'late:%')`); n != 0 {
		t.Errorf("%d late SMS to households with no late order (before the re-plans: %d)", n, before)
	}
}
