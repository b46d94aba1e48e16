package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// InsertQuote stores a quote and returns its id.
func InsertQuote(ctx context.Context, q DBTX, x *thugom.Quote, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, query("QuoteInsert"), x.CarrierID, x.HouseholdID, x.DepotID, x.ProductID, x.DestinationProvince,
		x.WeightKg, x.AskedAt, x.ReadyFrom, x.EarliestBy, x.LikelyBy, x.PromiseBy, x.OrderBy, x.ExpiresAt, x.Confidence,
		x.Reason, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert quote: %w", err)
	}
	return id, nil
}

// QuoteByID returns the quote, or thugom.ErrNotFound (read without a lock:
// SetQuoteOrder guards its one order).
func QuoteByID(ctx context.Context, q DBTX, id int64) (*thugom.Quote, error) {
	var x thugom.Quote
	err := q.QueryRow(ctx, query("QuoteByID"), id).Scan(&x.ID, &x.CarrierID, &x.HouseholdID, &x.DepotID, &x.ProductID, &x.ProductCode,
		&x.DestinationProvince, &x.WeightKg, &x.AskedAt, &x.ReadyFrom, &x.EarliestBy, &x.LikelyBy, &x.PromiseBy, &x.OrderBy,
		&x.ExpiresAt, &x.Confidence, &x.Reason, &x.OrderID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "quote_id", "no quote %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("quote %d: %w", id, err)
	}
	return &x, nil
}

// SetQuoteOrder gives the quote its order; a quote that already has one is
// thugom.EConflict.
func SetQuoteOrder(ctx context.Context, q DBTX, id, orderID int64) error {
	var got int64
	err := q.QueryRow(ctx, query("QuoteSetOrder"), id, orderID).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return thugom.Errorf(thugom.EConflict, "quote_id", "quote %d was already used by another order", id)
	}
	if err != nil {
		return fmt.Errorf("quote %d order: %w", id, err)
	}
	return nil
}

// DepotLoad returns the kg of open orders the depot must collect on each
// local day of [from, to), by day (local midnight): an order counts on the
// day its produce is ready, not on its truck's (QuoteDepotLoad).
func DepotLoad(ctx context.Context, q DBTX, depotID int64, from, to time.Time) (map[time.Time]float64, error) {
	rows, err := q.Query(ctx, query("QuoteDepotLoad"), depotID, from, to)
	if err != nil {
		return nil, fmt.Errorf("depot %d load: %w", depotID, err)
	}
	defer rows.Close()
	out := map[time.Time]float64{}
	for rows.Next() {
		var day string
		var kg float64
		if err := rows.Scan(&day, &kg); err != nil {
			return nil, err
		}
		d, err := time.ParseInLocation(time.DateOnly, day, thugom.Local)
		if err != nil {
			return nil, err
		}
		out[d] = kg
	}
	return out, rows.Err()
}

// HouseholdVisits returns a household's failed pickup visits and all its
// visits with an outcome.
func HouseholdVisits(ctx context.Context, q DBTX, householdID int64) (failed, visits int, err error) {
	err = q.QueryRow(ctx, query("QuoteVisits"), householdID).Scan(&failed, &visits)
	if err != nil {
		return 0, 0, fmt.Errorf("household %d visits: %w", householdID, err)
	}
	return failed, visits, nil
}

// HouseholdOfCarrier reports whether one of the household's orders is the
// carrier's, or the household has no order yet (a new seller, whom any
// carrier's marketplace may quote).
func HouseholdOfCarrier(ctx context.Context, q DBTX, householdID, carrierID int64) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, query("QuoteHouseholdOfCarrier"), householdID, carrierID).Scan(&ok); err != nil {
		return false, fmt.Errorf("household %d of carrier: %w", householdID, err)
	}
	return ok, nil
}

// DepotKeptBySlack returns the depot's record of keeping its quotes whose
// promise fell in [from, to): by the half hour of slack between the
// produce's readiness and the truck's cutoff, how many were quoted and how
// many kept (QuoteKeptBySlack).
func DepotKeptBySlack(ctx context.Context, q DBTX, depotID int64, from, to time.Time) ([]thugom.SlackKept, error) {
	rows, err := q.Query(ctx, query("QuoteKeptBySlack"), depotID, from, to)
	if err != nil {
		return nil, fmt.Errorf("depot %d kept quotes: %w", depotID, err)
	}
	defer rows.Close()
	var out []thugom.SlackKept
	for rows.Next() {
		var halfHours int
		var k thugom.SlackKept
		if err := rows.Scan(&halfHours, &k.Aimed, &k.Kept); err != nil {
			return nil, err
		}
		k.Slack = time.Duration(halfHours) * 30 * time.Minute
		out = append(out, k)
	}
	return out, rows.Err()
}
