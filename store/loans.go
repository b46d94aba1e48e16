package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// InsertLoan records a vehicle lent for a day and sets its ID. A second
// live loan of the vehicle that day is thugom.ErrConflict (field
// vehicle_id).
func InsertLoan(ctx context.Context, q DBTX, l *thugom.Loan) error {
	err := q.QueryRow(ctx, query("InsertLoan"), l.VehicleID, dateArg(l.Day), l.FromDepotID, l.ToDepotID,
		l.EmptyRunM, l.EmptyRunS, l.Actor, l.CreatedAt).Scan(&l.ID)
	return writeErr("insert loan", err, map[string]string{
		"loans_vehicle_day_key": "vehicle_id", "loans_vehicle_id_fkey": "vehicle_id",
		"loans_from_depot_id_fkey": "depot_id", "loans_to_depot_id_fkey": "depot_id", "loans_check": "vehicle_id"})
}

func scanLoan(r pgx.Row) (thugom.Loan, error) {
	var l thugom.Loan
	err := r.Scan(&l.ID, &l.VehicleID, &l.Day, &l.FromDepotID, &l.ToDepotID, &l.EmptyRunM, &l.EmptyRunS, &l.Actor, &l.CreatedAt, &l.EndedAt)
	l.Day = localDay(l.Day)
	return l, err
}

func collectLoans(rows pgx.Rows, err error) ([]thugom.Loan, error) {
	if err != nil {
		return nil, fmt.Errorf("loans: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (thugom.Loan, error) { return scanLoan(r) })
	if err != nil {
		return nil, fmt.Errorf("loans: %w", err)
	}
	return out, nil
}

// LoansOfDepotDay returns the live loans of a day that a depot lends or
// borrows.
func LoansOfDepotDay(ctx context.Context, q DBTX, depotID int64, day time.Time) ([]thugom.Loan, error) {
	return collectLoans(q.Query(ctx, query("LoansOfDepotDay"), depotID, dateArg(day)))
}

// LoansOfCarrierDay returns the live loans of a day among a carrier's
// vehicles.
func LoansOfCarrierDay(ctx context.Context, q DBTX, carrierID int64, day time.Time) ([]thugom.Loan, error) {
	return collectLoans(q.Query(ctx, query("LoansOfCarrierDay"), carrierID, dateArg(day)))
}

// LoanOfVehicleDay returns the vehicle's live loan of the day, nil if none.
func LoanOfVehicleDay(ctx context.Context, q DBTX, vehicleID int64, day time.Time) (*thugom.Loan, error) {
	l, err := scanLoan(q.QueryRow(ctx, query("LoanOfVehicleDay"), vehicleID, dateArg(day)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("loan of vehicle %d: %w", vehicleID, err)
	}
	return &l, nil
}

// EndLoan ends a live loan; false when it had ended already.
func EndLoan(ctx context.Context, q DBTX, id int64, at time.Time) (bool, error) {
	var got int64
	err := q.QueryRow(ctx, query("EndLoan"), id, at).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("end loan %d: %w", id, err)
	}
	return true, nil
}

// VehicleDayUse is what the current plans of a day hold for a vehicle.
type VehicleDayUse struct {
	Stops   int           // pickup stops (not skipped), whichever depot planned them
	Started bool          // one of its stops left 'planned'
	ByDepot map[int64]int // pickup stops per depot that planned them
}

// LoanBusyVehicles returns what the current plans of the day hold for the
// carrier's vehicles that have a stop (not skipped) in one.
func LoanBusyVehicles(ctx context.Context, q DBTX, carrierID int64, day time.Time) (map[int64]*VehicleDayUse, error) {
	rows, err := q.Query(ctx, query("LoanBusyVehicles"), carrierID, dateArg(day))
	if err != nil {
		return nil, fmt.Errorf("busy vehicles: %w", err)
	}
	defer rows.Close()
	out := map[int64]*VehicleDayUse{}
	for rows.Next() {
		var id, depot int64
		var stops int
		var started bool
		if err := rows.Scan(&id, &depot, &stops, &started); err != nil {
			return nil, err
		}
		u := out[id]
		if u == nil {
			u = &VehicleDayUse{ByDepot: map[int64]int{}}
			out[id] = u
		}
		u.Stops += stops
		u.Started = u.Started || started
		u.ByDepot[depot] += stops
	}
	return out, rows.Err()
}

// BorrowedConsoleVehicles returns the vehicles a depot borrowed for the
// day, as ConsoleVehicles does (driver's position posted after since).
func BorrowedConsoleVehicles(ctx context.Context, q DBTX, depotID int64, day, since time.Time) ([]ConsoleVehicle, error) {
	rows, err := q.Query(ctx, query("BorrowedConsoleVehicles"), depotID, dateArg(day), since)
	if err != nil {
		return nil, fmt.Errorf("borrowed vehicles of depot %d: %w", depotID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ConsoleVehicle, error) {
		var v ConsoleVehicle
		err := r.Scan(&v.ID, &v.Code, &v.Kind, &v.CapacityKg, &v.Status, &v.DriverID, &v.DriverName, &v.DriverPhone, &v.PositionAt, &v.Lon, &v.Lat)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("borrowed vehicles of depot %d: %w", depotID, err)
	}
	return out, nil
}
