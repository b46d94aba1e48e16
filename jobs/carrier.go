package jobs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// The carriers' systems (issue 23). thugom tells each order's carrier
// (VNPost, ViettelPost) about the orders it collects: it creates the
// carrier's shipment once per order (at intake or at pickup, by
// configuration) and cancels it when the order is cancelled. Each message
// is a carrier_outbox row written in the transaction of the transition it
// reports, with the River job that sends it (SendCarrierArgs): nothing is
// sent for a transition that rolled back, nothing is lost for one that
// committed, and neither the driver nor the dispatcher ever waits on a
// carrier. The job leases its row, calls the carrier with no transaction
// open, and records the answer: the waybill, or a refusal (4xx) kept as a
// failure for an administrator, or a retry (429 after its Retry-After,
// 5xx and timeouts with River's backoff).

// CarrierShipment is what thugom sends a carrier to create a shipment: the
// household is the sender (người gửi); the receiver is the marketplace's
// buyer, of whom thugom holds only the destination province.
type CarrierShipment struct {
	OrderID int64
	// Reference is thugom's number of the order at the carrier (the
	// marketplace's order id): a carrier that sees it twice keeps one order.
	Reference           string
	SenderName          string
	SenderPhone         string // E.164
	SenderAddress       string
	DestinationProvince string
	ProductName         string
	WeightGrams         int
	Parcels             int
	CODAmount           int64 // đồng, collected from the buyer
	Note                string
	Receiver            thugom.Buyer // the buyer (empty: not given; carrier_receiver.go)
}

// Waybill is a carrier's answer to a created shipment.
type Waybill struct {
	Number string // the waybill number (mã vận đơn) printed on the label
	// Ref is the carrier's own id of the order when its cancel names that
	// rather than the waybill (VNPost's Id); "" otherwise.
	Ref string
}

// CarrierConnector talks to one carrier's system. Errors: one wrapping
// ErrCarrierRefused is the carrier's refusal (not retried); a
// *CarrierRetryAfter asks to wait; any other is retried with backoff.
type CarrierConnector interface {
	// Name is the carrier's code (thugom.CarrierVNPost, …).
	Name() string
	// CreateShipment creates the shipment of s; a second call with the same
	// Reference must not create a second one.
	CreateShipment(ctx context.Context, s CarrierShipment) (Waybill, error)
	// UpdateShipment tells the carrier a transition of a created
	// shipment (carrier_transitions.go).
	UpdateShipment(ctx context.Context, w Waybill, u ShipmentUpdate) error
	// CancelShipment cancels a created shipment.
	CancelShipment(ctx context.Context, w Waybill, reason string) error
}

// ErrCarrierRefused marks a carrier's refusal (a 4xx, or its own error
// code) that sending again cannot fix.
var ErrCarrierRefused = errors.New("refused by the carrier")

// CarrierRetryAfter is a carrier's "too many requests": send again after
// After.
type CarrierRetryAfter struct {
	Carrier string
	After   time.Duration
}

func (e *CarrierRetryAfter) Error() string {
	return fmt.Sprintf("%s: too many requests, retry after %s", e.Carrier, e.After)
}

// Ship moments: when an order's shipment is created at its carrier.
const (
	ShipAtPickup = "pickup" // when the driver picks it up (the default)
	ShipAtIntake = "intake" // when thugom receives the order
)

// CarrierConfig configures the carriers' connectors (CarriersFromEnv).
type CarrierConfig struct {
	// Connectors by carrier code; a carrier without one is not told
	// (nothing is written to the outbox for its orders).
	Connectors map[string]CarrierConnector
	// ShipAt is ShipAtPickup (default) or ShipAtIntake.
	ShipAt string
}

// KindSendCarrier is the job kind of SendCarrierArgs.
const KindSendCarrier = "send_carrier"

