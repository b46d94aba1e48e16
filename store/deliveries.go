package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Where a delivery time comes from.
const (
	DeliveredByCarrier = "carrier"  // the carrier's webhook told it
	DeliveredEstimate  = "estimate" // thugom's estimate: first truck after the hand-over plus its transit
)

// Delivery is when an order collected reached (or will reach) its buyer.
type Delivery struct {
	OrderID    int64     `json:"order_id"`
	PromisedBy time.Time `json:"promised_by"`
	// DeliveredAt is the carrier's delivered time, or the estimate; null
	// when neither is known (no truck serves the province).
	DeliveredAt *time.Time `json:"delivered_at"`
	// Source is DeliveredByCarrier or DeliveredEstimate ("" when unknown).
	Source        string `json:"delivered_source"`
	WithinPromise bool   `json:"within_promise"`
}

// Deliveries is a depot day's collected orders measured against their
// promise: on the carrier's facts where it told them, on the estimate
// otherwise, and how many of each.
type Deliveries struct {
	WithinPromise int        `json:"within_promise"`
	Late          int        `json:"late"`
	Unknown       int        `json:"unknown"`
	ByCarrier     int        `json:"by_carrier"`
	Estimated     int        `json:"estimated"`
	Orders        []Delivery `json:"orders"`
}

// DayDeliveriesOf measures a depot day's collected orders against their
// promise.
func DayDeliveriesOf(ctx context.Context, q DBTX, depotID int64, day time.Time) (*Deliveries, error) {
	rows, err := q.Query(ctx, query("DayDeliveries"), depotID, dateArg(day))
	if err != nil {
		return nil, fmt.Errorf("day deliveries: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) {
		var d Delivery
		var fact, est *time.Time
		if err := r.Scan(&d.OrderID, &d.PromisedBy, &fact, &est); err != nil {
			return d, err
		}
		switch {
		case fact != nil:
			d.DeliveredAt, d.Source = fact, DeliveredByCarrier
		case est != nil:
			d.DeliveredAt, d.Source = est, DeliveredEstimate
		}
		d.WithinPromise = d.DeliveredAt != nil && !d.DeliveredAt.After(d.PromisedBy)
		return d, nil
	})
	if err != nil {
		return nil, fmt.Errorf("day deliveries: %w", err)
	}
	out := &Deliveries{Orders: list}
	if out.Orders == nil {
		out.Orders = []Delivery{}
	}
	for _, d := range list {
		switch {
		case d.DeliveredAt == nil:
			out.Unknown++
		case d.WithinPromise:
			out.WithinPromise++
		default:
			out.Late++
		}
		switch d.Source {
		case DeliveredByCarrier:
			out.ByCarrier++
		case DeliveredEstimate:
			out.Estimated++
		}
	}
	return out, nil
}

// DeliveryDestination is what an order's delivery estimate needs: its
// depot (the timetable) and its buyer's province.
type DeliveryDestination struct {
	OrderID  int64
	DepotID  int64
	Province string
}

// DeliveryDestinations returns the orders' depots and provinces, by order.
func DeliveryDestinations(ctx context.Context, q DBTX, ids []int64) ([]DeliveryDestination, error) {
	rows, err := q.Query(ctx, query("DeliveryDestinations"), ids)
	if err != nil {
		return nil, fmt.Errorf("delivery destinations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DeliveryDestination, error) {
		var d DeliveryDestination
		err := r.Scan(&d.OrderID, &d.DepotID, &d.Province)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("delivery destinations: %w", err)
	}
	return out, nil
}

// SetOrderEstimatedDelivery stores thugom's estimate of an order's
// delivery (nil: no truck serves it).
func SetOrderEstimatedDelivery(ctx context.Context, q DBTX, orderID int64, at *time.Time) error {
	if _, err := q.Exec(ctx, query("OrderSetEstimatedDelivery"), orderID, at); err != nil {
		return fmt.Errorf("order %d estimated delivery: %w", orderID, err)
	}
	return nil
}

// StopUnloadAt returns the planned unload at the depot of a pickup stop's
// trip (nil: no depot stop after it).
func StopUnloadAt(ctx context.Context, q DBTX, stopID int64) (*time.Time, error) {
	var at *time.Time
	if err := q.QueryRow(ctx, query("StopUnloadAt"), stopID).Scan(&at); err != nil {
		return nil, fmt.Errorf("unload of stop %d: %w", stopID, err)
	}
	return at, nil
}
