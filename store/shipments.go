package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// CarrierNote is one message to write to the carrier outbox about an
// order: the action (create, a transition, cancel), when it happened and
// why.
type CarrierNote struct {
	OrderID int64
	Action  string
	At      time.Time
	Reason  string
}

// InsertCarrierOutbox writes message n numbered after the order's last one
// and reports whether the order's create is written; id 0 when nothing was
// written (a create or cancel written before, or the same transition
// twice in a row). The caller holds the order's row.
func InsertCarrierOutbox(ctx context.Context, q DBTX, n CarrierNote, now time.Time) (id int64, hasCreate bool, err error) {
	if n.At.IsZero() {
		n.At = now
	}
	err = q.QueryRow(ctx, query("CarrierOutboxInsert"), n.OrderID, n.Action, now, n.At, n.Reason).Scan(&id, &hasCreate)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("insert carrier outbox for order %d: %w", n.OrderID, err)
	}
	return id, hasCreate, nil
}

// SetCarrierOutboxJob keeps the River job that sends message id.
func SetCarrierOutboxJob(ctx context.Context, q DBTX, id, jobID int64) error {
	if _, err := q.Exec(ctx, query("CarrierOutboxSetJob"), id, jobID); err != nil {
		return fmt.Errorf("carrier outbox %d job: %w", id, err)
	}
	return nil
}

// CarrierAhead is what a message waits for before it is sent.
type CarrierAhead struct {
	// CreateStatus is the status of the order's create ("" when none).
	CreateStatus string
	// ID and Status name the message it must follow that is not done (0:
	// none); RunsAt is when that one's job runs next (nil: unknown).
	ID     int64
	Status string
	RunsAt *time.Time
}

// CarrierOutboxAhead reads what message id waits for.
func CarrierOutboxAhead(ctx context.Context, q DBTX, id int64) (CarrierAhead, error) {
	var a CarrierAhead
	err := q.QueryRow(ctx, query("CarrierOutboxAhead"), id).Scan(&a.CreateStatus, &a.ID, &a.Status, &a.RunsAt)
	if err != nil {
		return a, fmt.Errorf("carrier outbox %d ahead: %w", id, err)
	}
	return a, nil
}

// CarrierOutboxNextJob returns the job of the order's next message to send
// (0: none).
func CarrierOutboxNextJob(ctx context.Context, q DBTX, orderID int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, query("CarrierOutboxNext"), orderID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("carrier outbox next of order %d: %w", orderID, err)
	}
	return id, nil
}

// CarrierOutboxLostWakes returns the jobs of messages whose turn has come
// but which sleep on: the wake of the message ahead found them running
// (jobs' carrier_wake retries them).
func CarrierOutboxLostWakes(ctx context.Context, q DBTX) ([]int64, error) {
	return queryIDs(ctx, q, "CarrierOutboxLostWakes")
}

// SkipUncreatedCarrierOutbox skips the queued messages of the orders whose
// shipment will never be created, and returns their jobs.
func SkipUncreatedCarrierOutbox(ctx context.Context, q DBTX, orderIDs []int64, why string) ([]int64, error) {
	if len(orderIDs) == 0 {
		return nil, nil
	}
	return collectIDs(ctx, q, "CarrierOutboxSkipUncreated", orderIDs, why)
}

// CarrierMessagesOfOrder returns an order's messages in their order.
func CarrierMessagesOfOrder(ctx context.Context, q DBTX, orderID int64) ([]CarrierMessage, error) {
	return carrierMessages(ctx, q, "CarrierMessagesOfOrder", orderID)
}

// CarrierFailures returns the carriers' latest refusals (of one carrier's
// orders; 0: all), at most limit.
func CarrierFailures(ctx context.Context, q DBTX, carrierID int64, limit int) ([]CarrierMessage, error) {
	return carrierMessages(ctx, q, "CarrierOutboxFailures", carrierID, limit)
}