// SendCarrierArgs sends one carrier outbox message.
type SendCarrierArgs struct {
	OutboxID int64 `json:"outbox_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (SendCarrierArgs) Kind() string { return KindSendCarrier }

// InsertOpts implements river.JobArgsWithInsertOpts: a carrier down for
// hours is retried for about three weeks (River's backoff, attempt⁴ s).
func (SendCarrierArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueCarrier, MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueActive}}
}

// carrierLease is how long one sender holds a message: longer than a
// carrier call may take (the connectors' timeout is 20 s).
const carrierLease = 2 * time.Minute

type carrierSet struct {
	cfg  CarrierConfig
	sent *prometheus.CounterVec // carrier, action, outcome
}

func newCarrierSet(reg prometheus.Registerer, cfg CarrierConfig, db *store.DB) (*carrierSet, error) {
	if cfg.ShipAt == "" {
		cfg.ShipAt = ShipAtPickup
	}
	if cfg.ShipAt != ShipAtPickup && cfg.ShipAt != ShipAtIntake {
		return nil, fmt.Errorf("jobs: carrier ShipAt must be %q or %q, not %q", ShipAtPickup, ShipAtIntake, cfg.ShipAt)
	}
	c := &carrierSet{cfg: cfg, sent: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "thugom", Name: "carrier_messages_total",
		Help: "Messages to the carriers' systems, by carrier, action (create, cancel) and outcome (sent, refused, retried, skipped).",
	}, []string{"carrier", "action", "outcome"})}
	if err := reg.Register(c.sent); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, err
		}
		c.sent = are.ExistingCollector.(*prometheus.CounterVec)
	}
	if len(cfg.Connectors) > 0 {
		var are prometheus.AlreadyRegisteredError
		if err := reg.Register(newCarrierOutboxCollector(db)); err != nil && !errors.As(err, &are) { // carrier_metrics.go
			return nil, err
		}
	}
	return c, nil
}

// shipOnPickup and shipOnIntake are the transitions' hooks. At intake the
// order's shipment is created when the configuration says so; at pickup
// it is created at the latest (a create written at intake is not written
// again), then told it was picked up. The pickup of stop stopID also
// estimates the orders' delivery (carrier_estimate.go) from the trip's
// planned unload at the depot, or the pickup's time if later.
func (s *Service) shipOnPickup(ctx context.Context, tx pgx.Tx, stopID int64, ids []int64, at time.Time) error {
	unload, err := store.StopUnloadAt(ctx, tx, stopID)
	if err != nil {
		return err
	}
	atDepot := at
	if unload != nil && unload.After(at) {
		atDepot = *unload
	}
	if err := s.estimateDelivery(ctx, tx, ids, atDepot); err != nil {
		return err
	}
	if err := s.tellCarrier(ctx, tx, ids, carrierCreate, at, ""); err != nil {
		return err
	}
	return s.tellCarrier(ctx, tx, ids, carrierPickedUp, at, "")
}

func (s *Service) shipOnIntake(ctx context.Context, tx pgx.Tx, ids []int64) error {
	if s.carrier.cfg.ShipAt != ShipAtIntake {
		return nil
	}
	return s.tellCarrier(ctx, tx, ids, carrierCreate, time.Time{}, "")
}

// cancelShipments queues the cancel of the orders' shipments whose create
// was written (the cancel is sent after it, and skipped when nothing was
// created); the messages of the others, waiting for a create that will not
// come, are skipped.
func (s *Service) cancelShipments(ctx context.Context, tx pgx.Tx, ids []int64) error {
	if len(s.carrier.cfg.Connectors) == 0 {
		return nil
	}
	var told, untold []int64
	for _, id := range ids {
		st, err := store.CarrierOutboxStatus(ctx, tx, id, carrierCreate)
		if err != nil {
			return err
		}
		if st != "" {
			told = append(told, id)
		} else {
			untold = append(untold, id)
		}
	}
	if err := s.skipUncreated(ctx, tx, untold, "cancelled before its shipment was created"); err != nil {
		return err
	}
	return s.tellCarrier(ctx, tx, told, carrierCancel, time.Time{}, "")
}

type sendCarrierWorker struct {
	river.WorkerDefaults[SendCarrierArgs]
	s *Service
}

// Work sends one message; see SendCarrier.
func (w *sendCarrierWorker) Work(ctx context.Context, job *river.Job[SendCarrierArgs]) error {
	err := w.s.SendCarrier(ctx, job.Args.OutboxID)
	var after *CarrierRetryAfter
	var wait *carrierWait
	switch {
	case errors.As(err, &after):
		return river.JobSnooze(after.After)
	case errors.As(err, &wait):
		return river.JobSnooze(wait.after)
	case errors.Is(err, errCarrierBusy):
		return river.JobSnooze(5 * time.Second)
	case errors.Is(err, ErrCarrierRefused):
		return river.JobCancel(err)
	}
	return cancelIfNotFound(err)
}

// SendCarrier sends carrier outbox message id once: it leases the message,
// calls the carrier with no transaction open, and records the answer. A
// message already sent (or failed, or skipped) does nothing; one leased by
// another sender, or a cancel whose create is not sent yet, returns
// errCarrierBusy. A refusal is recorded (the shipment failed, an event for
// the administrator) and returned wrapping ErrCarrierRefused.
func (s *Service) SendCarrier(ctx context.Context, id int64) error {
	m, err := store.ClaimCarrierOutbox(ctx, s.db, id, carrierLease)
	if err != nil {
		return err
	}
	if m == nil {
		cur, err := store.CarrierOutbox(ctx, s.db, id)
		if err != nil {
			return err
		}
		if cur.Status == thugom.CarrierSending {
			return errCarrierBusy
		}
		return nil
	}
	conn := s.carrier.cfg.Connectors[m.Carrier]
	if conn == nil {
		return s.finishCarrier(ctx, m, thugom.CarrierQueued, fmt.Errorf("no connector configured for carrier %q", m.Carrier))
	}
	skip, err := s.ahead(ctx, m)
	switch {
	case errors.Is(err, errCarrierBusy):
		_ = s.finishCarrier(ctx, m, thugom.CarrierQueued, nil)
		return err
	case err != nil:
		return s.finishCarrier(ctx, m, thugom.CarrierQueued, err)
	case skip:
		return s.finishCarrier(ctx, m, thugom.CarrierSkipped, errors.New("its shipment was never created"))
	}
	var w Waybill
	if m.Action == carrierCreate {
		var o *store.ShipmentOrder
		if o, err = store.ShipmentOrderOf(ctx, s.db, m.OrderID); err != nil {
			return s.finishCarrier(ctx, m, thugom.CarrierQueued, err)
		}
		w, err = conn.CreateShipment(ctx, shipmentOf(o))
		return s.recordCarrier(ctx, m, w, err)
	}
	sh, err := store.ShipmentOfOrder(ctx, s.db, m.OrderID)
	if err != nil {
		return s.finishCarrier(ctx, m, thugom.CarrierQueued, err)
	}
	if sh == nil || sh.Waybill == "" {
		return s.finishCarrier(ctx, m, thugom.CarrierSkipped, errors.New("its shipment has no waybill"))
	}
	w = Waybill{Number: sh.Waybill, Ref: sh.CarrierRef}
	if m.Action == carrierCancel {
		err = conn.CancelShipment(ctx, w, "đơn hàng đã hủy")
	} else {
		var o *store.ShipmentOrder
		if o, err = store.ShipmentOrderOf(ctx, s.db, m.OrderID); err != nil {
			return s.finishCarrier(ctx, m, thugom.CarrierQueued, err)
		}
		err = conn.UpdateShipment(ctx, w, ShipmentUpdate{Transition: m.Action, At: m.At, Reason: m.Reason, Reference: o.MarketplaceOrderID})
		if errors.Is(err, ErrCarrierNoStatusURL) {
			return s.finishCarrier(ctx, m, thugom.CarrierSkipped, err)
		}
	}
	return s.recordCarrier(ctx, m, w, err)
}

// recordCarrier writes the carrier's answer to message m; a message done
// (sent, refused) wakes the order's next.
func (s *Service) recordCarrier(ctx context.Context, m *store.CarrierMessage, w Waybill, sendErr error) error {
	switch {
	case sendErr == nil:
		s.carrier.sent.WithLabelValues(m.Carrier, m.Action, "sent").Inc()
		return s.db.InTx(ctx, func(tx pgx.Tx) error {
			now := s.now()
			ok, err := store.FinishCarrierOutbox(ctx, tx, m.ID, thugom.CarrierSent, "", now)
			if err != nil || !ok {
				return err
			}
			if m.Action == carrierCreate || m.Action == carrierCancel {
				sh := &store.Shipment{OrderID: m.OrderID, Carrier: m.Carrier, Waybill: w.Number, CarrierRef: w.Ref, Status: thugom.ShipmentCreated, UpdatedAt: now}
				if m.Action == carrierCancel {
					sh.Status = thugom.ShipmentCancelled
				}
				if err := store.SaveShipment(ctx, tx, sh); err != nil {
					return err
				}
			}
			if err := s.wakeNext(ctx, tx, m.OrderID); err != nil {
				return err
			}
			return s.event(ctx, tx, "job:"+KindSendCarrier, "carrier."+m.Action, fmt.Sprintf("order:%d", m.OrderID),
				map[string]any{"carrier": m.Carrier, "waybill": w.Number, "attempts": m.Attempts, "seq": m.Seq})
		})
	case errors.Is(sendErr, ErrCarrierRefused):
		s.carrier.sent.WithLabelValues(m.Carrier, m.Action, "refused").Inc()
		err := s.db.InTx(ctx, func(tx pgx.Tx) error {
			now := s.now()
			ok, err := store.FinishCarrierOutbox(ctx, tx, m.ID, thugom.CarrierFailed, truncate(sendErr.Error(), 500), now)
			if err != nil || !ok {
				return err
			}
			if m.Action == carrierCreate {
				sh := &store.Shipment{OrderID: m.OrderID, Carrier: m.Carrier, Status: thugom.ShipmentFailed, Error: truncate(sendErr.Error(), 500), UpdatedAt: now}
				if err := store.SaveShipment(ctx, tx, sh); err != nil {
					return err
				}
				if err := s.skipUncreated(ctx, tx, []int64{m.OrderID}, "its shipment was refused by the carrier"); err != nil {
					return err
				}
			} else if err := s.wakeNext(ctx, tx, m.OrderID); err != nil {
				return err
			}
			return s.event(ctx, tx, "job:"+KindSendCarrier, "alert.carrier_refused", fmt.Sprintf("order:%d", m.OrderID),
				map[string]any{"carrier": m.Carrier, "action": m.Action, "error": sendErr.Error()})
		})
		if err != nil {
			return err
		}
		return sendErr
	default:
		s.carrier.sent.WithLabelValues(m.Carrier, m.Action, "retried").Inc()
		if err := s.finishCarrier(ctx, m, thugom.CarrierQueued, sendErr); err != nil {
			return err
		}
		return sendErr
	}
}

// finishCarrier ends m's lease with status and the error seen (nil: none)
// and returns cause for a retry (queued), nil otherwise; a message skipped
// wakes the order's next.
func (s *Service) finishCarrier(ctx context.Context, m *store.CarrierMessage, status string, cause error) error {
	text := ""
	if cause != nil {
		text = truncate(cause.Error(), 500)
	}
	if status != thugom.CarrierSkipped {
		if _, err := store.FinishCarrierOutbox(ctx, s.db, m.ID, status, text, s.now()); err != nil {
			return err
		}
		if status == thugom.CarrierQueued {
			return cause
		}
		return nil
	}
	s.carrier.sent.WithLabelValues(m.Carrier, m.Action, "skipped").Inc()
	return s.db.InTx(ctx, func(tx pgx.Tx) error {
		ok, err := store.FinishCarrierOutbox(ctx, tx, m.ID, status, text, s.now())
		if err != nil || !ok {
			return err
		}
		return s.wakeNext(ctx, tx, m.OrderID)
	})
}

func shipmentOf(o *store.ShipmentOrder) CarrierShipment {
	return CarrierShipment{
		OrderID: o.OrderID, Reference: o.MarketplaceOrderID, SenderName: o.SenderName, SenderPhone: o.SenderPhone,
		SenderAddress: o.SenderAddress, DestinationProvince: o.DestinationProvince, ProductName: o.ProductName,
		WeightGrams: int(math.Round(o.WeightKg * 1000)), Parcels: o.Parcels, CODAmount: o.CODAmount, Note: o.Note,
		Receiver: o.Buyer,
	}
}

// carrierHTTPError classifies a carrier's HTTP answer: nil for 2xx, a
// *CarrierRetryAfter for 429 (its Retry-After in seconds, default 30 s), an
// ErrCarrierRefused for another 4xx but 408, a retried error otherwise.
func carrierHTTPError(carrier string, resp *http.Response, body []byte) error {
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return nil
	case c == http.StatusTooManyRequests:
		after := 30 * time.Second
		if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && n >= 0 {
			after = time.Duration(n) * time.Second
		}
		return &CarrierRetryAfter{Carrier: carrier, After: after}
	case c >= 400 && c < 500 && c != http.StatusRequestTimeout:
		return fmt.Errorf("%s: %w: %s: %s", carrier, ErrCarrierRefused, resp.Status, truncate(string(body), 200))
	default:
		return fmt.Errorf("%s: %s: %s", carrier, resp.Status, truncate(string(body), 200))
	}
}

// ShipmentOf returns an order's shipment at its carrier; nil when it has
// none (yet).
func (s *Service) ShipmentOf(ctx context.Context, orderID int64) (*store.Shipment, error) {
	return store.ShipmentOfOrder(ctx, s.db, orderID)
}
