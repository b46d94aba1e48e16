-- The day's routes and stops: a stop keeps its id all day; a re-plan amends it while it is still planned.

-- name: LockStop
-- A dispatcher fixes a stop (and its orders) to a vehicle.
WITH s AS (UPDATE stops SET locked_vehicle_id = $2, updated_at = $3 WHERE id = $1 RETURNING id)
UPDATE orders SET locked_vehicle_id = $2, updated_at = $3
WHERE id IN (SELECT order_id FROM stop_orders WHERE stop_id = (SELECT id FROM s));

-- name: StopSetPosition
-- A dispatcher's place for a stop in its locked vehicle's route: after
-- stop $2, first (0), or the planner's choice (NULL).
UPDATE stops SET locked_after_stop_id = $2, updated_at = $3 WHERE id = $1;

-- name: UpsertStopReport
INSERT INTO stop_reports (stop_id, driver_id, outcome, parcels, weight_kg, reason, note, happened_at, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (stop_id) DO UPDATE SET
    driver_id = excluded.driver_id, outcome = excluded.outcome, parcels = excluded.parcels,
    weight_kg = excluded.weight_kg, reason = excluded.reason, note = excluded.note,
    happened_at = excluded.happened_at, recorded_at = excluded.recorded_at
WHERE stop_reports.happened_at <= excluded.happened_at;

-- name: PlanRoutes
SELECT r.id, r.plan_id, r.vehicle_id, r.driver_id, r.start_at, r.end_at, r.distance_m, r.duration_s, r.load_kg, r.line,
       v.code, v.kind, v.capacity_kg, v.capacity_parcels,
       coalesce(dr.name, ''), coalesce(dr.phone, '')
FROM routes r
JOIN vehicles v ON v.id = r.vehicle_id
LEFT JOIN drivers dr ON dr.id = r.driver_id
WHERE r.plan_id = $1
ORDER BY v.code, r.id;

-- name: PlanStopOrders
-- What each stop of a plan (or of one route) collects, with the carrier's
-- waybill number once its shipment is created ('' before), and the
-- carrier's last status and delivered time (NULL until it said so).
SELECT so.stop_id, o.id, o.marketplace_order_id, p.name_vi, p.code, o.weight_kg, o.parcels, o.cod_amount, p.kg_per_box,
       o.status, o.handover_deadline, coalesce(sh.waybill, ''), sh.carrier_code, coalesce(sh.carrier_status_name, ''), sh.delivered_at
FROM stops s
JOIN routes r ON r.id = s.route_id
JOIN stop_orders so ON so.stop_id = s.id
JOIN orders o ON o.id = so.order_id
JOIN products p ON p.id = o.product_id
LEFT JOIN shipments sh ON sh.order_id = o.id
WHERE r.plan_id = $1 AND ($2::bigint = 0 OR s.route_id = $2)
ORDER BY so.stop_id, o.id;

-- name: StopScope
SELECT s.id, s.route_id, s.kind, s.status, coalesce(r.driver_id, 0), p.depot_id, d.carrier_id, coalesce(s.household_id, 0), p.id
FROM stops s
JOIN routes r ON r.id = s.route_id
JOIN plans p ON p.id = r.plan_id
JOIN depots d ON d.id = p.depot_id
WHERE s.id = $1;

-- name: DriversWithRoutes
-- Drivers with pickups in the current (newest finished) plans of day $1,
-- busiest first.
SELECT r.driver_id, count(s.id) AS pickups
FROM plans p
JOIN routes r ON r.plan_id = p.id
JOIN stops s ON s.route_id = r.id AND s.kind = 'pickup'
WHERE p.day = $1::date AND p.status = 'done' AND r.driver_id IS NOT NULL
  AND p.version = (SELECT max(p2.version) FROM plans p2 WHERE p2.depot_id = p.depot_id AND p2.day = p.day AND p2.status = 'done')
GROUP BY r.driver_id
ORDER BY pickups DESC, r.driver_id
LIMIT $2;

-- name: DepotDayOfStop
-- The depot day a stop belongs to (read before any row lock: writers lock
-- the day first, then its rows, as the planner does).
SELECT p.depot_id, p.day FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id WHERE s.id = $1;

-- name: StopForUpdate
SELECT s.id, s.route_id, r.vehicle_id, r.driver_id, s.kind, s.household_id, s.status,
       s.arrive_at, s.window_start, s.window_end, r.plan_id, p.status, p.depot_id, p.day
FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
WHERE s.id = $1
FOR UPDATE OF s;

-- name: SetStopStatus
UPDATE stops SET status = $2, updated_at = $3 WHERE id = $1;

-- name: StopOrders
SELECT o.id, o.status, o.handover_deadline, o.weight_kg, o.parcels
FROM stop_orders so JOIN orders o ON o.id = so.order_id
WHERE so.stop_id = $1 ORDER BY o.id;

-- name: InsertStop
INSERT INTO stops (route_id, seq, trip, kind, household_id, departure_id, arrive_at, window_start,
                   window_end, service_s, load_kg, parcels, status, locked_vehicle_id, updated_at, dropoff_point_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
RETURNING id;

-- name: InsertStopOrders
INSERT INTO stop_orders (stop_id, order_id) SELECT $1, unnest($2::bigint[]);

-- name: PlanStops
-- Every stop of a plan with its route's vehicle and its orders.
SELECT s.id, s.route_id, r.vehicle_id, r.driver_id, s.seq, s.trip, s.kind, s.household_id,
       s.departure_id, s.arrive_at, s.window_start, s.window_end, s.service_s, s.load_kg,
       s.parcels, s.status, s.locked_vehicle_id,
       coalesce((SELECT array_agg(so.order_id ORDER BY so.order_id) FROM stop_orders so WHERE so.stop_id = s.id), '{}'),
       s.dropoff_point_id, dp.lon, dp.lat, s.locked_after_stop_id
FROM stops s JOIN routes r ON r.id = s.route_id
LEFT JOIN dropoff_points dp ON dp.id = s.dropoff_point_id
WHERE r.plan_id = $1
ORDER BY r.vehicle_id, s.seq;

-- name: RoutesMoveToPlan
-- The day's routes follow the newest version of its plan.
UPDATE routes SET plan_id = $2 WHERE plan_id = $1;

-- name: RouteUpsert
INSERT INTO routes (plan_id, vehicle_id, driver_id, start_at, end_at, distance_m, duration_s, load_kg, line)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (plan_id, vehicle_id) DO UPDATE
SET driver_id = excluded.driver_id, start_at = excluded.start_at, end_at = excluded.end_at,
    distance_m = excluded.distance_m, duration_s = excluded.duration_s, load_kg = excluded.load_kg, line = excluded.line
RETURNING id;

-- name: RoutesDeleteEmpty
DELETE FROM routes r WHERE r.plan_id = $1 AND NOT EXISTS (SELECT 1 FROM stops s WHERE s.route_id = r.id);

-- name: StopAmend
-- A re-plan's change of an open stop, only from the statuses given ($14).
-- $15: the status to set ('' keeps it).
UPDATE stops
SET route_id = $2, seq = $3, trip = $4, arrive_at = $5, window_start = $6, window_end = $7, service_s = $8,
    load_kg = $9, parcels = $10, locked_vehicle_id = $11, departure_id = $12, updated_at = $13,
    status = CASE WHEN $15 = '' THEN status ELSE $15 END
WHERE id = $1 AND status = ANY($14::text[])
RETURNING id;

-- name: StopSetSeq
UPDATE stops SET seq = $2 WHERE id = $1;

-- name: StopSkip
-- A planned stop the new version no longer visits; its pickup task follows.
WITH s AS (
    UPDATE stops SET status = 'skipped', seq = $2, updated_at = $3
    WHERE id = $1 AND status = 'planned'
    RETURNING id
), t AS (
    UPDATE tasks SET status = 'skipped', updated_at = $3
    WHERE stop_id IN (SELECT id FROM s) AND kind = 'pickup'
)
SELECT count(*) FROM s;

-- name: StopOrdersDrop
-- The orders a stop no longer collects ($2: those it still does).
DELETE FROM stop_orders WHERE stop_id = $1 AND NOT (order_id = ANY($2::bigint[]));

-- name: StopOrdersAdd
INSERT INTO stop_orders (stop_id, order_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING;

-- name: PlanSetSnapshot
UPDATE plans SET snapshot = $2 WHERE id = $1;
