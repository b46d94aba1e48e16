-- Read models of the HTTP API: the dispatcher's map, drivers' manifests,
-- households' pages, the SLA board and the day report. Carrier scope: $n = 0
-- means every carrier (administrators).

-- name: ListDepots
SELECT d.id, d.carrier_id, d.code, d.name, d.kind, d.address, d.commune_code, d.lon, d.lat, d.h3, d.opens_at, d.closes_at
FROM depots d
WHERE ($1::bigint = 0 OR d.carrier_id = $1)
ORDER BY d.carrier_id, d.name, d.id;

-- name: CurrentPlanView
-- The plan shown for a depot's day: the newest finished version, else the
-- newest of any status (pending or running: the dispatcher sees progress).
SELECT p.id, p.depot_id, p.day, p.version, p.status, p.algorithm, p.stats, p.error, p.created_at, p.finished_at
FROM plans p
WHERE p.depot_id = $1 AND p.day = $2
ORDER BY (p.status = 'done') DESC, p.version DESC
LIMIT 1;

-- name: PlanRoutes
SELECT r.id, r.plan_id, r.vehicle_id, r.driver_id, r.start_at, r.end_at, r.distance_m, r.duration_s, r.load_kg, r.line,
       v.code, v.kind, v.capacity_kg, v.capacity_parcels,
       coalesce(dr.name, ''), coalesce(dr.phone, '')
FROM routes r
JOIN vehicles v ON v.id = r.vehicle_id
LEFT JOIN drivers dr ON dr.id = r.driver_id
WHERE r.plan_id = $1
ORDER BY v.code, r.id;

-- name: PlanStopViews
-- Every stop of a plan ($2 = 0) or of one route, with its household and the
-- driver's report.
SELECT s.id, s.route_id, s.seq, s.trip, s.kind, s.household_id, s.departure_id, s.arrive_at, s.window_start, s.window_end,
       s.service_s, s.load_kg, s.parcels, s.status, s.locked_vehicle_id,
       coalesce(h.name, ''), coalesce(h.phone, ''), coalesce(h.address, ''), h.lon, h.lat, coalesce(h.h3, ''), coalesce(h.precision, ''),
       sr.happened_at, coalesce(sr.reason, '')
FROM stops s
JOIN routes r ON r.id = s.route_id
LEFT JOIN households h ON h.id = s.household_id
LEFT JOIN stop_reports sr ON sr.stop_id = s.id
WHERE r.plan_id = $1 AND ($2::bigint = 0 OR s.route_id = $2)
ORDER BY s.route_id, s.seq;

-- name: PlanStopOrders
-- What each stop of a plan (or of one route) collects.
SELECT so.stop_id, o.id, o.marketplace_order_id, p.name_vi, p.code, o.weight_kg, o.parcels, o.cod_amount, p.kg_per_box,
       o.status, o.handover_deadline
FROM stops s
JOIN routes r ON r.id = s.route_id
JOIN stop_orders so ON so.stop_id = s.id
JOIN orders o ON o.id = so.order_id
JOIN products p ON p.id = o.product_id
WHERE r.plan_id = $1 AND ($2::bigint = 0 OR s.route_id = $2)
ORDER BY so.stop_id, o.id;

-- name: PlanPackaging
-- The packaging task of each stop of a plan (or of one route).
SELECT DISTINCT ON (t.stop_id) t.stop_id, t.payload
FROM tasks t
JOIN stops s ON s.id = t.stop_id
JOIN routes r ON r.id = s.route_id
WHERE t.kind = 'packaging' AND r.plan_id = $1 AND ($2::bigint = 0 OR s.route_id = $2)
ORDER BY t.stop_id, t.id DESC;

-- name: PlanUnassigned
SELECT u.order_id, u.reason, u.fix, o.household_id, h.name, h.lon, h.lat, o.weight_kg, o.marketplace_order_id
FROM plan_unassigned u
JOIN orders o ON o.id = u.order_id
JOIN households h ON h.id = o.household_id
WHERE u.plan_id = $1
ORDER BY u.order_id;

-- name: DriverRoutes
-- A driver's routes of a day in the current (newest finished) plans.
SELECT r.id, p.id, p.depot_id
FROM routes r
JOIN plans p ON p.id = r.plan_id
WHERE r.driver_id = $1 AND p.day = $2 AND p.status = 'done'
  AND p.version = (SELECT max(p2.version) FROM plans p2 WHERE p2.depot_id = p.depot_id AND p2.day = p.day AND p2.status = 'done')
ORDER BY r.start_at, r.id;

-- name: StopScope
SELECT s.id, s.route_id, s.kind, s.status, coalesce(r.driver_id, 0), p.depot_id, d.carrier_id, coalesce(s.household_id, 0), p.id
FROM stops s
JOIN routes r ON r.id = s.route_id
JOIN plans p ON p.id = r.plan_id
JOIN depots d ON d.id = p.depot_id
WHERE s.id = $1;

