-- Quotes: promises given to marketplaces before their orders.

-- name: QuoteInsert
INSERT INTO quotes (carrier_id, household_id, depot_id, product_id, destination_province, weight_kg, asked_at, ready_from,
                    earliest_by, likely_by, promise_by, order_by, expires_at, confidence, reason, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
RETURNING id;

-- name: QuoteByID
-- Read without a lock: QuoteSetOrder is the guard.
SELECT q.id, q.carrier_id, q.household_id, q.depot_id, q.product_id, p.code, q.destination_province, q.weight_kg, q.asked_at,
       q.ready_from, q.earliest_by, q.likely_by, q.promise_by, q.order_by, q.expires_at, q.confidence, q.reason, q.order_id
FROM quotes q JOIN products p ON p.id = q.product_id
WHERE q.id = $1;

-- name: QuoteSetOrder
UPDATE quotes SET order_id = $2 WHERE id = $1 AND order_id IS NULL
RETURNING id;

-- name: QuoteDepotLoad
-- The kg a depot's days must already collect: open orders by the local day
-- they are due to be collected, the day their produce is ready (ready_from,
-- or placement when later), never after the day of their handover deadline
-- (a 48 h or quoted promise's deadline may be the next day's truck; the
-- visit is still the ready day's).
WITH due AS (
  SELECT o.weight_kg,
         least(greatest(coalesce(o.ready_from, o.placed_at), o.placed_at), coalesce(o.handover_deadline, 'infinity')) AS at
  FROM orders o
  WHERE o.depot_id = $1 AND o.status IN ('received', 'planned'))
SELECT (at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date::text, sum(weight_kg)
FROM due
WHERE at >= $2 AND at < $3
GROUP BY 1;

-- name: QuoteVisits
-- A household's recorded pickup visits: failed, and all with an outcome.
SELECT count(*) FILTER (WHERE s.status = 'failed'), count(*) FILTER (WHERE s.status IN ('failed', 'picked_up', 'done'))
FROM stops s
WHERE s.household_id = $1 AND s.kind = 'pickup';

-- name: QuoteHouseholdOfCarrier
-- A household is a carrier's when one of its orders is, or when it has no
-- order yet (a new seller: no carrier's data to keep from another).
SELECT EXISTS (SELECT 1 FROM orders WHERE household_id = $1 AND carrier_id = $2)
    OR NOT EXISTS (SELECT 1 FROM orders WHERE household_id = $1);

-- name: QuoteKeptBySlack
-- A depot's record of keeping its quotes, for the promise's chance of
-- being kept (thugom.SlackKept): the orders placed with a quote of the
-- depot whose promise fell in [$2, $3), not cancelled, by the half hours
-- between their produce's readiness as quoted (or the question, when
-- later) and their handover deadline (the cutoff of the truck their
-- promise counts on), how many and how many reached the buyer by their
-- promise: the carrier's delivered time, else thugom's estimate stored
-- at its pickup or hand-over (orders.estimated_delivery, as DayDeliveries
-- reads it). An order never collected was not kept.
WITH kept AS (
  SELECT floor(extract(epoch FROM o.handover_deadline - greatest(q.asked_at, coalesce(q.ready_from, q.asked_at))) / 1800)::int AS slack,
         coalesce(sh.delivered_at, o.estimated_delivery) <= o.promised_by AS ok
  FROM quotes q JOIN orders o ON o.id = q.order_id
  LEFT JOIN shipments sh ON sh.order_id = o.id
  WHERE q.depot_id = $1 AND o.promised_by >= $2 AND o.promised_by < $3
    AND o.status <> 'cancelled' AND o.handover_deadline IS NOT NULL)
SELECT slack, count(*), count(*) FILTER (WHERE coalesce(ok, false))
FROM kept
WHERE slack >= 0
GROUP BY 1
ORDER BY 1;
