package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// The application core: one function per user action, each in one short
// transaction with the rules of the root package, called by every entry
// point (HTTP handlers, the SMS webhook, River workers, the simulation).
// Every action that changes a depot's day bumps the day's revision in its
// transaction, so a plan solving meanwhile never writes over it.

// Actor is who acts: the journal's name and the carrier they may act for.
type Actor struct {
	Name string // "dispatcher:token:3", "household:77", "simulation"
	// CarrierID limits the actor to one carrier's data; 0 is any carrier
	// (administrators, the system).
	CarrierID int64
	// system: the system acts (a job, a driver's phone, the simulation),
	// not a person at the console.
	system bool
}

// System acts for every carrier (jobs, the simulation).
func System(name string) Actor { return Actor{Name: name, system: true} }

func (a Actor) check(carrierID int64) error {
	if a.CarrierID != 0 && a.CarrierID != carrierID {
		return thugom.Errorf(thugom.EForbidden, "", "this belongs to another carrier")
	}
	return nil
}

// Enqueued says which job an action queued.
type Enqueued struct {
	JobID     int64  `json:"job_id"`
	Kind      string `json:"kind"`
	DepotID   int64  `json:"depot_id"`
	Date      string `json:"date"`
	Duplicate bool   `json:"duplicate"`
}

// bump records a change of the depot days in the transaction. Writers
// call it before they lock any row of those days (the planner's order).
func (s *Service) bump(ctx context.Context, tx pgx.Tx, days []store.DepotDay) error {
	for _, d := range days {
		if _, err := store.BumpDepotDay(ctx, tx, d.DepotID, d.Day, s.now()); err != nil {
			return err
		}
	}
	return nil
}

// replan asks, in the transaction, for re-plans of the depot days.
func (s *Service) replan(ctx context.Context, tx pgx.Tx, days []store.DepotDay, cause, subject string) error {
	now := s.now()
	for _, d := range days {
		if _, err := s.client.InsertTx(ctx, tx, ReplanArgs{DepotID: d.DepotID, Day: DayString(d.Day), Cause: cause,
			Subject: subject, RequestedAt: now}, nil); err != nil {
			return fmt.Errorf("enqueue replan: %w", err)
		}
	}
	return nil
}

// RequestPlan queues a plan (replan false) or a re-plan of a depot's day.
// Both keep what was reported; a from-scratch plan of a day that has
// started is refused unless force is set (it then also forgets the
// previous vehicle assignments, but never a report).
func (s *Service) RequestPlan(ctx context.Context, depotID int64, day time.Time, replan, force bool, a Actor) (*Enqueued, error) {
	day = thugom.Day(day)
	if err := s.deps.Days.Check("date", day, s.now()); err != nil {
		return nil, err
	}
	out := &Enqueued{DepotID: depotID, Date: DayString(day)}
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		d, err := store.DepotByID(ctx, tx, depotID)
		if err != nil {
			return err
		}
		if err := a.check(d.CarrierID); err != nil {
			return err
		}
		if !replan && !force {
			started, err := store.DepotDayStarted(ctx, tx, depotID, day)
			if err != nil {
				return err
			}
			if started {
				return thugom.Errorf(thugom.EConflict, "date", "the day %s has started (stops were reported): re-plan it instead, which keeps every report, or plan with force", DayString(day))
			}
		}
		var args interface{ Kind() string }
		if replan {
			args = ReplanArgs{DepotID: depotID, Day: out.Date, Cause: CauseDispatcher, Subject: fmt.Sprintf("depot:%d", depotID), RequestedAt: s.now()}
		} else {
			args = PlanDepotDayArgs{DepotID: depotID, Day: out.Date, Reason: "api"}
		}
		res, err := s.client.InsertTx(ctx, tx, args, nil)
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
		}
		out.JobID, out.Kind, out.Duplicate = res.Job.ID, res.Job.Kind, res.UniqueSkippedAsDuplicate
		action := "plan.request"
		if replan {
			action = "plan.replan"
		}
		return s.event(ctx, tx, a.Name, action, fmt.Sprintf("depot:%d", depotID), map[string]any{"day": out.Date, "job_id": out.JobID, "force": force})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CancelOrder cancels an order: a dispatcher's or a marketplace's cancel,
