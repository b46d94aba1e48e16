package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// TestLateFailedPickupNotDropped: a pickup that fails too close to its
// handover deadline for a second visit in time does not drop the produce:
// its orders go back to planning (collected late, today or tomorrow) with
// the dispatcher alerted; only produce rejected for quality ends failed.
func TestLateFailedPickupNotDropped(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 150})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	res, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := b.db.Query(ctx, `SELECT s.id FROM stops s JOIN routes r ON r.id = s.route_id
		WHERE r.plan_id = $1 AND s.kind = 'pickup' ORDER BY r.id, s.seq LIMIT 2`, res.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	var stops []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stops = append(stops, id)
	}
	rows.Close()
	if len(stops) < 2 {
		t.Fatalf("%d stops", len(stops))
	}
	late, rejected := stops[0], stops[1]
	// Both stops' trucks leave in ten minutes: no second visit in time.
	b.clock.t = testMorning.Add(5 * time.Minute)
	if _, err := b.db.Exec(ctx, `UPDATE orders SET handover_deadline = $2
		WHERE id IN (SELECT order_id FROM stop_orders WHERE stop_id = ANY($1))`, stops, b.clock.t.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for stop, reason := range map[int64]string{late: jobs.FailNobodyHome, rejected: jobs.FailQualityRejected} {
		if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: stop, Status: thugom.StopFailed, Reason: reason, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.FollowUpFailedPickup(ctx, stop, reason); err != nil {
			t.Fatal(err)
		}
	}
	status := func(stop int64) map[string]int {
		m := map[string]int{}
		rows, err := b.db.Query(ctx, `SELECT o.status, count(*) FROM orders o JOIN stop_orders so ON so.order_id = o.id WHERE so.stop_id = $1 GROUP BY 1`, stop)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				t.Fatal(err)
			}
			m[s] = n
		}
		return m
	}
	if m := status(late); m[thugom.OrderReceived] == 0 || m[thugom.OrderFailed] != 0 {
		t.Errorf("late failure's orders: %v, want back to planning", m)
	}
	if m := status(rejected); m[thugom.OrderFailed] == 0 || m[thugom.OrderReceived] != 0 {
		t.Errorf("rejected produce's orders: %v, want failed", m)
	}
	for _, stop := range stops {
		if n := count(t, b.db, `SELECT count(*) FROM escalations e JOIN stop_orders so ON so.order_id = e.order_id WHERE so.stop_id = $1`, stop); n == 0 {
			t.Errorf("stop %d: the dispatcher was not alerted", stop)
		}
	}
	// The re-plan collects the late one again (late, on another stop) or
	// leaves it for tomorrow's plan, which takes it.
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CausePickupFailed, RequestedAt: b.clock.t}); err != nil {
		t.Fatal(err)
	}
	again := count(t, b.db, `SELECT count(*) FROM orders o JOIN stop_orders so ON so.order_id = o.id
		WHERE so.stop_id = $1 AND o.status = 'planned'`, late)
	if again == 0 {
		b.clock.t = testDay.Add(17 * time.Hour)
		if _, err := b.svc.PlanDepotDay(ctx, depot, testDay.AddDate(0, 0, 1), jobs.PlanRequest{}); err != nil {
			t.Fatal(err)
		}
		again = count(t, b.db, `SELECT count(*) FROM orders o JOIN stop_orders so ON so.order_id = o.id
			WHERE so.stop_id = $1 AND o.status = 'planned'`, late)
	}
	if again == 0 {
		t.Errorf("the late failure's orders were planned neither today nor tomorrow: %v", status(late))
	}
}
