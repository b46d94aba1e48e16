package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// Reasons a pickup fails.
const (
	FailNotReady        = "not_ready"
	FailNobodyHome      = "nobody_home"
	FailQualityRejected = "quality_rejected"
	FailUnreachable     = "unreachable"
)

// failText is the reason told to the household, without diacritics.
var failText = map[string]string{
	FailNotReady:        "hang chua san sang",
	FailNobodyHome:      "khong co nguoi o nha",
	FailQualityRejected: "hang khong dat chat luong",
	FailUnreachable:     "xe khong toi duoc",
}

// PickupEvent is one step of a stop's pickup, reported by a driver (or a
// dispatcher, or the simulation).
type PickupEvent struct {
	StopID int64
	// DriverID is the reporting driver; 0 for a dispatcher or the system
	// (no route ownership check).
	DriverID int64
	// Status: en_route, arrived, picked_up, failed; "done" for a depot stop
	// (unloaded: its trip's orders are handed over).
	Status string
	// Parcels and WeightKg collected (picked_up).
	Parcels  int
	WeightKg float64
	// Reason of a failure: not_ready, nobody_home, quality_rejected,
	// unreachable.
	Reason string
	// At is when it happened (zero: the service clock).
	At    time.Time
	Actor string // journal actor, e.g. "driver:3"
	// Report is the phone's own account (its time, counts, note), kept in
	// the same transaction for the day report (picked up and failed only).
	Report *store.StopReport
}

// PickupResult says what an event did.
type PickupResult struct {
	StopID int64  `json:"stop_id"` // the stop changed (a newer version's if re-planned)
	Status string `json:"status"`
	// Unchanged is set when the stop already had this status (a repeated
	// report): nothing was written.
	Unchanged bool `json:"unchanged,omitempty"`
}