// and an import's withdrawal (the one cancel, cancel.go). Cancelling a
// cancelled order changes nothing; a collected one is a conflict.
func (s *Service) CancelOrder(ctx context.Context, orderID int64, reason string, a Actor) error {
	return s.db.InTx(ctx, func(tx pgx.Tx) error {
		_, err := s.cancelOrders(ctx, tx, []int64{orderID}, cancellation{actor: a, reason: reason, subject: fmt.Sprintf("order:%d", orderID)})
		return err
	})
}

// LockOrder fixes an order to a vehicle of its depot for the next plans
// (vehicleID nil unlocks).
func (s *Service) LockOrder(ctx context.Context, orderID int64, vehicleID *int64, a Actor) error {
	return s.db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := s.lockDaysOfOrders(ctx, tx, []int64{orderID}); err != nil {
			return err
		}
		o, err := store.LockOrder(ctx, tx, orderID)
		if err != nil {
			return err
		}
		if err := a.check(o.CarrierID); err != nil {
			return err
		}
		if vehicleID != nil {
			v, err := store.VehicleByID(ctx, tx, *vehicleID)
			if err != nil {
				return err
			}
			borrowed := false // for the order's day, or today (borrow.go)
			if o.DepotID != nil && v.DepotID != *o.DepotID && v.CarrierID == o.CarrierID {
				if borrowed, err = borrowedBy(ctx, tx, v.ID, *o.DepotID, orderDay(o, s.now())); err != nil {
					return err
				}
			}
			if v.CarrierID != o.CarrierID || (o.DepotID != nil && v.DepotID != *o.DepotID && !borrowed) {
				return thugom.Errorf(thugom.EInvalid, "vehicle_id", "vehicle %d is not a vehicle of the order's depot", v.ID)
			}
		}
		if err := store.SetOrderLock(ctx, tx, orderID, vehicleID, s.now()); err != nil {
			return err
		}
		action := "order.lock"
		if vehicleID == nil {
			action = "order.unlock"
		}
		return s.event(ctx, tx, a.Name, action, fmt.Sprintf("order:%d", orderID), map[string]any{"vehicle_id": vehicleID})
	})
}

// MoveStop moves an open pickup stop to another vehicle of its depot: the
// stop (and its orders) is locked to the vehicle and the stop's own day is
// re-planned around it (the router recomputes every ETA; a hand-placed
// sequence would break time windows).
func (s *Service) MoveStop(ctx context.Context, stopID, vehicleID int64, a Actor) (*Enqueued, error) {
	return s.MoveStopAt(ctx, stopID, vehicleID, nil, a)
}

// MoveStopAt is MoveStop with a place on the vehicle (nil: the planner
// chooses): the stop stays right after that stop, or first, in every
// re-plan (see position.go).
func (s *Service) MoveStopAt(ctx context.Context, stopID, vehicleID int64, pl *Place, a Actor) (*Enqueued, error) {
	var out *Enqueued
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		dd, err := store.DepotDayOfStop(ctx, tx, stopID)
		if err != nil {
			return err
		}
		if err := s.bump(ctx, tx, []store.DepotDay{dd}); err != nil {
			return err
		}
		st, err := store.StopForUpdate(ctx, tx, stopID)
		if err != nil {
			return err
		}
		d, err := store.DepotByID(ctx, tx, st.DepotID)
		if err != nil {
			return err
		}
		if err := a.check(d.CarrierID); err != nil {
			return err
		}
		if st.Kind != thugom.StopPickup {
			return thugom.Errorf(thugom.EInvalid, "stop_id", "only pickup stops can move")
		}
		if !thugom.ReplanMayRewrite(st.Status) {
			return thugom.Errorf(thugom.EConflict, "status", "stop %d is already %s", stopID, st.Status)
		}
		if err := s.deps.Days.Check("date", st.Day, s.now()); err != nil {
			return thugom.Errorf(thugom.EConflict, "stop_id", "stop %d is of %s, a day that can no longer change", stopID, DayString(st.Day))
		}
		v, err := store.VehicleByID(ctx, tx, vehicleID)
		if err != nil {
			return err
		}
		if v.DepotID != st.DepotID {
			if ok, err := borrowedBy(ctx, tx, v.ID, st.DepotID, st.Day); err != nil { // borrow.go
				return err
			} else if !ok {
				return thugom.Errorf(thugom.EInvalid, "vehicle_id", "vehicle %s is not a vehicle of the stop's depot", v.Code)
			}
		}
		if v.Status != thugom.VehicleActive {
			return thugom.Errorf(thugom.EConflict, "vehicle_id", "vehicle %s is %s", v.Code, v.Status)
		}
		if err := store.LockStop(ctx, tx, stopID, v.ID, s.now()); err != nil {
			return err
		}
		if err := s.placeStop(ctx, tx, st.PlanID, stopID, v.ID, pl); err != nil {
			return err
		}
		out = &Enqueued{DepotID: st.DepotID, Date: DayString(st.Day)}
		res, err := s.client.InsertTx(ctx, tx, ReplanArgs{DepotID: st.DepotID, Day: out.Date, Cause: CauseDispatcher,
			Subject: fmt.Sprintf("stop:%d", stopID), RequestedAt: s.now()}, nil)
		if err != nil {
			return fmt.Errorf("enqueue replan: %w", err)
		}
		out.JobID, out.Kind, out.Duplicate = res.Job.ID, res.Job.Kind, res.UniqueSkippedAsDuplicate
		return s.event(ctx, tx, a.Name, "stop.move", fmt.Sprintf("stop:%d", stopID), map[string]any{"vehicle_id": v.ID, "job_id": out.JobID, "place": pl})
	})
	return out, err
}

