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

// The read models of the HTTP API (queries in sql/api_views.sql).

// PlanView is a plan with its routes (each with its stops) and unassigned orders.
type PlanView struct {
	Plan       thugom.Plan
	Routes     []RouteView
	Unassigned []UnassignedView
}

// RouteView is a route with its vehicle, driver and stops.
type RouteView struct {
	thugom.Route
	VehicleCode     string
	VehicleKind     string
	CapacityKg      float64
	CapacityParcels int
	DriverName      string
	DriverPhone     string
	Stops           []StopView
}

// StopView is a stop with its household and what it collects.
type StopView struct {
	thugom.Stop
	HouseholdName string
	Phone         string
	Address       string
	Point         *orb.Point // nil when the household is not geocoded
	H3            string
	Precision     string
	ReportedAt    *time.Time // when the driver reported the outcome (phone time)
	FailReason    string
	Orders        []StopOrderView
	Packaging     map[string]any // payload of the stop's packaging task
}

// StopOrderView is one order collected at a stop.
type StopOrderView struct {
	OrderID            int64      `json:"order_id"`
	MarketplaceOrderID string     `json:"marketplace_order_id"`
	Product            string     `json:"product"`
	ProductCode        string     `json:"product_code"`
	WeightKg           float64    `json:"weight_kg"`
	Parcels            int        `json:"parcels"`
	CODAmount          int64      `json:"cod_amount"`
	KgPerBox           float64    `json:"kg_per_box"`
	Status             string     `json:"status"`
	HandoverDeadline   *time.Time `json:"handover_deadline"`
}

// UnassignedView is an order a plan left out, with where it is.
type UnassignedView struct {
	thugom.Unassigned
	HouseholdID        int64
	HouseholdName      string
	Point              *orb.Point
	WeightKg           float64
	MarketplaceOrderID string
}

// ListDepotsScoped returns the depots of a carrier (0: all carriers).
func ListDepotsScoped(ctx context.Context, q DBTX, carrierID int64) ([]thugom.Depot, error) {
	rows, err := q.Query(ctx, Query("ListDepots"), carrierID)
	if err != nil {
		return nil, fmt.Errorf("list depots: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (thugom.Depot, error) {
		d, err := scanDepot(r)
		return *d, err
	})
	if err != nil {
		return nil, fmt.Errorf("list depots: %w", err)
	}
	return out, nil
}

// CurrentPlanView returns the plan to show for a depot's day (the newest
// finished version, else the newest), or thugom.ErrNotFound.
func CurrentPlanView(ctx context.Context, q DBTX, depotID int64, day time.Time) (*thugom.Plan, error) {
	var p thugom.Plan
	var stats []byte
	err := q.QueryRow(ctx, Query("CurrentPlanView"), depotID, day).Scan(&p.ID, &p.DepotID, &p.Day, &p.Version, &p.Status,
		&p.Algorithm, &stats, &p.Error, &p.CreatedAt, &p.FinishedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "no plan for depot %d on %s", depotID, day.Format(time.DateOnly))
	}
	if err != nil {
		return nil, fmt.Errorf("current plan: %w", err)
	}
	_ = json.Unmarshal(stats, &p.Stats)
	return &p, nil
}