func carrierMessages(ctx context.Context, q DBTX, name string, args ...any) ([]CarrierMessage, error) {
	rows, err := q.Query(ctx, query(name), args...)
	if err != nil {
		return nil, fmt.Errorf("carrier messages: %w", err)
	}
	var out []CarrierMessage
	var m CarrierMessage
	if _, err := pgx.ForEachRow(rows, []any{&m.ID, &m.OrderID, &m.Carrier, &m.Action, &m.Status, &m.Attempts, &m.Error, &m.Seq, &m.At, &m.Reason}, func() error {
		out = append(out, m)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("carrier messages: %w", err)
	}
	return out, nil
}

// CarrierMessage is one message of the carrier outbox.
type CarrierMessage struct {
	ID       int64
	OrderID  int64
	Carrier  string // the carrier's code (thugom.CarrierVNPost, …)
	Action   string
	Status   string
	Attempts int
	Error    string
	// Seq numbers the order's messages; At is when its transition
	// happened, Reason why (a failed visit's).
	Seq    int
	At     time.Time
	Reason string
}

// ClaimCarrierOutbox leases message id to the caller for lease; nil when it
// is not to be sent (already sent, failed or skipped, or leased by another
// sender).
func ClaimCarrierOutbox(ctx context.Context, q DBTX, id int64, lease time.Duration) (*CarrierMessage, error) {
	m := CarrierMessage{ID: id, Status: thugom.CarrierSending}
	err := q.QueryRow(ctx, query("CarrierOutboxClaim"), id, lease.Seconds()).Scan(&m.OrderID, &m.Carrier, &m.Action, &m.Attempts, &m.Seq, &m.At, &m.Reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim carrier outbox %d: %w", id, err)
	}
	return &m, nil
}

// CarrierOutbox returns message id; thugom.ErrNotFound when there is none.
func CarrierOutbox(ctx context.Context, q DBTX, id int64) (*CarrierMessage, error) {
	m := CarrierMessage{ID: id}
	err := q.QueryRow(ctx, query("CarrierOutboxGet"), id).Scan(&m.OrderID, &m.Carrier, &m.Action, &m.Status, &m.Attempts, &m.Error)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("carrier outbox %d: %w", id, err)
	}
	return &m, nil
}

// CarrierOutboxStatus is the status of an order's message action, "" when
// it has none.
func CarrierOutboxStatus(ctx context.Context, q DBTX, orderID int64, action string) (string, error) {
	var st string
	err := q.QueryRow(ctx, query("CarrierOutboxOfOrder"), orderID, action).Scan(&st)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("carrier outbox of order %d: %w", orderID, err)
	}
	return st, nil
}