// SetVehicleStatus puts a vehicle in service, off, or broken down: a
// change re-plans today's plan of its depot (a broken vehicle's stops not
// yet done go to other vehicles; one back in service takes stops again).
func (s *Service) SetVehicleStatus(ctx context.Context, vehicleID int64, status string, a Actor) (*thugom.Vehicle, error) {
	switch status {
	case thugom.VehicleActive, thugom.VehicleBroken, thugom.VehicleOff:
	default:
		return nil, thugom.Errorf(thugom.EInvalid, "status", "status must be active, broken or off")
	}
	var v *thugom.Vehicle
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if v, err = store.VehicleByID(ctx, tx, vehicleID); err != nil {
			return err
		}
		if err := a.check(v.CarrierID); err != nil {
			return err
		}
		prev := v.Status
		if prev == status {
			return nil
		}
		if err := store.SetVehicleStatus(ctx, tx, vehicleID, status); err != nil {
			return err
		}
		v.Status = status
		day := thugom.Day(s.now())
		depot, err := plannedBy(ctx, tx, v, day) // a borrowed vehicle's day is its borrower's (borrow.go)
		if err != nil {
			return err
		}
		head, err := store.CurrentPlan(ctx, tx, depot, day)
		if err != nil {
			return err
		}
		if head != nil {
			cause := CauseVehicleBroken
			if status == thugom.VehicleActive {
				cause = CauseDispatcher
			}
			days := []store.DepotDay{{DepotID: depot, Day: day}}
			if err := s.bump(ctx, tx, days); err != nil {
				return err
			}
			// A dispatcher's breakdown was previewed as a draft first
			// (the console's rescue plan): published whatever the policy.
			if _, err := s.client.InsertTx(ctx, tx, ReplanArgs{DepotID: depot, Day: DayString(day), Cause: cause,
				Subject: fmt.Sprintf("vehicle:%d", vehicleID), RequestedAt: s.now(), Requested: !a.system}, nil); err != nil {
				return fmt.Errorf("enqueue replan: %w", err)
			}
		}
		return s.event(ctx, tx, a.Name, "vehicle.status", fmt.Sprintf("vehicle:%d", vehicleID), map[string]any{"from": prev, "to": status})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// ReportBreakdown marks a vehicle broken and re-plans its depot's day.
func (s *Service) ReportBreakdown(ctx context.Context, vehicleID int64, actor string) error {
	_, err := s.SetVehicleStatus(ctx, vehicleID, thugom.VehicleBroken, System(actor))
	return err
}

// HandOver records orders collected but handed to the line-haul truck
// another way than at the end of their trip (a rescue van takes a broken
// vehicle's load): picked up → handed over. It returns the orders changed.
func (s *Service) HandOver(ctx context.Context, orderIDs []int64, a Actor) ([]int64, error) {
	var changed []int64
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		changed, err = store.SetOrdersStatus(ctx, tx, orderIDs, thugom.OrderHandedOver, s.now())
		if err != nil || len(changed) == 0 {
			return err
		}
		if err := s.handedOver(ctx, tx, changed, time.Time{}); err != nil { // carrier_estimate.go: the estimate, the outbox
			return err
		}
		return s.event(ctx, tx, a.Name, "order.handed_over", "", map[string]any{"orders": changed})
	})
	return changed, err
}
