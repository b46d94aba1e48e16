-- Queries of the jobs (issue 5): what planning reads and writes.

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

-- name: OrdersToPlan
-- The orders one depot's plan of a day must consider: not yet collected,
-- placed before the end of the day, ready before its end (postponed orders
-- come back on the day they were postponed to). An order another day's
-- plan holds ($3 is this day) is that day's.
SELECT o.id, o.carrier_id, o.household_id, o.product_id, o.weight_kg, o.parcels,
       o.destination_province, o.placed_at, o.promise_hours, o.promised_by,
       o.handover_deadline, o.ready_from, o.ready_until, o.status, o.at_risk,
       o.at_risk_reason, o.locked_vehicle_id,
       h.name, h.phone, h.lon, h.lat, h.h3, h.precision, h.village, h.commune_code,
       h.shares_collection,
       p.code, p.name_vi, p.freshness_hours, p.kg_per_box
FROM orders o
JOIN households h ON h.id = o.household_id
JOIN products p ON p.id = o.product_id
WHERE o.depot_id = $1
  AND o.placed_at < $2
  AND (o.status = 'received' OR (o.status = 'planned' AND o.planned_day = $3)
       OR (o.status = 'postponed' AND o.ready_from < $2))
  AND (o.ready_from IS NULL OR o.ready_from < $2)
ORDER BY o.id;

-- name: SetOrderSLA
UPDATE orders
SET handover_deadline = $2, at_risk = $3, at_risk_reason = $4, updated_at = $5
WHERE id = $1;

-- name: CurrentPlan
SELECT id, version, status, created_at
FROM plans
WHERE depot_id = $1 AND day = $2 AND status = 'done'
ORDER BY version DESC
LIMIT 1;

-- name: NextPlanVersion
SELECT coalesce(max(version), 0) + 1 FROM plans WHERE depot_id = $1 AND day = $2;

-- name: InsertPlan
INSERT INTO plans (depot_id, day, version, status, algorithm, stats, created_at, finished_at)
VALUES ($1, $2, $3, 'done', $4, $5, $6, $7)
RETURNING id;

-- name: SetPlanStats
UPDATE plans SET stats = $2 WHERE id = $1;

-- name: SupersedePlans
UPDATE plans SET status = 'superseded'
WHERE depot_id = $1 AND day = $2 AND id <> $3 AND status IN ('done', 'pending', 'running');

-- name: InsertStop
INSERT INTO stops (route_id, seq, trip, kind, household_id, departure_id, arrive_at, window_start,
                   window_end, service_s, load_kg, parcels, status, locked_vehicle_id, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
RETURNING id;

-- name: InsertStopOrders
INSERT INTO stop_orders (stop_id, order_id) SELECT $1, unnest($2::bigint[]);

-- name: InsertUnassigned
INSERT INTO plan_unassigned (plan_id, order_id, reason, fix) VALUES ($1, $2, $3, $4);

-- name: PlanStops
-- Every stop of a plan with its route's vehicle and its orders.
SELECT s.id, s.route_id, r.vehicle_id, r.driver_id, s.seq, s.trip, s.kind, s.household_id,
       s.departure_id, s.arrive_at, s.window_start, s.window_end, s.service_s, s.load_kg,
       s.parcels, s.status, s.locked_vehicle_id,
       coalesce((SELECT array_agg(so.order_id ORDER BY so.order_id) FROM stop_orders so WHERE so.stop_id = s.id), '{}')
FROM stops s JOIN routes r ON r.id = s.route_id
WHERE r.plan_id = $1
ORDER BY r.vehicle_id, s.seq;

-- name: DepotsWithOrders
-- Depots with orders to plan for the day $2 (ending at $1).
SELECT DISTINCT o.depot_id
FROM orders o
WHERE o.depot_id IS NOT NULL AND o.placed_at < $1
  AND (o.status = 'received' OR (o.status = 'planned' AND o.planned_day = $2)
       OR (o.status = 'postponed' AND o.ready_from < $1))
ORDER BY o.depot_id;

-- name: OrderDeadlines
SELECT id, handover_deadline FROM orders WHERE id = ANY($1::bigint[]) AND handover_deadline IS NOT NULL;

-- name: HouseholdPoints
SELECT id, lon, lat FROM households WHERE id = ANY($1::bigint[]) AND lon IS NOT NULL;
