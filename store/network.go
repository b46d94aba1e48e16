package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
)

// DepotByID returns a depot or thugom.ErrNotFound.
func DepotByID(ctx context.Context, q DBTX, id int64) (*thugom.Depot, error) {
	d, err := scanDepot(q.QueryRow(ctx, query("DepotByID"), id))
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
	rows, err := q.Query(ctx, query("DepotsOfCarrier"), carrierID)
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
	rows, err := q.Query(ctx, query("DeparturesOfDepot"), depotID)
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
	rows, err := q.Query(ctx, query("VehiclesOfDepot"), depotID)
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
	err := q.QueryRow(ctx, query("DriverOfVehicle"), vehicleID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// InsertCarrier stores a carrier and sets its ID.
func InsertCarrier(ctx context.Context, q DBTX, c *thugom.Carrier) error {
	err := q.QueryRow(ctx, query("InsertCarrier"), c.Code, c.Name, c.Marketplace).Scan(&c.ID)
	return writeErr("insert carrier", err, map[string]string{"carriers_code_key": "code", "carriers_marketplace_key": "marketplace"})
}

// CarrierByMarketplace returns the carrier selling on a marketplace
// ("postmart") or ErrNotFound naming the field "marketplace".
func CarrierByMarketplace(ctx context.Context, q DBTX, marketplace string) (*thugom.Carrier, error) {
	return oneCarrier(q.QueryRow(ctx, query("CarrierByMarketplace"), marketplace), "marketplace", marketplace)
}

func oneCarrier(r pgx.Row, field, value string) (*thugom.Carrier, error) {
	var c thugom.Carrier
	err := r.Scan(&c.ID, &c.Code, &c.Name, &c.Marketplace)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, field, "no carrier with %s %q", field, value)
	}
	if err != nil {
		return nil, fmt.Errorf("carrier: %w", err)
	}
	return &c, nil
}

// InsertDepot stores a depot and sets its ID. (Reads: DepotByID,
// ListDepotsScoped.)
func InsertDepot(ctx context.Context, q DBTX, d *thugom.Depot) error {
	if d.Kind == "" {
		d.Kind = thugom.DepotPostOffice
	}
	err := q.QueryRow(ctx, query("InsertDepot"), d.CarrierID, d.Code, d.Name, d.Kind, d.Address, d.CommuneCode,
		d.Point.Lon(), d.Point.Lat(), d.H3, d.OpensAt, d.ClosesAt).Scan(&d.ID)
	return writeErr("insert depot", err, map[string]string{"depots_code_key": "code", "depots_carrier_id_fkey": "carrier_id"})
}

// InsertDeparture stores a line-haul departure and sets its ID.
func InsertDeparture(ctx context.Context, q DBTX, d *thugom.Departure) error {
	dest := d.Destinations
	if dest == nil {
		dest = []string{}
	}
	err := q.QueryRow(ctx, query("InsertDeparture"), d.DepotID, d.Name, d.DepartsAt, d.CutoffAt, dest, d.TransitHours).Scan(&d.ID)
	return writeErr("insert departure", err, map[string]string{"departures_depot_id_fkey": "depot_id", "departures_check": "cutoff_at"})
}

// InsertVehicle stores a vehicle and sets its ID.
func InsertVehicle(ctx context.Context, q DBTX, v *thugom.Vehicle) error {
	if v.Status == "" {
		v.Status = thugom.VehicleActive
	}
	if v.MaxTrips == 0 {
		v.MaxTrips = 1
	}
	err := q.QueryRow(ctx, query("InsertVehicle"), v.CarrierID, v.DepotID, v.Code, v.Kind, v.CapacityKg, v.CapacityParcels,
		v.ShiftStart, v.ShiftEnd, v.MaxTrips, v.Status).Scan(&v.ID)
	return writeErr("insert vehicle", err, map[string]string{
		"vehicles_carrier_id_code_key": "code", "vehicles_depot_id_fkey": "depot_id", "vehicles_carrier_id_fkey": "carrier_id",
		"vehicles_kind_check": "kind", "vehicles_capacity_kg_check": "capacity_kg", "vehicles_capacity_parcels_check": "capacity_parcels",
		"vehicles_status_check": "status", "vehicles_max_trips_check": "max_trips"})
}

func scanVehicleRow(r pgx.Row) (thugom.Vehicle, error) {
	var v thugom.Vehicle
	err := r.Scan(&v.ID, &v.CarrierID, &v.DepotID, &v.Code, &v.Kind, &v.CapacityKg, &v.CapacityParcels,
		&v.ShiftStart, &v.ShiftEnd, &v.MaxTrips, &v.Status)
	return v, err
}

