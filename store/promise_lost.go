package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// MarkPromiseLost records at intake that order id's promise cannot be
// kept: keepable is what can be kept instead (nil: nothing), reason why.
func MarkPromiseLost(ctx context.Context, q DBTX, id int64, at time.Time, keepable *time.Time, reason string) error {
	if _, err := q.Exec(ctx, query("MarkPromiseLost"), id, at, keepable, reason); err != nil {
		return fmt.Errorf("mark order %d promise lost: %w", id, err)
	}
	return nil
}

// LostOrder is an order whose promise was lost at placement.
type LostOrder struct {
	OrderID            int64
	MarketplaceOrderID string
	HouseholdID        int64
	HouseholdName      string
	WeightKg           float64
	PlacedAt           time.Time
	PromisedBy         time.Time
	KeepableBy         *time.Time
	Reason             string
	Status             string
}

// PromiseLostOfDay lists a depot's orders lost at placement that concern
// the day [from, to): placed before its end, not cancelled, promised or
// keepable no earlier than its start; in placement order.
func PromiseLostOfDay(ctx context.Context, q DBTX, depotID int64, from, to time.Time) ([]LostOrder, error) {
	rows, err := q.Query(ctx, query("PromiseLostOfDay"), depotID, from, to)
	if err != nil {
		return nil, fmt.Errorf("orders lost at placement: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (LostOrder, error) {
		var o LostOrder
		var reason *string
		err := r.Scan(&o.OrderID, &o.MarketplaceOrderID, &o.HouseholdID, &o.HouseholdName, &o.WeightKg, &o.PlacedAt, &o.PromisedBy,
			&o.KeepableBy, &reason, &o.Status)
		if reason != nil {
			o.Reason = *reason
		}
		return o, err
	})
}
