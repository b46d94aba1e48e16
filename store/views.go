package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
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
	// DeliveredAt is a collected order's delivery measured against its
	// promise: its carrier's delivered time (DeliveredSource
	// DeliveredByCarrier) or the estimate (DeliveredEstimate); null, and
	// the source "", for an open order.
	DeliveredAt     *time.Time `json:"delivered_at"`
	DeliveredSource string     `json:"delivered_source"`
}

// SLABoard returns the open orders at risk or late on a day (depotID 0:
// every depot of carrierID; carrierID 0: every carrier).
func SLABoard(ctx context.Context, q DBTX, depotID, carrierID int64, day, now time.Time) ([]SLAItem, error) {
	rows, err := q.Query(ctx, query("SLABoard"), depotID, day, now, carrierID)
	if err != nil {
		return nil, fmt.Errorf("sla board: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SLAItem, error) {
		var x SLAItem
		err := r.Scan(&x.OrderID, &x.MarketplaceOrderID, &x.HouseholdID, &x.HouseholdName, &x.DepotID, &x.Status,
			&x.HandoverDeadline, &x.PromisedBy, &x.AtRisk, &x.Reason, &x.Late, &x.DeliveredAt, &x.DeliveredSource)
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
	// Delivered measures the day's collected orders against their promise
	// on the carrier's delivered times, the estimate where none.
	Delivered *Deliveries
}

// DayReportOf computes the report of a depot's day.
func DayReportOf(ctx context.Context, q DBTX, depotID int64, day time.Time) (*DayReport, error) {
	var x DayReport
	err := q.QueryRow(ctx, query("DayReport"), depotID, dateArg(day)).Scan(&x.PlanID, &x.Orders, &x.PickedUp, &x.Failed, &x.OnTime,
		&x.Unassigned, &x.DistanceM, &x.VehiclesUsed, &x.VehiclesActive, &x.LoadKg, &x.CapacityKg, &x.AgeAvgS, &x.AgeMaxS, &x.AgeP90S)
	if err != nil {
		return nil, fmt.Errorf("day report: %w", err)
	}
	if x.Delivered, err = DayDeliveriesOf(ctx, q, depotID, day); err != nil {
		return nil, err
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
	rows, err := q.Query(ctx, query("OrdersOutsidePlan"), depotID, day, carrierID, planID)
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

// OrderView is an order with its household's name and phone and its
// product's code.
type OrderView struct {
	thugom.Order
	HouseholdName  string
	HouseholdPhone string
	ProductCode    string
}

// OrderFilter selects orders; nil fields mean "any". CarrierID 0 means every
// carrier (administrators).
type OrderFilter struct {
	CarrierID   int64
	DepotID     *int64
	Status      *string
	Marketplace *string
	Phone       *string
	HouseholdID *int64
	AtRisk      *bool
	PlacedFrom  *time.Time
	PlacedTo    *time.Time
	Text        *string // marketplace order id, or part of the household's name or address
	AfterID     *int64  // keyset pagination
	Limit       int
}

func scanOrderView(r pgx.Row) (OrderView, error) {
	var o OrderView
	err := r.Scan(&o.ID, &o.Marketplace, &o.MarketplaceOrderID, &o.CarrierID, &o.DepotID, &o.HouseholdID, &o.ProductID,
		&o.WeightKg, &o.Parcels, &o.CODAmount, &o.DestinationProvince, &o.PlacedAt, &o.PromiseHours, &o.PromisedBy,
		&o.HandoverDeadline, &o.ReadyFrom, &o.ReadyUntil, &o.Status, &o.AtRisk, &o.AtRiskReason, &o.LockedVehicleID,
		&o.Note, &o.CreatedAt, &o.UpdatedAt, &o.HouseholdName, &o.HouseholdPhone, &o.ProductCode)
	return o, err
}

// ListOrders returns the orders matching f, by id.
func ListOrders(ctx context.Context, q DBTX, f OrderFilter) ([]OrderView, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := q.Query(ctx, query("ListOrders"), f.CarrierID, f.DepotID, f.Status, f.Marketplace, f.Phone,
		f.HouseholdID, f.AtRisk, f.PlacedFrom, f.PlacedTo, f.Text, f.AfterID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OrderView, error) { return scanOrderView(r) })
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	return out, nil
}

// OrderByID returns one order or thugom.ErrNotFound.
func OrderByID(ctx context.Context, q DBTX, id int64) (*OrderView, error) {
	o, err := scanOrderView(q.QueryRow(ctx, query("Order"), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "no order %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("order %d: %w", id, err)
	}
	return &o, nil
}

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
	// CarrierWaybill is the carrier's waybill number once the order's
	// shipment is created (omitted before).
	CarrierWaybill string `json:"carrier_waybill,omitempty"`
	// CarrierStatus is the carrier's last status (its code and name) and
	// DeliveredAt its delivered time: null until the carrier says so.
	CarrierStatus *CarrierStatusView `json:"carrier_status"`
	DeliveredAt   *time.Time         `json:"delivered_at"`
}

// CarrierStatusView is a carrier's status: its own code and name.
type CarrierStatusView struct {
	Code int    `json:"code"`
	Name string `json:"name"`
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
	rows, err := q.Query(ctx, query("ListDepots"), carrierID)
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
	err := q.QueryRow(ctx, query("CurrentPlanView"), depotID, day).Scan(&p.ID, &p.DepotID, &p.Day, &p.Version, &p.Status,
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
	rows, err := q.Query(ctx, query("DriverRoutes"), driverID, day)
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
	DepotName   string // the bưu cục the pickup is made from: what the household knows
}

// HouseholdNextStop returns the household's current pickup, nil if none.
func HouseholdNextStop(ctx context.Context, q DBTX, householdID int64, now time.Time) (*HouseholdStopView, error) {
	var s HouseholdStopView
	err := q.QueryRow(ctx, query("HouseholdNextStop"), householdID, now).Scan(&s.StopID, &s.Status, &s.WindowStart,
		&s.WindowEnd, &s.ArriveAt, &s.VehicleCode, &s.DriverPhone, &s.DepotID, &s.DepotName)
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
	// DropOff: the drop-off point the household brings the order to, by
	// DropOffBy ("" when collected at home).
	DropOff   string
	DropOffBy *time.Time
	// CarrierWaybill: the carrier's waybill number ("" before the
	// shipment is created).
	CarrierWaybill string
}

// HouseholdByID returns one household or thugom.ErrNotFound.
func HouseholdByID(ctx context.Context, q DBTX, id int64) (*thugom.Household, error) {
	var h thugom.Household
	var lon, lat *float64
	err := q.QueryRow(ctx, query("Household"), id).Scan(&h.ID, &h.Name, &h.Phone, &h.Address, &h.CommuneCode, &h.Village,
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
	rows, err := q.Query(ctx, query("ListHouseholds"), f.CarrierID, f.Phone, f.Commune, f.Ungeocoded, f.Text, f.AfterID, f.Limit)
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
	if err := q.QueryRow(ctx, query("HouseholdCarrier"), householdID, carrierID).Scan(&ok); err != nil {
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
	var waybills, statuses int64
	err := q.QueryRow(ctx, query("ManifestVersion"), driverID, day).Scan(&d.CarrierID, &d.Name, &d.Phone, &routes, &changed, &waybills, &statuses)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", thugom.Errorf(thugom.ENotFound, "", "no driver %d", driverID)
	}
	if err != nil {
		return nil, "", fmt.Errorf("manifest version: %w", err)
	}
	return &d, routes + "@" + changed.UTC().Format(time.RFC3339Nano) + "|" + strconv.FormatInt(waybills, 10) + "." + strconv.FormatInt(statuses, 10) + "|" + d.Name + "|" + d.Phone, nil
}

// HouseholdPage reads what a household's page shows — the household, its
// current pickup (nil if none) and its open orders — in one round trip.
func HouseholdPage(ctx context.Context, q DBTX, householdID int64, now time.Time) (*thugom.Household, *HouseholdStopView, []HouseholdOrderView, error) {
	b := &pgx.Batch{}
	b.Queue(query("Household"), householdID)
	b.Queue(query("HouseholdNextStop"), householdID, now)
	b.Queue(query("HouseholdOpenOrders"), householdID, now)
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
	err = br.QueryRow().Scan(&s.StopID, &s.Status, &s.WindowStart, &s.WindowEnd, &s.ArriveAt, &s.VehicleCode, &s.DriverPhone, &s.DepotID, &s.DepotName)
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
		return o, r.Scan(&o.OrderID, &o.MarketplaceOrderID, &o.Product, &o.ProductCode, &o.WeightKg, &o.Parcels, &o.CODAmount, &o.KgPerBox, &o.Status, &o.ReadyFrom,
			&o.DropOff, &o.DropOffBy, &o.CarrierWaybill)
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("household page orders: %w", err)
	}
	return &h, stop, orders, nil
}

// DriverWorkDays reads what thugom.WorkingDay needs of a driver on today.
func DriverWorkDays(ctx context.Context, q DBTX, driverID int64, today time.Time) (thugom.WorkDayFacts, error) {
	var f thugom.WorkDayFacts
	var next *time.Time
	if err := q.QueryRow(ctx, query("DriverWorkDays"), driverID, today).Scan(&f.Stops, &f.Open, &next); err != nil {
		return f, fmt.Errorf("driver work days: %w", err)
	}
	if next != nil {
		f.Next = time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, thugom.Local)
	}
	return f, nil
}