// FinishCarrierOutbox ends the lease of message id with status (sent,
// failed, skipped, or queued for a retry) and the error seen. It reports
// false when the message was not leased any more (another sender took it
// after the lease ran out): the caller then writes nothing else.
func FinishCarrierOutbox(ctx context.Context, q DBTX, id int64, status, errText string, at time.Time) (bool, error) {
	tag, err := q.Exec(ctx, query("CarrierOutboxFinish"), id, status, errText, at)
	if err != nil {
		return false, fmt.Errorf("finish carrier outbox %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// CarrierOutboxCounts counts the messages by "carrier:action:status".
func CarrierOutboxCounts(ctx context.Context, q DBTX) (map[string]int, error) {
	return countBy(ctx, q, "CarrierOutboxCounts")
}

// Shipment is an order's shipment at its carrier.
type Shipment struct {
	OrderID    int64
	Carrier    string
	Waybill    string
	CarrierRef string
	Status     string
	Error      string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// The carrier's last status (its code and name, and when), nil code
	// until it sent one; DeliveredAt is the carrier's delivered time.
	CarrierCode       *int
	CarrierStatusName string
	CarrierStatusAt   *time.Time
	DeliveredAt       *time.Time
}

// SaveShipment writes an order's shipment (one per order); an empty
// waybill or reference keeps the one known.
func SaveShipment(ctx context.Context, q DBTX, s *Shipment) error {
	if _, err := q.Exec(ctx, query("ShipmentUpsert"), s.OrderID, s.Carrier, s.Waybill, s.CarrierRef, s.Status, s.Error, s.UpdatedAt); err != nil {
		return fmt.Errorf("save shipment of order %d: %w", s.OrderID, err)
	}
	return nil
}

// ShipmentOfOrder returns an order's shipment; nil when it has none.
func ShipmentOfOrder(ctx context.Context, q DBTX, orderID int64) (*Shipment, error) {
	var s Shipment
	err := q.QueryRow(ctx, query("ShipmentOfOrder"), orderID).Scan(&s.OrderID, &s.Carrier, &s.Waybill, &s.CarrierRef, &s.Status, &s.Error, &s.CreatedAt, &s.UpdatedAt,
		&s.CarrierCode, &s.CarrierStatusName, &s.CarrierStatusAt, &s.DeliveredAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("shipment of order %d: %w", orderID, err)
	}
	return &s, nil
}

// Waybills returns the carriers' waybill numbers of the orders that have
// one, by order id.
func Waybills(ctx context.Context, q DBTX, orderIDs []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(orderIDs) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, query("ShipmentWaybills"), orderIDs)
	if err != nil {
		return nil, fmt.Errorf("waybills: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var w string
		if err := rows.Scan(&id, &w); err != nil {
			return nil, fmt.Errorf("waybills: %w", err)
		}
		out[id] = w
	}
	return out, rows.Err()
}

// ShipmentOrder is what a carrier needs of an order to ship it.
type ShipmentOrder struct {
	OrderID             int64
	Marketplace         string
	MarketplaceOrderID  string
	Carrier             string
	SenderName          string
	SenderPhone         string // E.164
	SenderAddress       string
	ProductName         string
	WeightKg            float64
	Parcels             int
	CODAmount           int64 // đồng
	DestinationProvince string
	Note                string
	Buyer               thugom.Buyer // who receives; empty when not given
}

// ShipmentOrderOf reads what the carrier of an order needs to ship it.
func ShipmentOrderOf(ctx context.Context, q DBTX, orderID int64) (*ShipmentOrder, error) {
	var o ShipmentOrder
	err := q.QueryRow(ctx, query("ShipmentOrder"), orderID).Scan(&o.OrderID, &o.Marketplace, &o.MarketplaceOrderID, &o.Carrier,
		&o.SenderName, &o.SenderPhone, &o.SenderAddress, &o.ProductName, &o.WeightKg, &o.Parcels, &o.CODAmount, &o.DestinationProvince, &o.Note,
		&o.Buyer.Name, &o.Buyer.Phone, &o.Buyer.Address, &o.Buyer.DistrictID, &o.Buyer.WardID, &o.Buyer.District, &o.Buyer.Ward)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("shipment order %d: %w", orderID, err)
	}
	return &o, nil
}

// ShipmentByWaybill locks the shipment a carrier's status names (by
// waybill, else by reference) and returns its order and its last status
// time; orderID 0 when there is none.
func ShipmentByWaybill(ctx context.Context, q DBTX, carrier, waybill, reference string) (orderID int64, lastAt *time.Time, err error) {
	err = q.QueryRow(ctx, query("ShipmentByWaybill"), carrier, waybill, reference).Scan(&orderID, &lastAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("shipment of waybill %s: %w", waybill, err)
	}
	return orderID, lastAt, nil
}

// CarrierEvent is one status a carrier sent.
type CarrierEvent struct {
	Carrier, Waybill, Reference string
	OrderID                     *int64
	Code                        int
	Name                        string
	At                          time.Time
	Payload                     []byte // the carrier's message, as JSON
	Applied                     bool
	ReceivedAt                  time.Time
}

// InsertCarrierEvent keeps a carrier's status; false when it was kept
// before (a repeated webhook).
func InsertCarrierEvent(ctx context.Context, q DBTX, e *CarrierEvent) (bool, error) {
	var id int64
	err := q.QueryRow(ctx, query("CarrierEventInsert"), e.Carrier, e.Waybill, e.Reference, e.OrderID, e.Code, e.Name, e.At,
		e.Payload, e.Applied, e.ReceivedAt).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert carrier event: %w", err)
	}
	return true, nil
}

// SetShipmentCarrierStatus moves an order's shipment to the carrier's
// status; delivered sets its delivery time.
func SetShipmentCarrierStatus(ctx context.Context, q DBTX, orderID int64, code int, name string, at time.Time, delivered bool, now time.Time) error {
	if _, err := q.Exec(ctx, query("ShipmentSetCarrierStatus"), orderID, code, name, at, delivered, now); err != nil {
		return fmt.Errorf("set carrier status of order %d: %w", orderID, err)
	}
	return nil
}
