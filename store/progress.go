package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// CountHouseholdsToGeocode returns the number of households never geocoded.
func CountHouseholdsToGeocode(ctx context.Context, q DBTX) (int, error) {
	var n int
	if err := q.QueryRow(ctx, query("CountHouseholdsToGeocode")).Scan(&n); err != nil {
		return 0, fmt.Errorf("count households to geocode: %w", err)
	}
	return n, nil
}

// DepotsWithOpenOrders returns the depots with orders still to collect
// placed before until.
func DepotsWithOpenOrders(ctx context.Context, q DBTX, until time.Time) ([]int64, error) {
	rows, err := q.Query(ctx, query("DepotsWithOpenOrders"), until)
	if err != nil {
		return nil, fmt.Errorf("depots with open orders: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// DepotPlanState says whether a depot's day has a finished plan, and
// whether its newest plan failed.
type DepotPlanState struct {
	DepotID int64
	Done    bool
	Failed  bool
}

// DepotsPlanned returns the plan state of every depot with a plan for the
// local day.
func DepotsPlanned(ctx context.Context, q DBTX, day time.Time) ([]DepotPlanState, error) {
	rows, err := q.Query(ctx, query("DepotsPlanned"), dateOf(day))
	if err != nil {
		return nil, fmt.Errorf("depots planned: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DepotPlanState, error) {
		var s DepotPlanState
		return s, r.Scan(&s.DepotID, &s.Done, &s.Failed)
	})
}

// DriversWithRoutes returns up to limit drivers with pickups in the current
// plans of the day, busiest first.
func DriversWithRoutes(ctx context.Context, q DBTX, day time.Time, limit int) ([]int64, error) {
	rows, err := q.Query(ctx, query("DriversWithRoutes"), dateOf(day), limit)
	if err != nil {
		return nil, fmt.Errorf("drivers with routes: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (int64, error) {
		var id int64
		var n int
		return id, r.Scan(&id, &n)
	})
}

// HouseholdsWithPickups returns up to limit households with a pickup in the
// current plans of the day, earliest window first.
func HouseholdsWithPickups(ctx context.Context, q DBTX, day time.Time, limit int) ([]int64, error) {
	rows, err := q.Query(ctx, query("HouseholdsWithPickups"), dateOf(day), limit)
	if err != nil {
		return nil, fmt.Errorf("households with pickups: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (int64, error) {
		var id int64
		var first time.Time
		return id, r.Scan(&id, &first)
	})
}

// dateOf is the local calendar date of t as "2006-01-02", the form of a
// plans.day parameter.
func dateOf(t time.Time) string { return t.In(thugom.Local).Format(time.DateOnly) }
