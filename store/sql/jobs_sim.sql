-- Queries of the simulated day (jobs.Simulate, thugom simulate).

-- name: SimLaterStops
-- Households with a planned pickup after $1 in a current plan, with their
-- depot: candidates to postpone.
SELECT DISTINCT h.id, h.phone, p.depot_id
FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
JOIN households h ON h.id = s.household_id
WHERE p.status = 'done' AND s.kind = 'pickup' AND s.status = 'planned' AND s.arrive_at > $1
ORDER BY h.id;

-- name: SimAtRiskOrders
SELECT id FROM orders WHERE at_risk ORDER BY id;

-- name: SimOrdersWithStatus
SELECT id FROM orders WHERE status = $1 ORDER BY id;

-- name: SimDeadlines
SELECT id, handover_deadline FROM orders;

-- name: SimHouseholdPoints
SELECT id, lon, lat FROM households WHERE lon IS NOT NULL;

-- name: CountNotifications
SELECT count(*) FROM notifications;

-- name: DropDatabase
DROP DATABASE IF EXISTS %s WITH (FORCE);

-- name: CreateDatabase
CREATE DATABASE %s;

-- name: SimOrderStatuses
SELECT id, status FROM orders;
