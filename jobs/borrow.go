package jobs

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
)

// Borrowing an idle vehicle from a neighbouring depot (issue 14): when a
// depot's fleet is full, a vehicle of the same carrier that its own depot
// does not use that day may be lent for the day. The borrowing depot plans
// it, starting from its home depot (the empty run is the first leg of its
// route and counts in its km and time); its trips unload at the borrowing
// depot, which hands the produce to its line-haul. The run back home after
// the shift is not part of the route: the loan records the empty run one
// way (the way back is the same leg, after the day's work). The lending
// depot no longer plans the vehicle that day.
//
// A vehicle is lendable when it is idle that day (no stop in a current
// plan) or spare: its stops have not started and its depot leaves no order
// out for a full fleet, so the depot's other vehicles can take them (its
// depot is re-planned without it; the console says how many stops move).
// The planner uses every vehicle it has (no cost per vehicle used), so on
// a busy day a vehicle is seldom idle.

// DefaultBorrowRadiusKm is how far (road distance of the vehicle's travel
// profile) a depot may borrow a vehicle from when Deps.BorrowRadiusKm is 0.
const DefaultBorrowRadiusKm = 30

// CauseBorrowed is the re-plan cause of a borrowed vehicle.
const CauseBorrowed = "vehicle_borrowed"

// BorrowCandidate is an idle vehicle a depot may borrow, with its empty run
// from its home depot.
type BorrowCandidate struct {
	VehicleID   int64   `json:"vehicle_id"`
	VehicleCode string  `json:"vehicle_code"`
	Kind        string  `json:"kind"`
	CapacityKg  float64 `json:"capacity_kg"`
	MaxTrips    int     `json:"-"` // for the capacity advice (not part of the API)
	DepotID     int64   `json:"depot_id"`
	DepotName   string  `json:"depot_name"`
	EmptyRunKm  float64 `json:"empty_run_km"`
	EmptyRunMin int     `json:"empty_run_min"`
	// Stops are the vehicle's planned stops at its own depot that day,
	// which that depot re-plans onto its other vehicles (0: idle).
	Stops     int `json:"stops"`
	emptyRunM float64
	emptyRunS float64
}

// FleetFullReason reports whether an unassigned reason code says the
// depot's vehicles are too few or too small (a borrowed vehicle may help):
// fleet_full, capacity, no_vehicle.
func FleetFullReason(code string) bool {
	switch code {
	case string(routing.ReasonFleetFull), "capacity", "no_vehicle":
		return true
	}
	return false
}

func (s *Service) borrowRadiusM() float64 {
	km := s.deps.BorrowRadiusKm
	if km <= 0 {
		km = DefaultBorrowRadiusKm
	}
	return km * 1000
}

// BorrowRadiusKm is the radius the service borrows vehicles within.
func (s *Service) BorrowRadiusKm() float64 { return s.borrowRadiusM() / 1000 }

// emptyRun is a vehicle's run from its home depot to another depot.
func (s *Service) emptyRun(kind string, from, to *thugom.Depot) (m, secs float64, err error) {
	prof, err := s.profile(kind)
	if err != nil {
		return 0, 0, err
	}
	m, secs = prof.Leg(geo.Point{Lat: from.Point[1], Lon: from.Point[0]}, geo.Point{Lat: to.Point[1], Lon: to.Point[0]})
	return m, secs, nil
}

// BorrowCandidates lists the vehicles a depot may borrow for a day, best
// first (idle before spare, then the shortest empty run, then the
// largest): active vehicles of the same carrier at its other depots within
// the borrow radius, lendable that day (idle, or spare: no stop started
// and its depot leaves no order out for a full fleet), not lent already,
// and whose shift leaves time after the empty run.
func (s *Service) BorrowCandidates(ctx context.Context, depotID int64, day time.Time) ([]BorrowCandidate, error) {
	day = thugom.Day(day)
	if err := s.checkBorrowDay(day); err != nil {
		return nil, err
	}
	var out []BorrowCandidate
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		d, err := store.DepotByID(ctx, tx, depotID)
		if err != nil {
			return err
		}
		out, err = s.borrowCandidates(ctx, tx, d, day)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []BorrowCandidate{}
	}
	return out, nil
}

