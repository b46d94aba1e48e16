package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// DepotDay names one depot's day.
type DepotDay struct {
	DepotID int64
	Day     time.Time // local midnight
}

// DepotDayRevision returns the revision of a depot's day (0 before any
// write).
func DepotDayRevision(ctx context.Context, q DBTX, depotID int64, day time.Time) (int64, error) {
	var rev int64
	if err := q.QueryRow(ctx, query("DepotDayRevision"), depotID, dateArg(day)).Scan(&rev); err != nil {
		return 0, fmt.Errorf("revision of depot %d day %s: %w", depotID, dateArg(day), err)
	}
	return rev, nil
}

// BumpDepotDay records, in the caller's transaction, that the state of a
// depot's day changed, and returns the new revision. Every write path that
// changes a day (a report, a cancel, an answer, a lock, a breakdown, a plan)
// calls it in the transaction of its change.
func BumpDepotDay(ctx context.Context, q DBTX, depotID int64, day, at time.Time) (int64, error) {
	var rev int64
	if err := q.QueryRow(ctx, query("DepotDayBump"), depotID, dateArg(day), at).Scan(&rev); err != nil {
		return 0, fmt.Errorf("bump depot %d day %s: %w", depotID, dateArg(day), err)
	}
	return rev, nil
}

// LockDepotDay locks a depot's day row until the transaction ends and
// returns its revision: the planner's write step.
func LockDepotDay(ctx context.Context, q DBTX, depotID int64, day time.Time) (int64, error) {
	var rev int64
	if err := q.QueryRow(ctx, query("DepotDayLock"), depotID, dateArg(day)).Scan(&rev); err != nil {
		return 0, fmt.Errorf("lock depot %d day %s: %w", depotID, dateArg(day), err)
	}
	return rev, nil
}

// DepotDaysOfOrders returns the depot days whose plans hold the orders.
func DepotDaysOfOrders(ctx context.Context, q DBTX, orderIDs []int64) ([]DepotDay, error) {
	if len(orderIDs) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, query("DepotDaysOfOrders"), orderIDs)
	if err != nil {
		return nil, fmt.Errorf("depot days of orders: %w", err)
	}
	return collectDepotDays(rows)
}

// collectDepotDays reads (depot_id, day) rows.
func collectDepotDays(rows pgx.Rows) ([]DepotDay, error) {
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DepotDay, error) {
		var d DepotDay
		err := r.Scan(&d.DepotID, &d.Day)
		d.Day = localDay(d.Day)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("depot days: %w", err)
	}
	return out, nil
}

// DepotDayStarted reports whether anything of a depot's day was reported.
func DepotDayStarted(ctx context.Context, q DBTX, depotID int64, day time.Time) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, query("DepotDayStarted"), depotID, dateArg(day)).Scan(&ok)
	return ok, err
}

// localDay reads a date column (scanned as UTC midnight) as the local day.
func localDay(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, thugom.Local)
}

// DepotDayOfStop returns the depot day of a stop, or thugom.ErrNotFound.
func DepotDayOfStop(ctx context.Context, q DBTX, stopID int64) (DepotDay, error) {
	var d DepotDay
	err := q.QueryRow(ctx, query("DepotDayOfStop"), stopID).Scan(&d.DepotID, &d.Day)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, thugom.Errorf(thugom.ENotFound, "stop_id", "no stop %d", stopID)
	}
	if err != nil {
		return d, fmt.Errorf("day of stop %d: %w", stopID, err)
	}
	d.Day = localDay(d.Day)
	return d, nil
}

// DepotDaysOfHousehold returns the depot days whose plans hold the
// household's orders.
func DepotDaysOfHousehold(ctx context.Context, q DBTX, householdID int64) ([]DepotDay, error) {
	rows, err := q.Query(ctx, query("DepotDaysOfHousehold"), householdID)
	if err != nil {
		return nil, fmt.Errorf("depot days of household %d: %w", householdID, err)
	}
	return collectDepotDays(rows)
}
