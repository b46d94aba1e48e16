-- name: DayDeliveries
-- The orders a depot's day collected (its current plan's pickups) and when
-- each reached or will reach its buyer: the carrier's delivered time when
-- it told one, thugom's estimate otherwise (estimated_delivery from the
-- hand-over: the carrier's hand-over message's time, else the planned
-- unload at the depot, not before the pickup).
WITH plan AS (
    SELECT p.id FROM plans p
    WHERE p.depot_id = $1 AND p.day = $2 AND p.status = 'done'
    ORDER BY p.version DESC LIMIT 1
), collected AS (
    SELECT so.order_id,
           greatest((SELECT min(d.arrive_at) FROM stops d WHERE d.route_id = s.route_id AND d.kind = 'depot' AND d.seq > s.seq),
                    coalesce(sr.happened_at, s.arrive_at)) AS at_depot
    FROM stops s JOIN routes r ON r.id = s.route_id JOIN stop_orders so ON so.stop_id = s.id
    LEFT JOIN stop_reports sr ON sr.stop_id = s.id
    WHERE r.plan_id = (SELECT id FROM plan) AND s.kind = 'pickup'
)
SELECT o.id, o.promised_by, sh.delivered_at,
       estimated_delivery(o.depot_id, o.destination_province,
           coalesce((SELECT max(m.at) FROM carrier_outbox m WHERE m.order_id = o.id AND m.action = 'handed_over'), c.at_depot))
FROM collected c JOIN orders o ON o.id = c.order_id
LEFT JOIN shipments sh ON sh.order_id = o.id
WHERE o.status IN ('picked_up', 'handed_over')
ORDER BY o.id;
