package jobs_test

import (
	"context"
	"testing"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// A depot running one vehicle leaves orders out for a full fleet: its
// capacity advice counts them (and those planned late), names vehicles to
// borrow from the carrier's other depots, best first, and says it in
// Vietnamese; a depot of the same day that keeps everything has none.
func TestCapacityAdvice(t *testing.T) {
	t.Parallel()
	bb := setupBorrow(t, 1000, nil)
	ctx := context.Background()
	none, err := bb.svc.CapacityAdvice(ctx, bb.depot.ID, testDay)
	if err != nil {
		t.Fatal(err)
	}
	if none.Orders != 0 || len(none.Borrow) != 0 || none.Motorbikes != 0 {
		t.Fatalf("no plan yet: want no advice, got %+v", none)
	}
	if _, err := bb.svc.PlanDepotDay(ctx, bb.depot.ID, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	full := bb.fleetFull(t)
	if full == 0 {
		t.Fatal("the scenario leaves nothing out for a full fleet")
	}
	a, err := bb.svc.CapacityAdvice(ctx, bb.depot.ID, testDay)
	if err != nil {
		t.Fatal(err)
	}
	if a.Orders-a.Late != full || a.Kg <= 0 || a.Stops == 0 || a.Stops > a.Orders {
		t.Fatalf("advice %+v: want the %d orders left out for a full fleet", a, full)
	}
	cands, err := bb.svc.BorrowCandidates(ctx, bb.depot.ID, testDay)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Borrow) == 0 || a.Borrow[0].VehicleID != cands[0].VehicleID || a.Borrow[0].DepotName == "" {
		t.Fatalf("want the best candidate %+v first, got %+v", cands[0], a.Borrow)
	}
	if len(a.Borrow) < len(cands) && a.Motorbikes != 0 {
		t.Errorf("vehicles left to borrow, yet %d motorbikes asked for", a.Motorbikes)
	}
	if a.Text == "" {
		t.Error("no text for the dispatcher")
	}
	// A lender plans its full fleet: nothing short there.
	lender := bb.lenders[0].ID
	if _, err := bb.svc.PlanDepotDay(ctx, lender, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	if got, err := bb.svc.CapacityAdvice(ctx, lender, testDay); err != nil {
		t.Fatal(err)
	} else if got.Orders != got.Late || len(got.Borrow) > 0 && got.Orders == 0 {
		t.Errorf("a depot with its fleet: %+v", got)
	}
	if _, err := bb.svc.CapacityAdvice(ctx, 999999, testDay); thugom.ErrorCode(err) != thugom.ENotFound {
		t.Errorf("unknown depot: %v", err)
	}
}
