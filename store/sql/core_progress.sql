-- Progress of a day: what is still to geocode and plan (thugom demo waits on
-- these), and who has work in the current plans.

-- name: CountHouseholdsToGeocode
SELECT count(*) FROM households WHERE precision = '' AND geocoded_at IS NULL;

-- name: DepotsWithOpenOrders
-- Depots with orders still to collect placed before $1.
SELECT DISTINCT depot_id FROM orders
WHERE depot_id IS NOT NULL AND status IN ('received', 'planned') AND placed_at < $1
ORDER BY depot_id;

-- name: DepotsPlanned
-- Depots with a finished plan for the day $1, and those whose newest plan failed.
SELECT depot_id, bool_or(status = 'done') AS done,
       (array_agg(status ORDER BY version DESC))[1] = 'failed' AS failed
FROM plans WHERE day = $1::date
GROUP BY depot_id
ORDER BY depot_id;

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

-- name: HouseholdsWithPickups
-- Households with a pickup in the current plans of day $1, earliest first.
SELECT s.household_id, min(s.window_start) AS first
FROM plans p
JOIN routes r ON r.plan_id = p.id
JOIN stops s ON s.route_id = r.id AND s.kind = 'pickup'
WHERE p.day = $1::date AND p.status = 'done'
  AND p.version = (SELECT max(p2.version) FROM plans p2 WHERE p2.depot_id = p.depot_id AND p2.day = p.day AND p2.status = 'done')
GROUP BY s.household_id
ORDER BY first, s.household_id
LIMIT $2;