func (s *Service) borrowCandidates(ctx context.Context, q store.DBTX, d *thugom.Depot, day time.Time) ([]BorrowCandidate, error) {
	depots, err := store.DepotsOfCarrier(ctx, q, d.CarrierID)
	if err != nil {
		return nil, err
	}
	loans, err := store.LoansOfCarrierDay(ctx, q, d.CarrierID, day)
	if err != nil {
		return nil, err
	}
	lent := map[int64]*thugom.Loan{}
	for i := range loans {
		lent[loans[i].VehicleID] = &loans[i]
	}
	busy, err := store.LoanBusyVehicles(ctx, q, d.CarrierID, day)
	if err != nil {
		return nil, err
	}
	short := map[int64]bool{} // depots that leave orders out for a full fleet
	var out []BorrowCandidate
	for i := range depots {
		home := &depots[i]
		if home.ID == d.ID {
			continue
		}
		vs, err := store.VehiclesOfDepot(ctx, q, home.ID)
		if err != nil {
			return nil, err
		}
		if short[home.ID], err = fleetShort(ctx, q, home.ID, day); err != nil {
			return nil, err
		}
		for _, v := range vs {
			m, secs, err := s.emptyRun(v.Kind, home, d)
			if err != nil {
				return nil, err
			}
			stops, err := lendable(&v, home, day, s.shiftLeaves(v, day, secs), lent[v.ID], busy[v.ID], short[home.ID])
			if err != nil || m > s.borrowRadiusM() {
				continue
			}
			out = append(out, BorrowCandidate{VehicleID: v.ID, VehicleCode: v.Code, Kind: v.Kind, CapacityKg: v.CapacityKg, MaxTrips: v.MaxTrips,
				DepotID: home.ID, DepotName: home.Name, EmptyRunKm: math.Round(m/100) / 10, EmptyRunMin: int(math.Ceil(secs / 60)),
				Stops: stops, emptyRunM: m, emptyRunS: secs})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Stops == 0) != (b.Stops == 0) {
			return a.Stops == 0
		}
		if a.emptyRunS != b.emptyRunS {
			return a.emptyRunS < b.emptyRunS
		}
		if a.CapacityKg != b.CapacityKg {
			return a.CapacityKg > b.CapacityKg
		}
		return a.VehicleID < b.VehicleID
	})
	return out, nil
}

// shiftLeaves reports whether the vehicle's shift of the day still leaves
// time for work after an empty run of secs from now (or its shift start).
func (s *Service) shiftLeaves(v thugom.Vehicle, day time.Time, secs float64) bool {
	open := math.Max(float64(v.ShiftStart), float64(thugom.SecondsSince(day, s.now())))
	return open+secs+MinService.Seconds() < float64(v.ShiftEnd)
}

// checkBorrowDay refuses days outside the service's range and days past.
func (s *Service) checkBorrowDay(day time.Time) error {
	if err := s.deps.Days.Check("date", day, s.now()); err != nil {
		return err
	}
	if day.Before(thugom.Day(s.now())) {
		return thugom.Errorf(thugom.EInvalid, "date", "a vehicle cannot be borrowed for a day past (%s)", DayString(day))
	}
	return nil
}

// Borrowed is a loan made and the re-plan it queued.
type Borrowed struct {
	Loan  thugom.Loan `json:"loan"`
	Job   *Enqueued   `json:"job"`
	Label string      `json:"label"`
}

