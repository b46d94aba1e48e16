-- Orders through the HTTP API: bulk import (JSON create is an import of
-- one), lists with filters (parameters only), cancel.

-- name: RefCarriers
SELECT id, code, marketplace FROM carriers ORDER BY id;

-- name: RefProducts
SELECT id, code, name_vi FROM products ORDER BY id;

-- name: RefDepots
SELECT id, carrier_id, code FROM depots ORDER BY id;

-- name: UpsertHouseholds
-- One row per phone (the caller deduplicates). A known household keeps its
-- name; a new address (unless the point was pinned by a person) replaces the
-- old one and clears the geocode, so it is geocoded again.
INSERT INTO households AS h (name, phone, address)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
ON CONFLICT (phone) DO UPDATE SET
    address     = CASE WHEN h.pinned OR h.address = excluded.address THEN h.address ELSE excluded.address END,
    precision   = CASE WHEN h.pinned OR h.address = excluded.address THEN h.precision ELSE '' END,
    lon         = CASE WHEN h.pinned OR h.address = excluded.address THEN h.lon ELSE NULL END,
    lat         = CASE WHEN h.pinned OR h.address = excluded.address THEN h.lat ELSE NULL END,
    h3          = CASE WHEN h.pinned OR h.address = excluded.address THEN h.h3 ELSE '' END,
    confidence  = CASE WHEN h.pinned OR h.address = excluded.address THEN h.confidence ELSE 0 END,
    updated_at  = now()
RETURNING id, phone, precision = '', xmax = 0;

-- name: InsertOrders
INSERT INTO orders (marketplace, marketplace_order_id, carrier_id, depot_id, household_id, product_id, weight_kg,
                    parcels, cod_amount, destination_province, placed_at, promise_hours, promised_by,
                    ready_from, ready_until, note, status)
SELECT m, mid, c, d, h, p, w, n, cod, dest, pa, ph, pb, rf, ru, note, 'received'
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::float8[],
            $8::int[], $9::bigint[], $10::text[], $11::timestamptz[], $12::int[], $13::timestamptz[],
            $14::timestamptz[], $15::timestamptz[], $16::text[])
     AS t(m, mid, c, d, h, p, w, n, cod, dest, pa, ph, pb, rf, ru, note)
ON CONFLICT (marketplace, marketplace_order_id) DO NOTHING
RETURNING id, marketplace, marketplace_order_id;

-- name: InsertEvents
INSERT INTO events (at, actor, action, subject, payload)
SELECT $1, $2, $3, s, p FROM unnest($4::text[], $5::jsonb[]) AS t(s, p);

-- name: ListOrders
-- Every filter is a parameter; NULL means "any".
SELECT o.id, o.marketplace, o.marketplace_order_id, o.carrier_id, o.depot_id, o.household_id, o.product_id,
       o.weight_kg, o.parcels, o.cod_amount, o.destination_province, o.placed_at, o.promise_hours, o.promised_by,
       o.handover_deadline, o.ready_from, o.ready_until, o.status, o.at_risk, o.at_risk_reason, o.locked_vehicle_id,
       o.note, o.created_at, o.updated_at, h.name, h.phone, p.code
FROM orders o
JOIN households h ON h.id = o.household_id
JOIN products p ON p.id = o.product_id
WHERE ($1::bigint = 0 OR o.carrier_id = $1)
  AND ($2::bigint IS NULL OR o.depot_id = $2)
  AND ($3::text IS NULL OR o.status = $3)
  AND ($4::text IS NULL OR o.marketplace = $4)
  AND ($5::text IS NULL OR h.phone = $5)
  AND ($6::bigint IS NULL OR o.household_id = $6)
  AND ($7::boolean IS NULL OR o.at_risk = $7)
  AND ($8::timestamptz IS NULL OR o.placed_at >= $8)
  AND ($9::timestamptz IS NULL OR o.placed_at < $9)
  AND ($10::text IS NULL OR o.marketplace_order_id = $10 OR h.name ILIKE '%' || $10 || '%' OR h.address ILIKE '%' || $10 || '%')
  AND ($11::bigint IS NULL OR o.id > $11)
ORDER BY o.id
LIMIT $12;

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

