package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// Every transition thugom owns about an order is told to its carrier
// (issue 23): planned (a published plan holds it), picked up, failed (a
// visit that did not collect it), handed over (at the depot, to the
// line-haul truck), cancelled. Each is one carrier_outbox message written
// by the transaction of the transition, numbered after the order's last
// (the writer holds the order's row: the numbers follow the commits), and
// sent in that order after the order's create: a message waits while the
// create or an earlier message is not done, and the one finished wakes the
// next (its River job, retried now). Before the create is written (ship at
// pickup), the messages wait for it; when the shipment will never exist (a
// refused create, an order cancelled first), they are skipped.

// Carrier outbox actions: the shipment's create and cancel, and the
// transitions between them.
const (
	carrierCreate     = "create"
	carrierPlanned    = "planned"
	carrierPickedUp   = "picked_up"
	carrierFailed     = "failed"
	carrierHandedOver = "handed_over"
	carrierCancel     = "cancel"
)

// ShipmentUpdate is a transition thugom tells a carrier about a shipment
// it created.
type ShipmentUpdate struct {
	// Transition is "planned", "picked_up", "failed" or "handed_over".
	Transition string
	Reference  string // our order number at the carrier
	At         time.Time
	// Reason is why a visit failed (not_ready, nobody_home, …).
	Reason string
}

// ErrCarrierNoStatusURL: the carrier takes this transition on its
// operators' status interface, and none is configured; the message is
// skipped (counted, kept with the reason).
var ErrCarrierNoStatusURL = errors.New("no status address configured for this carrier")

// tellCarrier writes, in tx, the transition action about each order whose
// carrier has a connector, happened at the given time (zero: now), with
// its send job. The caller has just moved the orders (it holds their
// rows).
func (s *Service) tellCarrier(ctx context.Context, tx pgx.Tx, ids []int64, action string, at time.Time, reason string) error {
	if len(s.carrier.cfg.Connectors) == 0 || len(ids) == 0 {
		return nil
	}
	now := s.now()
	var params []river.InsertManyParams
	var msgs []int64
	for _, id := range ids {
		o, err := store.ShipmentOrderOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if s.carrier.cfg.Connectors[o.Carrier] == nil {
			continue
		}
		mid, _, err := store.InsertCarrierOutbox(ctx, tx, store.CarrierNote{OrderID: id, Action: action, At: at, Reason: reason}, now)
		if err != nil {
			return err
		}
		if mid != 0 {
			params = append(params, river.InsertManyParams{Args: SendCarrierArgs{OutboxID: mid}})
			msgs = append(msgs, mid)
		}
	}
	if len(params) == 0 {
		return nil
	}
	res, err := s.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return fmt.Errorf("enqueue carrier messages: %w", err)
	}
	for i, r := range res {
		if err := store.SetCarrierOutboxJob(ctx, tx, msgs[i], r.Job.ID); err != nil {
			return err
		}
	}
	return nil
}

// tellPlanned tells the carriers the orders a plan holds that were not
// planned before (a re-plan that keeps an order planned is no transition).
func (s *Service) tellPlanned(ctx context.Context, tx pgx.Tx, orders []store.PlanOrder, assigned []int64, at time.Time) error {
	held := make(map[int64]bool, len(assigned))
	for _, id := range assigned {
		held[id] = true
	}
	var ids []int64
	for _, o := range orders {
		if held[o.Order.ID] && o.Order.Status != thugom.OrderPlanned {
			ids = append(ids, o.Order.ID)
		}
	}
	return s.tellCarrier(ctx, tx, ids, carrierPlanned, at, "")
}

// errCarrierBusy: another sender holds the message, or a message it must
// follow is not done; the job waits (carrierWait).
var errCarrierBusy = errors.New("carrier message busy")

// carrierWait is errCarrierBusy with how long to wait: until the message
// ahead runs again, a second at least and an hour at most (the one ahead
// wakes it when done; the wait is what remains if that wake is missed).
type carrierWait struct {
	after time.Duration
	why   string
}

func (e *carrierWait) Error() string { return "carrier message waits: " + e.why }

func (e *carrierWait) Is(target error) bool { return target == errCarrierBusy }

func waitUntil(now time.Time, runsAt *time.Time, why string) *carrierWait {
	d := time.Hour
	if runsAt != nil {
		d = min(max(runsAt.Sub(now)+time.Second, time.Second), time.Hour)
	}
	return &carrierWait{after: d, why: why}
}

// ahead decides whether leased message m can be sent now: nil to send, a
// *carrierWait to wait, or skip (its shipment will never exist).
func (s *Service) ahead(ctx context.Context, m *store.CarrierMessage) (skip bool, err error) {
	if m.Action == carrierCreate {
		return false, nil
	}
	a, err := store.CarrierOutboxAhead(ctx, s.db, m.ID)
	if err != nil {
		return false, err
	}
	switch a.CreateStatus {
	case "":
		// Shipped at pickup, not picked up yet: the create's success
		// wakes it.
		return false, &carrierWait{after: time.Hour, why: "its shipment is not created yet"}
	case thugom.CarrierFailed, thugom.CarrierSkipped:
		return true, nil
	}
	if a.ID != 0 {
		// River schedules by the database's real time, not the service's
		// clock.
		return false, waitUntil(time.Now(), a.RunsAt, fmt.Sprintf("message %d (%s) is sent first", a.ID, a.Status))
	}
	return false, nil
}

// wakeNext retries now the job of the order's next message (the one just
// done was what it waited for).
func (s *Service) wakeNext(ctx context.Context, tx pgx.Tx, orderID int64) error {
	job, err := store.CarrierOutboxNextJob(ctx, tx, orderID)
	if err != nil || job == 0 {
		return err
	}
	if _, err := s.client.JobRetryTx(ctx, tx, job); err != nil && !errors.Is(err, river.ErrNotFound) {
		return fmt.Errorf("wake carrier job %d: %w", job, err)
	}
	return nil
}

// skipUncreated skips the waiting messages of orders whose shipment will
// never be created, and cancels their jobs.
func (s *Service) skipUncreated(ctx context.Context, tx pgx.Tx, ids []int64, why string) error {
	jobs, err := store.SkipUncreatedCarrierOutbox(ctx, tx, ids, why)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if j == 0 {
			continue
		}
		if _, err := s.client.JobCancelTx(ctx, tx, j); err != nil && !errors.Is(err, river.ErrNotFound) {
			return fmt.Errorf("cancel carrier job %d: %w", j, err)
		}
	}
	return nil
}

// CarrierMessages returns an order's messages to its carrier, in their
// order.
func (s *Service) CarrierMessages(ctx context.Context, orderID int64) ([]store.CarrierMessage, error) {
	return store.CarrierMessagesOfOrder(ctx, s.db, orderID)
}

// CarrierFailures returns the carriers' latest refusals an administrator
// has to look at (of one carrier's orders; 0: all).
func (s *Service) CarrierFailures(ctx context.Context, carrierID int64) ([]store.CarrierMessage, error) {
	return store.CarrierFailures(ctx, s.db, carrierID, 50)
}