-- name: HouseholdNextStop
-- The household's pickup to show on its page: the earliest stop of a current
-- plan that has not ended more than 12 hours ago.
SELECT s.id, s.status, s.window_start, s.window_end, s.arrive_at, v.code, coalesce(dr.phone, ''), p.depot_id
FROM stops s
JOIN routes r ON r.id = s.route_id
JOIN plans p ON p.id = r.plan_id
JOIN vehicles v ON v.id = r.vehicle_id
LEFT JOIN drivers dr ON dr.id = r.driver_id
WHERE s.household_id = $1 AND s.kind = 'pickup' AND p.status = 'done'
  AND p.version = (SELECT max(p2.version) FROM plans p2 WHERE p2.depot_id = p.depot_id AND p2.day = p.day AND p2.status = 'done')
  AND s.window_end > $2::timestamptz - interval '12 hours'
ORDER BY s.window_start
LIMIT 1;

-- name: HouseholdOpenOrders
-- Orders of a household still to collect (or just collected), newest plan first.
SELECT o.id, o.marketplace_order_id, p.name_vi, p.code, o.weight_kg, o.parcels, o.cod_amount, p.kg_per_box, o.status, o.ready_from
FROM orders o JOIN products p ON p.id = o.product_id
WHERE o.household_id = $1 AND (o.status IN ('received', 'planned', 'postponed')
       OR (o.status IN ('picked_up', 'cancelled') AND o.updated_at > $2::timestamptz - interval '1 day'))
  AND o.placed_at > $2::timestamptz - interval '7 days'
ORDER BY o.id;

-- name: Household
SELECT id, name, phone, address, commune_code, village, lon, lat, h3, precision, confidence, pinned, shares_collection, geocoded_at, created_at
FROM households WHERE id = $1;

-- name: HouseholdCarrier
-- Whether a household has an order with the carrier (dispatcher scope).
SELECT EXISTS (SELECT 1 FROM orders WHERE household_id = $1 AND ($2::bigint = 0 OR carrier_id = $2));

-- name: ManifestVersion
-- A driver (carrier, name, phone) and what their manifest of a day is built
-- from, summarised: the routes of the current plans and the latest change
-- to their stops, orders, households, tasks and reports. Equal versions
-- mean equal manifests. No row: no such driver.
SELECT d.carrier_id, d.name, d.phone, v.routes, v.changed
FROM drivers d
CROSS JOIN LATERAL (
    SELECT coalesce(string_agg(r.id::text || '.' || p.id::text, ',' ORDER BY r.id), '') AS routes,
           coalesce(max(x.changed), 'epoch'::timestamptz) AS changed
    FROM routes r
    JOIN plans p ON p.id = r.plan_id
    LEFT JOIN LATERAL (
        SELECT greatest(max(s.updated_at), max(o.updated_at), max(h.updated_at), max(t.updated_at), max(sr.recorded_at)) AS changed
        FROM stops s
        LEFT JOIN stop_orders so ON so.stop_id = s.id
        LEFT JOIN orders o ON o.id = so.order_id
        LEFT JOIN households h ON h.id = s.household_id
        LEFT JOIN tasks t ON t.stop_id = s.id
        LEFT JOIN stop_reports sr ON sr.stop_id = s.id
        WHERE s.route_id = r.id
    ) x ON true
    WHERE r.driver_id = d.id AND p.day = $2 AND p.status = 'done'
      AND p.version = (SELECT max(p2.version) FROM plans p2 WHERE p2.depot_id = p.depot_id AND p2.day = p.day AND p2.status = 'done')
) v
WHERE d.id = $1;

-- name: ListHouseholds
-- Households with orders of a carrier ($1 = 0: any), filtered; NULL means any.
SELECT h.id, h.name, h.phone, h.address, h.commune_code, h.village, h.lon, h.lat, h.h3, h.precision, h.confidence,
       h.pinned, h.shares_collection, h.geocoded_at, h.created_at
FROM households h
WHERE EXISTS (SELECT 1 FROM orders o WHERE o.household_id = h.id AND ($1::bigint = 0 OR o.carrier_id = $1))
  AND ($2::text IS NULL OR h.phone = $2)
  AND ($3::text IS NULL OR h.commune_code = $3)
  AND ($4::boolean IS NULL OR (h.precision = '') = $4)
  AND ($5::text IS NULL OR h.name ILIKE '%' || $5 || '%' OR h.address ILIKE '%' || $5 || '%')
  AND ($6::bigint IS NULL OR h.id > $6)
ORDER BY h.id
LIMIT $7;
