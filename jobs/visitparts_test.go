package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// A household with an order due on the 10:30 truck, ready at 07:00, and
// another ready only at 10:20 (due on the 16:00 truck) gets two visits:
// the early order is at the depot by 10:30. One stop for both opened at
// 10:20 and came back after the truck (the week: 108 of 173 orders planned
// late for their truck in the morning plans were on such a stop).
func TestEarlyOrderNotHeldByALaterOne(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 40, minNotice: -1})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	// The depot's household nearest to it: its early order is keepable.
	var hh, early int64
	err := b.db.QueryRow(ctx, `SELECT h.id, min(o.id) FROM orders o JOIN households h ON h.id = o.household_id JOIN depots d ON d.id = o.depot_id
		WHERE o.depot_id = $1 GROUP BY h.id, h.lat, h.lon, d.lat, d.lon
		ORDER BY power(h.lat - d.lat, 2) + power(h.lon - d.lon, 2), h.id LIMIT 1`, depot).Scan(&hh, &early)
	if err != nil {
		t.Fatal(err)
	}
	at := func(h, m int) time.Time {
		return testDay.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	if _, err := b.db.Exec(ctx, `DELETE FROM orders WHERE household_id = $1 AND id <> $2`, hh, early); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.Exec(ctx, `UPDATE orders SET ready_from = $2, ready_until = NULL, handover_deadline = $3, at_risk = false, at_risk_reason = '' WHERE id = $1`,
		early, at(7, 0), at(10, 30)); err != nil {
		t.Fatal(err)
	}
	var late int64
	err = b.db.QueryRow(ctx, `INSERT INTO orders (marketplace, marketplace_order_id, carrier_id, depot_id, household_id, product_id, weight_kg, parcels,
		destination_province, placed_at, promise_hours, promised_by, handover_deadline, ready_from)
		SELECT marketplace, marketplace_order_id || '-later', carrier_id, depot_id, household_id, product_id, weight_kg, parcels,
		destination_province, placed_at, promise_hours, promised_by + interval '1 day', $2, $3 FROM orders WHERE id = $1 RETURNING id`,
		early, at(16, 0), at(10, 20)).Scan(&late)
	if err != nil {
		t.Fatal(err)
	}
	b.clock.t = at(6, 0)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	stopOf := func(order int64) (stop int64, back time.Time) {
		t.Helper()
		err := b.db.QueryRow(ctx, `SELECT s.id, d.arrive_at FROM stop_orders so JOIN stops s ON s.id = so.stop_id
			JOIN stops d ON d.route_id = s.route_id AND d.kind = 'depot' AND d.trip = s.trip
			JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id AND p.status = 'done'
			WHERE so.order_id = $1`, order).Scan(&stop, &back)
		if err != nil {
			t.Fatalf("stop of order %d: %v", order, err)
		}
		return stop, back
	}
	s1, back := stopOf(early)
	s2, _ := stopOf(late)
	if s1 == s2 {
		t.Errorf("orders %d (ready 07:00, truck 10:30) and %d (ready 10:20) on one stop %d", early, late, s1)
	}
	if back.After(at(10, 30)) {
		t.Errorf("order %d back at the depot at %s, after its 10:30 truck", early, back.In(thugom.Local).Format("15:04"))
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE household_id = $1 AND kind = 'pickup_changed'`, hh); n != 0 {
		t.Errorf("the household's second visit told as %d changes of its first", n)
	}
	// The first visit done, the household hears of the second.
	b.clock.t = at(8, 0)
	if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: s1, Status: thugom.StopPickedUp, Parcels: 1, WeightKg: 1, At: b.clock.t, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	s2, _ = stopOf(late)
	if n := count(t, b.db, `SELECT count(*) FROM notifications n JOIN stops s ON s.id = $2 WHERE n.household_id = $1 AND n.kind = 'pickup_window'
		AND n.window_start = s.window_start AND n.status IN ('queued', 'sent')`, hh, s2); n != 1 {
		t.Errorf("the second visit, its first done, told by %d window messages, want 1", n)
	}
}
