package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// One motorbike, one trip, room for one of two orders due on the 10:30
// truck: a household told its window last night whose produce is ready too
// late for the truck (lost whatever the plan does), and a new order ready
// at 07:00 that the truck can still take. The new one goes: a promise that
// can be kept outranks one already lost. Before, the told household's ten
// times the penalty kept the lost order on the morning trip and left the
// keepable one out (the week: 99 of 296 orders collected after the 10:30
// truck they needed were left out of the morning plans so).
func TestKeepableOutranksLost(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 60, minNotice: -1})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	at := func(h, m int) time.Time {
		return testDay.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	// The two households nearest the depot, one order each.
	var ids []int64
	rows, err := b.db.Query(ctx, `SELECT min(o.id) FROM orders o JOIN households h ON h.id = o.household_id JOIN depots d ON d.id = o.depot_id
		WHERE o.depot_id = $1 GROUP BY h.id, h.lat, h.lon, d.lat, d.lon
		ORDER BY power(h.lat - d.lat, 2) + power(h.lon - d.lon, 2), h.id LIMIT 2`, depot)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 2 {
		t.Fatalf("depot %d has %d households", depot, len(ids))
	}
	lost, keep := ids[0], ids[1]
	var vehicle int64
	if err := b.db.QueryRow(ctx, `SELECT min(id) FROM vehicles WHERE depot_id = $1 AND kind = 'motorbike'`, depot).Scan(&vehicle); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM orders WHERE depot_id = $1 AND id <> ALL($2)`, []any{depot, ids}},
		{`UPDATE vehicles SET status = CASE WHEN id = $2 THEN 'active' ELSE 'off' END, max_trips = 1, capacity_kg = 100 WHERE depot_id = $1`, []any{depot, vehicle}},
		{`UPDATE orders SET weight_kg = 60, parcels = 1, ready_until = NULL, handover_deadline = $2, at_risk = false, at_risk_reason = '' WHERE id = ANY($1)`, []any{ids, at(10, 30)}},
	} {
		if _, err := b.db.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	set := func(order int64, ready time.Time) {
		t.Helper()
		if _, err := b.db.Exec(ctx, `UPDATE orders SET ready_from = $2 WHERE id = $1`, order, ready); err != nil {
			t.Fatal(err)
		}
	}
	// Last night: only the late household's order, told its window.
	set(lost, at(10, 25))
	set(keep, at(7, 0).Add(48*time.Hour))
	b.clock.t = at(-3, 0)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "evening"}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'pickup_window'`); n != 1 {
		t.Fatalf("%d window messages last night, want the late household's", n)
	}
	// This morning the new order is in.
	set(keep, at(7, 0))
	b.clock.t = at(6, 0)
	res, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: "morning"})
	if err != nil {
		t.Fatal(err)
	}
	var back time.Time
	err = b.db.QueryRow(ctx, `SELECT d.arrive_at FROM stop_orders so JOIN stops s ON s.id = so.stop_id
		JOIN stops d ON d.route_id = s.route_id AND d.kind = 'depot' AND d.trip = s.trip
		JOIN routes r ON r.id = s.route_id WHERE r.plan_id = $2 AND so.order_id = $1`, keep, res.PlanID).Scan(&back)
	if err != nil {
		t.Fatalf("the order the 10:30 truck can still take is not on the morning plan (%+v): %v", res.Stats, err)
	}
	if back.After(at(10, 30)) {
		t.Errorf("back at %s, after the 10:30 truck", back.In(thugom.Local).Format("15:04"))
	}
}
