package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ConsoleVehicle is a vehicle of a depot as the dispatcher's console shows
// it: in service or not, its driver, and where the driver's phone last was.
type ConsoleVehicle struct {
	ID          int64
	Code        string
	Kind        string
	CapacityKg  float64
	Status      string
	DriverID    *int64
	DriverName  string
	DriverPhone string
	// PositionAt is nil when the driver posted no position since the time
	// asked.
	PositionAt *time.Time
	Lon, Lat   *float64
}

// ConsoleVehicles returns every vehicle of a depot with its driver's last
// position posted after since.
func ConsoleVehicles(ctx context.Context, q DBTX, depotID int64, since time.Time) ([]ConsoleVehicle, error) {
	rows, err := q.Query(ctx, query("ConsoleVehicles"), depotID, since)
	if err != nil {
		return nil, fmt.Errorf("console vehicles of depot %d: %w", depotID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ConsoleVehicle, error) {
		var v ConsoleVehicle
		err := r.Scan(&v.ID, &v.Code, &v.Kind, &v.CapacityKg, &v.Status, &v.DriverID, &v.DriverName, &v.DriverPhone, &v.PositionAt, &v.Lon, &v.Lat)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("console vehicles of depot %d: %w", depotID, err)
	}
	return out, nil
}

// PlanDistance returns the distance of a plan's routes in metres.
func PlanDistance(ctx context.Context, q DBTX, planID int64) (int, error) {
	var m int
	if err := q.QueryRow(ctx, query("PlanDistance"), planID).Scan(&m); err != nil {
		return 0, fmt.Errorf("distance of plan %d: %w", planID, err)
	}
	return m, nil
}

// HouseholdPhones returns the phone numbers of households by id.
func HouseholdPhones(ctx context.Context, q DBTX, ids []int64) (map[int64]string, error) {
	rows, err := q.Query(ctx, query("HouseholdPhones"), ids)
	if err != nil {
		return nil, fmt.Errorf("household phones: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var phone string
		if err := rows.Scan(&id, &phone); err != nil {
			return nil, fmt.Errorf("household phones: %w", err)
		}
		out[id] = phone
	}
	return out, rows.Err()
}

// OrderPromises returns when orders are promised to their buyers, by id.
func OrderPromises(ctx context.Context, q DBTX, ids []int64) (map[int64]time.Time, error) {
	rows, err := q.Query(ctx, query("OrderPromises"), ids)
	if err != nil {
		return nil, fmt.Errorf("order promises: %w", err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var t time.Time
		if err := rows.Scan(&id, &t); err != nil {
			return nil, fmt.Errorf("order promises: %w", err)
		}
		out[id] = t
	}
	return out, rows.Err()
}
