-- name: DayDeliveries
-- The orders a depot's day collected (its current plan's pickups) and when
-- each reached or will reach its buyer: the carrier's delivered time when
-- it told one, thugom's estimate otherwise (orders.estimated_delivery,
-- stored by jobs at pickup and at the hand-over: thugom.EstimatedDelivery).
WITH plan AS (
    SELECT p.id FROM plans p
    WHERE p.depot_id = $1 AND p.day = $2 AND p.status = 'done'
    ORDER BY p.version DESC LIMIT 1
), collected AS (
    SELECT DISTINCT so.order_id
    FROM stops s JOIN routes r ON r.id = s.route_id JOIN stop_orders so ON so.stop_id = s.id
    WHERE r.plan_id = (SELECT id FROM plan) AND s.kind = 'pickup'
)
SELECT o.id, o.promised_by, sh.delivered_at, o.estimated_delivery
FROM collected c JOIN orders o ON o.id = c.order_id
LEFT JOIN shipments sh ON sh.order_id = o.id
WHERE o.status IN ('picked_up', 'handed_over')
ORDER BY o.id;

-- name: DeliveryDestinations
-- Where each order goes from where: its depot and the buyer's province
-- (the estimate's inputs).
SELECT id, depot_id, destination_province FROM orders WHERE id = ANY($1::bigint[]) ORDER BY id;

-- name: OrderSetEstimatedDelivery
UPDATE orders SET estimated_delivery = $2 WHERE id = $1;

-- name: StopUnloadAt
-- The planned unload at the depot of a pickup stop's trip: the first depot
-- stop after it on its route (NULL: none).
SELECT (SELECT min(d.arrive_at) FROM stops d WHERE d.route_id = s.route_id AND d.kind = 'depot' AND d.seq > s.seq)
FROM stops s WHERE s.id = $1;
