package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// borrowBundle is a seeded day whose busiest depot runs short of vehicles:
// all but one of its vehicles are off, so orders are left out because its
// fleet is full, while the carrier's other depots have idle vehicles.
type borrowBundle struct {
	*bundle
	depot   *thugom.Depot // the depot short of vehicles
	kept    int64         // its one vehicle in service
	lenders []thugom.Depot
	other   int64 // a vehicle of another carrier
}

func setupBorrow(t *testing.T, radiusKm float64, afterRead func(int64, time.Time, int)) *borrowBundle {
	t.Helper()
	b := setup(t, setupOpts{households: 200, afterRead: afterRead})
	ctx := context.Background()
	svc, err := jobs.NewWithHooks(b.db, jobs.Deps{Clock: b.clock.now, PlanIterations: 3000, SLAWatchEvery: -1, Logger: testLogger(t),
		BorrowRadiusKm: radiusKm}, jobs.Hooks{AfterPlanRead: afterRead})
	if err != nil {
		t.Fatal(err)
	}
	b.svc = svc
	b.geocodeAll(t)
	bb := &borrowBundle{bundle: b}
	id := b.busiestDepot(t)
	if bb.depot, err = store.DepotByID(ctx, b.db, id); err != nil {
		t.Fatal(err)
	}
	vs, err := store.VehiclesOfDepot(ctx, b.db, id)
	if err != nil {
		t.Fatal(err)
	}
	bb.kept = vs[0].ID
	for _, v := range vs[1:] {
		if err := store.SetVehicleStatus(ctx, b.db, v.ID, thugom.VehicleOff); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := store.DepotsOfCarrier(ctx, b.db, bb.depot.CarrierID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.ID != id {
			bb.lenders = append(bb.lenders, d)
		}
	}
	if len(bb.lenders) == 0 {
		t.Fatal("the scenario has no other depot of the carrier")
	}
	if err := b.db.QueryRow(ctx, `SELECT id FROM vehicles WHERE carrier_id <> $1 ORDER BY id LIMIT 1`, bb.depot.CarrierID).Scan(&bb.other); err != nil {
		t.Fatal(err)
	}
	return bb
}

// fleetFull counts the orders of the depot's current plan left out because
// its fleet is full.
func (bb *borrowBundle) fleetFull(t *testing.T) int {
	t.Helper()
	n := 0
	rows, err := bb.db.Query(context.Background(), `SELECT u.reason FROM plan_unassigned u JOIN plans p ON p.id = u.plan_id
		WHERE p.depot_id = $1 AND p.day = $2 AND p.status = 'done'
		  AND p.version = (SELECT max(version) FROM plans WHERE depot_id = $1 AND day = $2 AND status = 'done')`, bb.depot.ID, testDay)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		if jobs.FleetFullReason(jobs.ReasonCode(r)) {
			n++
		}
	}
	return n
}

// stopsOn counts the stops (not skipped) of a vehicle in the current plan
// of a depot's test day.
func (b *bundle) stopsOn(t *testing.T, depot, vehicle int64) int {
	t.Helper()
	return count(t, b.db, `SELECT count(*) FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
		WHERE p.depot_id = $1 AND p.day = $2 AND p.status = 'done' AND r.vehicle_id = $3 AND s.status <> 'skipped'
		  AND p.version = (SELECT max(version) FROM plans WHERE depot_id = $1 AND day = $2 AND status = 'done')`, depot, testDay, vehicle)
}

