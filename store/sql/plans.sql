-- Plan versions of a depot's day.

-- name: PlanUnassigned
SELECT u.order_id, u.reason, u.fix, o.household_id, h.name, h.lon, h.lat, o.weight_kg, o.marketplace_order_id
FROM plan_unassigned u
JOIN orders o ON o.id = u.order_id
JOIN households h ON h.id = o.household_id
WHERE u.plan_id = $1
ORDER BY u.order_id;

-- name: DepotsPlanned
-- Depots with a finished plan for the day $1, and those whose newest plan failed.
SELECT depot_id, bool_or(status = 'done') AS done,
       (array_agg(status ORDER BY version DESC))[1] = 'failed' AS failed
FROM plans WHERE day = $1::date
GROUP BY depot_id
ORDER BY depot_id;

-- name: UnassignedOrdersOfHousehold
-- With the depot of the quote it was placed with: the quote counted that
-- depot's timetable and took its capacity.
SELECT o.id, o.carrier_id, (SELECT q.depot_id FROM quotes q WHERE q.order_id = o.id)
FROM orders o WHERE o.household_id = $1 AND o.depot_id IS NULL AND o.status = 'received';

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

-- name: InsertUnassigned
INSERT INTO plan_unassigned (plan_id, order_id, reason, fix) VALUES ($1, $2, $3, $4);

-- name: OrdersPlan
-- Orders a plan of day $2 assigns: only those no one moved on meanwhile and
-- no other day's plan holds; a postponed order comes back on the day it was
-- postponed to (OrdersToPlan chose it), whatever day planned it before.
UPDATE orders SET status = 'planned', planned_day = $2, updated_at = $3
WHERE id = ANY($1::bigint[]) AND (status IN ('received', 'planned') AND (planned_day IS NULL OR planned_day = $2)
       OR status = 'postponed')
RETURNING id;

-- name: PlanSnapshot
-- What one version of a depot's day decided.
SELECT version, snapshot FROM plans WHERE depot_id = $1 AND day = $2 AND version = $3 AND status IN ('done', 'superseded');

-- name: PlanLatestVersion
SELECT coalesce(max(version), 0) FROM plans WHERE depot_id = $1 AND day = $2 AND status = 'done';
