-- The dispatcher's SLA board, the day report and the orders a plan does not hold.

-- name: SLABoard
-- Open orders of a depot (0: all depots of the carrier scope) that are at
-- risk or past their handover deadline at $3 (now). $4 = carrier scope.
SELECT o.id, o.marketplace_order_id, o.household_id, h.name, o.depot_id, o.status, o.handover_deadline, o.promised_by,
       o.at_risk, o.at_risk_reason, o.handover_deadline IS NOT NULL AND o.handover_deadline < $3 AS late
FROM orders o JOIN households h ON h.id = o.household_id
WHERE ($1::bigint = 0 OR o.depot_id = $1)
  AND ($4::bigint = 0 OR o.carrier_id = $4)
  AND o.status IN ('received', 'planned', 'postponed', 'failed')
  AND (o.at_risk OR (o.handover_deadline IS NOT NULL AND o.handover_deadline < $3))
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
    (SELECT id FROM plan),
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

-- name: LockStop
-- A dispatcher fixes a stop (and its orders) to a vehicle.
WITH s AS (UPDATE stops SET locked_vehicle_id = $2, updated_at = $3 WHERE id = $1 RETURNING id)
UPDATE orders SET locked_vehicle_id = $2, updated_at = $3
WHERE id IN (SELECT order_id FROM stop_orders WHERE stop_id = (SELECT id FROM s));
