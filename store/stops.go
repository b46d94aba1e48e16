package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// MoveRoutesToPlan re-points the day's routes (and so its stops) from the
// previous version of a plan to the new one.
func MoveRoutesToPlan(ctx context.Context, q DBTX, fromPlan, toPlan int64) error {
	if _, err := q.Exec(ctx, Query("RoutesMoveToPlan"), fromPlan, toPlan); err != nil {
		return fmt.Errorf("move routes of plan %d: %w", fromPlan, err)
	}
	return nil
}

// UpsertRoute writes a vehicle's route of a plan (one per vehicle and day)
// and sets r.ID.
func UpsertRoute(ctx context.Context, q DBTX, r *thugom.Route) error {
	line := []byte("[]")
	if r.Line != nil {
		var err error
		if line, err = json.Marshal(r.Line); err != nil {
			return err
		}
	}
	err := q.QueryRow(ctx, Query("RouteUpsert"), r.PlanID, r.VehicleID, r.DriverID, r.StartAt, r.EndAt,
		r.DistanceM, r.DurationS, r.LoadKg, line).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("route of vehicle %d: %w", r.VehicleID, err)
	}
	return nil
}

// DeleteEmptyRoutes removes the routes of a plan that hold no stop.
func DeleteEmptyRoutes(ctx context.Context, q DBTX, planID int64) error {
	_, err := q.Exec(ctx, Query("RoutesDeleteEmpty"), planID)
	return err
}

// AmendStop changes an open stop's route, position, times and load, only
// while its status is one of from; setStatus, when not empty, becomes its
// status. It reports whether the stop was changed (false: someone moved on
// it meanwhile).
func AmendStop(ctx context.Context, q DBTX, s *thugom.Stop, from []string, setStatus string, at time.Time) (bool, error) {
	var id int64
	err := q.QueryRow(ctx, Query("StopAmend"), s.ID, s.RouteID, s.Seq, s.Trip, s.ArriveAt, s.WindowStart, s.WindowEnd,
		s.ServiceS, s.LoadKg, s.Parcels, s.LockedVehicleID, s.DepartureID, at, from, setStatus).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("amend stop %d: %w", s.ID, err)
	}
	if s.Kind == thugom.StopPickup {
		if _, err := q.Exec(ctx, Query("StopOrdersDrop"), s.ID, s.OrderIDs); err != nil {
			return false, fmt.Errorf("orders of stop %d: %w", s.ID, err)
		}
		if _, err := q.Exec(ctx, Query("StopOrdersAdd"), s.ID, s.OrderIDs); err != nil {
			return false, fmt.Errorf("orders of stop %d: %w", s.ID, err)
		}
	}
	return true, nil
}

// SetStopSeq renumbers a finished stop within its route.
func SetStopSeq(ctx context.Context, q DBTX, id int64, seq int) error {
	_, err := q.Exec(ctx, Query("StopSetSeq"), id, seq)
	return err
}

// SkipStop marks a planned stop that the plan no longer visits (and its
// pickup task) skipped, placing it after the route's stops; it reports false
// when the stop is no longer planned.
func SkipStop(ctx context.Context, q DBTX, id int64, at time.Time) (bool, error) {
	var n int
	// Skipped stops sort after every visit and never collide.
	if err := q.QueryRow(ctx, Query("StopSkip"), id, 1_000_000+int(id%1_000_000_000), at).Scan(&n); err != nil {
		return false, fmt.Errorf("skip stop %d: %w", id, err)
	}
	return n == 1, nil
}

// SetPlanSnapshot stores what a plan version decided.
func SetPlanSnapshot(ctx context.Context, q DBTX, planID int64, snapshot any) error {
	b, err := json.Marshal(snapshot)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, Query("PlanSetSnapshot"), planID, b)
	return err
}

// PlanOrders marks orders planned on a depot's day, except those someone
// moved on meanwhile or another day's plan holds; it returns those marked.
func PlanOrders(ctx context.Context, q DBTX, ids []int64, day, at time.Time) ([]int64, error) {
	return collectIDs(ctx, q, "OrdersPlan", ids, dateArg(day), at)
}

// UnplanOrders sends orders that a plan of day no longer holds back to
// received; it returns those changed.
func UnplanOrders(ctx context.Context, q DBTX, ids []int64, day, at time.Time) ([]int64, error) {
	return collectIDs(ctx, q, "OrdersUnplan", ids, dateArg(day), at)
}

// SetOrdersStatus moves orders to status to, only those whose status allows
// it (thugom.OrderCanMove); it returns the orders changed.
func SetOrdersStatus(ctx context.Context, q DBTX, ids []int64, to string, at time.Time) ([]int64, error) {
	return collectIDs(ctx, q, "OrdersSetStatus", ids, to, at, thugom.OrderFrom(to))
}

func collectIDs(ctx context.Context, q DBTX, query string, ids []int64, args ...any) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, Query(query), append([]any{ids}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	return out, nil
}
