-- Read models: plan, manifest, household page, SLA board, day report, lists.

-- name: SLABoard
-- Orders of a depot (0: all depots of the carrier scope) at risk or late
-- at $3 (now). $4 = carrier scope. Open orders: at risk, or past their
-- handover deadline. Collected ones (picked up, handed over) measured on
-- facts: late when delivered after their promise, on the carrier's
-- delivered time where it told one (delivered_source carrier), else on
-- thugom's estimate (estimate: orders.estimated_delivery, stored at pickup
-- and at the hand-over by thugom.EstimatedDelivery).
SELECT o.id, o.marketplace_order_id, o.household_id, h.name, o.depot_id, o.status, o.handover_deadline, o.promised_by,
       o.at_risk, o.at_risk_reason,
       (o.handover_deadline IS NOT NULL AND o.handover_deadline < $3) OR coalesce(dl.at > o.promised_by, false) AS late,
       dl.at, coalesce(dl.source, '')
FROM orders o JOIN households h ON h.id = o.household_id
LEFT JOIN shipments sh ON sh.order_id = o.id
LEFT JOIN LATERAL (
    SELECT coalesce(sh.delivered_at, o.estimated_delivery) AS at,
           CASE WHEN sh.delivered_at IS NOT NULL THEN 'carrier' ELSE 'estimate' END AS source
    WHERE o.status IN ('picked_up', 'handed_over')
) dl ON true
WHERE ($1::bigint = 0 OR o.depot_id = $1)
  AND ($4::bigint = 0 OR o.carrier_id = $4)
  AND ((o.status IN ('received', 'planned', 'postponed', 'failed')
        AND (o.at_risk OR (o.handover_deadline IS NOT NULL AND o.handover_deadline < $3)))
       OR (o.status IN ('picked_up', 'handed_over') AND dl.at > o.promised_by))
  AND o.placed_at < $2::timestamptz + interval '1 day'
  AND coalesce(o.handover_deadline, o.promised_by) >= $2::timestamptz - interval '2 days'
ORDER BY o.handover_deadline NULLS LAST, o.id
LIMIT 2000;

-- name: DayReport
-- One depot's day from its current plan: orders planned and their outcome,
-- on-time share (picked up before the handover deadline), km, vehicle use
-- and the age of produce from pickup to the depot.
WITH plan AS (
    SELECT p.id FROM plans p
    WHERE p.depot_id = $1 AND p.day = $2 AND p.status = 'done'
    ORDER BY p.version DESC LIMIT 1
), pick AS (
    SELECT s.id, s.route_id, s.trip, s.arrive_at, s.status, sr.happened_at,
           (SELECT min(d.arrive_at) FROM stops d WHERE d.route_id = s.route_id AND d.kind = 'depot' AND d.seq > s.seq) AS unload_at
    FROM stops s JOIN routes r ON r.id = s.route_id LEFT JOIN stop_reports sr ON sr.stop_id = s.id
    WHERE r.plan_id = (SELECT id FROM plan) AND s.kind = 'pickup'
), ords AS (
    SELECT o.id, o.status, o.handover_deadline, p.status AS stop_status, coalesce(p.happened_at, p.arrive_at) AS picked_at, p.unload_at
    FROM pick p JOIN stop_orders so ON so.stop_id = p.id JOIN orders o ON o.id = so.order_id
)
SELECT
    coalesce((SELECT id FROM plan), 0),
    (SELECT count(*) FROM ords),
    (SELECT count(*) FROM ords WHERE stop_status = 'picked_up' OR status IN ('picked_up', 'handed_over')),
    (SELECT count(*) FROM ords WHERE stop_status = 'failed' OR status = 'failed'),
    (SELECT count(*) FROM ords WHERE (stop_status = 'picked_up' OR status IN ('picked_up', 'handed_over'))
                                 AND (handover_deadline IS NULL OR coalesce(unload_at, picked_at) <= handover_deadline)),
    (SELECT count(*) FROM plan_unassigned WHERE plan_id = (SELECT id FROM plan)),
    (SELECT coalesce(sum(distance_m), 0) FROM routes WHERE plan_id = (SELECT id FROM plan)),
    (SELECT count(*) FROM routes r WHERE r.plan_id = (SELECT id FROM plan) AND EXISTS (SELECT 1 FROM stops s WHERE s.route_id = r.id AND s.kind = 'pickup')),
    (SELECT count(*) FROM vehicles WHERE depot_id = $1 AND status = 'active'),
    (SELECT coalesce(sum(r.load_kg), 0) FROM routes r WHERE r.plan_id = (SELECT id FROM plan)),
    (SELECT coalesce(sum(v.capacity_kg * v.max_trips), 0) FROM routes r JOIN vehicles v ON v.id = r.vehicle_id WHERE r.plan_id = (SELECT id FROM plan)),
    (SELECT coalesce(avg(extract(epoch FROM unload_at - picked_at)), 0) FROM ords WHERE unload_at IS NOT NULL),
    (SELECT coalesce(max(extract(epoch FROM unload_at - picked_at)), 0) FROM ords WHERE unload_at IS NOT NULL),
    (SELECT coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM unload_at - picked_at)), 0) FROM ords WHERE unload_at IS NOT NULL);

