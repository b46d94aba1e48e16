package jobs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// routeStop is a stop of a vehicle's route in the day's current plan.
type routeStop struct {
	id, driver  int64
	seq, trip   int
	kind, state string
}

// route returns the vehicle's stops (not skipped) in order.
func (b *bundle) route(t *testing.T, depot, vehicle int64) []routeStop {
	t.Helper()
	rows, err := b.db.Query(context.Background(), `
		SELECT s.id, coalesce(r.driver_id, 0), s.seq, s.trip, s.kind, s.status
		FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
		WHERE p.depot_id = $1 AND p.status = 'done' AND r.vehicle_id = $2 AND s.status <> 'skipped'
		ORDER BY s.seq, s.id`, depot, vehicle)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []routeStop
	for rows.Next() {
		var s routeStop
		if err := rows.Scan(&s.id, &s.driver, &s.seq, &s.trip, &s.kind, &s.state); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// followerOf returns the stop right after stop x on the vehicle's route
// (0: x is last of its trip or not there); x = 0 asks for the first.
func (b *bundle) followerOf(t *testing.T, depot, vehicle, x int64) int64 {
	t.Helper()
	r := b.route(t, depot, vehicle)
	for i, s := range r {
		if x == 0 && s.kind == thugom.StopPickup && s.state != thugom.StopPickedUp && s.state != thugom.StopFailed {
			return s.id
		}
		if s.id == x && i+1 < len(r) && r[i+1].kind == thugom.StopPickup {
			return r[i+1].id
		}
	}
	return 0
}

func (b *bundle) placeOf(t *testing.T, stop int64) *int64 {
	t.Helper()
	var p *int64
	if err := b.db.QueryRow(context.Background(), `SELECT locked_after_stop_id FROM stops WHERE id = $1`, stop).Scan(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// dropCase is a stop of another vehicle that fits right after a stop of
// the target vehicle, by the drag's verdict.
type dropCase struct {
	depot, vehicle, after, stop int64
	after2                      int64 // another stop of the vehicle, not next to after
}

// findDrop plans the day and looks, with the drag's preview, for a stop of
// another vehicle that fits right after the first stop of the least busy
// vehicle with three pickups.
func findDrop(t *testing.T, b *bundle) dropCase {
	t.Helper()
	ctx := context.Background()
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	var vehicles []int64
	rows, err := b.db.Query(ctx, `SELECT r.vehicle_id FROM routes r JOIN plans p ON p.id = r.plan_id
		WHERE p.depot_id = $1 AND p.status = 'done' ORDER BY (SELECT count(*) FROM stops s WHERE s.route_id = r.id), r.vehicle_id`, depot)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vehicles = append(vehicles, v)
	}
	rows.Close()
	if len(vehicles) < 2 {
		t.Fatalf("%d routes: need two", len(vehicles))
	}
	// the least busy vehicle with three pickups takes the stop
	var target int64
	var pickups []routeStop
	for _, v := range vehicles {
		pickups = pickups[:0]
		for _, s := range b.route(t, depot, v) {
			if s.kind == thugom.StopPickup {
				pickups = append(pickups, s)
			}
		}
		if len(pickups) >= 3 {
			target = v
			break
		}
	}
	if target == 0 {
		t.Fatal("no vehicle has three pickups")
	}
	for _, v := range vehicles {
		for _, s := range b.route(t, depot, v) {
			if s.kind != thugom.StopPickup || v == target {
				continue
			}
			pv, err := b.svc.PreviewPlan(ctx, depot, testDay, jobs.PreviewRequest{StopID: s.id, VehicleID: target, Place: &jobs.Place{AfterStopID: pickups[0].id}})
			if err != nil {
				t.Fatal(err)
			}
			if pv.Verdict.AfterStopID == nil || *pv.Verdict.AfterStopID != pickups[0].id {
				t.Fatalf("verdict names no place: %+v", pv.Verdict)
			}
			if pv.Verdict.Verdict == jobs.VerdictFits || pv.Verdict.Verdict == jobs.VerdictLate {
				return dropCase{depot: depot, vehicle: target, after: pickups[0].id, stop: s.id, after2: pickups[2].id}
			}
		}
	}
	t.Fatal("no stop of another vehicle fits after the first stop of the least busy")
	return dropCase{}
}

// TestMoveStopAtPlace: a stop dropped right after a stop of another
// vehicle stays there through re-plans; first on the vehicle too; a place
// that is no stop of that vehicle and day is refused and changes nothing;
// moving the stop it follows closes the gap.
func TestMoveStopAtPlace(t *testing.T) {
	t.Parallel()
	// The places a dispatcher gives, not the notice floor of stops the
	// 07:30 plan left untold, decide the order here.
	b := setup(t, setupOpts{households: 200, minNotice: -1})
	ctx := context.Background()
	b.geocodeAll(t)
	dc := findDrop(t, b)
	sys := jobs.System("test")

	if _, err := b.svc.MoveStopAt(ctx, dc.stop, dc.vehicle, &jobs.Place{AfterStopID: dc.after}, sys); err != nil {
		t.Fatal(err)
	}
	if p := b.placeOf(t, dc.stop); p == nil || *p != dc.after {
		t.Fatalf("place stored %v, want %d", p, dc.after)
	}
	for i := 0; i < 2; i++ {
		if _, err := b.svc.PlanDepotDay(ctx, dc.depot, testDay, jobs.PlanRequest{Replan: true, Cause: "test", RequestedAt: b.clock.t}); err != nil {
			t.Fatal(err)
		}
		if got := b.followerOf(t, dc.depot, dc.vehicle, dc.after); got != dc.stop {
			t.Fatalf("re-plan %d: stop %d follows %d, want the dropped stop %d (route %+v)", i, got, dc.after, dc.stop, b.route(t, dc.depot, dc.vehicle))
		}
	}

	// Refused places change nothing.
	var otherVeh, otherStop int64
	if err := b.db.QueryRow(ctx, `SELECT r.vehicle_id, s.id FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
		WHERE p.depot_id = $1 AND p.status = 'done' AND s.kind = 'pickup' AND s.status = 'planned' AND r.vehicle_id <> $2 ORDER BY s.id LIMIT 1`,
		dc.depot, dc.vehicle).Scan(&otherVeh, &otherStop); err != nil {
		t.Fatal(err)
	}
	events := count(t, b.db, `SELECT count(*) FROM events`)
	for _, tc := range []struct {
		name  string
		after int64
		code  string
	}{
		{"a stop of another vehicle", otherStop, thugom.EInvalid},
		{"itself", dc.stop, thugom.EInvalid},
		{"no stop", 1 << 40, thugom.EInvalid},
		{"negative", -1, thugom.EInvalid},
	} {
		_, err := b.svc.MoveStopAt(ctx, dc.stop, dc.vehicle, &jobs.Place{AfterStopID: tc.after}, sys)
		if thugom.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), "stop") {
			t.Errorf("after %s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if p := b.placeOf(t, dc.stop); p == nil || *p != dc.after {
		t.Errorf("a refused move changed the place to %v", p)
	}
	if n := count(t, b.db, `SELECT count(*) FROM events`); n != events {
		t.Errorf("refused moves wrote %d events", n-events)
	}

	// A stop dropped between the predecessor and the dropped stop: the
	// dropped stop now follows the new one.
	if _, err := b.svc.MoveStopAt(ctx, dc.after2, dc.vehicle, &jobs.Place{AfterStopID: dc.after}, sys); err != nil {
		t.Fatal(err)
	}
	if p := b.placeOf(t, dc.stop); p == nil || *p != dc.after2 {
		t.Errorf("the dropped stop follows %v, want the stop dropped in between %d", p, dc.after2)
	}
	// The stop both follow moves away: the chain closes the gap (the first
	// of it had no place of its own, so it is free on its vehicle).
	if _, err := b.svc.MoveStop(ctx, dc.after, otherVeh, sys); err != nil {
		t.Fatal(err)
	}
	if p := b.placeOf(t, dc.after2); p != nil {
		t.Errorf("after its predecessor moved away the stop keeps place %d", *p)
	}
	if p := b.placeOf(t, dc.stop); p == nil || *p != dc.after2 {
		t.Errorf("the chain broke: %v", p)
	}
	// First on the vehicle; the stop that followed it closes the gap.
	if _, err := b.svc.MoveStopAt(ctx, dc.after2, dc.vehicle, &jobs.Place{AfterStopID: 0}, sys); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.PlanDepotDay(ctx, dc.depot, testDay, jobs.PlanRequest{Replan: true, Cause: "test", RequestedAt: b.clock.t}); err != nil {
		t.Fatal(err)
	}
	if got := b.followerOf(t, dc.depot, dc.vehicle, 0); got != dc.after2 {
		t.Errorf("first on the vehicle: %d, want %d (route %+v)", got, dc.after2, b.route(t, dc.depot, dc.vehicle))
	}
	// the stop that followed it took its old place (none): it is free
	if p := b.placeOf(t, dc.stop); p != nil {
		t.Errorf("the stop that followed the moved one keeps place %d", *p)
	}
	// A place after a stop already collected is a conflict.
	r := b.route(t, dc.depot, dc.vehicle)
	first := r[0]
	for _, s := range r {
		if s.kind == thugom.StopPickup {
			first = s
			break
		}
	}
	if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: first.id, DriverID: first.driver, Status: thugom.StopPickedUp}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.MoveStopAt(ctx, dc.stop, dc.vehicle, &jobs.Place{AfterStopID: first.id}, sys); thugom.ErrorCode(err) != thugom.EConflict {
		t.Errorf("after a collected stop: %v, want conflict", err)
	}
}

// TestPlaceMeetsReport: a move to a place and a driver's report, each
// committed while a re-plan of the day is between its read and its write.
// The re-plan plans again with what was committed: the dropped stop is at
// its place; when the stop it follows was collected meanwhile, the place is
// dropped and the stop stays on its vehicle.
func TestPlaceMeetsReport(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"move", "pickup_of_predecessor"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			pz := newPauser()
			b := setup(t, setupOpts{households: 200, afterRead: pz.hook})
			ctx := context.Background()
			b.geocodeAll(t)
			dc := findDrop(t, b)
			sys := jobs.System("test")
			if kind != "move" {
				if _, err := b.svc.MoveStopAt(ctx, dc.stop, dc.vehicle, &jobs.Place{AfterStopID: dc.after}, sys); err != nil {
					t.Fatal(err)
				}
			}
			pz.armed.Store(true)
			done := make(chan error, 1)
			go func() {
				_, err := b.svc.PlanDepotDay(ctx, dc.depot, testDay, jobs.PlanRequest{Replan: true, Cause: "test", RequestedAt: b.clock.t})
				done <- err
			}()
			<-pz.reached
			var err error
			switch kind {
			case "move":
				_, err = b.svc.MoveStopAt(ctx, dc.stop, dc.vehicle, &jobs.Place{AfterStopID: dc.after}, sys)
			default:
				var driver int64
				for _, s := range b.route(t, dc.depot, dc.vehicle) {
					if s.id == dc.after {
						driver = s.driver
					}
				}
				_, err = b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: dc.after, DriverID: driver, Status: thugom.StopPickedUp, Parcels: 1, WeightKg: 5})
			}
			if err != nil {
				t.Fatalf("%s during the re-plan: %v", kind, err)
			}
			close(pz.release)
			if err := <-done; err != nil {
				t.Fatalf("re-plan: %v", err)
			}
			if pz.maxAttempts.Load() < 1 {
				t.Error("the re-plan wrote over a change it had not read (no second attempt)")
			}
			switch kind {
			case "move":
				if got := b.followerOf(t, dc.depot, dc.vehicle, dc.after); got != dc.stop {
					t.Errorf("stop %d follows %d, want the dropped stop %d", got, dc.after, dc.stop)
				}
			default:
				var veh int64
				var status string
				if err := b.db.QueryRow(ctx, `SELECT r.vehicle_id, s.status FROM stops s JOIN routes r ON r.id = s.route_id WHERE s.id = $1`, dc.stop).Scan(&veh, &status); err != nil {
					t.Fatal(err)
				}
				if veh != dc.vehicle || status != thugom.StopPlanned {
					t.Errorf("the dropped stop is %s on vehicle %d, want planned on %d", status, veh, dc.vehicle)
				}
				if n := count(t, b.db, `SELECT count(*) FROM stops WHERE id = $1 AND status = 'picked_up'`, dc.after); n != 1 {
					t.Error("the report did not stand")
				}
			}
		})
	}
}