func TestBorrowCandidates(t *testing.T) {
	t.Parallel()
	bb := setupBorrow(t, 1000, nil)
	ctx := context.Background()
	cands, err := bb.svc.BorrowCandidates(ctx, bb.depot.ID, testDay)
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) == 0 {
		t.Fatal("no candidate within 1000 km")
	}
	own := map[int64]bool{}
	for _, l := range bb.lenders {
		own[l.ID] = true
	}
	for i, c := range cands {
		v, err := store.VehicleByID(ctx, bb.db, c.VehicleID)
		if err != nil {
			t.Fatal(err)
		}
		if v.CarrierID != bb.depot.CarrierID || !own[c.DepotID] || v.DepotID != c.DepotID {
			t.Errorf("candidate %s of depot %d is not a vehicle of the carrier's other depots", c.VehicleCode, c.DepotID)
		}
		if c.EmptyRunKm <= 0 || c.EmptyRunMin <= 0 || c.DepotName == "" {
			t.Errorf("candidate %+v: no empty run or depot name", c)
		}
		if i > 0 && c.EmptyRunMin < cands[i-1].EmptyRunMin {
			t.Errorf("candidates not best first: %d min after %d min", c.EmptyRunMin, cands[i-1].EmptyRunMin)
		}
	}

	// Radius: a service borrowing within less than the nearest run lists
	// none nearer than its radius.
	nearest := cands[0].EmptyRunKm
	small, err := jobs.New(bb.db, jobs.Deps{Clock: bb.clock.now, SLAWatchEvery: -1, BorrowRadiusKm: nearest - 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := small.BorrowCandidates(ctx, bb.depot.ID, testDay); err != nil {
		t.Fatal(err)
	} else {
		for _, c := range got {
			if c.EmptyRunKm > nearest-0.5+0.05 {
				t.Errorf("candidate %s at %.1f km beyond the %.1f km radius", c.VehicleCode, c.EmptyRunKm, nearest-0.5)
			}
			if c.VehicleID == cands[0].VehicleID {
				t.Errorf("the nearest vehicle (%.1f km) listed within %.1f km", nearest, nearest-0.5)
			}
		}
	}

	// Spare: a lender's vehicles used by its own plan are candidates after
	// the idle ones, with their stops, when it leaves nothing out for a
	// full fleet; the short depot's vehicle is no one's candidate.
	lender := cands[0].DepotID
	if _, err := bb.svc.PlanDepotDay(ctx, lender, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := bb.svc.PlanDepotDay(ctx, bb.depot.ID, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	after, err := bb.svc.BorrowCandidates(ctx, bb.depot.ID, testDay)
	if err != nil {
		t.Fatal(err)
	}
	lenderShort := count(t, bb.db, `SELECT count(*) FROM plan_unassigned u JOIN plans p ON p.id = u.plan_id WHERE p.depot_id = $1
		AND split_part(split_part(u.reason, ':', 1), ',', 1) IN ('fleet_full', 'capacity', 'no_vehicle')`, lender) > 0
	used := 0
	for _, c := range cands {
		if c.DepotID != lender || bb.stopsOn(t, lender, c.VehicleID) == 0 {
			continue
		}
		used++
		pickups := count(t, bb.db, `SELECT count(*) FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
			WHERE p.depot_id = $1 AND r.vehicle_id = $2 AND s.kind = 'pickup' AND s.status <> 'skipped'
			  AND p.version = (SELECT max(version) FROM plans WHERE depot_id = $1)`, lender, c.VehicleID)
		found := false
		for k, a := range after {
			if a.VehicleID != c.VehicleID {
				continue
			}
			found = true
			if a.Stops != pickups {
				t.Errorf("spare vehicle %s listed with %d stops, has %d", a.VehicleCode, a.Stops, pickups)
			}
			for _, b := range after[k+1:] {
				if b.Stops == 0 {
					t.Errorf("idle vehicle %s listed after spare %s", b.VehicleCode, a.VehicleCode)
				}
			}
		}
		if found == lenderShort {
			t.Errorf("vehicle %s with stops: listed %v, its depot short of vehicles %v", c.VehicleCode, found, lenderShort)
		}
	}
	if used == 0 {
		t.Fatalf("the lender's plan used none of its vehicles: the spare rule is untested")
	}
	third, err := bb.svc.BorrowCandidates(ctx, lender, testDay)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range third {
		if c.VehicleID == bb.kept {
			t.Errorf("vehicle %s of a depot short of vehicles is a candidate", c.VehicleCode)
		}
	}

	// Already lent: once borrowed, a vehicle is no one's candidate.
	if len(after) == 0 {
		t.Fatal("no candidate left")
	}
	if _, err := bb.svc.BorrowVehicle(ctx, bb.depot.ID, testDay, after[0].VehicleID, jobs.System("test")); err != nil {
		t.Fatal(err)
	}
	other := bb.lenders[0].ID
	if other == after[0].DepotID && len(bb.lenders) > 1 {
		other = bb.lenders[1].ID
	}
	for _, d := range []int64{bb.depot.ID, other} {
		got, err := bb.svc.BorrowCandidates(ctx, d, testDay)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range got {
			if c.VehicleID == after[0].VehicleID {
				t.Errorf("lent vehicle %s is still a candidate of depot %d", c.VehicleCode, d)
			}
		}
	}
}

// TestBorrowPlansTheVehicle: a depot short of vehicles borrows one; its
// re-plan uses it from its home depot and leaves fewer orders out; its
// driver's manifest shows the route; the lender's plans do not use it.
func TestBorrowPlansTheVehicle(t *testing.T) {
	t.Parallel()
	bb := setupBorrow(t, 1000, nil)
	ctx := context.Background()
	res, err := bb.svc.PlanDepotDay(ctx, bb.depot.ID, testDay, jobs.PlanRequest{Cause: "test"})
	if err != nil {
		t.Fatal(err)
	}
	before := bb.fleetFull(t)
	if before == 0 {
		t.Fatalf("no order left out because the fleet is full (%d unassigned): the scenario tests nothing", res.Stats.Unassigned)
	}
	cands, err := bb.svc.BorrowCandidates(ctx, bb.depot.ID, testDay)
	if err != nil || len(cands) == 0 {
		t.Fatalf("candidates: %v, %d", err, len(cands))
	}
	c := cands[0]
	got, err := bb.svc.BorrowVehicle(ctx, bb.depot.ID, testDay, c.VehicleID, jobs.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Loan.FromDepotID != c.DepotID || got.Loan.ToDepotID != bb.depot.ID || got.Loan.EmptyRunM <= 0 || got.Job == nil || got.Job.JobID == 0 {
		t.Fatalf("loan %+v, job %+v", got.Loan, got.Job)
	}
	if n := count(t, bb.db, `SELECT count(*) FROM river_job WHERE kind = $1 AND args->>'cause' = $2`, jobs.KindReplan, jobs.CauseBorrowed); n != 1 {
		t.Errorf("%d re-plans queued by the borrow, want 1", n)
	}
	if n := count(t, bb.db, `SELECT count(*) FROM events WHERE action = 'vehicle.borrow'`); n != 1 {
		t.Errorf("%d vehicle.borrow events", n)
	}
	res2, err := bb.svc.PlanDepotDay(ctx, bb.depot.ID, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CauseBorrowed})
	if err != nil {
		t.Fatal(err)
	}
	if bb.stopsOn(t, bb.depot.ID, c.VehicleID) == 0 {
		t.Fatal("the borrowing depot's plan does not use the borrowed vehicle")
	}
	if after := bb.fleetFull(t); after >= before || res2.Stats.Unassigned >= res.Stats.Unassigned {
		t.Errorf("left out for a full fleet %d → %d, unassigned %d → %d: the borrowed vehicle did not help", before, after, res.Stats.Unassigned, res2.Stats.Unassigned)
	}
	// The route starts at the vehicle's home depot: the empty run is in it.
	var lon, lat float64
	var dist int
	err = bb.db.QueryRow(ctx, `SELECT (r.line->0->>0)::float8, (r.line->0->>1)::float8, r.distance_m
		FROM routes r JOIN plans p ON p.id = r.plan_id WHERE p.depot_id = $1 AND r.vehicle_id = $2 ORDER BY p.version DESC LIMIT 1`,
		bb.depot.ID, c.VehicleID).Scan(&lon, &lat, &dist)
	if err != nil {
		t.Fatal(err)
	}
	home, err := store.DepotByID(ctx, bb.db, c.DepotID)
	if err != nil {
		t.Fatal(err)
	}
	if lon != home.Point[0] || lat != home.Point[1] {
		t.Errorf("route starts at %v,%v, not at the home depot %v", lon, lat, home.Point)
	}
	if dist < got.Loan.EmptyRunM {
		t.Errorf("route of %d m is shorter than its %d m empty run", dist, got.Loan.EmptyRunM)
	}
	// The driver's manifest holds the route.
	drv, err := store.DriverOfVehicle(ctx, bb.db, c.VehicleID)
	if err != nil || drv == nil {
		t.Fatalf("driver of %s: %v", c.VehicleCode, err)
	}
	refs, err := store.DriverRoutes(ctx, bb.db, *drv, testDay)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0].DepotID != bb.depot.ID {
		t.Errorf("driver %d's routes %+v, want one of depot %d", *drv, refs, bb.depot.ID)
	}
	// A dispatcher may lock and move stops onto the borrowed vehicle as
	// onto the depot's own, not onto another depot's vehicle.
	var stop, order int64
	if err := bb.db.QueryRow(ctx, `SELECT s.id, so.order_id FROM stops s JOIN stop_orders so ON so.stop_id = s.id JOIN routes r ON r.id = s.route_id
		JOIN plans p ON p.id = r.plan_id WHERE p.depot_id = $1 AND r.vehicle_id = $2 AND s.status = 'planned' AND s.kind = 'pickup'
		ORDER BY p.version DESC, s.id LIMIT 1`, bb.depot.ID, bb.kept).Scan(&stop, &order); err != nil {
		t.Fatal(err)
	}
	if err := bb.svc.LockOrder(ctx, order, &c.VehicleID, jobs.System("test")); err != nil {
		t.Errorf("lock onto the borrowed vehicle: %v", err)
	}
	if _, err := bb.svc.MoveStop(ctx, stop, c.VehicleID, jobs.System("test")); err != nil {
		t.Errorf("move onto the borrowed vehicle: %v", err)
	}
	if len(cands) > 1 {
		if _, err := bb.svc.MoveStop(ctx, stop, cands[1].VehicleID, jobs.System("test")); thugom.ErrorCode(err) != thugom.EInvalid {
			t.Errorf("move onto a vehicle of another depot, not borrowed: %v", err)
		}
	}
	// The lender plans without it.
	if _, err := bb.svc.PlanDepotDay(ctx, c.DepotID, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	if n := bb.stopsOn(t, c.DepotID, c.VehicleID); n != 0 {
		t.Errorf("the lender plans %d stops on the vehicle it lent", n)
	}
	// A breakdown of the borrowed vehicle re-plans the borrower's day.
	if err := bb.svc.ReportBreakdown(ctx, c.VehicleID, "test"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, bb.db, `SELECT count(*) FROM river_job WHERE kind = $1 AND args->>'cause' = $2 AND (args->>'depot_id')::bigint = $3`,
		jobs.KindReplan, jobs.CauseVehicleBroken, bb.depot.ID); n != 1 {
		t.Errorf("%d re-plans of the borrower queued by the borrowed vehicle's breakdown, want 1", n)
	}
}

// TestBorrowDuringReplan: a borrow committed while a plan of the
// borrowing depot, or of the lending one, is between its read and its
// write, and a return while the borrower re-plans. The borrow (return)
// answers at once; the plan sees the day changed and plans again: the
// borrower's with the vehicle, the lender's without it, the borrower's
// without the vehicle returned.
func TestBorrowDuringReplan(t *testing.T) {
	t.Parallel()
	for _, side := range []string{"borrower", "lender", "return"} {
		t.Run(side, func(t *testing.T) {
			t.Parallel()
			pz := newPauser()
			bb := setupBorrow(t, 1000, pz.hook)
			ctx := context.Background()
			if _, err := bb.svc.PlanDepotDay(ctx, bb.depot.ID, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
				t.Fatal(err)
			}
			cands, err := bb.svc.BorrowCandidates(ctx, bb.depot.ID, testDay)
			if err != nil || len(cands) == 0 {
				t.Fatalf("candidates: %v, %d", err, len(cands))
			}
			c := cands[0]
			planned := bb.depot.ID
			req := jobs.PlanRequest{Replan: true, Cause: "test", RequestedAt: bb.clock.t}
			if side == "return" {
				// The vehicle is borrowed and planned; its return meets a
				// re-plan of the borrower.
				if _, err := bb.svc.BorrowVehicle(ctx, bb.depot.ID, testDay, c.VehicleID, jobs.System("test")); err != nil {
					t.Fatal(err)
				}
				if _, err := bb.svc.PlanDepotDay(ctx, bb.depot.ID, testDay, jobs.PlanRequest{Replan: true, Cause: "test"}); err != nil {
					t.Fatal(err)
				}
				if bb.stopsOn(t, bb.depot.ID, c.VehicleID) == 0 {
					t.Fatal("the borrowed vehicle is unused: its return tests nothing")
				}
				req.RequestedAt = time.Time{}
			}
			if side == "lender" {
				// The lender's first plan of the day, which would use its
				// vehicles, meets the borrow.
				planned, req = c.DepotID, jobs.PlanRequest{Cause: "test"}
			}
			pz.armed.Store(true)
			done := make(chan error, 1)
			go func() {
				_, err := bb.svc.PlanDepotDay(ctx, planned, testDay, req)
				done <- err
			}()
			<-pz.reached
			actx, cancel := context.WithTimeout(ctx, time.Second)
			if side == "return" {
				err = bb.svc.ReturnVehicle(actx, bb.depot.ID, testDay, c.VehicleID, jobs.System("test"))
			} else {
				_, err = bb.svc.BorrowVehicle(actx, bb.depot.ID, testDay, c.VehicleID, jobs.System("test"))
			}
			cancel()
			if err != nil {
				t.Fatalf("borrow during the %s's plan: %v", side, err)
			}
			close(pz.release)
			if err := <-done; err != nil {
				t.Fatalf("plan: %v", err)
			}
			if pz.maxAttempts.Load() < 1 {
				t.Fatal("the plan wrote over the borrow it had not read (no second attempt)")
			}
			switch side {
			case "borrower":
				if bb.stopsOn(t, bb.depot.ID, c.VehicleID) == 0 {
					t.Error("the borrower's re-plan does not use the vehicle borrowed meanwhile")
				}
			case "lender":
				if n := bb.stopsOn(t, c.DepotID, c.VehicleID); n != 0 {
					t.Errorf("the lender's plan put %d stops on the vehicle lent meanwhile", n)
				}
			case "return":
				if n := bb.stopsOn(t, bb.depot.ID, c.VehicleID); n != 0 {
					t.Errorf("the borrower's re-plan kept %d stops on the vehicle returned meanwhile", n)
				}
			}
		})
	}
}

// TestBorrowRefused: what may not be borrowed is refused with a clear
// code, and nothing is written.
func TestBorrowRefused(t *testing.T) {
	t.Parallel()
	bb := setupBorrow(t, 1000, nil)
	ctx := context.Background()
	if _, err := bb.svc.PlanDepotDay(ctx, bb.depot.ID, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	cands, err := bb.svc.BorrowCandidates(ctx, bb.depot.ID, testDay)
	if err != nil || len(cands) < 2 {
		t.Fatalf("candidates: %v, %d", err, len(cands))
	}
	c := cands[0]
	if _, err := bb.svc.BorrowVehicle(ctx, bb.depot.ID, testDay, c.VehicleID, jobs.System("test")); err != nil {
		t.Fatal(err)
	}
	// A vehicle of a lender at work: its first stop en route.
	if _, err := bb.svc.PlanDepotDay(ctx, cands[1].DepotID, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	st := bb.firstPlannedStop(t, cands[1].DepotID)
	if _, err := bb.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: st.id, DriverID: st.driver, Status: thugom.StopEnRoute}); err != nil {
		t.Fatal(err)
	}
	var busyVeh int64
	if err := bb.db.QueryRow(ctx, `SELECT r.vehicle_id FROM stops s JOIN routes r ON r.id = s.route_id WHERE s.id = $1`, st.id).Scan(&busyVeh); err != nil {
		t.Fatal(err)
	}
	broken := int64(0)
	for _, x := range cands[2:] {
		if x.VehicleID != busyVeh && bb.stopsOn(t, x.DepotID, x.VehicleID) == 0 {
			broken = x.VehicleID
			break
		}
	}
	if broken == 0 {
		t.Fatal("no vehicle to break")
	}
	if err := store.SetVehicleStatus(ctx, bb.db, broken, thugom.VehicleBroken); err != nil {
		t.Fatal(err)
	}
	near, err := jobs.New(bb.db, jobs.Deps{Clock: bb.clock.now, SLAWatchEvery: -1, BorrowRadiusKm: 1})
	if err != nil {
		t.Fatal(err)
	}
	otherCarrier := jobs.Actor{Name: "dispatcher:x", CarrierID: bb.depot.CarrierID + 1000}
	for _, tc := range []struct {
		name    string
		svc     *jobs.Service
		depot   int64
		day     time.Time
		vehicle int64
		actor   jobs.Actor
		code    string
	}{
		{"own vehicle", bb.svc, bb.depot.ID, testDay, bb.kept, jobs.System("t"), thugom.EInvalid},
		{"other carrier's vehicle", bb.svc, bb.depot.ID, testDay, bb.other, jobs.System("t"), thugom.EInvalid},
		{"other carrier's dispatcher", bb.svc, bb.depot.ID, testDay, cands[1].VehicleID, otherCarrier, thugom.EForbidden},
		{"beyond the radius", near, bb.depot.ID, testDay, cands[1].VehicleID, jobs.System("t"), thugom.EInvalid},
		{"lent already", bb.svc, bb.lenders[len(bb.lenders)-1].ID, testDay, c.VehicleID, jobs.System("t"), thugom.EConflict},
		{"borrowed twice", bb.svc, bb.depot.ID, testDay, c.VehicleID, jobs.System("t"), thugom.EConflict},
		{"at work", bb.svc, bb.depot.ID, testDay, busyVeh, jobs.System("t"), thugom.EConflict},
		{"needed by its depot, short of vehicles", bb.svc, cands[1].DepotID, testDay, bb.kept, jobs.System("t"), thugom.EConflict},
		{"broken", bb.svc, bb.depot.ID, testDay, broken, jobs.System("t"), thugom.EConflict},
		{"a day past", bb.svc, bb.depot.ID, testDay.AddDate(0, 0, -1), cands[1].VehicleID, jobs.System("t"), thugom.EInvalid},
		{"a day out of range", bb.svc, bb.depot.ID, testDay.AddDate(0, 1, 0), cands[1].VehicleID, jobs.System("t"), thugom.EInvalid},
		{"no such vehicle", bb.svc, bb.depot.ID, testDay, 999999, jobs.System("t"), thugom.ENotFound},
		{"no such depot", bb.svc, 999999, testDay, cands[1].VehicleID, jobs.System("t"), thugom.ENotFound},
	} {
		if tc.name == "lent already" && tc.depot == c.DepotID {
			tc.depot = bb.lenders[0].ID
		}
		loans := count(t, bb.db, `SELECT count(*) FROM loans`)
		_, err := tc.svc.BorrowVehicle(ctx, tc.depot, tc.day, tc.vehicle, tc.actor)
		if got := thugom.ErrorCode(err); got != tc.code {
			t.Errorf("%s: %v (%s), want %s", tc.name, err, got, tc.code)
		}
		if n := count(t, bb.db, `SELECT count(*) FROM loans`); n != loans {
			t.Errorf("%s: %d loans written", tc.name, n-loans)
		}
	}
	if _, err := bb.svc.BorrowCandidates(ctx, 999999, testDay); thugom.ErrorCode(err) != thugom.ENotFound {
		t.Errorf("candidates of no depot: %v", err)
	}
	if _, err := bb.svc.BorrowCandidates(ctx, bb.depot.ID, testDay.AddDate(0, 1, 0)); thugom.ErrorCode(err) != thugom.EInvalid {
		t.Errorf("candidates out of range: %v", err)
	}
}

// TestReturnVehicle: a loan with nothing started ends, and the vehicle is
// its home depot's again; the borrowing depot plans without it.
func TestReturnVehicle(t *testing.T) {
	t.Parallel()
	bb := setupBorrow(t, 1000, nil)
	ctx := context.Background()
	if _, err := bb.svc.PlanDepotDay(ctx, bb.depot.ID, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	cands, err := bb.svc.BorrowCandidates(ctx, bb.depot.ID, testDay)
	if err != nil || len(cands) == 0 {
		t.Fatalf("candidates: %v, %d", err, len(cands))
	}
	c := cands[0]
	if err := bb.svc.ReturnVehicle(ctx, bb.depot.ID, testDay, c.VehicleID, jobs.System("t")); thugom.ErrorCode(err) != thugom.ENotFound {
		t.Fatalf("return before the borrow: %v", err)
	}
	if _, err := bb.svc.BorrowVehicle(ctx, bb.depot.ID, testDay, c.VehicleID, jobs.System("t")); err != nil {
		t.Fatal(err)
	}
	if _, err := bb.svc.PlanDepotDay(ctx, bb.depot.ID, testDay, jobs.PlanRequest{Replan: true, Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	if bb.stopsOn(t, bb.depot.ID, c.VehicleID) == 0 {
		t.Fatal("borrowed vehicle unused")
	}
	if err := bb.svc.ReturnVehicle(ctx, bb.depot.ID, testDay, c.VehicleID, jobs.System("t")); err != nil {
		t.Fatal(err)
	}
	if _, err := bb.svc.PlanDepotDay(ctx, bb.depot.ID, testDay, jobs.PlanRequest{Replan: true, Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	if n := bb.stopsOn(t, bb.depot.ID, c.VehicleID); n != 0 {
		t.Errorf("%d stops still on the returned vehicle", n)
	}
	again, err := bb.svc.BorrowCandidates(ctx, bb.depot.ID, testDay)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range again {
		found = found || x.VehicleID == c.VehicleID
	}
	if !found {
		t.Error("the returned vehicle is not a candidate again")
	}
}

// TestBorrowSpare: a vehicle its depot uses, but could do without (no stop
// started, nothing left out for a full fleet), is lent: its depot is
// re-planned without it, the borrower with it.
func TestBorrowSpare(t *testing.T) {
	t.Parallel()
	bb := setupBorrow(t, 1000, nil)
	ctx := context.Background()
	for _, d := range append([]thugom.Depot{*bb.depot}, bb.lenders...) {
		if _, err := bb.svc.PlanDepotDay(ctx, d.ID, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	cands, err := bb.svc.BorrowCandidates(ctx, bb.depot.ID, testDay)
	if err != nil {
		t.Fatal(err)
	}
	var c *jobs.BorrowCandidate
	for i := range cands {
		if cands[i].Stops > 0 {
			c = &cands[i]
			break
		}
	}
	if c == nil {
		t.Fatalf("no spare candidate among %d", len(cands))
	}
	if _, err := bb.svc.BorrowVehicle(ctx, bb.depot.ID, testDay, c.VehicleID, jobs.System("test")); err != nil {
		t.Fatal(err)
	}
	if n := count(t, bb.db, `SELECT count(*) FROM river_job WHERE kind = $1 AND args->>'cause' = $2 AND (args->>'depot_id')::bigint = $3`,
		jobs.KindReplan, jobs.CauseBorrowed, c.DepotID); n != 1 {
		t.Errorf("%d re-plans of the lender queued, want 1", n)
	}
	if _, err := bb.svc.PlanDepotDay(ctx, c.DepotID, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CauseBorrowed}); err != nil {
		t.Fatal(err)
	}
	if n := bb.stopsOn(t, c.DepotID, c.VehicleID); n != 0 {
		t.Errorf("the lender's re-plan keeps %d stops on the vehicle it lent", n)
	}
	if _, err := bb.svc.PlanDepotDay(ctx, bb.depot.ID, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CauseBorrowed}); err != nil {
		t.Fatal(err)
	}
	if bb.stopsOn(t, bb.depot.ID, c.VehicleID) == 0 {
		t.Error("the borrower does not use the spare vehicle")
	}
}
