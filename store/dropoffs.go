package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
)

// NewDropOffPoint is a point to make when its commune has none.
type NewDropOffPoint struct {
	CommuneCode string
	Name        string
	Point       orb.Point // [lon, lat]
	H3          string
}

// EnsureDropOffPoints makes the points of the communes that have none yet
// (one statement; a point that exists, corrected or not, is kept).
func EnsureDropOffPoints(ctx context.Context, q DBTX, pts []NewDropOffPoint) error {
	if len(pts) == 0 {
		return nil
	}
	codes, names, hs := make([]string, len(pts)), make([]string, len(pts)), make([]string, len(pts))
	lons, lats := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		codes[i], names[i], hs[i], lons[i], lats[i] = p.CommuneCode, p.Name, p.H3, p.Point[0], p.Point[1]
	}
	if _, err := q.Exec(ctx, query("DropOffPointsEnsure"), codes, names, lons, lats, hs); err != nil {
		return fmt.Errorf("ensure drop-off points: %w", err)
	}
	return nil
}

func scanDropOffPoint(r pgx.Row) (*thugom.DropOffPoint, error) {
	var p thugom.DropOffPoint
	var lon, lat float64
	if err := r.Scan(&p.ID, &p.CommuneCode, &p.Name, &lon, &lat, &p.H3, &p.OpensAt, &p.ClosesAt, &p.Approximate); err != nil {
		return nil, err
	}
	p.Point = orb.Point{lon, lat}
	return &p, nil
}

// DropOffPointByID returns a point or thugom.ErrNotFound.
func DropOffPointByID(ctx context.Context, q DBTX, id int64) (*thugom.DropOffPoint, error) {
	p, err := scanDropOffPoint(q.QueryRow(ctx, query("DropOffPointByID"), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "point_id", "no drop-off point %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("drop-off point %d: %w", id, err)
	}
	return p, nil
}

// DropOffPointByCommune returns a commune's point, nil if it has none.
func DropOffPointByCommune(ctx context.Context, q DBTX, code string) (*thugom.DropOffPoint, error) {
	p, err := scanDropOffPoint(q.QueryRow(ctx, query("DropOffPointByCommune"), code))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("drop-off point of commune %s: %w", code, err)
	}
	return p, nil
}

// DropOffPointsOfDepot returns the points of the communes a depot serves.
func DropOffPointsOfDepot(ctx context.Context, q DBTX, depotID int64) ([]thugom.DropOffPoint, error) {
	rows, err := q.Query(ctx, query("DropOffPointsOfDepot"), depotID)
	if err != nil {
		return nil, fmt.Errorf("drop-off points of depot %d: %w", depotID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (thugom.DropOffPoint, error) {
		p, err := scanDropOffPoint(r)
		if err != nil {
			return thugom.DropOffPoint{}, err
		}
		return *p, nil
	})
	if err != nil {
		return nil, fmt.Errorf("drop-off points of depot %d: %w", depotID, err)
	}
	return out, nil
}

// SetDropOffPoint stores a person's correction of a point (position and
// hours); the point is no longer approximate.
func SetDropOffPoint(ctx context.Context, q DBTX, p *thugom.DropOffPoint, at time.Time) (*thugom.DropOffPoint, error) {
	out, err := scanDropOffPoint(q.QueryRow(ctx, query("DropOffPointSet"), p.ID, p.Point[0], p.Point[1], p.H3, p.OpensAt, p.ClosesAt, at))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "point_id", "no drop-off point %d", p.ID)
	}
	return out, writeErr("set drop-off point", err, map[string]string{
		"dropoff_points_opens_at_check": "opens_at", "dropoff_points_closes_at_check": "closes_at", "dropoff_points_check": "closes_at",
		"dropoff_points_lon_check": "point", "dropoff_points_lat_check": "point"})
}

// OrderDropOff is where and by when an order is brought.
type OrderDropOff struct {
	Point thugom.DropOffPoint
	By    *time.Time
}

