package jobs_test

import (
	"context"
	"testing"

	"github.com/thugom/thugom/jobs"
)

// TestPinMeetsReplan: a dispatcher pins a household while a re-plan of its
// depot's day is between its read and its write. The plan returns without
// error and does not write over the pin; the pin's event and geocoding job
// are written once; after the geocoding (and a re-plan) the depot's latest
// plan visits the household at the pinned point.
func TestPinMeetsReplan(t *testing.T) {
	t.Parallel()
	pz := newPauser()
	b := setup(t, setupOpts{households: 120, afterRead: pz.hook})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	// A household the plan visits at its own door (not a drop-off point),
	// with an order of the day, and a point about a kilometre east of it.
	var hh, carrier int64
	var lon, lat float64
	err := b.db.QueryRow(ctx, `
		SELECT h.id, o.carrier_id, h.lon, h.lat
		FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
		JOIN households h ON h.id = s.household_id
		JOIN stop_orders so ON so.stop_id = s.id JOIN orders o ON o.id = so.order_id
		WHERE p.depot_id = $1 AND p.day = $2 AND p.status = 'done' AND s.kind = 'pickup' AND s.dropoff_point_id IS NULL
		ORDER BY h.id LIMIT 1`, depot, testDay).Scan(&hh, &carrier, &lon, &lat)
	if err != nil {
		t.Fatal(err)
	}
	pinLon, pinLat := lon+0.01, lat

	pz.armed.Store(true)
	done := make(chan error, 1)
	go func() {
		_, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: "test", RequestedAt: b.clock.t})
		done <- err
	}()
	<-pz.reached
	h, pinErr := b.svc.PinHousehold(ctx, hh, pinLon, pinLat, jobs.Actor{Name: "dispatcher:test", CarrierID: carrier})
	close(pz.release)
	planErr := <-done
	if pinErr != nil {
		t.Fatalf("pin during the re-plan: %v", pinErr)
	}
	if planErr != nil {
		t.Fatalf("re-plan: %v", planErr)
	}
	if h.Point[0] != pinLon || h.Point[1] != pinLat {
		t.Errorf("the pin returned %v, want [%g %g]", h.Point, pinLon, pinLat)
	}
	// The pin changed the day the planner had read: it read again, so the
	// plan it wrote knows the new place.
	if n := pz.maxAttempts.Load(); n < 1 {
		t.Errorf("the re-plan wrote on attempt %d: it did not see the pin change its day", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM river_job WHERE kind = $1 AND (args->>'depot_id')::bigint = $2 AND args->>'cause' = $3 AND args->>'subject' = $4`,
		jobs.KindReplan, depot, jobs.CausePinned, "household:"+itoa(hh)); n != 1 {
		t.Errorf("the pin queued %d re-plans of its depot's day, want 1", n)
	}

	point := func() (float64, float64) {
		t.Helper()
		var x, y float64
		if err := b.db.QueryRow(ctx, `SELECT lon, lat FROM households WHERE id = $1`, hh).Scan(&x, &y); err != nil {
			t.Fatal(err)
		}
		return x, y
	}
	if x, y := point(); x != pinLon || y != pinLat {
		t.Errorf("after the re-plan the household is at [%g %g], pinned at [%g %g]", x, y, pinLon, pinLat)
	}
	subject := "household:" + itoa(hh)
	if n := count(t, b.db, `SELECT count(*) FROM events WHERE action = 'household.pin' AND subject = $1`, subject); n != 1 {
		t.Errorf("%d household.pin events, want 1", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM river_job WHERE kind = $1 AND (args->>'household_id')::bigint = $2`, jobs.KindGeocodeHousehold, hh); n != 1 {
		t.Errorf("%d geocode_household jobs, want 1", n)
	}

	// The geocoding job's work, then the re-plan: what the geocoding
	// queued for the depot's day, or one asked for here when it queued none.
	replans := `SELECT count(*) FROM river_job WHERE kind IN ($1, $2) AND (args->>'depot_id')::bigint = $3 AND state <> 'completed'`
	before := count(t, b.db, replans, jobs.KindReplan, jobs.KindPlanDepotDay, depot)
	if _, err := b.svc.GeocodeHousehold(ctx, hh); err != nil {
		t.Fatal(err)
	}
	queued := count(t, b.db, replans, jobs.KindReplan, jobs.KindPlanDepotDay, depot) - before
	t.Logf("the geocoding queued %d plan jobs for the depot", queued)
	if x, y := point(); x != pinLon || y != pinLat {
		t.Errorf("after the geocoding the household is at [%g %g], pinned at [%g %g]", x, y, pinLon, pinLat)
	}
	res, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: "test", RequestedAt: b.clock.t})
	if err != nil {
		t.Fatal(err)
	}
	var latest int64
	if err := b.db.QueryRow(ctx, `SELECT id FROM plans WHERE depot_id = $1 AND day = $2 AND status = 'done' ORDER BY version DESC LIMIT 1`, depot, testDay).Scan(&latest); err != nil {
		t.Fatal(err)
	}
	if latest != res.PlanID {
		t.Errorf("latest plan %d, the re-plan wrote %d", latest, res.PlanID)
	}
	var stops int
	var sx, sy float64
	err = b.db.QueryRow(ctx, `
		SELECT count(*), coalesce(min(coalesce(dp.lon, h.lon)), 0), coalesce(min(coalesce(dp.lat, h.lat)), 0)
		FROM stops s JOIN routes r ON r.id = s.route_id JOIN households h ON h.id = s.household_id
		LEFT JOIN dropoff_points dp ON dp.id = s.dropoff_point_id
		WHERE r.plan_id = $1 AND s.kind = 'pickup' AND s.household_id = $2`, latest, hh).Scan(&stops, &sx, &sy)
	if err != nil {
		t.Fatal(err)
	}
	if stops != 1 {
		t.Fatalf("the latest plan has %d stops for household %d, want 1", stops, hh)
	}
	if sx != pinLon || sy != pinLat {
		t.Errorf("the latest plan visits household %d at [%g %g], pinned at [%g %g]", hh, sx, sy, pinLon, pinLat)
	}
}
