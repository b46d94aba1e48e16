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

// LockStop fixes a stop and its orders to a vehicle.
func LockStop(ctx context.Context, tx DBTX, stopID, vehicleID int64, at time.Time) error {
	if _, err := tx.Exec(ctx, query("LockStop"), stopID, vehicleID, at); err != nil {
		return fmt.Errorf("lock stop %d: %w", stopID, err)
	}
	return nil
}

// SetStopPosition keeps a dispatcher's place for a stop on its locked
// vehicle: after stop *after, first (0), or the planner's choice (nil).
func SetStopPosition(ctx context.Context, tx DBTX, stopID int64, after *int64, at time.Time) error {
	if _, err := tx.Exec(ctx, query("StopSetPosition"), stopID, after, at); err != nil {
		return fmt.Errorf("stop %d position: %w", stopID, err)
	}
	return nil
}

// StopReport is what a driver reports at a pickup stop.
type StopReport struct {
	StopID     int64
	DriverID   *int64
	Outcome    string // thugom.StopPickedUp or thugom.StopFailed
	Parcels    *int
	WeightKg   *float64
	Reason     string
	Note       string
	HappenedAt time.Time // on the phone
	RecordedAt time.Time // on the server
}

// SaveStopReport keeps what a driver reported at a stop (the phone's
// time, counts, reason) for the day report. A report older than the one
// kept (by the phone's clock) is ignored.
func SaveStopReport(ctx context.Context, q DBTX, rep StopReport) error {
	if _, err := q.Exec(ctx, query("UpsertStopReport"), rep.StopID, rep.DriverID, rep.Outcome, rep.Parcels, rep.WeightKg,
		rep.Reason, rep.Note, rep.HappenedAt, rep.RecordedAt); err != nil {
		if pgCode(err) == codeCheckViolation {
			return thugom.Errorf(thugom.EInvalid, "", "report out of range (%s)", pgConstraint(err))
		}
		return fmt.Errorf("stop %d report: %w", rep.StopID, err)
	}
	return nil
}

// PlanRoutes returns the routes of a plan with their stops; routeID != 0
// keeps only that route.
func PlanRoutes(ctx context.Context, q DBTX, planID, routeID int64) ([]RouteView, error) {
	rows, err := q.Query(ctx, query("PlanRoutes"), planID)
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
	rows, err = q.Query(ctx, query("PlanStopOrders"), planID, routeID)
	if err != nil {
		return nil, fmt.Errorf("plan stop orders: %w", err)
	}
	var stopID int64
	var o StopOrderView
	var code *int
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&stopID, &o.OrderID, &o.MarketplaceOrderID, &o.Product, &o.ProductCode, &o.WeightKg,
		&o.Parcels, &o.CODAmount, &o.KgPerBox, &o.Status, &o.HandoverDeadline, &o.CarrierWaybill, &code, &name, &o.DeliveredAt}, func() error {
		o.CarrierStatus = nil
		if code != nil {
			o.CarrierStatus = &CarrierStatusView{Code: *code, Name: name}
		}
		orders[stopID] = append(orders[stopID], o)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("plan stop orders: %w", err)
	}
	packaging := map[int64]map[string]any{}
	rows, err = q.Query(ctx, query("PlanPackaging"), planID, routeID)
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
	rows, err = q.Query(ctx, query("PlanStopViews"), planID, routeID)
	if err != nil {
		return nil, fmt.Errorf("plan stops: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s StopView
		var lon, lat *float64
		if err := rows.Scan(&s.ID, &s.RouteID, &s.Seq, &s.Trip, &s.Kind, &s.HouseholdID, &s.DepartureID, &s.ArriveAt,
			&s.WindowStart, &s.WindowEnd, &s.ServiceS, &s.LoadKg, &s.Parcels, &s.Status, &s.LockedVehicleID,
			&s.HouseholdName, &s.Phone, &s.Address, &lon, &lat, &s.H3, &s.Precision, &s.ReportedAt, &s.FailReason, &s.DropOffPointID); err != nil {
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
	err := q.QueryRow(ctx, query("StopScope"), stopID).Scan(&s.StopID, &s.RouteID, &s.Kind, &s.Status, &s.DriverID,
		&s.DepotID, &s.CarrierID, &s.HouseholdID, &s.PlanID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "no stop %d", stopID)
	}
	if err != nil {
		return nil, fmt.Errorf("stop scope: %w", err)
	}
	return &s, nil
}

// StopState is a stop with what the pickup state machine needs.
type StopState struct {
	ID          int64
	RouteID     int64
	VehicleID   int64
	DriverID    *int64
	Kind        string
	HouseholdID *int64
	Status      string
	ArriveAt    time.Time
	WindowStart time.Time
	WindowEnd   time.Time
	PlanID      int64
	PlanStatus  string
	DepotID     int64
	Day         time.Time // local midnight
}

// StopForUpdate returns a stop locked for update, or thugom.ErrNotFound.
func StopForUpdate(ctx context.Context, q DBTX, id int64) (*StopState, error) {
	var s StopState
	var day time.Time
	err := q.QueryRow(ctx, query("StopForUpdate"), id).Scan(&s.ID, &s.RouteID, &s.VehicleID, &s.DriverID, &s.Kind,
		&s.HouseholdID, &s.Status, &s.ArriveAt, &s.WindowStart, &s.WindowEnd, &s.PlanID, &s.PlanStatus, &s.DepotID, &day)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "stop_id", "no stop %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("stop %d: %w", id, err)
	}
	s.Day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, thugom.Local)
	return &s, nil
}

