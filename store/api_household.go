package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// APIHouseholdReady records that a household's produce is ready: its open
// packaging task is packed and its open orders are ready from at. It
// returns the orders touched.
func APIHouseholdReady(ctx context.Context, tx DBTX, householdID int64, at time.Time) ([]int64, error) {
	rows, err := tx.Query(ctx, Query("APIHouseholdReady"), householdID, at)
	if err != nil {
		return nil, fmt.Errorf("household ready: %w", err)
	}
	var ids []int64
	var id, n int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { ids = append(ids, id); return nil }); err != nil {
		return nil, fmt.Errorf("household ready: %w", err)
	}
	return ids, nil
}

// APIDepotDay is a depot's local day.
type APIDepotDay struct {
	DepotID int64
	Day     time.Time
}

// APIHouseholdSetOrders moves a household's open orders to status
// (postponed: ready again from readyFrom; cancelled) and returns the depot
// days whose plans held them, from fromDay on.
func APIHouseholdSetOrders(ctx context.Context, tx DBTX, householdID int64, status string, at, readyFrom, fromDay time.Time) ([]int64, []APIDepotDay, error) {
	rows, err := tx.Query(ctx, Query("APIHouseholdSetOrders"), householdID, status, at, readyFrom)
	if err != nil {
		return nil, nil, fmt.Errorf("household orders %s: %w", status, err)
	}
	var ids []int64
	var id int64
	var depot *int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &depot}, func() error { ids = append(ids, id); return nil }); err != nil {
		return nil, nil, fmt.Errorf("household orders %s: %w", status, err)
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	rows, err = tx.Query(ctx, Query("APIHouseholdPlanDays"), ids, fromDay)
	if err != nil {
		return nil, nil, fmt.Errorf("household plan days: %w", err)
	}
	days, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (APIDepotDay, error) {
		var d APIDepotDay
		return d, r.Scan(&d.DepotID, &d.Day)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("household plan days: %w", err)
	}
	return ids, days, nil
}