// ListVehicles returns the vehicles of a depot (0: all) with a status (""
// any).
func ListVehicles(ctx context.Context, q DBTX, depotID int64, status string) ([]thugom.Vehicle, error) {
	rows, err := q.Query(ctx, query("ListVehicles"), depotID, status)
	if err != nil {
		return nil, fmt.Errorf("list vehicles: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (thugom.Vehicle, error) { return scanVehicleRow(r) })
}

// VehicleByID returns one vehicle or ErrNotFound.
func VehicleByID(ctx context.Context, q DBTX, id int64) (*thugom.Vehicle, error) {
	v, err := scanVehicleRow(q.QueryRow(ctx, query("VehicleByID"), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "vehicle_id", "no vehicle %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("vehicle %d: %w", id, err)
	}
	return &v, nil
}

// SetVehicleStatus marks a vehicle active, broken or off.
func SetVehicleStatus(ctx context.Context, q DBTX, id int64, status string) error {
	var got int64
	err := q.QueryRow(ctx, query("SetVehicleStatus"), id, status).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return thugom.Errorf(thugom.ENotFound, "vehicle_id", "no vehicle %d", id)
	}
	return writeErr("set vehicle status", err, map[string]string{"vehicles_status_check": "status"})
}

// InsertDriver stores a driver and sets its ID.
func InsertDriver(ctx context.Context, q DBTX, d *thugom.Driver) error {
	err := q.QueryRow(ctx, query("InsertDriver"), d.CarrierID, d.DepotID, d.Name, d.Phone, d.VehicleID, d.Active).Scan(&d.ID)
	return writeErr("insert driver", err, map[string]string{
		"drivers_carrier_id_phone_key": "phone", "drivers_vehicle_idx": "vehicle_id", "drivers_vehicle_id_fkey": "vehicle_id",
		"drivers_depot_id_fkey": "depot_id", "drivers_carrier_id_fkey": "carrier_id"})
}

func scanDriverRow(r pgx.Row) (thugom.Driver, error) {
	var d thugom.Driver
	err := r.Scan(&d.ID, &d.CarrierID, &d.DepotID, &d.Name, &d.Phone, &d.VehicleID, &d.Active)
	return d, err
}

// ListDrivers returns the drivers of a depot (0: all).
func ListDrivers(ctx context.Context, q DBTX, depotID int64) ([]thugom.Driver, error) {
	rows, err := q.Query(ctx, query("ListDrivers"), depotID)
	if err != nil {
		return nil, fmt.Errorf("list drivers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (thugom.Driver, error) { return scanDriverRow(r) })
}

// DriverByID returns one driver or ErrNotFound.
func DriverByID(ctx context.Context, q DBTX, id int64) (*thugom.Driver, error) {
	d, err := scanDriverRow(q.QueryRow(ctx, query("DriverByID"), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "driver_id", "no driver %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("driver %d: %w", id, err)
	}
	return &d, nil
}

// UpsertProduct stores a product by code (updating an existing one) and sets
// its ID.
func UpsertProduct(ctx context.Context, q DBTX, p *thugom.Product) error {
	if p.KgPerBox == 0 {
		p.KgPerBox = 5
	}
	err := q.QueryRow(ctx, query("UpsertProduct"), p.Code, p.Name, p.NameVI, p.FreshnessHours, p.KgPerBox).Scan(&p.ID)
	return writeErr("upsert product", err, map[string]string{"products_freshness_hours_check": "freshness_hours", "products_kg_per_box_check": "kg_per_box"})
}

func scanProductRow(r pgx.Row) (thugom.Product, error) {
	var p thugom.Product
	err := r.Scan(&p.ID, &p.Code, &p.Name, &p.NameVI, &p.FreshnessHours, &p.KgPerBox)
	return p, err
}

// ProductByCode returns the product with this code or ErrNotFound naming
// the field "product".
func ProductByCode(ctx context.Context, q DBTX, code string) (*thugom.Product, error) {
	p, err := scanProductRow(q.QueryRow(ctx, query("ProductByCode"), code))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "product", "no product %q", code)
	}
	if err != nil {
		return nil, fmt.Errorf("product %q: %w", code, err)
	}
	return &p, nil
}

// writeErr translates a write's error: unique violations become
// ErrConflict, check and foreign-key violations ErrInvalid, each naming the
// field its constraint guards (fields maps constraint → field).
func writeErr(what string, err error, fields map[string]string) error {
	if err == nil {
		return nil
	}
	field := fields[pgConstraint(err)]
	switch pgCode(err) {
	case codeUniqueViolation:
		return thugom.Errorf(thugom.EConflict, field, "%s already exists", orWord(field, "the record"))
	case codeForeignKeyViolation:
		return thugom.Errorf(thugom.EInvalid, field, "%s refers to nothing", orWord(field, "a reference"))
	case codeCheckViolation:
		return thugom.Errorf(thugom.EInvalid, field, "%s is out of range", orWord(field, "a value"))
	}
	return fmt.Errorf("%s: %w", what, err)
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