-- name: OrdersOutsidePlan
-- Open orders of a depot's day that the current plan does not hold (arrived
-- after it, or not geocoded yet: depot unknown but household in its carrier).
SELECT o.id, o.marketplace_order_id, o.household_id, h.name, h.lon, h.lat, o.weight_kg, h.precision, o.depot_id IS NULL
FROM orders o JOIN households h ON h.id = o.household_id
WHERE o.status = 'received'
  AND (o.depot_id = $1 OR (o.depot_id IS NULL AND o.carrier_id = $3))
  AND o.placed_at < $2::timestamptz + interval '1 day'
  AND NOT EXISTS (SELECT 1 FROM plan_unassigned u WHERE u.order_id = o.id AND u.plan_id = $4)
  AND NOT EXISTS (SELECT 1 FROM stop_orders so JOIN stops s ON s.id = so.stop_id JOIN routes r ON r.id = s.route_id
                  WHERE so.order_id = o.id AND r.plan_id = $4)
ORDER BY o.id
LIMIT 1000;

-- name: ListOrders
-- Every filter is a parameter; NULL means "any".
SELECT o.id, o.marketplace, o.marketplace_order_id, o.carrier_id, o.depot_id, o.household_id, o.product_id,
       o.weight_kg, o.parcels, o.cod_amount, o.destination_province, o.placed_at, o.promise_hours, o.promised_by,
       o.handover_deadline, o.ready_from, o.ready_until, o.status, o.at_risk, o.at_risk_reason, o.locked_vehicle_id,
       o.note, o.created_at, o.updated_at, h.name, h.phone, p.code