// BorrowVehicle lends a vehicle of a neighbouring depot to depotID for the
// day and re-plans the borrowing depot's day with it. The vehicle must be
// of the same carrier (else 422; an actor of another carrier gets 403),
// not the depot's own, active, within the borrow radius (422), idle that
// day and not lent already (409). Both depots' days are bumped, in
// ascending depot id order, before any of their rows is locked: a plan of
// either day solving meanwhile plans again with the loan.
func (s *Service) BorrowVehicle(ctx context.Context, depotID int64, day time.Time, vehicleID int64, a Actor) (*Borrowed, error) {
	day = thugom.Day(day)
	if err := s.checkBorrowDay(day); err != nil {
		return nil, err
	}
	var out *Borrowed
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		d, err := store.DepotByID(ctx, tx, depotID)
		if err != nil {
			return err
		}
		if err := a.check(d.CarrierID); err != nil {
			return err
		}
		v, err := store.VehicleByID(ctx, tx, vehicleID)
		if err != nil {
			return err
		}
		if err := a.check(v.CarrierID); err != nil {
			return err
		}
		if v.CarrierID != d.CarrierID {
			return thugom.Errorf(thugom.EInvalid, "vehicle_id", "vehicle %s belongs to another carrier", v.Code)
		}
		if v.DepotID == d.ID {
			return thugom.Errorf(thugom.EInvalid, "vehicle_id", "vehicle %s is already a vehicle of %s", v.Code, d.Name)
		}
		home, err := store.DepotByID(ctx, tx, v.DepotID)
		if err != nil {
			return err
		}
		m, secs, err := s.emptyRun(v.Kind, home, d)
		if err != nil {
			return err
		}
		if m > s.borrowRadiusM() {
			return thugom.Errorf(thugom.EInvalid, "vehicle_id", "vehicle %s is %.0f km away at %s, beyond the %.0f km a depot borrows from",
				v.Code, m/1000, home.Name, s.BorrowRadiusKm())
		}
		// Both days, lowest depot first, before any row of them is locked.
		days := []store.DepotDay{{DepotID: d.ID, Day: day}, {DepotID: home.ID, Day: day}}
		if days[1].DepotID < days[0].DepotID {
			days[0], days[1] = days[1], days[0]
		}
		if err := s.bump(ctx, tx, days); err != nil {
			return err
		}
		loan, err := store.LoanOfVehicleDay(ctx, tx, v.ID, day)
		if err != nil {
			return err
		}
		busy, err := store.LoanBusyVehicles(ctx, tx, v.CarrierID, day)
		if err != nil {
			return err
		}
		short := false
		if busy[v.ID] != nil {
			if short, err = fleetShort(ctx, tx, home.ID, day); err != nil {
				return err
			}
		}
		stops, err := lendable(v, home, day, s.shiftLeaves(*v, day, secs), loan, busy[v.ID], short)
		if err != nil {
			return err
		}
		spare := stops > 0 // its stops at home are re-planned onto the others
		l := thugom.Loan{VehicleID: v.ID, Day: day, FromDepotID: home.ID, ToDepotID: d.ID, EmptyRunM: int(math.Round(m)),
			EmptyRunS: int(math.Round(secs)), Actor: a.Name, CreatedAt: s.now()}
		if err := store.InsertLoan(ctx, tx, &l); err != nil {
			return err
		}
		out = &Borrowed{Loan: l, Label: BorrowLabel(v.Code, home.Name, m)}
		subject := fmt.Sprintf("vehicle:%d", v.ID)
		res, err := s.client.InsertTx(ctx, tx, ReplanArgs{DepotID: d.ID, Day: DayString(day), Cause: CauseBorrowed,
			Subject: subject, RequestedAt: s.now()}, nil)
		if err != nil {
			return fmt.Errorf("enqueue replan: %w", err)
		}
		out.Job = &Enqueued{JobID: res.Job.ID, Kind: res.Job.Kind, DepotID: d.ID, Date: DayString(day), Duplicate: res.UniqueSkippedAsDuplicate}
		if spare {
			if err := s.replan(ctx, tx, []store.DepotDay{{DepotID: home.ID, Day: day}}, CauseBorrowed, subject); err != nil {
				return err
			}
		}
		return s.event(ctx, tx, a.Name, "vehicle.borrow", subject, map[string]any{"day": DayString(day), "from_depot_id": home.ID,
			"to_depot_id": d.ID, "empty_run_m": l.EmptyRunM, "empty_run_s": l.EmptyRunS, "loan_id": l.ID, "job_id": out.Job.JobID})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lendable says why vehicle v of depot home may not be lent on day (an
// EConflict naming vehicle_id; nil when it may) and, when it may, how many
// of its stops home re-plans onto its other vehicles (0: idle). It must be
// active, its shift must leave time after the empty run (shiftLeaves), it
// must not be lent already (loan), nor at work or planned at another depot
// (use, nil: no stop that day), and its depot must not leave orders out
// for a full fleet (short, asked only of a vehicle with stops).
func lendable(v *thugom.Vehicle, home *thugom.Depot, day time.Time, shiftLeaves bool, loan *thugom.Loan, use *store.VehicleDayUse, short bool) (stops int, err error) {
	switch {
	case v.Status != thugom.VehicleActive:
		return 0, thugom.Errorf(thugom.EConflict, "vehicle_id", "vehicle %s is %s", v.Code, v.Status)
	case !shiftLeaves:
		return 0, thugom.Errorf(thugom.EConflict, "vehicle_id", "vehicle %s's shift is over (or ends before it could get here)", v.Code)
	case loan != nil:
		return 0, thugom.Errorf(thugom.EConflict, "vehicle_id", "vehicle %s is already lent on %s (to depot %d)", v.Code, DayString(day), loan.ToDepotID)
	case use == nil:
		return 0, nil
	case use.Started || use.Stops > use.ByDepot[home.ID]:
		return 0, thugom.Errorf(thugom.EConflict, "vehicle_id", "vehicle %s is at work on %s", v.Code, DayString(day))
	case short:
		return 0, thugom.Errorf(thugom.EConflict, "vehicle_id", "%s needs vehicle %s on %s: its own fleet is full", home.Name, v.Code, DayString(day))
	}
	return use.Stops, nil
}

// BorrowLabel says a borrow in Vietnamese for the dispatcher: "Mượn xe
// 12-XM03 của Bưu cục Bình Gia, chạy rỗng 14 km".
func BorrowLabel(code, depotName string, emptyRunM float64) string {
	return fmt.Sprintf("Mượn xe %s của %s, chạy rỗng %.0f km", code, depotName, math.Round(emptyRunM/1000))
}

// ReturnVehicle ends a loan whose vehicle has not started anything for the
// borrowing depot (409 otherwise) and re-plans both days: the borrowing
// depot's stops on it go back to its own vehicles, and its home depot may
// plan it again.
func (s *Service) ReturnVehicle(ctx context.Context, depotID int64, day time.Time, vehicleID int64, a Actor) error {
	day = thugom.Day(day)
	if err := s.deps.Days.Check("date", day, s.now()); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx pgx.Tx) error {
		d, err := store.DepotByID(ctx, tx, depotID)
		if err != nil {
			return err
		}
		if err := a.check(d.CarrierID); err != nil {
			return err
		}
		l, err := store.LoanOfVehicleDay(ctx, tx, vehicleID, day)
		if err != nil {
			return err
		}
		if l == nil || l.ToDepotID != d.ID {
			return thugom.Errorf(thugom.ENotFound, "vehicle_id", "%s has not borrowed vehicle %d on %s", d.Name, vehicleID, DayString(day))
		}
		days := []store.DepotDay{{DepotID: l.FromDepotID, Day: day}, {DepotID: l.ToDepotID, Day: day}}
		if days[1].DepotID < days[0].DepotID {
			days[0], days[1] = days[1], days[0]
		}
		if err := s.bump(ctx, tx, days); err != nil {
			return err
		}
		busy, err := store.LoanBusyVehicles(ctx, tx, d.CarrierID, day)
		if err != nil {
			return err
		}
		if u := busy[vehicleID]; u != nil && u.Started {
			return thugom.Errorf(thugom.EConflict, "vehicle_id", "vehicle %d has started its work for %s: it stays until the day ends", vehicleID, d.Name)
		}
		if ok, err := store.EndLoan(ctx, tx, l.ID, s.now()); err != nil {
			return err
		} else if !ok {
			return thugom.Errorf(thugom.EConflict, "vehicle_id", "the loan of vehicle %d has ended already", vehicleID)
		}
		if err := s.replan(ctx, tx, days, CauseBorrowed, fmt.Sprintf("vehicle:%d", vehicleID)); err != nil {
			return err
		}
		return s.event(ctx, tx, a.Name, "vehicle.return", fmt.Sprintf("vehicle:%d", vehicleID), map[string]any{"day": DayString(day), "loan_id": l.ID})
	})
}

