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