FROM orders o
JOIN households h ON h.id = o.household_id
JOIN products p ON p.id = o.product_id
WHERE ($1::bigint = 0 OR o.carrier_id = $1)
  AND ($2::bigint IS NULL OR o.depot_id = $2)
  AND ($3::text IS NULL OR o.status = $3)
  AND ($4::text IS NULL OR o.marketplace = $4)
  AND ($5::text IS NULL OR h.phone = $5)
  AND ($6::bigint IS NULL OR o.household_id = $6)
  AND ($7::boolean IS NULL OR o.at_risk = $7)
  AND ($8::timestamptz IS NULL OR o.placed_at >= $8)
  AND ($9::timestamptz IS NULL OR o.placed_at < $9)
  AND ($10::text IS NULL OR o.marketplace_order_id = $10 OR h.name ILIKE '%' || replace(replace(replace($10, '\', '\\'), '%', '\%'), '_', '\_') || '%' OR h.address ILIKE '%' || replace(replace(replace($10, '\', '\\'), '%', '\%'), '_', '\_') || '%')
  AND ($11::bigint IS NULL OR o.id > $11)
ORDER BY o.id
LIMIT $12;

-- name: CurrentPlanView
-- The plan shown for a depot's day: the newest finished version, else the
-- newest of any status (pending or running: the dispatcher sees progress).
SELECT p.id, p.depot_id, p.day, p.version, p.status, p.algorithm, p.stats, p.error, p.created_at, p.finished_at
FROM plans p
WHERE p.depot_id = $1 AND p.day = $2
ORDER BY (p.status = 'done') DESC, p.version DESC
LIMIT 1;

-- name: PlanStopViews
-- Every stop of a plan ($2 = 0) or of one route, with its household and the
-- driver's report. Stops the plan no longer visits (skipped) are left out:
-- GET .../plan/changes names them.
SELECT s.id, s.route_id, s.seq, s.trip, s.kind, s.household_id, s.departure_id, s.arrive_at, s.window_start, s.window_end,
       s.service_s, s.load_kg, s.parcels, s.status, s.locked_vehicle_id,
       coalesce(h.name, dp.name, ''), coalesce(h.phone, ''), coalesce(h.address, dp.name, ''), coalesce(h.lon, dp.lon), coalesce(h.lat, dp.lat),
       coalesce(h.h3, dp.h3, ''), coalesce(h.precision, CASE WHEN dp.approximate THEN 'commune' WHEN dp.id IS NOT NULL THEN 'manual' END, ''),
       sr.happened_at, coalesce(sr.reason, ''), s.dropoff_point_id
FROM stops s
JOIN routes r ON r.id = s.route_id
LEFT JOIN households h ON h.id = s.household_id
LEFT JOIN dropoff_points dp ON dp.id = s.dropoff_point_id
LEFT JOIN stop_reports sr ON sr.stop_id = s.id
WHERE r.plan_id = $1 AND ($2::bigint = 0 OR s.route_id = $2) AND s.status <> 'skipped'
ORDER BY s.route_id, s.seq;

-- name: DriverRoutes
-- A driver's routes of a day in the current (newest finished) plans.
SELECT r.id, p.id, p.depot_id
FROM routes r
JOIN plans p ON p.id = r.plan_id
WHERE r.driver_id = $1 AND p.day = $2 AND p.status = 'done'
  AND p.version = (SELECT max(p2.version) FROM plans p2 WHERE p2.depot_id = p.depot_id AND p2.day = p.day AND p2.status = 'done')
ORDER BY r.start_at, r.id;

-- name: HouseholdNextStop
-- The household's pickup to show on its page: the earliest stop of a current
-- plan that has not ended more than 12 hours ago.
SELECT s.id, s.status, s.window_start, s.window_end, s.arrive_at, v.code, coalesce(dr.phone, ''), p.depot_id, dp.name
FROM stops s
JOIN routes r ON r.id = s.route_id
JOIN plans p ON p.id = r.plan_id
JOIN vehicles v ON v.id = r.vehicle_id
JOIN depots dp ON dp.id = p.depot_id
LEFT JOIN drivers dr ON dr.id = r.driver_id
WHERE s.household_id = $1 AND s.kind = 'pickup' AND p.status = 'done' AND s.status <> 'skipped'
  AND p.version = (SELECT max(p2.version) FROM plans p2 WHERE p2.depot_id = p.depot_id AND p2.day = p.day AND p2.status = 'done')
  AND s.window_end > $2::timestamptz - interval '12 hours'
ORDER BY s.window_start
LIMIT 1;

-- name: HouseholdOpenOrders
-- Orders of a household still to collect (or just collected), newest plan first.
SELECT o.id, o.marketplace_order_id, p.name_vi, p.code, o.weight_kg, o.parcels, o.cod_amount, p.kg_per_box, o.status, o.ready_from,
       coalesce(dp.name, ''), o.dropoff_by, coalesce(sh.waybill, '')
FROM orders o JOIN products p ON p.id = o.product_id
LEFT JOIN dropoff_points dp ON dp.id = o.dropoff_point_id
LEFT JOIN shipments sh ON sh.order_id = o.id
WHERE o.household_id = $1 AND (o.status IN ('received', 'planned', 'postponed')
       OR (o.status IN ('picked_up', 'cancelled') AND o.updated_at > $2::timestamptz - interval '1 day'))
  AND o.placed_at > $2::timestamptz - interval '7 days'
ORDER BY o.id;

-- name: ManifestVersion
-- A driver (carrier, name, phone) and what their manifest of a day is built
-- from, summarised: the routes of the current plans and the latest change
-- to their stops, orders, households, tasks, reports and the orders'
-- shipments (a waybill arrives after the pickup, counted: a waybill is
-- never taken back, whatever clock wrote it). Equal versions
-- mean equal manifests. No row: no such driver.
SELECT d.carrier_id, d.name, d.phone, v.routes, v.changed, v.waybills, v.statuses
FROM drivers d
CROSS JOIN LATERAL (
    SELECT coalesce(string_agg(r.id::text || '.' || p.id::text, ',' ORDER BY r.id), '') AS routes,
           coalesce(max(x.changed), 'epoch'::timestamptz) AS changed,
           coalesce(sum(x.waybills), 0)::bigint AS waybills,
           coalesce(sum(x.statuses), 0)::bigint AS statuses
    FROM routes r
    JOIN plans p ON p.id = r.plan_id
    LEFT JOIN LATERAL (
        SELECT greatest(max(s.updated_at), max(o.updated_at), max(h.updated_at), max(t.updated_at), max(sr.recorded_at),
                        max(sh.updated_at)) AS changed,
               count(DISTINCT sh.order_id) FILTER (WHERE sh.waybill <> '') AS waybills,
               -- the carriers' statuses move forward only, whatever clock
               -- received them: their times' sum moves with each
               sum(DISTINCT extract(epoch FROM sh.carrier_status_at)::bigint * 1000 + sh.order_id % 1000) AS statuses
        FROM stops s
        LEFT JOIN stop_orders so ON so.stop_id = s.id
        LEFT JOIN orders o ON o.id = so.order_id
        LEFT JOIN shipments sh ON sh.order_id = o.id
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
-- q is a substring: its LIKE wildcards (% _ \) are escaped, so q=% matches a
-- literal percent sign, not everything.
-- Households with orders of a carrier ($1 = 0: any), filtered; NULL means any.
SELECT h.id, h.name, h.phone, h.address, h.commune_code, h.village, h.lon, h.lat, h.h3, h.precision, h.confidence,
       h.pinned, h.shares_collection, h.geocoded_at, h.created_at
FROM households h
WHERE EXISTS (SELECT 1 FROM orders o WHERE o.household_id = h.id AND ($1::bigint = 0 OR o.carrier_id = $1))
  AND ($2::text IS NULL OR h.phone = $2)
  AND ($3::text IS NULL OR h.commune_code = $3)
  AND ($4::boolean IS NULL OR (h.precision = '') = $4)
  AND ($5::text IS NULL OR h.name ILIKE '%' || replace(replace(replace($5, '\', '\\'), '%', '\%'), '_', '\_') || '%' OR h.address ILIKE '%' || replace(replace(replace($5, '\', '\\'), '%', '\%'), '_', '\_') || '%')
  AND ($6::bigint IS NULL OR h.id > $6)
ORDER BY h.id
LIMIT $7;

-- name: DriverWorkDays
-- What the working-day rule (thugom.WorkingDay) needs of a driver: their
-- stops of the day $2 in the current plans, how many are still to do, and
-- the first later day whose current plan gives them a route.
WITH cur AS (
    SELECT p.id, p.day FROM plans p
    WHERE p.status = 'done' AND p.day >= $2
      AND p.version = (SELECT max(p2.version) FROM plans p2 WHERE p2.depot_id = p.depot_id AND p2.day = p.day AND p2.status = 'done')
)
SELECT
    (SELECT count(*) FROM stops s JOIN routes r ON r.id = s.route_id JOIN cur ON cur.id = r.plan_id
     WHERE r.driver_id = $1 AND cur.day = $2),
    (SELECT count(*) FROM stops s JOIN routes r ON r.id = s.route_id JOIN cur ON cur.id = r.plan_id
     WHERE r.driver_id = $1 AND cur.day = $2 AND s.status IN ('planned', 'en_route', 'arrived')),
    (SELECT min(cur.day) FROM routes r JOIN cur ON cur.id = r.plan_id WHERE r.driver_id = $1 AND cur.day > $2);
