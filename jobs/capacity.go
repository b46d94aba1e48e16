package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// CapacityAdvice is what a depot's day lacks to keep what was promised
// and what would cover it (thugom.AdviseCapacity), read from the day's
// current plan: the orders it left out for a full fleet (fleet_full,
// capacity, no_vehicle) and those planned back after their handover
// deadline — not those whose promise was lost at placement, which no fleet
// keeps — against the vehicles the depot may borrow that day and its own
// motorbike. A day without a plan, or short of nothing, has an empty
// advice.
func (s *Service) CapacityAdvice(ctx context.Context, depotID int64, day time.Time) (*thugom.CapacityAdvice, error) {
	day = thugom.Day(day)
	var in thugom.CapacityInput
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		d, err := store.DepotByID(ctx, tx, depotID)
		if err != nil {
			return err
		}
		v, err := store.PlanViewOf(ctx, tx, depotID, day)
		if errors.Is(err, thugom.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		lost, err := store.PromiseLostOfDay(ctx, tx, depotID, day, day.AddDate(0, 0, 1))
		if err != nil {
			return err
		}
		in = capacityShort(v, lost)
		vs, err := store.VehiclesOfDepot(ctx, tx, depotID)
		if err != nil {
			return err
		}
		in.Motorbike = depotMotorbike(vs)
		if len(in.Short) == 0 || !s.canBorrow(day) {
			return nil // nothing short, or a day past: nothing to borrow
		}
		cands, err := s.borrowCandidates(ctx, tx, d, day)
		if err != nil {
			return err
		}
		for _, c := range cands {
			in.Borrowable = append(in.Borrowable, thugom.CapacityVehicle{VehicleID: c.VehicleID, Code: c.VehicleCode, Kind: c.Kind,
				CapacityKg: c.CapacityKg, Trips: c.MaxTrips, DepotID: c.DepotID, DepotName: c.DepotName, EmptyRunKm: c.EmptyRunKm})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a := thugom.AdviseCapacity(in)
	return &a, nil
}

// canBorrow reports whether vehicles may still be borrowed for the day.
func (s *Service) canBorrow(day time.Time) bool { return s.checkBorrowDay(day) == nil }

// capacityShort reads from a day's plan the orders its fleet cannot keep
// (thugom.DayIssues' left out for a full fleet, and planned late), and how
// many stops it gives each vehicle it uses.
func capacityShort(v *store.PlanView, lost []store.LostOrder) thugom.CapacityInput {
	lostAt := map[int64]bool{}
	for _, o := range lost {
		lostAt[o.OrderID] = true
	}
	var day thugom.IssueDay
	weight := map[int64]float64{}
	for _, u := range v.Unassigned {
		day.Unassigned = append(day.Unassigned, thugom.IssueOrder{OrderID: u.OrderID, HouseholdID: u.HouseholdID, Code: ReasonCode(u.Reason)})
		weight[u.OrderID] = u.WeightKg
	}
	var in thugom.CapacityInput
	used, stops := 0, 0
	for _, rt := range v.Routes {
		r := thugom.IssueRoute{VehicleID: rt.VehicleID}
		pickups := 0
		for _, st := range rt.Stops {
			is := thugom.IssueStop{ID: st.ID, Kind: st.Kind, Status: st.Status, Trip: st.Trip, ETA: st.ArriveAt}
			if st.Kind == thugom.StopPickup && st.Status != thugom.StopSkipped {
				pickups++
			}
			for _, o := range st.Orders {
				io := thugom.IssueOrder{OrderID: o.OrderID, HandoverDeadline: o.HandoverDeadline}
				if st.HouseholdID != nil {
					io.HouseholdID = *st.HouseholdID
				}
				is.Orders = append(is.Orders, io)
				weight[o.OrderID] = o.WeightKg
			}
			r.Stops = append(r.Stops, is)
		}
		if pickups > 0 {
			used++
			stops += pickups
		}
		day.Routes = append(day.Routes, r)
	}
	if used > 0 {
		in.StopsPerVehicle = float64(stops) / float64(used)
	}
	for _, is := range thugom.DayIssues(day) {
		o := is.Order
		late := is.Kind == thugom.IssueLate
		if lostAt[o.OrderID] || (!late && !FleetFullReason(o.Code)) {
			continue
		}
		in.Short = append(in.Short, thugom.ShortOrder{OrderID: o.OrderID, HouseholdID: o.HouseholdID, WeightKg: weight[o.OrderID], Late: late})
	}
	return in
}

// depotMotorbike is the depot's motorbike that more of would be advised
// (its first active one; else its first vehicle; else a 100 kg motorbike
// of two trips).
func depotMotorbike(vs []thugom.Vehicle) thugom.CapacityVehicle {
	pick := func(v thugom.Vehicle) thugom.CapacityVehicle {
		return thugom.CapacityVehicle{Kind: v.Kind, CapacityKg: v.CapacityKg, Trips: v.MaxTrips}
	}
	for _, v := range vs {
		if v.Kind == thugom.VehicleMotorbike && v.Status == thugom.VehicleActive {
			return pick(v)
		}
	}
	if len(vs) > 0 {
		return pick(vs[0])
	}
	return thugom.CapacityVehicle{Kind: thugom.VehicleMotorbike, CapacityKg: 100, Trips: 2}
}