// dayVehicles are the vehicles a depot plans on a day: its own not lent
// away, and the ones it borrowed, with the home depot each borrowed one
// starts from.
func dayVehicles(ctx context.Context, q store.DBTX, depotID int64, day time.Time) ([]thugom.Vehicle, map[int64]orb.Point, error) {
	own, err := store.VehiclesOfDepot(ctx, q, depotID)
	if err != nil {
		return nil, nil, err
	}
	loans, err := store.LoansOfDepotDay(ctx, q, depotID, day)
	if err != nil {
		return nil, nil, err
	}
	if len(loans) == 0 {
		return own, nil, nil
	}
	lentAway := map[int64]bool{}
	home := map[int64]orb.Point{}
	var borrowed []thugom.Vehicle
	for _, l := range loans {
		if l.FromDepotID == depotID {
			lentAway[l.VehicleID] = true
			continue
		}
		v, err := store.VehicleByID(ctx, q, l.VehicleID)
		if err != nil {
			return nil, nil, err
		}
		hd, err := store.DepotByID(ctx, q, l.FromDepotID)
		if err != nil {
			return nil, nil, err
		}
		borrowed = append(borrowed, *v)
		home[v.ID] = hd.Point
	}
	var out []thugom.Vehicle
	for _, v := range own {
		if !lentAway[v.ID] {
			out = append(out, v)
		}
	}
	return append(out, borrowed...), home, nil
}

