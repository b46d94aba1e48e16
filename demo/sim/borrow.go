package sim

import (
	"context"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// maxBorrowsPerDepotDay bounds the vehicles the simulated dispatcher
// borrows for one depot and day.
const maxBorrowsPerDepotDay = 2

// borrowForFullFleets is the simulated dispatcher after a round of plans
// of day: a depot whose current plan leaves orders out because its fleet
// is full accepts the console's best borrow fix (the idle vehicle of its
// carrier with the shortest empty run, through the core's BorrowVehicle)
// and re-plans with it (and a spare vehicle's home depot without it), up
// to maxBorrowsPerDepotDay vehicles. A borrowed vehicle the re-plan does
// not use, or whose depot then leaves orders out for a full fleet, is
// returned (ReturnVehicle, both days re-planned again) and not counted. acc counts the vehicles borrowed and used, and the km and
// litres of their runs back home (the run out is in their routes, which
// the week's vehicle movements count).
func borrowForFullFleets(ctx context.Context, db *store.DB, svc *jobs.Service, depots []int64, day time.Time, acc *Account,
	replan func(depotID int64) error) error {
	actor := jobs.System("simulation:dispatcher")
	for _, d := range depots {
		for {
			full, err := fleetFullOrders(ctx, db, d, day)
			if err != nil || full == 0 {
				if err != nil {
					return err
				}
				break
			}
			loans, err := store.LoansOfDepotDay(ctx, db, d, day)
			if err != nil {
				return err
			}
			borrowed := 0
			for _, l := range loans {
				if l.ToDepotID == d {
					borrowed++
				}
			}
			if borrowed >= maxBorrowsPerDepotDay {
				break
			}
			cands, err := svc.BorrowCandidates(ctx, d, day)
			if err != nil {
				return err
			}
			var got *jobs.Borrowed
			var cand jobs.BorrowCandidate
			for _, c := range cands {
				cand = c
				got, err = svc.BorrowVehicle(ctx, d, day, c.VehicleID, actor)
				if code := thugom.ErrorCode(err); code == thugom.EConflict || code == thugom.EInvalid {
					continue // taken meanwhile: the next best
				}
				if err != nil {
					return err
				}
				break
			}
			if got == nil {
				break
			}
			if err := replan(d); err != nil {
				return err
			}
			// A spare vehicle's stops at home go to its depot's others.
			lenderShort := false
			if cand.Stops > 0 {
				if err := replan(cand.DepotID); err != nil {
					return err
				}
				n, err := fleetFullOrders(ctx, db, cand.DepotID, day)
				if err != nil {
					return err
				}
				lenderShort = n > 0
			}
			used, err := vehicleUsed(ctx, db, d, day, got.Loan.VehicleID)
			if err != nil {
				return err
			}
			if !used || lenderShort {
				// No use here, or its depot now leaves orders out: back.
				if err := svc.ReturnVehicle(ctx, d, day, got.Loan.VehicleID, actor); err != nil {
					return err
				}
				if err := replan(d); err != nil {
					return err
				}
				if cand.Stops > 0 {
					if err := replan(cand.DepotID); err != nil {
						return err
					}
				}
				break
			}
			acc.BorrowedVehicles++
			// The run back home after the shift is not part of the route
			// (it ends at the borrowing depot): counted here.
			back := float64(got.Loan.EmptyRunM) / 1000
			acc.KM += back
			acc.Litres += back * litresPerKm[cand.Kind]
		}
	}
	return nil
}

// fleetFullOrders counts the orders the depot's current plan of the day
// leaves out because its fleet is full.
func fleetFullOrders(ctx context.Context, db *store.DB, depotID int64, day time.Time) (int, error) {
	head, err := store.CurrentPlan(ctx, db, depotID, day)
	if err != nil || head == nil {
		return 0, err
	}
	us, err := store.PlanUnassigned(ctx, db, head.ID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range us {
		if jobs.FleetFullReason(jobs.ReasonCode(u.Reason)) {
			n++
		}
	}
	return n, nil
}

// vehicleUsed reports whether the depot's current plan of the day has
// stops on the vehicle.
func vehicleUsed(ctx context.Context, db *store.DB, depotID int64, day time.Time, vehicleID int64) (bool, error) {
	d, err := store.DepotByID(ctx, db, depotID)
	if err != nil {
		return false, err
	}
	busy, err := store.LoanBusyVehicles(ctx, db, d.CarrierID, day)
	if err != nil {
		return false, err
	}
	u := busy[vehicleID]
	return u != nil && u.ByDepot[depotID] > 0, nil
}
