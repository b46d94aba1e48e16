-- Read models of the simulation (demo/sim): a test harness reading the
-- tables directly. Production code (store) knows nothing of these.

-- name: DatabaseNoSyncCommit
-- A throwaway database's commits do not wait for the disk (thugom
-- simulate's own, made anew each run). The database's name is a
-- pgx.Identifier{...}.Sanitize() value: identifiers cannot be bind
-- parameters.
ALTER DATABASE %s SET synchronous_commit = off;

-- name: OrdersOfWeek
-- Every order of a simulated week with what its account needs: its
-- promise, whether it was flagged lost at placement (and what could be
-- kept instead), and the quote it was placed with.
SELECT o.id, o.status, o.placed_at, o.promise_hours, o.handover_deadline, o.ready_from,
       o.destination_province, coalesce(o.depot_id, 0), o.at_risk, o.at_risk_reason,
       o.household_id, o.weight_kg, o.promised_by, o.promise_lost_at IS NOT NULL, o.keepable_by,
       q.id IS NOT NULL, q.earliest_by, q.likely_by
FROM orders o LEFT JOIN quotes q ON q.order_id = o.id ORDER BY o.id;

-- name: OrdersPlaced
-- Orders just placed: their depot (0 when none) and whether they are at
-- risk from the start.
SELECT id, coalesce(depot_id, 0), at_risk FROM orders WHERE id = ANY($1::bigint[]);

-- name: OrdersOpenCount
-- Orders still to collect (neither handed over, cancelled nor failed).
SELECT count(*) FROM orders WHERE status IN ('received', 'planned', 'postponed');

-- name: OrdersFailed
-- Orders a pickup failed for at least once.
SELECT DISTINCT so.order_id FROM stops s JOIN stop_orders so ON so.stop_id = s.id
WHERE s.status = 'failed';

-- name: StopsPickedUp
-- The stop that collected each order, with the window the household was given.
SELECT so.order_id, s.window_start, s.arrive_at
FROM stops s JOIN stop_orders so ON so.stop_id = s.id
WHERE s.status = 'picked_up';

-- name: StopsLater
-- Households with a planned pickup after $1 in a current plan, with their
-- depot: candidates to postpone.
SELECT DISTINCT h.id, h.phone, p.depot_id
FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
JOIN households h ON h.id = s.household_id
WHERE p.status = 'done' AND s.kind = 'pickup' AND s.status = 'planned' AND s.arrive_at > $1
ORDER BY h.id;

-- name: NotificationTimes
SELECT created_at FROM notifications ORDER BY created_at;

-- name: NotificationsOfWindow
-- Window notifications (first announcement and changes) by household, in
-- the order they were written.
SELECT household_id, created_at FROM notifications
WHERE household_id IS NOT NULL AND kind IN ('pickup_window', 'pickup_changed')
ORDER BY created_at;

-- name: NotificationsAtNight
-- Messages (not merged away) due to leave between 21:00 and 06:30 local, and
-- of those the ones that could have waited: no pickup before 07:30 the
-- next morning.
WITH n AS (
  SELECT coalesce(send_at, created_at) AT TIME ZONE 'Asia/Ho_Chi_Minh' AS t,
         window_start AT TIME ZONE 'Asia/Ho_Chi_Minh' AS w
  FROM notifications WHERE status NOT IN ('superseded', 'suppressed'))
SELECT count(*),
       count(*) FILTER (WHERE w IS NULL OR w > (CASE WHEN t::time >= '21:00' THEN t::date + 1 ELSE t::date END) + time '07:30')
FROM n WHERE t::time >= '21:00' OR t::time < '06:30';
