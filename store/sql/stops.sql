-- The day's stops and routes as the planner amends them: a stop keeps its id
-- all day; a re-plan changes its vehicle, position and times only while it is
-- still 'planned' (guarded updates, never a blind SET).

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

-- name: OrdersPlan
-- Orders a plan of day $2 assigns: only those no one moved on meanwhile and
-- no other day's plan holds.
UPDATE orders SET status = 'planned', planned_day = $2, updated_at = $3
WHERE id = ANY($1::bigint[]) AND status IN ('received', 'planned') AND (planned_day IS NULL OR planned_day = $2)
RETURNING id;

-- name: OrdersUnplan
-- Orders a plan of day $2 no longer holds go back to 'received'.
UPDATE orders SET status = 'received', planned_day = NULL, updated_at = $3
WHERE id = ANY($1::bigint[]) AND status = 'planned' AND planned_day = $2
RETURNING id;

-- name: OrdersSetStatus
-- A guarded change of status: only from the statuses given ($4).
UPDATE orders SET status = $2, updated_at = $3,
    planned_day = CASE WHEN $2 = 'planned' THEN planned_day ELSE NULL END
WHERE id = ANY($1::bigint[]) AND status = ANY($4::text[])
RETURNING id;
