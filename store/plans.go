package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
)

// PlanUnassigned returns the orders a plan left out.
func PlanUnassigned(ctx context.Context, q DBTX, planID int64) ([]UnassignedView, error) {
	rows, err := q.Query(ctx, query("PlanUnassigned"), planID)
	if err != nil {
		return nil, fmt.Errorf("plan unassigned: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (UnassignedView, error) {
		var u UnassignedView
		var lon, lat *float64
		err := r.Scan(&u.OrderID, &u.Reason, &u.Fix, &u.HouseholdID, &u.HouseholdName, &lon, &lat, &u.WeightKg, &u.MarketplaceOrderID)
		if lon != nil && lat != nil {
			u.Point = &orb.Point{*lon, *lat}
		}
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("plan unassigned: %w", err)
	}
	return out, nil
}

// UnassignedOrder is a new order without a depot: QuotedDepot is the
// depot of the quote it was placed with (nil without one).
type UnassignedOrder struct {
	ID, CarrierID int64
	QuotedDepot   *int64
}

// UnassignedOrdersOfHousehold returns the household's new orders
// without a depot.
func UnassignedOrdersOfHousehold(ctx context.Context, q DBTX, householdID int64) ([]UnassignedOrder, error) {
	rows, err := q.Query(ctx, query("UnassignedOrdersOfHousehold"), householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UnassignedOrder
	for rows.Next() {
		var r UnassignedOrder
		if err := rows.Scan(&r.ID, &r.CarrierID, &r.QuotedDepot); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// OrdersToPlan returns the orders a depot's plan of the day ending at
// dayEnd must consider.
func OrdersToPlan(ctx context.Context, q DBTX, depotID int64, dayEnd time.Time) ([]PlanOrder, error) {
	rows, err := q.Query(ctx, query("OrdersToPlan"), depotID, dayEnd, dateArg(dayEnd.Add(-time.Hour)))
	if err != nil {
		return nil, fmt.Errorf("orders to plan at depot %d: %w", depotID, err)
	}
	defer rows.Close()
	var out []PlanOrder
	for rows.Next() {
		var po PlanOrder
		o, h, p := &po.Order, &po.Household, &po.Product
		var lon, lat *float64
		if err := rows.Scan(&o.ID, &o.CarrierID, &o.HouseholdID, &o.ProductID, &o.WeightKg, &o.Parcels,
			&o.DestinationProvince, &o.PlacedAt, &o.PromiseHours, &o.PromisedBy,
			&o.HandoverDeadline, &o.ReadyFrom, &o.ReadyUntil, &o.Status, &o.AtRisk,
			&o.AtRiskReason, &o.LockedVehicleID,
			&h.Name, &h.Phone, &lon, &lat, &h.H3, &h.Precision, &h.Village, &h.CommuneCode,
			&h.SharesCollection,
			&p.Code, &p.NameVI, &p.FreshnessHours, &p.KgPerBox); err != nil {
			return nil, fmt.Errorf("orders to plan: %w", err)
		}
		o.DepotID = &depotID
		h.ID, p.ID = o.HouseholdID, o.ProductID
		if lon != nil && lat != nil {
			h.Point = orb.Point{*lon, *lat}
		}
		out = append(out, po)
	}
	return out, rows.Err()
}

// PlanHead is the current plan of a depot's day.
type PlanHead struct {
	ID        int64
	Version   int
	Status    string
	CreatedAt time.Time
}

// CurrentPlan returns the newest finished plan of a depot's day, nil if
// none.
func CurrentPlan(ctx context.Context, q DBTX, depotID int64, day time.Time) (*PlanHead, error) {
	var h PlanHead
	err := q.QueryRow(ctx, query("CurrentPlan"), depotID, dateArg(day)).Scan(&h.ID, &h.Version, &h.Status, &h.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("current plan of depot %d: %w", depotID, err)
	}
	return &h, nil
}

// NewPlan inserts a finished plan as the next version of its depot's
// day and supersedes the older ones. createdAt is when its inputs were read.
func NewPlan(ctx context.Context, q DBTX, p *thugom.Plan) (int64, error) {
	var version int
	if err := q.QueryRow(ctx, query("NextPlanVersion"), p.DepotID, dateArg(p.Day)).Scan(&version); err != nil {
		return 0, fmt.Errorf("next plan version: %w", err)
	}
	stats, err := json.Marshal(p.Stats)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := q.QueryRow(ctx, query("InsertPlan"), p.DepotID, dateArg(p.Day), version, p.Algorithm, stats,
		p.CreatedAt, p.FinishedAt).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert plan: %w", err)
	}
	if _, err := q.Exec(ctx, query("SupersedePlans"), p.DepotID, dateArg(p.Day), id); err != nil {
		return 0, fmt.Errorf("supersede plans: %w", err)
	}
	p.ID, p.Version, p.Status = id, version, thugom.PlanDone
	return id, nil
}

// InsertUnassigned records an order a plan could not serve.
func InsertUnassigned(ctx context.Context, q DBTX, planID int64, u thugom.Unassigned) error {
	_, err := q.Exec(ctx, query("InsertUnassigned"), planID, u.OrderID, u.Reason, u.Fix)
	return err
}

// SetPlanStats replaces a plan's statistics.
func SetPlanStats(ctx context.Context, q DBTX, planID int64, st thugom.PlanStats) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, query("SetPlanStats"), planID, b)
	return err
}

// PlanSnapshot returns what version v of a depot's day decided, or
// thugom.ErrNotFound. Versions written before snapshots existed are empty.
func PlanSnapshot(ctx context.Context, q DBTX, depotID int64, day time.Time, v int) ([]thugom.StopVersion, error) {
	var version int
	var snap []thugom.StopVersion
	err := q.QueryRow(ctx, query("PlanSnapshot"), depotID, dateArg(day), v).Scan(&version, &snap)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "since", "the day has no plan version %d", v)
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot of depot %d version %d: %w", depotID, v, err)
	}
	return snap, nil
}

// PlanLatestVersion returns the current version of a depot's day (0: none).
func PlanLatestVersion(ctx context.Context, q DBTX, depotID int64, day time.Time) (int, error) {
	var v int
	err := q.QueryRow(ctx, query("PlanLatestVersion"), depotID, dateArg(day)).Scan(&v)
	return v, err
}
