-- Marketplace orders: import, status (guarded by the root package's rules), SLA.

-- name: InsertOrders
INSERT INTO orders (marketplace, marketplace_order_id, carrier_id, depot_id, household_id, product_id, weight_kg,
                    parcels, cod_amount, destination_province, placed_at, promise_hours, promised_by,
                    ready_from, ready_until, note, status,
                    receiver_name, receiver_phone, receiver_address, receiver_district_id, receiver_ward_id,
                    receiver_district, receiver_ward)
SELECT m, mid, c, d, h, p, w, n, cod, dest, pa, ph, pb, rf, ru, note, 'received',
       NULLIF(rn, ''), NULLIF(rp, ''), NULLIF(ra, ''), NULLIF(rdi, ''), NULLIF(rwi, ''), NULLIF(rd, ''), NULLIF(rw, '')
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::float8[],
            $8::int[], $9::bigint[], $10::text[], $11::timestamptz[], $12::int[], $13::timestamptz[],
            $14::timestamptz[], $15::timestamptz[], $16::text[],
            $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[])
     AS t(m, mid, c, d, h, p, w, n, cod, dest, pa, ph, pb, rf, ru, note, rn, rp, ra, rdi, rwi, rd, rw)
ON CONFLICT (marketplace, marketplace_order_id) DO NOTHING
RETURNING id, marketplace, marketplace_order_id;

-- name: OrderBuyer
-- The order's buyer (thugom.Buyer): '' for what was not given or is
-- blanked.
SELECT coalesce(receiver_name, ''), coalesce(receiver_phone, ''), coalesce(receiver_address, ''),
       coalesce(receiver_district_id, ''), coalesce(receiver_ward_id, ''), coalesce(receiver_district, ''),
       coalesce(receiver_ward, '')
FROM orders WHERE id = $1;

-- name: OrdersForgetBuyer
-- Blank the buyer of the orders delivered (the carrier's delivered time)
-- or cancelled before $1; the orders changed.
UPDATE orders o SET receiver_name = NULL, receiver_phone = NULL, receiver_address = NULL,
    receiver_district_id = NULL, receiver_ward_id = NULL, receiver_district = NULL, receiver_ward = NULL
WHERE (receiver_name IS NOT NULL OR receiver_phone IS NOT NULL OR receiver_address IS NOT NULL
       OR receiver_district_id IS NOT NULL OR receiver_ward_id IS NOT NULL OR receiver_district IS NOT NULL
       OR receiver_ward IS NOT NULL)
  AND ((o.status = 'cancelled' AND o.updated_at < $1)
       OR EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id AND s.delivered_at < $1))
RETURNING o.id;

-- name: Order
SELECT o.id, o.marketplace, o.marketplace_order_id, o.carrier_id, o.depot_id, o.household_id, o.product_id,
       o.weight_kg, o.parcels, o.cod_amount, o.destination_province, o.placed_at, o.promise_hours, o.promised_by,
       o.handover_deadline, o.ready_from, o.ready_until, o.status, o.at_risk, o.at_risk_reason, o.locked_vehicle_id,
       o.note, o.created_at, o.updated_at, h.name, h.phone, p.code
FROM orders o
JOIN households h ON h.id = o.household_id
JOIN products p ON p.id = o.product_id
WHERE o.id = $1;

-- name: OrderForUpdate
SELECT id, carrier_id, depot_id, household_id, status, placed_at, coalesce(ready_from, placed_at)
FROM orders WHERE id = $1 FOR UPDATE;

-- name: SetOrderLock
UPDATE orders SET locked_vehicle_id = $2, updated_at = $3 WHERE id = $1;

-- name: InsertOrder
INSERT INTO orders (marketplace, marketplace_order_id, carrier_id, depot_id, household_id, product_id, weight_kg, parcels,
    cod_amount, destination_province, placed_at, promise_hours, promised_by, handover_deadline, ready_from, ready_until,
    status, at_risk, at_risk_reason, locked_vehicle_id, note)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
RETURNING id, created_at, updated_at;

-- name: DepotsWithOpenOrders
-- Depots with orders still to collect placed before $1.
SELECT DISTINCT depot_id FROM orders
WHERE depot_id IS NOT NULL AND status IN ('received', 'planned') AND placed_at < $1
ORDER BY depot_id;

-- name: DepotDaysOfOrders
-- The depot days whose plans hold these orders on a stop still to do.
SELECT DISTINCT o.depot_id, o.planned_day
FROM orders o
WHERE o.id = ANY($1::bigint[]) AND o.planned_day IS NOT NULL AND o.depot_id IS NOT NULL
ORDER BY 1, 2;

-- name: SetOrderDepot
UPDATE orders SET depot_id = $2, updated_at = $3 WHERE id = $1 AND depot_id IS NULL;