// RecordPickup applies one pickup event in one transaction: the stop's
// status, its pickup task, its orders (picked up; handed over at the depot),
// the journal, and for a failure the follow-up job that re-plans or
// escalates. A stop of a re-planned (superseded) plan is followed to its
// newer version. Errors: thugom.ErrNotFound (no such stop), ErrForbidden
// (a stop on another driver's route), ErrConflict (an event out of order,
// or a stop dropped by a re-plan), ErrInvalid (bad status, reason, counts).
func (s *Service) RecordPickup(ctx context.Context, e PickupEvent) (*PickupResult, error) {
	if e.Status == thugom.StopFailed {
		if _, ok := failText[e.Reason]; !ok {
			return nil, thugom.Errorf(thugom.EInvalid, "reason", "a failed pickup needs a reason: not_ready, nobody_home, quality_rejected or unreachable")
		}
	}
	switch e.Status {
	case thugom.StopEnRoute, thugom.StopArrived, thugom.StopPickedUp, thugom.StopFailed, thugom.StopDone:
	default:
		return nil, thugom.Errorf(thugom.EInvalid, "status", "status must be en_route, arrived, picked_up, failed or done, not %q", e.Status)
	}
	if e.Parcels < 0 || e.Parcels > 1000 || e.WeightKg < 0 || e.WeightKg > 5000 {
		return nil, thugom.Errorf(thugom.EInvalid, "weight_kg", "parcels must be 0-1000 and weight 0-5000 kg")
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	if e.Actor == "" {
		e.Actor = "system"
		if e.DriverID != 0 {
			e.Actor = fmt.Sprintf("driver:%d", e.DriverID)
		}
	}
	var res *PickupResult
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		res, err = s.recordPickup(ctx, tx, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Service) recordPickup(ctx context.Context, tx pgx.Tx, e PickupEvent) (*PickupResult, error) {
	// The day first, then its rows: the order every writer and the planner
	// lock in, so that none waits on another in a circle.
	dd, err := store.DepotDayOfStop(ctx, tx, e.StopID)
	if err != nil {
		return nil, err
	}
	if _, err := store.BumpDepotDay(ctx, tx, dd.DepotID, dd.Day, s.now()); err != nil {
		return nil, err
	}
	st, err := store.StopForUpdate(ctx, tx, e.StopID)
	if err != nil {
		return nil, err
	}
	if st.PlanStatus == thugom.PlanSuperseded {
		// Stops keep their ids across versions; only a stop of the first
		// version of the schema (before living days) can be here.
		return nil, thugom.Errorf(thugom.EConflict, "stop_id", "stop %d belongs to an old plan; fetch the manifest again", e.StopID)
	}
	if e.DriverID != 0 && (st.DriverID == nil || *st.DriverID != e.DriverID) {
		return nil, thugom.Errorf(thugom.EForbidden, "stop_id", "stop %d is on another driver's route", e.StopID)
	}
	if st.Status == e.Status {
		return &PickupResult{StopID: st.ID, Status: st.Status, Unchanged: true}, nil
	}
	if !thugom.StopCanMove(st.Kind, st.Status, e.Status) {
		if st.Status == thugom.StopSkipped {
			return nil, thugom.Errorf(thugom.EConflict, "stop_id", "stop %d is no longer on any route (its orders were cancelled, postponed or re-planned)", e.StopID)
		}
		return nil, thugom.Errorf(thugom.EConflict, "status", "stop %d is %s: %s cannot follow", e.StopID, st.Status, e.Status)
	}
	orders, err := store.StopOrders(ctx, tx, st.ID)
	if err != nil {
		return nil, err
	}
	if st.Kind == thugom.StopPickup && e.Status != thugom.StopFailed {
		open := 0
		for _, o := range orders {
			if thugom.OrderPlannable(o.Status) {
				open++
			}
		}
		if open == 0 {
			return nil, thugom.Errorf(thugom.EConflict, "stop_id", "stop %d has no order left to collect (cancelled or postponed by the household)", e.StopID)
		}
	}
	now := s.now()
	if err := store.SetStopStatus(ctx, tx, st.ID, e.Status, now); err != nil {
		return nil, err
	}
	task, err := store.PickupTaskOfStop(ctx, tx, st.ID)
	if err != nil {
		return nil, err
	}
	if task != nil {
		if err := store.SetTaskStatus(ctx, tx, task.ID, e.Status, now); err != nil {
			return nil, err
		}
	}
	var ids []int64
	for _, o := range orders {
		if e.Status != thugom.StopPickedUp || thugom.OrderPlannable(o.Status) {
			ids = append(ids, o.ID)
		}
	}
	payload := map[string]any{"status": e.Status, "from": st.Status, "at": e.At, "orders": ids}
	switch e.Status {
	case thugom.StopPickedUp:
		payload["parcels"], payload["weight_kg"] = e.Parcels, e.WeightKg
		if _, err := store.SetOrdersStatus(ctx, tx, ids, thugom.OrderPickedUp, now); err != nil {
			return nil, err
		}
		if err := s.shipOnPickup(ctx, tx, st.ID, ids, e.At); err != nil { // carrier.go: the outbox, in this transaction
			return nil, err
		}
	case thugom.StopDone:
		ids, err = s.tripOrders(ctx, tx, st)
		if err != nil {
			return nil, err
		}
		payload["orders"] = ids
		handed, err := store.SetOrdersStatus(ctx, tx, ids, thugom.OrderHandedOver, now)
		if err != nil {
			return nil, err
		}
		if err := s.handedOver(ctx, tx, handed, e.At); err != nil { // carrier_estimate.go: the estimate, the outbox
			return nil, err
		}
	case thugom.StopFailed:
		payload["reason"] = e.Reason
		// The orders go back to planning; the household gets half an hour
		// (it was not ready, or not home) before the next attempt.
		back := ids[:0:0]
		for _, o := range orders {
			if o.Status == thugom.OrderPlanned {
				back = append(back, o.ID)
			}
		}
		if _, err := store.SetOrdersStatus(ctx, tx, back, thugom.OrderReceived, now); err != nil {
			return nil, err
		}
		if err := s.tellCarrier(ctx, tx, back, carrierFailed, e.At, e.Reason); err != nil { // carrier_transitions.go
			return nil, err
		}
		if e.Reason != FailQualityRejected {
			if err := store.SetOrdersReadyFrom(ctx, tx, back, now.Add(RetryAfter), now); err != nil {
				return nil, err
			}
		}
		if _, err := s.client.InsertTx(ctx, tx, PickupFollowUpArgs{StopID: st.ID, Reason: e.Reason}, nil); err != nil {
			return nil, fmt.Errorf("enqueue pickup follow-up: %w", err)
		}
	}
	if e.Report != nil && (e.Status == thugom.StopPickedUp || e.Status == thugom.StopFailed) {
		rep := *e.Report
		rep.StopID, rep.Outcome, rep.RecordedAt = st.ID, e.Status, now
		if err := store.SaveStopReport(ctx, tx, rep); err != nil {
			return nil, err
		}
	}
	if err := s.event(ctx, tx, e.Actor, "stop."+e.Status, fmt.Sprintf("stop:%d", st.ID), payload); err != nil {
		return nil, err
	}
	return &PickupResult{StopID: st.ID, Status: e.Status}, nil
}

// tripOrders returns the orders picked up on the trip a depot stop ends.
func (s *Service) tripOrders(ctx context.Context, tx pgx.Tx, depot *store.StopState) ([]int64, error) {
	stops, err := store.PlanStops(ctx, tx, depot.PlanID)
	if err != nil {
		return nil, err
	}
	var trip = -1
	for _, st := range stops {
		if st.ID == depot.ID {
			trip = st.Trip
		}
	}
	var ids []int64
	for _, st := range stops {
		if st.VehicleID == depot.VehicleID && st.Trip == trip && st.Kind == thugom.StopPickup && st.Status == thugom.StopPickedUp {
			ids = append(ids, st.OrderIDs...)
		}
	}
	return ids, nil
}

type followUpWorker struct {
	river.WorkerDefaults[PickupFollowUpArgs]
	s *Service
}

func (w *followUpWorker) Work(ctx context.Context, job *river.Job[PickupFollowUpArgs]) error {
	_, err := w.s.FollowUpFailedPickup(ctx, job.Args.StopID, job.Args.Reason)
	return cancelIfNotFound(err)
}

// RetryAfter is how long after a failed pickup the household is visited
// again at the earliest.
const RetryAfter = 30 * time.Minute

// Minimum time before the handover deadline for a failed pickup's second
// visit to be in time: closer than that, the orders are collected late and
// the dispatcher is alerted.
const replanMargin = 30 * time.Minute

// FollowUpFailedPickup decides what a failed pickup becomes: its orders go
// back to planning (a re-plan of the depot's day; when the handover
// deadline no longer allows a second visit in time the planner collects
// them late, today or on the next day, and the dispatcher is alerted);
// only produce the carrier rejected (quality) ends failed, with an
// escalation. Nothing else is dropped. The household is told either way,
// once. It reports whether it re-planned.
func (s *Service) FollowUpFailedPickup(ctx context.Context, stopID int64, reason string) (replanned bool, err error) {
	err = s.db.InTx(ctx, func(tx pgx.Tx) error {
		st, err := store.StopForUpdate(ctx, tx, stopID)
		if err != nil {
			return err
		}
		if st.Status != thugom.StopFailed {
			return nil
		}
		orders, err := store.StopOrders(ctx, tx, stopID)
		if err != nil {
			return err
		}
		now := s.now()
		depot, err := store.DepotByID(ctx, tx, st.DepotID)
		if err != nil {
			return err
		}
		// The household's one message about this failure doubles as the
		// marker that the follow-up ran: a second run does nothing. A hub
		// stop (a drop-off point) tells each household that brought orders.
		tell := []store.StopHousehold{}
		if st.HouseholdID != nil {
			tell = append(tell, store.StopHousehold{HouseholdID: *st.HouseholdID, Orders: len(orders)})
		} else if tell, err = store.HouseholdsOfStop(ctx, tx, stopID); err != nil {
			return err
		}
		told := 0
		for _, h := range tell {
			phone, err := s.householdPhone(ctx, tx, h.HouseholdID)
			if err != nil {
				return err
			}
			key := fmt.Sprintf("failed:%d", stopID)
			if st.HouseholdID == nil {
				key = fmt.Sprintf("failed:%d:%d", stopID, h.HouseholdID)
			}
			n, err := s.notify(ctx, tx, h.HouseholdID, phone, thugom.SMSData{Kind: thugom.SMSPickupFailed, Depot: depot.Name,
				Orders: h.Orders, Reason: failText[reason]}, key, true)
			if err != nil {
				return err
			}
			told += n
		}
		if told == 0 {
			return nil
		}
		var retry, escalate, rejected []int64
		for _, o := range orders {
			if o.Status != thugom.OrderReceived {
				continue // cancelled, postponed or re-planned meanwhile
			}
			switch {
			case reason == FailQualityRejected:
				rejected = append(rejected, o.ID)
				escalate = append(escalate, o.ID)
			case o.Deadline != nil && o.Deadline.Sub(now) < replanMargin:
				retry = append(retry, o.ID) // collected late: the dispatcher knows
				escalate = append(escalate, o.ID)
			default:
				retry = append(retry, o.ID)
			}
		}
		for _, id := range escalate {
			ok, err := store.InsertEscalation(ctx, tx, id, "pickup_failed", reason, now)
			if err != nil {
				return err
			}
			if ok {
				s.metrics.escalations.WithLabelValues("pickup_failed").Inc()
			}
		}
		if _, err := store.SetOrdersStatus(ctx, tx, rejected, thugom.OrderFailed, now); err != nil {
			return err
		}
		if len(retry) > 0 {
			replanned = true
			if err := s.EnqueueReplanTx(ctx, tx, st.DepotID, now, CausePickupFailed, fmt.Sprintf("stop:%d", stopID)); err != nil {
				return err
			}
		}
		if len(escalate) > 0 {
			return s.event(ctx, tx, "job:"+KindPickupFollowUp, "alert.pickup_failed", fmt.Sprintf("stop:%d", stopID),
				map[string]any{"orders": escalate, "rejected": rejected, "reason": reason, "depot_id": st.DepotID})
		}
		return nil
	})
	return replanned, err
}

func (s *Service) householdPhone(ctx context.Context, q store.DBTX, householdID int64) (string, error) {
	return store.HouseholdPhone(ctx, q, householdID)
}
