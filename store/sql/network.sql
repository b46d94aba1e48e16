-- Carriers, depots, departures, vehicles, drivers and products.

-- name: RefCarriers
SELECT id, code, marketplace FROM carriers ORDER BY id;

-- name: RefProducts
SELECT id, code, name_vi FROM products ORDER BY id;

-- name: RefDepots
SELECT id, carrier_id, code FROM depots ORDER BY id;

-- name: ListDepots
SELECT d.id, d.carrier_id, d.code, d.name, d.kind, d.address, d.commune_code, d.lon, d.lat, d.h3, d.opens_at, d.closes_at
FROM depots d
WHERE ($1::bigint = 0 OR d.carrier_id = $1)
ORDER BY d.carrier_id, d.name, d.id;

-- name: InsertCarrier
INSERT INTO carriers (code, name, marketplace) VALUES ($1, $2, $3)
RETURNING id;

-- name: CarrierByMarketplace
SELECT id, code, name, marketplace FROM carriers WHERE marketplace = $1;

-- name: InsertDepot
INSERT INTO depots (carrier_id, code, name, kind, address, commune_code, lon, lat, h3, opens_at, closes_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
RETURNING id;

-- name: InsertDeparture
INSERT INTO departures (depot_id, name, departs_at, cutoff_at, destinations, transit_hours)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: InsertVehicle
INSERT INTO vehicles (carrier_id, depot_id, code, kind, capacity_kg, capacity_parcels, shift_start, shift_end, max_trips, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING id;

-- name: ListVehicles
-- Vehicles of a depot ($1 = 0: all), optionally of one status ($2 = '': any).
SELECT id, carrier_id, depot_id, code, kind, capacity_kg, capacity_parcels, shift_start, shift_end, max_trips, status
FROM vehicles
WHERE ($1::bigint = 0 OR depot_id = $1) AND ($2::text = '' OR status = $2)
ORDER BY depot_id, code, id;

-- name: VehicleByID
SELECT id, carrier_id, depot_id, code, kind, capacity_kg, capacity_parcels, shift_start, shift_end, max_trips, status
FROM vehicles WHERE id = $1;

-- name: SetVehicleStatus
UPDATE vehicles SET status = $2, updated_at = now() WHERE id = $1
RETURNING id;

-- name: InsertDriver
INSERT INTO drivers (carrier_id, depot_id, name, phone, vehicle_id, active)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: ListDrivers
SELECT id, carrier_id, depot_id, name, phone, vehicle_id, active
FROM drivers
WHERE ($1::bigint = 0 OR depot_id = $1)
ORDER BY depot_id, id;

-- name: DriverByID
SELECT id, carrier_id, depot_id, name, phone, vehicle_id, active
FROM drivers WHERE id = $1;

-- name: UpsertProduct
INSERT INTO products (code, name, name_vi, freshness_hours, kg_per_box)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, name_vi = EXCLUDED.name_vi,
    freshness_hours = EXCLUDED.freshness_hours, kg_per_box = EXCLUDED.kg_per_box
RETURNING id;

-- name: ProductByCode
SELECT id, code, name, name_vi, freshness_hours, kg_per_box FROM products WHERE code = $1;

-- name: DepotByID
SELECT id, carrier_id, code, name, kind, address, commune_code, lon, lat, h3, opens_at, closes_at
FROM depots WHERE id = $1;

-- name: DepotsOfCarrier
SELECT id, carrier_id, code, name, kind, address, commune_code, lon, lat, h3, opens_at, closes_at
FROM depots WHERE carrier_id = $1 ORDER BY id;

-- name: DeparturesOfDepot
SELECT id, depot_id, name, departs_at, cutoff_at, destinations, transit_hours
FROM departures WHERE depot_id = $1 AND active ORDER BY departs_at, id;

-- name: VehiclesOfDepot
SELECT id, carrier_id, depot_id, code, kind, capacity_kg, capacity_parcels, shift_start, shift_end, max_trips, status
FROM vehicles WHERE depot_id = $1 ORDER BY id;

-- name: DriverOfVehicle
SELECT id FROM drivers WHERE vehicle_id = $1 AND active LIMIT 1;