-- name: OrdersWithoutSLA
-- With when the produce is ready and where the household and the depot are
-- (the readiness check of the promise).
SELECT o.id, o.depot_id, o.destination_province, o.placed_at, o.promise_hours, o.promised_by, o.ready_from,
       o.keepable_by, h.lon, h.lat, d.lon, d.lat
FROM orders o JOIN households h ON h.id = o.household_id JOIN depots d ON d.id = o.depot_id
WHERE o.household_id = $1 AND o.handover_deadline IS NULL;

-- name: PostponeOrders
-- The household's postpone: the orders come back tomorrow with a proper
-- window — the same hours as before, a day later (never before $2, tomorrow
-- morning), or from $2 when they had none. The right-hand sides read the
-- old row.
UPDATE orders SET status = 'postponed',
    ready_from = CASE WHEN ready_from IS NULL THEN $2::timestamptz
                      ELSE greatest($2::timestamptz, ready_from + interval '1 day') END,
    ready_until = CASE WHEN ready_from IS NULL OR ready_until IS NULL OR ready_until <= ready_from THEN NULL
                       ELSE greatest($2::timestamptz, ready_from + interval '1 day') + (ready_until - ready_from) END,
    planned_day = NULL, updated_at = $3,
    dropoff_point_id = NULL, dropoff_by = NULL -- a drop-off was agreed for that day only
WHERE id = ANY($1::bigint[]);

-- name: SetOrdersReadyFrom
UPDATE orders SET ready_from = $2, updated_at = $3 WHERE id = ANY($1::bigint[]);

-- name: OrdersAtRisk
-- Orders not yet handed over whose handover deadline is before $1 (now +
-- the horizon), with their planned arrival and return.
SELECT o.id, o.depot_id, o.household_id, o.status, o.handover_deadline, o.at_risk,
       coalesce((SELECT s.arrive_at FROM stop_orders so JOIN stops s ON s.id = so.stop_id
                 JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
                 WHERE so.order_id = o.id AND p.status = 'done' AND s.status NOT IN ('failed', 'skipped')
                 ORDER BY p.version DESC LIMIT 1), NULL) AS eta,
       coalesce((SELECT s.arrive_at FROM stop_orders so JOIN stops s ON s.id = so.stop_id
                 JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
                 JOIN stops d ON d.route_id = s.route_id AND d.kind = 'depot' AND d.trip = s.trip AND d.seq > s.seq
                 WHERE so.order_id = o.id AND p.status = 'done'
                 ORDER BY p.version DESC, d.seq LIMIT 1), NULL) AS back_at
FROM orders o
WHERE o.status IN ('received', 'planned', 'picked_up')
  AND o.handover_deadline IS NOT NULL
  AND o.handover_deadline < $1
ORDER BY o.handover_deadline, o.id;

-- name: SetOrderAtRisk
UPDATE orders SET at_risk = true, at_risk_reason = $2, updated_at = $3 WHERE id = $1 AND NOT at_risk;

-- name: CountOrdersByStatus
SELECT status, count(*) FROM orders GROUP BY status;

-- name: SetOrderSLA
UPDATE orders
SET handover_deadline = $2, at_risk = $3, at_risk_reason = $4, updated_at = $5
WHERE id = $1;

-- name: DepotsWithOrders
-- Depots with orders to plan for the day $2 (ending at $1).
SELECT DISTINCT o.depot_id
FROM orders o
WHERE o.depot_id IS NOT NULL AND o.placed_at < $1
  AND (o.status = 'received' OR (o.status = 'planned' AND o.planned_day = $2)
       OR (o.status = 'postponed' AND o.ready_from < $1))
ORDER BY o.depot_id;

-- name: OrderDeadlines
SELECT id, handover_deadline FROM orders WHERE id = ANY($1::bigint[]) AND handover_deadline IS NOT NULL;

-- name: OrdersUnplan
-- Orders a plan of day $2 no longer holds go back to 'received'.
UPDATE orders SET status = 'received', planned_day = NULL, updated_at = $3
WHERE id = ANY($1::bigint[]) AND status = 'planned' AND planned_day = $2
RETURNING id;

-- name: OrdersSetStatus
-- A guarded change of status: only from the statuses given ($4).
UPDATE orders SET status = $2, updated_at = $3,
    planned_day = CASE WHEN $2 = 'planned' THEN planned_day ELSE NULL END
WHERE id = ANY($1::bigint[]) AND status = ANY($4::text[])
RETURNING id;

-- name: OrdersCancelledSince
-- The household's orders cancelled at or after $2: now less thugom.UndoWindow,
-- passed by the caller (the window is a Go constant, not a literal here).
SELECT id, depot_id, updated_at FROM orders
WHERE household_id = $1 AND status = 'cancelled' AND updated_at >= $2
ORDER BY id
FOR UPDATE;

-- name: OrdersRestore
-- A household's undo: cancelled orders come back to planning.
UPDATE orders SET status = 'received', planned_day = NULL, updated_at = $2
WHERE id = ANY($1::bigint[]) AND status = 'cancelled'
RETURNING id;