// SetStopStatus sets a stop's status.
func SetStopStatus(ctx context.Context, q DBTX, id int64, status string, at time.Time) error {
	_, err := q.Exec(ctx, query("SetStopStatus"), id, status, at)
	return err
}

// StopOrder is an order of a stop.
type StopOrder struct {
	ID       int64
	Status   string
	Deadline *time.Time
	WeightKg float64
	Parcels  int
}

// StopOrders returns the orders a stop collects.
func StopOrders(ctx context.Context, q DBTX, stopID int64) ([]StopOrder, error) {
	rows, err := q.Query(ctx, query("StopOrders"), stopID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StopOrder
	for rows.Next() {
		var o StopOrder
		if err := rows.Scan(&o.ID, &o.Status, &o.Deadline, &o.WeightKg, &o.Parcels); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// InsertStop inserts a stop with its orders and returns its id.
func InsertStop(ctx context.Context, q DBTX, s *thugom.Stop, at time.Time) (int64, error) {
	err := q.QueryRow(ctx, query("InsertStop"), s.RouteID, s.Seq, s.Trip, s.Kind, s.HouseholdID, s.DepartureID,
		s.ArriveAt, s.WindowStart, s.WindowEnd, s.ServiceS, s.LoadKg, s.Parcels, s.Status, s.LockedVehicleID, at, s.DropOffPointID).Scan(&s.ID)
	if err != nil {
		return 0, fmt.Errorf("insert stop: %w", err)
	}
	if len(s.OrderIDs) > 0 {
		if _, err := q.Exec(ctx, query("InsertStopOrders"), s.ID, s.OrderIDs); err != nil {
			return 0, fmt.Errorf("insert stop orders: %w", err)
		}
	}
	return s.ID, nil
}

// PlanStop is a stop with its route's vehicle and driver.
type PlanStop struct {
	thugom.Stop
	VehicleID int64
	DriverID  *int64
	// DropOffPoint is where a hub stop is (nil for a household's stop).
	DropOffPoint *orb.Point
	// LockedAfterStopID is a dispatcher's place for the stop on its locked
	// vehicle: right after that stop, 0 first, nil the planner's choice.
	LockedAfterStopID *int64
}

// PlanStops returns every stop of a plan, by vehicle and sequence.
func PlanStops(ctx context.Context, q DBTX, planID int64) ([]PlanStop, error) {
	rows, err := q.Query(ctx, query("PlanStops"), planID)
	if err != nil {
		return nil, fmt.Errorf("stops of plan %d: %w", planID, err)
	}
	defer rows.Close()
	var out []PlanStop
	for rows.Next() {
		var s PlanStop
		var lon, lat *float64
		if err := rows.Scan(&s.ID, &s.RouteID, &s.VehicleID, &s.DriverID, &s.Seq, &s.Trip, &s.Kind, &s.HouseholdID,
			&s.DepartureID, &s.ArriveAt, &s.WindowStart, &s.WindowEnd, &s.ServiceS, &s.LoadKg,
			&s.Parcels, &s.Status, &s.LockedVehicleID, &s.OrderIDs, &s.DropOffPointID, &lon, &lat, &s.LockedAfterStopID); err != nil {
			return nil, fmt.Errorf("stops of plan %d: %w", planID, err)
		}
		if lon != nil && lat != nil {
			s.DropOffPoint = &orb.Point{*lon, *lat}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// MoveRoutesToPlan re-points the day's routes (and so its stops) from the
// previous version of a plan to the new one.
func MoveRoutesToPlan(ctx context.Context, q DBTX, fromPlan, toPlan int64) error {
	if _, err := q.Exec(ctx, query("RoutesMoveToPlan"), fromPlan, toPlan); err != nil {
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
	err := q.QueryRow(ctx, query("RouteUpsert"), r.PlanID, r.VehicleID, r.DriverID, r.StartAt, r.EndAt,
		r.DistanceM, r.DurationS, r.LoadKg, line).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("route of vehicle %d: %w", r.VehicleID, err)
	}
	return nil
}

// DeleteEmptyRoutes removes the routes of a plan that hold no stop.
func DeleteEmptyRoutes(ctx context.Context, q DBTX, planID int64) error {
	_, err := q.Exec(ctx, query("RoutesDeleteEmpty"), planID)
	return err
}

// AmendStop changes an open stop's route, position, times and load, only
// while its status is one of from; setStatus, when not empty, becomes its
// status. It reports whether the stop was changed (false: someone moved on
// it meanwhile).
func AmendStop(ctx context.Context, q DBTX, s *thugom.Stop, from []string, setStatus string, at time.Time) (bool, error) {
	var id int64
	err := q.QueryRow(ctx, query("StopAmend"), s.ID, s.RouteID, s.Seq, s.Trip, s.ArriveAt, s.WindowStart, s.WindowEnd,
		s.ServiceS, s.LoadKg, s.Parcels, s.LockedVehicleID, s.DepartureID, at, from, setStatus).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("amend stop %d: %w", s.ID, err)
	}
	if s.Kind == thugom.StopPickup {
		if _, err := q.Exec(ctx, query("StopOrdersDrop"), s.ID, s.OrderIDs); err != nil {
			return false, fmt.Errorf("orders of stop %d: %w", s.ID, err)
		}
		if _, err := q.Exec(ctx, query("StopOrdersAdd"), s.ID, s.OrderIDs); err != nil {
			return false, fmt.Errorf("orders of stop %d: %w", s.ID, err)
		}
	}
	return true, nil
}

// SetStopSeq renumbers a finished stop within its route.
func SetStopSeq(ctx context.Context, q DBTX, id int64, seq int) error {
	_, err := q.Exec(ctx, query("StopSetSeq"), id, seq)
	return err
}

// SkipStop marks a planned stop that the plan no longer visits (and its
// pickup task) skipped, placing it after the route's stops; it reports false
// when the stop is no longer planned.
func SkipStop(ctx context.Context, q DBTX, id int64, at time.Time) (bool, error) {
	var n int
	// Skipped stops sort after every visit and never collide.
	if err := q.QueryRow(ctx, query("StopSkip"), id, 1_000_000+int(id%1_000_000_000), at).Scan(&n); err != nil {
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
	_, err = q.Exec(ctx, query("PlanSetSnapshot"), planID, b)
	return err
}
