-- Households' answers from their page (the same answers as SMS replies
-- 1 ready, 2 postpone, 0 cancel).

-- name: APIHouseholdReady
-- The household says its produce is packed: the day's packaging task is done
-- and its open orders are ready from now.
WITH t AS (
    UPDATE tasks SET status = 'packed', updated_at = $2
    WHERE household_id = $1 AND kind = 'packaging' AND status = 'open'
    RETURNING id
)
UPDATE orders SET ready_from = $2, updated_at = $2
WHERE household_id = $1 AND status IN ('received', 'planned') AND (ready_from IS NULL OR ready_from > $2)
RETURNING id, (SELECT count(*) FROM t);

-- name: APIHouseholdSetOrders
-- Postpone (to the next morning) or cancel the household's open orders.
UPDATE orders SET status = $2, ready_from = CASE WHEN $2 = 'postponed' THEN $4 ELSE ready_from END, updated_at = $3
WHERE household_id = $1 AND status IN ('received', 'planned')
RETURNING id, depot_id;

-- name: APIHouseholdPlanDays
-- The depot days whose current plans hold these orders (to re-plan them).
SELECT DISTINCT p.depot_id, p.day
FROM stop_orders so JOIN stops s ON s.id = so.stop_id JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
WHERE so.order_id = ANY($1::bigint[]) AND p.status = 'done' AND p.day >= $2;
