package sim_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/sim"
	"github.com/thugom/thugom/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestRun runs a small simulated day through the core's functions and
// checks its account adds up.
func TestRun(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	rep, err := sim.Run(ctx, db, jobs.Deps{PlanIterations: 1000, Logger: slog.New(slog.DiscardHandler)},
		sim.Options{Seed: 5, Households: 150})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *rep)
	if rep.Orders == 0 || rep.FeasibleOrders == 0 || rep.VehiclesUsed == 0 || rep.KM <= 0 {
		t.Fatalf("empty day: %+v", *rep)
	}
	if rep.OnTime+rep.Late != rep.FeasibleOrders || rep.LateHandedOver+rep.NotCollected != rep.Late {
		t.Errorf("on time %d + late %d != feasible %d", rep.OnTime, rep.Late, rep.FeasibleOrders)
	}
	if rep.Breakdowns != 1 || rep.PickupFailures == 0 || rep.Replans == 0 {
		t.Errorf("the day's events did not happen: %+v", *rep)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM (SELECT stop_id FROM tasks WHERE kind = 'pickup' GROUP BY stop_id HAVING count(*) > 1) d`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d stops with two pickup tasks (%v)", n, err)
	}
	// The day's invariants: no order both collected and on an open stop.
	if err := db.QueryRow(ctx, `SELECT count(*) FROM orders o WHERE o.status IN ('picked_up', 'handed_over') AND EXISTS (
		SELECT 1 FROM stop_orders so JOIN stops s ON s.id = so.stop_id WHERE so.order_id = o.id AND s.status IN ('planned', 'en_route', 'arrived'))`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d collected orders still on an open stop (%v)", n, err)
	}
}
