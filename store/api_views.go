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

// APIPlanView is a plan with its routes (each with its stops) and unassigned orders.
type APIPlanView struct {
	Plan       thugom.Plan
	Routes     []APIRouteView
	Unassigned []APIUnassignedView
}

// APIRouteView is a route with its vehicle, driver and stops.
type APIRouteView struct {
	thugom.Route
	VehicleCode     string
	VehicleKind     string
	CapacityKg      float64
	CapacityParcels int
	DriverName      string
	DriverPhone     string
	Stops           []APIStopView
}

// APIStopView is a stop with its household and what it collects.
type APIStopView struct {
	thugom.Stop
	HouseholdName string
	Phone         string
	Address       string
	Point         *orb.Point // nil when the household is not geocoded
	H3            string
	Precision     string
	ReportedAt    *time.Time // when the driver reported the outcome (phone time)
	FailReason    string
	Orders        []APIStopOrder
	Packaging     map[string]any // payload of the stop's packaging task
}

// APIStopOrder is one order collected at a stop.
type APIStopOrder struct {
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

// APIUnassignedView is an order a plan left out, with where it is.
type APIUnassignedView struct {
	thugom.Unassigned
	HouseholdID        int64
	HouseholdName      string
	Point              *orb.Point
	WeightKg           float64
	MarketplaceOrderID string
}

func apiScanDepot(r pgx.Row) (*thugom.Depot, error) {
	var d thugom.Depot
	err := r.Scan(&d.ID, &d.CarrierID, &d.Code, &d.Name, &d.Kind, &d.Address, &d.CommuneCode,
		&d.Point[0], &d.Point[1], &d.H3, &d.OpensAt, &d.ClosesAt)
	return &d, err
}

// APIListDepotsScoped returns the depots of a carrier (0: all carriers).
func APIListDepotsScoped(ctx context.Context, q DBTX, carrierID int64) ([]thugom.Depot, error) {
	rows, err := q.Query(ctx, Query("APIListDepots"), carrierID)
	if err != nil {
		return nil, fmt.Errorf("list depots: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (thugom.Depot, error) {
		d, err := apiScanDepot(r)
		return *d, err
	})
	if err != nil {
		return nil, fmt.Errorf("list depots: %w", err)
	}
	return out, nil
}

// APIDepotByID returns one depot or thugom.ErrNotFound.
func APIDepotByID(ctx context.Context, q DBTX, id int64) (*thugom.Depot, error) {
	d, err := apiScanDepot(q.QueryRow(ctx, Query("APIDepot"), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "no depot %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("depot %d: %w", id, err)
	}
	return d, nil
}

// APICurrentPlan returns the plan to show for a depot's day (the newest
// finished version, else the newest), or thugom.ErrNotFound.
func APICurrentPlan(ctx context.Context, q DBTX, depotID int64, day time.Time) (*thugom.Plan, error) {
	var p thugom.Plan
	var stats []byte
	err := q.QueryRow(ctx, Query("APICurrentPlan"), depotID, day).Scan(&p.ID, &p.DepotID, &p.Day, &p.Version, &p.Status,
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

// APIPlanRoutes returns the routes of a plan with their stops; routeID != 0
// keeps only that route.
func APIPlanRoutes(ctx context.Context, q DBTX, planID, routeID int64) ([]APIRouteView, error) {
	rows, err := q.Query(ctx, Query("APIPlanRoutes"), planID)
	if err != nil {
		return nil, fmt.Errorf("plan routes: %w", err)
	}
	routes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (APIRouteView, error) {
		var v APIRouteView
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
	orders := map[int64][]APIStopOrder{}
	rows, err = q.Query(ctx, Query("APIPlanStopOrders"), planID, routeID)
	if err != nil {
		return nil, fmt.Errorf("plan stop orders: %w", err)
	}
	var stopID int64
	var o APIStopOrder
	if _, err := pgx.ForEachRow(rows, []any{&stopID, &o.OrderID, &o.MarketplaceOrderID, &o.Product, &o.ProductCode, &o.WeightKg,
		&o.Parcels, &o.CODAmount, &o.KgPerBox, &o.Status, &o.HandoverDeadline}, func() error {
		orders[stopID] = append(orders[stopID], o)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("plan stop orders: %w", err)
	}
	packaging := map[int64]map[string]any{}
	rows, err = q.Query(ctx, Query("APIPlanPackaging"), planID, routeID)
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
	rows, err = q.Query(ctx, Query("APIPlanStops"), planID, routeID)
	if err != nil {
		return nil, fmt.Errorf("plan stops: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s APIStopView
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

// APIPlanUnassigned returns the orders a plan left out.
func APIPlanUnassigned(ctx context.Context, q DBTX, planID int64) ([]APIUnassignedView, error) {
	rows, err := q.Query(ctx, Query("APIPlanUnassigned"), planID)
	if err != nil {
		return nil, fmt.Errorf("plan unassigned: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (APIUnassignedView, error) {
		var u APIUnassignedView
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

// APIPlanViewOf loads a whole plan view.
func APIPlanViewOf(ctx context.Context, q DBTX, depotID int64, day time.Time) (*APIPlanView, error) {
	p, err := APICurrentPlan(ctx, q, depotID, day)
	if err != nil {
		return nil, err
	}
	v := &APIPlanView{Plan: *p}
	if v.Routes, err = APIPlanRoutes(ctx, q, p.ID, 0); err != nil {
		return nil, err
	}
	if v.Unassigned, err = APIPlanUnassigned(ctx, q, p.ID); err != nil {
		return nil, err
	}
	return v, nil
}

// APIRouteRef is a driver's route of a day.
type APIRouteRef struct {
	RouteID, PlanID, DepotID int64
}

// APIDriverRoutes returns a driver's routes of a day in current plans.
func APIDriverRoutes(ctx context.Context, q DBTX, driverID int64, day time.Time) ([]APIRouteRef, error) {
	rows, err := q.Query(ctx, Query("APIDriverRoutes"), driverID, day)
	if err != nil {
		return nil, fmt.Errorf("driver routes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (APIRouteRef, error) {
		var x APIRouteRef
		return x, r.Scan(&x.RouteID, &x.PlanID, &x.DepotID)
	})
	if err != nil {
		return nil, fmt.Errorf("driver routes: %w", err)
	}
	return out, nil
}

// APIScope says who owns a route or stop, for authorisation.
type APIScope struct {
	RouteID, PlanID, DriverID, DepotID, CarrierID int64
	Day                                           time.Time
	// Stops only.
	StopID, HouseholdID int64
	Kind, Status        string
}

// APIStopScope returns the owner chain of a stop or thugom.ErrNotFound.
func APIStopScope(ctx context.Context, q DBTX, stopID int64) (*APIScope, error) {
	var s APIScope
	err := q.QueryRow(ctx, Query("APIStopScope"), stopID).Scan(&s.StopID, &s.RouteID, &s.Kind, &s.Status, &s.DriverID,
		&s.DepotID, &s.CarrierID, &s.HouseholdID, &s.PlanID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "no stop %d", stopID)
	}
	if err != nil {
		return nil, fmt.Errorf("stop scope: %w", err)
	}
	return &s, nil
}

// APIHouseholdStop is the pickup shown on a household's page.
type APIHouseholdStop struct {
	StopID      int64
	Status      string
	WindowStart time.Time
	WindowEnd   time.Time
	ArriveAt    time.Time
	VehicleCode string
	DriverPhone string
	DepotID     int64
}

// APIHouseholdNextStop returns the household's current pickup, nil if none.
func APIHouseholdNextStop(ctx context.Context, q DBTX, householdID int64, now time.Time) (*APIHouseholdStop, error) {
	var s APIHouseholdStop
	err := q.QueryRow(ctx, Query("APIHouseholdNextStop"), householdID, now).Scan(&s.StopID, &s.Status, &s.WindowStart,
		&s.WindowEnd, &s.ArriveAt, &s.VehicleCode, &s.DriverPhone, &s.DepotID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("household next stop: %w", err)
	}
	return &s, nil
}

// APIHouseholdOrder is an open order shown on a household's page.
type APIHouseholdOrder struct {
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

// APIHouseholdByID returns one household or thugom.ErrNotFound.
func APIHouseholdByID(ctx context.Context, q DBTX, id int64) (*thugom.Household, error) {
	var h thugom.Household
	var lon, lat *float64
	err := q.QueryRow(ctx, Query("APIHousehold"), id).Scan(&h.ID, &h.Name, &h.Phone, &h.Address, &h.CommuneCode, &h.Village,
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

// APIHouseholdFilter selects households; nil fields mean "any".
type APIHouseholdFilter struct {
	CarrierID  int64
	Phone      *string
	Commune    *string
	Ungeocoded *bool
	Text       *string
	AfterID    *int64
	Limit      int
}

// APIListHouseholds returns the households matching f, by id.
func APIListHouseholds(ctx context.Context, q DBTX, f APIHouseholdFilter) ([]thugom.Household, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := q.Query(ctx, Query("APIListHouseholds"), f.CarrierID, f.Phone, f.Commune, f.Ungeocoded, f.Text, f.AfterID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list households: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (thugom.Household, error) { return apiScanHousehold(r) })
	if err != nil {
		return nil, fmt.Errorf("list households: %w", err)
	}
	return out, nil
}

func apiScanHousehold(r pgx.Row) (thugom.Household, error) {
	var h thugom.Household
	var lon, lat *float64
	err := r.Scan(&h.ID, &h.Name, &h.Phone, &h.Address, &h.CommuneCode, &h.Village,
		&lon, &lat, &h.H3, &h.Precision, &h.Confidence, &h.Pinned, &h.SharesCollection, &h.GeocodedAt, &h.CreatedAt)
	if lon != nil && lat != nil {
		h.Point = orb.Point{*lon, *lat}
	}
	return h, err
}

// APIHouseholdHasCarrier reports whether a household has orders with a carrier
// (0: any).
func APIHouseholdHasCarrier(ctx context.Context, q DBTX, householdID, carrierID int64) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, Query("APIHouseholdCarrier"), householdID, carrierID).Scan(&ok); err != nil {
		return false, fmt.Errorf("household carrier: %w", err)
	}
	return ok, nil
}

// APIManifestVersion returns a driver (id, carrier, name, phone) and a
// summary of what their manifest of a day is built from; equal versions
// mean equal manifests (a cache key). thugom.ErrNotFound: no such driver.
func APIManifestVersion(ctx context.Context, q DBTX, driverID int64, day time.Time) (*thugom.Driver, string, error) {
	d := thugom.Driver{ID: driverID}
	var routes string
	var changed time.Time
	err := q.QueryRow(ctx, Query("APIManifestVersion"), driverID, day).Scan(&d.CarrierID, &d.Name, &d.Phone, &routes, &changed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", thugom.Errorf(thugom.ENotFound, "", "no driver %d", driverID)
	}
	if err != nil {
		return nil, "", fmt.Errorf("manifest version: %w", err)
	}
	return &d, routes + "@" + changed.UTC().Format(time.RFC3339Nano) + "|" + d.Name + "|" + d.Phone, nil
}

// APIHouseholdPage reads what a household's page shows — the household, its
// current pickup (nil if none) and its open orders — in one round trip.
func APIHouseholdPage(ctx context.Context, q DBTX, householdID int64, now time.Time) (*thugom.Household, *APIHouseholdStop, []APIHouseholdOrder, error) {
	b := &pgx.Batch{}
	b.Queue(Query("APIHousehold"), householdID)
	b.Queue(Query("APIHouseholdNextStop"), householdID, now)
	b.Queue(Query("APIHouseholdOpenOrders"), householdID, now)
	br := q.SendBatch(ctx, b)
	defer br.Close()
	h, err := apiScanHousehold(br.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, nil, thugom.Errorf(thugom.ENotFound, "", "no household %d", householdID)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("household page: %w", err)
	}
	var s APIHouseholdStop
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
	orders, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (APIHouseholdOrder, error) {
		var o APIHouseholdOrder
		return o, r.Scan(&o.OrderID, &o.MarketplaceOrderID, &o.Product, &o.ProductCode, &o.WeightKg, &o.Parcels, &o.CODAmount, &o.KgPerBox, &o.Status, &o.ReadyFrom)
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("household page orders: %w", err)
	}
	return &h, stop, orders, nil
}
