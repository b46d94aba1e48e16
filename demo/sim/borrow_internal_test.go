package sim

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgtest"
)

// TestBorrowForFullFleets: the simulated dispatcher borrows for a depot
// whose fleet is full, through the core, at most maxBorrowsPerDepotDay
// vehicles, counts those the re-plan uses, and leaves other depots alone.
func TestBorrowForFullFleets(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	day := time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	now := day.Add(5*time.Hour + 30*time.Minute)
	sc, err := demo.Build(geo.Default().Gazetteer(), demo.Options{Seed: 7, Households: 200, Day: day})
	if err != nil {
		t.Fatal(err)
	}
	var seeded *demo.Seeded
	if err := db.InTx(ctx, func(tx pgx.Tx) error {
		seeded, err = demo.Seed(ctx, tx, sc, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	svc, err := jobs.New(db, jobs.Deps{Clock: func() time.Time { return now }, PlanIterations: 1000, SLAWatchEvery: -1,
		Logger: slog.New(slog.DiscardHandler), BorrowRadiusKm: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range seeded.HouseholdIDs {
		if _, err := svc.GeocodeHousehold(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	var short int64
	if err := db.QueryRow(ctx, `SELECT depot_id FROM orders GROUP BY depot_id ORDER BY count(*) DESC, depot_id LIMIT 1`).Scan(&short); err != nil {
		t.Fatal(err)
	}
	vs, err := store.VehiclesOfDepot(ctx, db, short)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs[1:] {
		if err := store.SetVehicleStatus(ctx, db, v.ID, thugom.VehicleOff); err != nil {
			t.Fatal(err)
		}
	}
	replans := map[int64]int{}
	replan := func(d int64) error {
		replans[d]++
		_, err := svc.PlanDepotDay(ctx, d, day, jobs.PlanRequest{Replan: true, Cause: jobs.CauseBorrowed})
		return err
	}
	depots := seeded.DepotIDs
	for _, d := range depots {
		if _, err := svc.PlanDepotDay(ctx, d, day, jobs.PlanRequest{Cause: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	full := map[int64]int{}
	for _, d := range depots {
		if full[d], err = fleetFullOrders(ctx, db, d, day); err != nil {
			t.Fatal(err)
		}
	}
	before := full[short]
	if before == 0 {
		t.Fatalf("no order left out for a full fleet: the scenario tests nothing")
	}
	var acc Account
	if err := borrowForFullFleets(ctx, db, svc, depots, day, &acc, replan); err != nil {
		t.Fatal(err)
	}
	after, err := fleetFullOrders(ctx, db, short, day)
	if err != nil {
		t.Fatal(err)
	}
	borrowed := 0
	for _, d := range depots {
		loans, err := store.LoansOfDepotDay(ctx, db, d, day)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range loans {
			if l.ToDepotID != d {
				continue
			}
			borrowed++
			if used, err := vehicleUsed(ctx, db, d, day, l.VehicleID); err != nil || !used {
				t.Errorf("vehicle %d borrowed by depot %d and kept unused (%v)", l.VehicleID, d, err)
			}
		}
		if replans[d] > 0 && full[d] == 0 {
			t.Errorf("depot %d re-planned for a borrow with no order left out for a full fleet", d)
		}
	}
	t.Logf("left out for a full fleet %d → %d; %d borrowed, %d counted; re-plans %v", before, after, borrowed, acc.BorrowedVehicles, replans)
	if acc.BorrowedVehicles == 0 || acc.BorrowedVehicles != borrowed || after >= before {
		t.Errorf("borrowed %d (counted %d), left out %d → %d", borrowed, acc.BorrowedVehicles, before, after)
	}
	if acc.KM <= 0 || acc.Litres <= 0 {
		t.Errorf("the runs back home of %d borrowed vehicles count %.1f km, %.2f l", acc.BorrowedVehicles, acc.KM, acc.Litres)
	}
	if replans[short] == 0 {
		t.Error("the short depot was not re-planned with its borrowed vehicle")
	}
	// A second pass borrows no more than the cap.
	if err := borrowForFullFleets(ctx, db, svc, depots, day, &acc, replan); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM loans WHERE to_depot_id = $1 AND ended_at IS NULL`, short); n > maxBorrowsPerDepotDay {
		t.Errorf("%d live loans to the depot, cap %d", n, maxBorrowsPerDepotDay)
	}
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