// DropOffsOfOrders returns, by order, the point each of ids is brought to
// (orders collected at home are absent).
func DropOffsOfOrders(ctx context.Context, q DBTX, ids []int64) (map[int64]OrderDropOff, error) {
	out := map[int64]OrderDropOff{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, query("DropOffsOfOrders"), ids)
	if err != nil {
		return nil, fmt.Errorf("drop-offs of orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var d OrderDropOff
		var lon, lat float64
		p := &d.Point
		if err := rows.Scan(&id, &d.By, &p.ID, &p.CommuneCode, &p.Name, &lon, &lat, &p.H3, &p.OpensAt, &p.ClosesAt, &p.Approximate); err != nil {
			return nil, fmt.Errorf("drop-offs of orders: %w", err)
		}
		p.Point = orb.Point{lon, lat}
		out[id] = d
	}
	return out, rows.Err()
}

// DropOffOrder is a household's order that may go to a drop-off point.
type DropOffOrder struct {
	ID        int64
	CarrierID int64
	Status    string
	WeightKg  float64
	Parcels   int
	ReadyFrom *time.Time
	PointID   *int64
	By        *time.Time
}

// DropOffHouseholdOrders locks and returns a household's orders of a depot's
// day (dayEnd: the end of the local day) that may still go to a drop-off
// point. The caller bumps the day first.
func DropOffHouseholdOrders(ctx context.Context, q DBTX, householdID, depotID int64, dayEnd time.Time) ([]DropOffOrder, error) {
	rows, err := q.Query(ctx, query("DropOffHouseholdOrders"), householdID, depotID, dayEnd, dateArg(dayEnd.Add(-time.Hour)))
	if err != nil {
		return nil, fmt.Errorf("drop-off orders of household %d: %w", householdID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DropOffOrder, error) {
		var o DropOffOrder
		return o, r.Scan(&o.ID, &o.CarrierID, &o.Status, &o.WeightKg, &o.Parcels, &o.ReadyFrom, &o.PointID, &o.By)
	})
	if err != nil {
		return nil, fmt.Errorf("drop-off orders of household %d: %w", householdID, err)
	}
	return out, nil
}

// OrdersUnderway returns those of ids on a stop a vehicle is on its way to
// or at.
func OrdersUnderway(ctx context.Context, q DBTX, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, query("DropOffOrdersUnderway"), ids)
	if err != nil {
		return nil, fmt.Errorf("orders underway: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// SetOrdersDropOff records that orders are brought to point (nil: collected
// at home again) by by; only orders a plan may still change. It returns
// the orders changed.
func SetOrdersDropOff(ctx context.Context, q DBTX, ids []int64, point *int64, by *time.Time, at time.Time) ([]int64, error) {
	return collectIDs(ctx, q, "OrdersSetDropOff", ids, point, by, at)
}

// DropOffCandidate is an order of a depot's day that a drop-off may help.
type DropOffCandidate struct {
	OrderID     int64
	HouseholdID int64
	Name, Phone string
	Point       orb.Point
	CommuneCode string
	WeightKg    float64
	Parcels     int
	ReadyFrom   *time.Time
	Status      string
	Late        bool
	PointID     *int64
}

// DropOffCandidateOrders returns the geocoded orders of a depot's day
// (dayEnd: the end of the local day) waiting for a plan or planned late.
func DropOffCandidateOrders(ctx context.Context, q DBTX, depotID int64, dayEnd time.Time) ([]DropOffCandidate, error) {
	rows, err := q.Query(ctx, query("DropOffCandidateOrders"), depotID, dayEnd, dateArg(dayEnd.Add(-time.Hour)))
	if err != nil {
		return nil, fmt.Errorf("drop-off candidates of depot %d: %w", depotID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DropOffCandidate, error) {
		var c DropOffCandidate
		var lon, lat float64
		err := r.Scan(&c.OrderID, &c.HouseholdID, &c.Name, &c.Phone, &lon, &lat, &c.CommuneCode, &c.WeightKg, &c.Parcels,
			&c.ReadyFrom, &c.Status, &c.Late, &c.PointID)
		c.Point = orb.Point{lon, lat}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("drop-off candidates of depot %d: %w", depotID, err)
	}
	return out, nil
}

// CancelPackagingOfDay cancels a household's open packaging task of a day
// (it brings its produce to a drop-off point: no reminder for a home
// window); a re-plan that collects it at home again reopens it.
func CancelPackagingOfDay(ctx context.Context, q DBTX, householdID int64, day, at time.Time) error {
	if _, err := q.Exec(ctx, query("DropOffPackagingCancel"), householdID, dateArg(day), at); err != nil {
		return fmt.Errorf("cancel packaging of household %d: %w", householdID, err)
	}
	return nil
}

// StopHousehold is a household with orders on a stop.
type StopHousehold struct {
	HouseholdID int64
	Orders      int
}

// HouseholdsOfStop returns the households whose orders a stop collects (a
// hub stop has several), by id.
func HouseholdsOfStop(ctx context.Context, q DBTX, stopID int64) ([]StopHousehold, error) {
	rows, err := q.Query(ctx, query("DropOffStopHouseholds"), stopID)
	if err != nil {
		return nil, fmt.Errorf("households of stop %d: %w", stopID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StopHousehold, error) {
		var h StopHousehold
		return h, r.Scan(&h.HouseholdID, &h.Orders)
	})
	if err != nil {
		return nil, fmt.Errorf("households of stop %d: %w", stopID, err)
	}
	return out, nil
}
