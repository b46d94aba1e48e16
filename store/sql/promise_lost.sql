-- Orders whose promise was lost at placement.

-- name: MarkPromiseLost
UPDATE orders SET promise_lost_at = $2, keepable_by = $3, promise_lost_reason = $4 WHERE id = $1;

-- name: PromiseLostOfDay
-- A depot's orders lost at placement that concern the day [$2, $3): placed
-- before its end, not cancelled, and promised (or keepable) no earlier than
-- its start.
SELECT o.id, o.marketplace_order_id, o.household_id, h.name, o.weight_kg, o.placed_at, o.promised_by,
       o.keepable_by, o.promise_lost_reason, o.status
FROM orders o JOIN households h ON h.id = o.household_id
WHERE o.depot_id = $1 AND o.promise_lost_at IS NOT NULL AND o.placed_at < $3 AND o.status <> 'cancelled'
  AND greatest(o.promised_by, coalesce(o.keepable_by, o.promised_by)) >= $2
ORDER BY o.placed_at, o.id;
