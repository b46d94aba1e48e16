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

// Queries of the jobs package (planning). Names start with Jobs so they
// never clash with the core queries.

// DepotByID returns a depot or thugom.ErrNotFound.
func DepotByID(ctx context.Context, q DBTX, id int64) (*thugom.Depot, error) {
	d, err := scanDepot(q.QueryRow(ctx, Query("DepotByID"), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "depot_id", "no depot %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("depot %d: %w", id, err)
	}
	return d, nil
}

// DepotsOfCarrier returns the carrier's depots.
func DepotsOfCarrier(ctx context.Context, q DBTX, carrierID int64) ([]thugom.Depot, error) {
	rows, err := q.Query(ctx, Query("DepotsOfCarrier"), carrierID)
	if err != nil {
		return nil, fmt.Errorf("depots of carrier %d: %w", carrierID, err)
	}
	defer rows.Close()
	var out []thugom.Depot
	for rows.Next() {
		d, err := scanDepot(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

func scanDepot(row pgx.Row) (*thugom.Depot, error) {
	var d thugom.Depot
	var lon, lat float64
	if err := row.Scan(&d.ID, &d.CarrierID, &d.Code, &d.Name, &d.Kind, &d.Address, &d.CommuneCode,
		&lon, &lat, &d.H3, &d.OpensAt, &d.ClosesAt); err != nil {
		return nil, err
	}
	d.Point = orb.Point{lon, lat}
	return &d, nil
}

// DeparturesOfDepot returns a depot's active line-haul departures.
func DeparturesOfDepot(ctx context.Context, q DBTX, depotID int64) ([]thugom.Departure, error) {
	rows, err := q.Query(ctx, Query("DeparturesOfDepot"), depotID)
	if err != nil {
		return nil, fmt.Errorf("departures of depot %d: %w", depotID, err)
	}
	defer rows.Close()
	var out []thugom.Departure
	for rows.Next() {
		var d thugom.Departure
		if err := rows.Scan(&d.ID, &d.DepotID, &d.Name, &d.DepartsAt, &d.CutoffAt, &d.Destinations, &d.TransitHours); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// VehiclesOfDepot returns a depot's vehicles (all statuses).
func VehiclesOfDepot(ctx context.Context, q DBTX, depotID int64) ([]thugom.Vehicle, error) {
	rows, err := q.Query(ctx, Query("VehiclesOfDepot"), depotID)
	if err != nil {
		return nil, fmt.Errorf("vehicles of depot %d: %w", depotID, err)
	}
	defer rows.Close()
	var out []thugom.Vehicle
	for rows.Next() {
		v, err := scanVehicle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

func scanVehicle(row pgx.Row) (*thugom.Vehicle, error) {
	var v thugom.Vehicle
	err := row.Scan(&v.ID, &v.CarrierID, &v.DepotID, &v.Code, &v.Kind, &v.CapacityKg, &v.CapacityParcels,
		&v.ShiftStart, &v.ShiftEnd, &v.MaxTrips, &v.Status)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// DriverOfVehicle returns the active driver of a vehicle, nil if none.
func DriverOfVehicle(ctx context.Context, q DBTX, vehicleID int64) (*int64, error) {
	var id int64
	err := q.QueryRow(ctx, Query("DriverOfVehicle"), vehicleID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// PlanOrder is an order as planning sees it, with its household and
// product.
type PlanOrder struct {
	Order     thugom.Order
	Household thugom.Household
	Product   thugom.Product
}

// OrdersToPlan returns the orders a depot's plan of the day ending at
// dayEnd must consider.
func OrdersToPlan(ctx context.Context, q DBTX, depotID int64, dayEnd time.Time) ([]PlanOrder, error) {
	rows, err := q.Query(ctx, Query("OrdersToPlan"), depotID, dayEnd, dateArg(dayEnd.Add(-time.Hour)))
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

// SetOrderSLA stores an order's handover deadline and risk flag.
func SetOrderSLA(ctx context.Context, q DBTX, orderID int64, deadline time.Time, atRisk bool, reason string, at time.Time) error {
	_, err := q.Exec(ctx, Query("SetOrderSLA"), orderID, deadline, atRisk, reason, at)
	return err
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
	err := q.QueryRow(ctx, Query("CurrentPlan"), depotID, dateArg(day)).Scan(&h.ID, &h.Version, &h.Status, &h.CreatedAt)
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
	if err := q.QueryRow(ctx, Query("NextPlanVersion"), p.DepotID, dateArg(p.Day)).Scan(&version); err != nil {
		return 0, fmt.Errorf("next plan version: %w", err)
	}
	stats, err := json.Marshal(p.Stats)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := q.QueryRow(ctx, Query("InsertPlan"), p.DepotID, dateArg(p.Day), version, p.Algorithm, stats,
		p.CreatedAt, p.FinishedAt).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert plan: %w", err)
	}
	if _, err := q.Exec(ctx, Query("SupersedePlans"), p.DepotID, dateArg(p.Day), id); err != nil {
		return 0, fmt.Errorf("supersede plans: %w", err)
	}
	p.ID, p.Version, p.Status = id, version, thugom.PlanDone
	return id, nil
}

// InsertStop inserts a stop with its orders and returns its id.
func InsertStop(ctx context.Context, q DBTX, s *thugom.Stop, at time.Time) (int64, error) {
	err := q.QueryRow(ctx, Query("InsertStop"), s.RouteID, s.Seq, s.Trip, s.Kind, s.HouseholdID, s.DepartureID,
		s.ArriveAt, s.WindowStart, s.WindowEnd, s.ServiceS, s.LoadKg, s.Parcels, s.Status, s.LockedVehicleID, at).Scan(&s.ID)
	if err != nil {
		return 0, fmt.Errorf("insert stop: %w", err)
	}
	if len(s.OrderIDs) > 0 {
		if _, err := q.Exec(ctx, Query("InsertStopOrders"), s.ID, s.OrderIDs); err != nil {
			return 0, fmt.Errorf("insert stop orders: %w", err)
		}
	}
	return s.ID, nil
}

// InsertUnassigned records an order a plan could not serve.
func InsertUnassigned(ctx context.Context, q DBTX, planID int64, u thugom.Unassigned) error {
	_, err := q.Exec(ctx, Query("InsertUnassigned"), planID, u.OrderID, u.Reason, u.Fix)
	return err
}

// PlanStop is a stop with its route's vehicle and driver.
type PlanStop struct {
	thugom.Stop
	VehicleID int64
	DriverID  *int64
}

// PlanStops returns every stop of a plan, by vehicle and sequence.
func PlanStops(ctx context.Context, q DBTX, planID int64) ([]PlanStop, error) {
	rows, err := q.Query(ctx, Query("PlanStops"), planID)
	if err != nil {
		return nil, fmt.Errorf("stops of plan %d: %w", planID, err)
	}
	defer rows.Close()
	var out []PlanStop
	for rows.Next() {
		var s PlanStop
		if err := rows.Scan(&s.ID, &s.RouteID, &s.VehicleID, &s.DriverID, &s.Seq, &s.Trip, &s.Kind, &s.HouseholdID,
			&s.DepartureID, &s.ArriveAt, &s.WindowStart, &s.WindowEnd, &s.ServiceS, &s.LoadKg,
			&s.Parcels, &s.Status, &s.LockedVehicleID, &s.OrderIDs); err != nil {
			return nil, fmt.Errorf("stops of plan %d: %w", planID, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DepotsWithOrders returns the depots with orders to plan for the day
// ending at dayEnd.
func DepotsWithOrders(ctx context.Context, q DBTX, dayEnd time.Time) ([]int64, error) {
	rows, err := q.Query(ctx, Query("DepotsWithOrders"), dayEnd, dateArg(dayEnd.Add(-time.Hour)))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// dateArg passes a local day to a date column as text, so the server never
// converts it through UTC.
func dateArg(day time.Time) string { return day.In(thugom.Local).Format(time.DateOnly) }

// SetPlanStats replaces a plan's statistics.
func SetPlanStats(ctx context.Context, q DBTX, planID int64, st thugom.PlanStats) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, Query("SetPlanStats"), planID, b)
	return err
}

// OrderDeadlines returns the handover deadlines of orders (those that
// have one).
func OrderDeadlines(ctx context.Context, q DBTX, ids []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, Query("OrderDeadlines"), ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t time.Time
		if err := rows.Scan(&id, &t); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}

// HouseholdPoints returns the positions of households (those that have
// one).
func HouseholdPoints(ctx context.Context, q DBTX, ids []int64) (map[int64]orb.Point, error) {
	out := map[int64]orb.Point{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, Query("HouseholdPoints"), ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var lon, lat float64
		if err := rows.Scan(&id, &lon, &lat); err != nil {
			return nil, err
		}
		out[id] = orb.Point{lon, lat}
	}
	return out, rows.Err()
}