// PlanRoutes returns the routes of a plan with their stops; routeID != 0
// keeps only that route.
func PlanRoutes(ctx context.Context, q DBTX, planID, routeID int64) ([]RouteView, error) {
	rows, err := q.Query(ctx, Query("PlanRoutes"), planID)
	if err != nil {
		return nil, fmt.Errorf("plan routes: %w", err)
	}
	routes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (RouteView, error) {
		var v RouteView
		var line []byte
		err := r.Scan(&v.ID, &v.PlanID, &v.VehicleID, &v.DriverID, &v.StartAt, &v.EndAt, &v.DistanceM, &v.DurationS,
			&v.LoadKg, &line, &v.VehicleCode, &v.VehicleKind, &v.CapacityKg, &v.CapacityParcels, &v.DriverName, &v.DriverPhone)
		if err == nil && len(line) > 0 {
			_ = json.Unmarshal(line, &v.Line)
		}
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("plan routes: %w", err)
	}
	if routeID != 0 {
		kept := routes[:0]
		for _, r := range routes {
			if r.ID == routeID {
				kept = append(kept, r)
			}
		}
		routes = kept
	}
	idx := map[int64]int{}
	for i := range routes {
		idx[routes[i].ID] = i
	}
	orders := map[int64][]StopOrderView{}
	rows, err = q.Query(ctx, Query("PlanStopOrders"), planID, routeID)
	if err != nil {
		return nil, fmt.Errorf("plan stop orders: %w", err)
	}
	var stopID int64
	var o StopOrderView
	if _, err := pgx.ForEachRow(rows, []any{&stopID, &o.OrderID, &o.MarketplaceOrderID, &o.Product, &o.ProductCode, &o.WeightKg,
		&o.Parcels, &o.CODAmount, &o.KgPerBox, &o.Status, &o.HandoverDeadline}, func() error {
		orders[stopID] = append(orders[stopID], o)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("plan stop orders: %w", err)
	}
	packaging := map[int64]map[string]any{}
	rows, err = q.Query(ctx, Query("PlanPackaging"), planID, routeID)
	if err != nil {
		return nil, fmt.Errorf("plan packaging: %w", err)
	}
	var payload map[string]any
	if _, err := pgx.ForEachRow(rows, []any{&stopID, &payload}, func() error {
		packaging[stopID] = payload
		payload = nil
		return nil
	}); err != nil {
		return nil, fmt.Errorf("plan packaging: %w", err)
	}
	rows, err = q.Query(ctx, Query("PlanStopViews"), planID, routeID)
	if err != nil {
		return nil, fmt.Errorf("plan stops: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s StopView
		var lon, lat *float64
		if err := rows.Scan(&s.ID, &s.RouteID, &s.Seq, &s.Trip, &s.Kind, &s.HouseholdID, &s.DepartureID, &s.ArriveAt,
			&s.WindowStart, &s.WindowEnd, &s.ServiceS, &s.LoadKg, &s.Parcels, &s.Status, &s.LockedVehicleID,
			&s.HouseholdName, &s.Phone, &s.Address, &lon, &lat, &s.H3, &s.Precision, &s.ReportedAt, &s.FailReason); err != nil {
			return nil, fmt.Errorf("plan stops: %w", err)
		}
		if lon != nil && lat != nil {
			s.Point = &orb.Point{*lon, *lat}
		}
		s.Orders = orders[s.ID]
		for _, o := range s.Orders {
			s.OrderIDs = append(s.OrderIDs, o.OrderID)
		}
		s.Packaging = packaging[s.ID]
		if i, ok := idx[s.RouteID]; ok {
			routes[i].Stops = append(routes[i].Stops, s)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("plan stops: %w", err)
	}
	return routes, nil
}

// PlanUnassigned returns the orders a plan left out.
func PlanUnassigned(ctx context.Context, q DBTX, planID int64) ([]UnassignedView, error) {
	rows, err := q.Query(ctx, Query("PlanUnassigned"), planID)
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

// PlanViewOf loads a whole plan view.
func PlanViewOf(ctx context.Context, q DBTX, depotID int64, day time.Time) (*PlanView, error) {
	p, err := CurrentPlanView(ctx, q, depotID, day)
	if err != nil {
		return nil, err
	}
	v := &PlanView{Plan: *p}
	if v.Routes, err = PlanRoutes(ctx, q, p.ID, 0); err != nil {
		return nil, err
	}
	if v.Unassigned, err = PlanUnassigned(ctx, q, p.ID); err != nil {
		return nil, err
	}
	return v, nil
}

// RouteRef is a driver's route of a day.
type RouteRef struct {
	RouteID, PlanID, DepotID int64
}

// DriverRoutes returns a driver's routes of a day in current plans.
func DriverRoutes(ctx context.Context, q DBTX, driverID int64, day time.Time) ([]RouteRef, error) {
	rows, err := q.Query(ctx, Query("DriverRoutes"), driverID, day)
	if err != nil {
		return nil, fmt.Errorf("driver routes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (RouteRef, error) {
		var x RouteRef
		return x, r.Scan(&x.RouteID, &x.PlanID, &x.DepotID)
	})
	if err != nil {
		return nil, fmt.Errorf("driver routes: %w", err)
	}
	return out, nil
}

// Scope says who owns a route or stop, for authorisation.
type Scope struct {
	RouteID, PlanID, DriverID, DepotID, CarrierID int64
	Day                                           time.Time
	// Stops only.
	StopID, HouseholdID int64
	Kind, Status        string
}

// StopScope returns the owner chain of a stop or thugom.ErrNotFound.
func StopScope(ctx context.Context, q DBTX, stopID int64) (*Scope, error) {
	var s Scope
	err := q.QueryRow(ctx, Query("StopScope"), stopID).Scan(&s.StopID, &s.RouteID, &s.Kind, &s.Status, &s.DriverID,
		&s.DepotID, &s.CarrierID, &s.HouseholdID, &s.PlanID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "no stop %d", stopID)
	}
	if err != nil {
		return nil, fmt.Errorf("stop scope: %w", err)
	}
	return &s, nil
}

// HouseholdStopView is the pickup shown on a household's page.
type HouseholdStopView struct {
	StopID      int64
	Status      string
	WindowStart time.Time
	WindowEnd   time.Time
	ArriveAt    time.Time
	VehicleCode string
	DriverPhone string
	DepotID     int64
}

// HouseholdNextStop returns the household's current pickup, nil if none.
func HouseholdNextStop(ctx context.Context, q DBTX, householdID int64, now time.Time) (*HouseholdStopView, error) {
	var s HouseholdStopView
	err := q.QueryRow(ctx, Query("HouseholdNextStop"), householdID, now).Scan(&s.StopID, &s.Status, &s.WindowStart,
		&s.WindowEnd, &s.ArriveAt, &s.VehicleCode, &s.DriverPhone, &s.DepotID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("household next stop: %w", err)
	}
	return &s, nil
}

// HouseholdOrderView is an open order shown on a household's page.
type HouseholdOrderView struct {
	OrderID            int64
	MarketplaceOrderID string
	Product            string
	ProductCode        string
	WeightKg           float64
	Parcels            int
	CODAmount          int64
	KgPerBox           float64
	Status             string
	ReadyFrom          *time.Time
}

// HouseholdByID returns one household or thugom.ErrNotFound.
func HouseholdByID(ctx context.Context, q DBTX, id int64) (*thugom.Household, error) {
	var h thugom.Household
	var lon, lat *float64
	err := q.QueryRow(ctx, Query("Household"), id).Scan(&h.ID, &h.Name, &h.Phone, &h.Address, &h.CommuneCode, &h.Village,
		&lon, &lat, &h.H3, &h.Precision, &h.Confidence, &h.Pinned, &h.SharesCollection, &h.GeocodedAt, &h.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "no household %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("household %d: %w", id, err)
	}
	if lon != nil && lat != nil {
		h.Point = orb.Point{*lon, *lat}
	}
	return &h, nil
}

// HouseholdFilter selects households; nil fields mean "any".
type HouseholdFilter struct {
	CarrierID  int64
	Phone      *string
	Commune    *string
	Ungeocoded *bool
	Text       *string
	AfterID    *int64
	Limit      int
}

// ListHouseholds returns the households matching f, by id.
func ListHouseholds(ctx context.Context, q DBTX, f HouseholdFilter) ([]thugom.Household, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := q.Query(ctx, Query("ListHouseholds"), f.CarrierID, f.Phone, f.Commune, f.Ungeocoded, f.Text, f.AfterID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list households: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (thugom.Household, error) { return scanHouseholdView(r) })
	if err != nil {
		return nil, fmt.Errorf("list households: %w", err)
	}
	return out, nil
}

func scanHouseholdView(r pgx.Row) (thugom.Household, error) {
	var h thugom.Household
	var lon, lat *float64
	err := r.Scan(&h.ID, &h.Name, &h.Phone, &h.Address, &h.CommuneCode, &h.Village,
		&lon, &lat, &h.H3, &h.Precision, &h.Confidence, &h.Pinned, &h.SharesCollection, &h.GeocodedAt, &h.CreatedAt)
	if lon != nil && lat != nil {
		h.Point = orb.Point{*lon, *lat}
	}
	return h, err
}

// HouseholdHasCarrier reports whether a household has orders with a carrier
// (0: any).
func HouseholdHasCarrier(ctx context.Context, q DBTX, householdID, carrierID int64) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, Query("HouseholdCarrier"), householdID, carrierID).Scan(&ok); err != nil {
		return false, fmt.Errorf("household carrier: %w", err)
	}
	return ok, nil
}

// ManifestVersion returns a driver (id, carrier, name, phone) and a
// summary of what their manifest of a day is built from; equal versions
// mean equal manifests (a cache key). thugom.ErrNotFound: no such driver.
func ManifestVersion(ctx context.Context, q DBTX, driverID int64, day time.Time) (*thugom.Driver, string, error) {
	d := thugom.Driver{ID: driverID}
	var routes string
	var changed time.Time
	err := q.QueryRow(ctx, Query("ManifestVersion"), driverID, day).Scan(&d.CarrierID, &d.Name, &d.Phone, &routes, &changed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", thugom.Errorf(thugom.ENotFound, "", "no driver %d", driverID)
	}
	if err != nil {
		return nil, "", fmt.Errorf("manifest version: %w", err)
	}
	return &d, routes + "@" + changed.UTC().Format(time.RFC3339Nano) + "|" + d.Name + "|" + d.Phone, nil
}

// HouseholdPage reads what a household's page shows — the household, its
// current pickup (nil if none) and its open orders — in one round trip.
func HouseholdPage(ctx context.Context, q DBTX, householdID int64, now time.Time) (*thugom.Household, *HouseholdStopView, []HouseholdOrderView, error) {
	b := &pgx.Batch{}
	b.Queue(Query("Household"), householdID)
	b.Queue(Query("HouseholdNextStop"), householdID, now)
	b.Queue(Query("HouseholdOpenOrders"), householdID, now)
	br := q.SendBatch(ctx, b)
	defer br.Close()
	h, err := scanHouseholdView(br.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, nil, thugom.Errorf(thugom.ENotFound, "", "no household %d", householdID)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("household page: %w", err)
	}
	var s HouseholdStopView
	stop := &s
	err = br.QueryRow().Scan(&s.StopID, &s.Status, &s.WindowStart, &s.WindowEnd, &s.ArriveAt, &s.VehicleCode, &s.DriverPhone, &s.DepotID)
	if errors.Is(err, pgx.ErrNoRows) {
		stop = nil
	} else if err != nil {
		return nil, nil, nil, fmt.Errorf("household page stop: %w", err)
	}
	rows, err := br.Query()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("household page orders: %w", err)
	}
	orders, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (HouseholdOrderView, error) {
		var o HouseholdOrderView
		return o, r.Scan(&o.OrderID, &o.MarketplaceOrderID, &o.Product, &o.ProductCode, &o.WeightKg, &o.Parcels, &o.CODAmount, &o.KgPerBox, &o.Status, &o.ReadyFrom)
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("household page orders: %w", err)
	}
	return &h, stop, orders, nil
}
