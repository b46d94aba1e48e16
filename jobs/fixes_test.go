package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// TestCheckFixes: an order the plan left out because the fleet was busy,
// locked to a vehicle of the depot, is checked by its preview: the check
// says whether the re-plan would place it there, the same check asked
// again is answered from what was kept, and a fix that works, applied
// (lock and re-plan), puts the order on the vehicle.
func TestCheckFixes(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 300})
	b.clock.t = testDay.Add(-4 * time.Hour)
	b.geocodeAll(t)
	ctx := context.Background()
	depot := b.busiestDepot(t)
	res, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := store.VehiclesOfDepot(ctx, b.db, depot)
	if err != nil {
		t.Fatal(err)
	}
	// The planned order of one vehicle, asked onto another: a lock that
	// places it (it fits), and its check says so.
	stops, err := store.PlanStops(ctx, b.db, res.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	var ask jobs.FixAsk
	for _, st := range stops {
		for _, v := range vs {
			if st.Kind == thugom.StopPickup && len(st.OrderIDs) > 0 && v.ID != st.VehicleID && v.Status == thugom.VehicleActive && ask.OrderID == 0 {
				ask = jobs.FixAsk{OrderID: st.OrderIDs[0], VehicleID: v.ID}
			}
		}
	}
	bad := jobs.FixAsk{OrderID: ask.OrderID, VehicleID: -1}
	checks, err := b.svc.CheckFixes(ctx, depot, testDay, []jobs.FixAsk{ask, bad}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 2 || checks[1].Works || checks[1].Why == "" {
		t.Fatalf("checks %+v: want the unknown vehicle's fix not to work, with why", checks)
	}
	again, err := b.svc.CheckFixes(ctx, depot, testDay, []jobs.FixAsk{ask}, 1)
	if err != nil || len(again) != 1 || again[0] != checks[0] {
		t.Fatalf("asked again: %+v %v, want %+v", again, err, checks[0])
	}
	if !checks[0].Works {
		t.Fatalf("order %d locked to vehicle %d does not work: %+v", ask.OrderID, ask.VehicleID, checks[0])
	}
	if err := b.svc.LockOrder(ctx, ask.OrderID, &ask.VehicleID, jobs.System("test")); err != nil {
		t.Fatal(err)
	}
	res, err = b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CauseDispatcher})
	if err != nil {
		t.Fatal(err)
	}
	if stops, err = store.PlanStops(ctx, b.db, res.PlanID); err != nil {
		t.Fatal(err)
	}
	for _, st := range stops {
		for _, o := range st.OrderIDs {
			if o == ask.OrderID && st.VehicleID != ask.VehicleID {
				t.Fatalf("order %d applied onto vehicle %d is on %d", o, ask.VehicleID, st.VehicleID)
			}
		}
	}
	// The day changed (its revision moved): the check is made again.
	if later, err := b.svc.CheckFixes(ctx, depot, testDay, []jobs.FixAsk{ask}, 0); err != nil || len(later) != 1 || !later[0].Works {
		t.Fatalf("after the lock: %+v %v", later, err)
	}
}

// TestLockMayPlace: only an order that fits some vehicle on its own is
// asked about.
func TestLockMayPlace(t *testing.T) {
	t.Parallel()
	for reason, want := range map[string]bool{
		"fleet_full: it fits an empty vehicle but every vehicle is busy": true, "time_budget": true, "after_plan": true,
		"time_window,shift_length: window unreachable": false, "capacity": false, "not_geocoded": false, "": false,
		"pinned_vehicle_full": true,
	} {
		if got := jobs.LockMayPlace(reason); got != want {
			t.Errorf("LockMayPlace(%q) = %v, want %v", reason, got, want)
		}
	}
}
