package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// SLAItem is an order on the SLA board.
type SLAItem struct {
	OrderID            int64      `json:"order_id"`
	MarketplaceOrderID string     `json:"marketplace_order_id"`
	HouseholdID        int64      `json:"household_id"`
	HouseholdName      string     `json:"household_name"`
	DepotID            *int64     `json:"depot_id"`
	Status             string     `json:"status"`
	HandoverDeadline   *time.Time `json:"handover_deadline"`
	PromisedBy         time.Time  `json:"promised_by"`
	AtRisk             bool       `json:"at_risk"`
	Reason             string     `json:"reason"`
	Late               bool       `json:"late"`
}

// SLABoard returns the open orders at risk or late on a day (depotID 0:
// every depot of carrierID; carrierID 0: every carrier).
func SLABoard(ctx context.Context, q DBTX, depotID, carrierID int64, day, now time.Time) ([]SLAItem, error) {
	rows, err := q.Query(ctx, Query("SLABoard"), depotID, day, now, carrierID)
	if err != nil {
		return nil, fmt.Errorf("sla board: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SLAItem, error) {
		var x SLAItem
		err := r.Scan(&x.OrderID, &x.MarketplaceOrderID, &x.HouseholdID, &x.HouseholdName, &x.DepotID, &x.Status,
			&x.HandoverDeadline, &x.PromisedBy, &x.AtRisk, &x.Reason, &x.Late)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("sla board: %w", err)
	}
	return out, nil
}

// DayReport summarises a depot's day from its current plan.
type DayReport struct {
	PlanID           *int64
	Orders           int
	PickedUp         int
	Failed           int
	OnTime           int
	Unassigned       int
	DistanceM        int64
	VehiclesUsed     int
	VehiclesActive   int
	LoadKg           float64
	CapacityKg       float64
	AgeAvgS, AgeMaxS float64
	AgeP90S          float64
}

// DayReportOf computes the report of a depot's day.
func DayReportOf(ctx context.Context, q DBTX, depotID int64, day time.Time) (*DayReport, error) {
	var x DayReport
	err := q.QueryRow(ctx, Query("DayReport"), depotID, day).Scan(&x.PlanID, &x.Orders, &x.PickedUp, &x.Failed, &x.OnTime,
		&x.Unassigned, &x.DistanceM, &x.VehiclesUsed, &x.VehiclesActive, &x.LoadKg, &x.CapacityKg, &x.AgeAvgS, &x.AgeMaxS, &x.AgeP90S)
	if err != nil {
		return nil, fmt.Errorf("day report: %w", err)
	}
	return &x, nil
}

// OutsideOrder is an open order the current plan does not hold.
type OutsideOrder struct {
	OrderID            int64
	MarketplaceOrderID string
	HouseholdID        int64
	HouseholdName      string
	Point              *orb.Point
	WeightKg           float64
	Precision          string
	NoDepot            bool
}

// OrdersOutsidePlan lists open orders of a depot's day missing from plan
// planID (0: no plan yet).
func OrdersOutsidePlan(ctx context.Context, q DBTX, depotID, carrierID int64, day time.Time, planID int64) ([]OutsideOrder, error) {
	rows, err := q.Query(ctx, Query("OrdersOutsidePlan"), depotID, day, carrierID, planID)
	if err != nil {
		return nil, fmt.Errorf("orders outside plan: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutsideOrder, error) {
		var x OutsideOrder
		var lon, lat *float64
		err := r.Scan(&x.OrderID, &x.MarketplaceOrderID, &x.HouseholdID, &x.HouseholdName, &lon, &lat, &x.WeightKg, &x.Precision, &x.NoDepot)
		if lon != nil && lat != nil {
			x.Point = &orb.Point{*lon, *lat}
		}
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("orders outside plan: %w", err)
	}
	return out, nil
}

// LockStop fixes a stop and its orders to a vehicle.
func LockStop(ctx context.Context, tx DBTX, stopID, vehicleID int64, at time.Time) error {
	if _, err := tx.Exec(ctx, Query("LockStop"), stopID, vehicleID, at); err != nil {
		return fmt.Errorf("lock stop %d: %w", stopID, err)
	}
	return nil
}