// startPoint is where a vehicle's day starts: its home depot when
// borrowed, else the depot.
func (p *planner) startPoint(vehicleID int64) orb.Point {
	if pt, ok := p.home[vehicleID]; ok {
		return pt
	}
	return p.depot.Point
}

// resumeLocation is where a resumed vehicle is when it has done nothing
// yet of the day (its start: the home depot of a borrowed vehicle) or
// has last unloaded (the depot, location 0).
func resumeLocation(rv routing.Vehicle, vs *vehicleState) int {
	if vs != nil && len(vs.finished) > 0 {
		return 0
	}
	return rv.Start
}

// borrowedBy reports whether a depot borrowed the vehicle for the day: a
// dispatcher may then lock and move its stops there as on its own.
func borrowedBy(ctx context.Context, q store.DBTX, vehicleID, depotID int64, day time.Time) (bool, error) {
	l, err := store.LoanOfVehicleDay(ctx, q, vehicleID, day)
	return l != nil && l.ToDepotID == depotID, err
}

// orderDay is the day an order is to be collected for a lock: the day it
// is ready, today at the earliest.
func orderDay(o *store.OrderLock, now time.Time) time.Time {
	if o.ReadyFrom.After(now) {
		return thugom.Day(o.ReadyFrom)
	}
	return thugom.Day(now)
}

// previewBorrow adds to a preview's day a vehicle the depot could borrow,
// as BorrowVehicle would, for this preview only: it must be one of the
// depot's candidates (409 otherwise).
func (p *planner) previewBorrow(ctx context.Context, q store.DBTX, vehicleID int64) error {
	cands, err := p.s.borrowCandidates(ctx, q, p.depot, p.day)
	if err != nil {
		return err
	}
	for _, c := range cands {
		if c.VehicleID != vehicleID {
			continue
		}
		v, err := store.VehicleByID(ctx, q, c.VehicleID)
		if err != nil {
			return err
		}
		home, err := store.DepotByID(ctx, q, c.DepotID)
		if err != nil {
			return err
		}
		if p.home == nil {
			p.home = map[int64]orb.Point{}
		}
		p.vehicles = append(p.vehicles, *v)
		p.home[v.ID] = home.Point
		return nil
	}
	if _, err := store.VehicleByID(ctx, q, vehicleID); err != nil {
		return err
	}
	return thugom.Errorf(thugom.EConflict, "borrow_vehicle_id", "vehicle %d is not an idle vehicle of the carrier within %.0f km that %s may borrow on %s",
		vehicleID, p.s.BorrowRadiusKm(), p.depot.Name, DayString(p.day))
}

// plannedBy is the depot that plans a vehicle on a day: the one that
// borrowed it, else its own.
func plannedBy(ctx context.Context, q store.DBTX, v *thugom.Vehicle, day time.Time) (int64, error) {
	l, err := store.LoanOfVehicleDay(ctx, q, v.ID, day)
	if err != nil || l == nil {
		return v.DepotID, err
	}
	return l.ToDepotID, nil
}

// fleetShort reports whether the depot's current plan of the day leaves
// orders out because its fleet is full.
func fleetShort(ctx context.Context, q store.DBTX, depotID int64, day time.Time) (bool, error) {
	head, err := store.CurrentPlan(ctx, q, depotID, day)
	if err != nil || head == nil {
		return false, err
	}
	us, err := store.PlanUnassigned(ctx, q, head.ID)
	if err != nil {
		return false, err
	}
	for _, u := range us {
		if FleetFullReason(ReasonCode(u.Reason)) {
			return true, nil
		}
	}
	return false, nil
}
