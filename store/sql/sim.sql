-- Read models of the simulated day (sim).

-- name: SimDeadlines
SELECT id, handover_deadline FROM orders;


-- name: SimWeekOrders
-- Every order of a simulated week with what its account needs.
SELECT o.id, o.status, o.placed_at, o.promise_hours, o.handover_deadline, o.ready_from,
       o.destination_province, coalesce(o.depot_id, 0), o.at_risk, o.at_risk_reason,
       o.household_id, o.weight_kg
FROM orders o ORDER BY o.id;

-- name: SimPlacedOrders
-- Orders just placed: their depot (0 when none) and whether they are at
-- risk from the start.
SELECT id, coalesce(depot_id, 0), at_risk FROM orders WHERE id = ANY($1::bigint[]);

-- name: SimWindowSMS
-- Window notifications (first announcement and changes) by household, in
-- the order they were written.
SELECT household_id, created_at FROM notifications
WHERE household_id IS NOT NULL AND kind IN ('pickup_window', 'pickup_changed')
ORDER BY created_at;

-- name: SimNotificationTimes
SELECT created_at FROM notifications ORDER BY created_at;

-- name: SimPickedUpStops
-- The stop that collected each order, with the window the household was given.
SELECT so.order_id, s.window_start, s.arrive_at
FROM stops s JOIN stop_orders so ON so.stop_id = s.id
WHERE s.status = 'picked_up';

-- name: SimFailedOrders
-- Orders a pickup failed for at least once.
SELECT DISTINCT so.order_id FROM stops s JOIN stop_orders so ON so.stop_id = s.id
WHERE s.status = 'failed';

-- name: SimOpenOrders
-- Orders still to collect (neither handed over, cancelled nor failed).
SELECT count(*) FROM orders WHERE status IN ('received', 'planned', 'postponed');

-- name: SimNightSMS
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
