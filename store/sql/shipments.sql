-- The carriers' shipments and the outbox of what thugom tells them.

-- name: CarrierOutboxInsert
-- One message per order and action; no row back when it was written before
-- (the order's shipment is created once, whatever writes it twice).
INSERT INTO carrier_outbox (order_id, carrier, action, created_at)
SELECT o.id, c.code, $2, $3 FROM orders o JOIN carriers c ON c.id = o.carrier_id WHERE o.id = $1
ON CONFLICT (order_id, action) DO NOTHING
RETURNING id;

-- name: CarrierOutboxClaim
-- Leases a message to one sender: a queued one, or one whose sender's lease
-- ran out (its worker died mid-send).
UPDATE carrier_outbox SET status = 'sending', lease_until = now() + make_interval(secs => $2), attempts = attempts + 1
WHERE id = $1 AND (status = 'queued' OR (status = 'sending' AND lease_until < now()))
RETURNING order_id, carrier, action, attempts;

-- name: CarrierOutboxGet
SELECT order_id, carrier, action, status, attempts, error FROM carrier_outbox WHERE id = $1;

-- name: CarrierOutboxOfOrder
SELECT status FROM carrier_outbox WHERE order_id = $1 AND action = $2;

-- name: CarrierOutboxFinish
-- Ends a leased message: sent, failed or skipped; or queued again (a retry
-- to come) with the error seen.
UPDATE carrier_outbox SET status = $2, error = $3, sent_at = CASE WHEN $2 = 'sent' THEN $4::timestamptz END, lease_until = NULL
WHERE id = $1 AND status = 'sending';

-- name: CarrierOutboxCounts
SELECT carrier || ':' || action || ':' || status, count(*) FROM carrier_outbox GROUP BY 1;

-- name: ShipmentUpsert
INSERT INTO shipments (order_id, carrier, waybill, carrier_ref, status, error, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
ON CONFLICT (order_id) DO UPDATE SET waybill = CASE WHEN EXCLUDED.waybill <> '' THEN EXCLUDED.waybill ELSE shipments.waybill END,
    carrier_ref = CASE WHEN EXCLUDED.carrier_ref <> '' THEN EXCLUDED.carrier_ref ELSE shipments.carrier_ref END,
    status = EXCLUDED.status, error = EXCLUDED.error, updated_at = EXCLUDED.updated_at;

-- name: ShipmentOfOrder
SELECT order_id, carrier, waybill, carrier_ref, status, error, created_at, updated_at,
       carrier_code, carrier_status_name, carrier_status_at, delivered_at
FROM shipments WHERE order_id = $1;

-- name: ShipmentWaybills
SELECT order_id, waybill FROM shipments WHERE order_id = ANY($1::bigint[]) AND waybill <> '';

-- name: ShipmentOrder
-- What a carrier needs of an order to create its shipment: the household
-- sends (người gửi), the product and its weight, the cash to collect.
SELECT o.id, o.marketplace, o.marketplace_order_id, c.code, h.name, h.phone, h.address, p.name_vi,
       o.weight_kg, o.parcels, o.cod_amount, o.destination_province, o.note
FROM orders o
JOIN carriers c ON c.id = o.carrier_id
JOIN households h ON h.id = o.household_id
JOIN products p ON p.id = o.product_id
WHERE o.id = $1;

-- name: ShipmentByWaybill
-- The shipment a carrier's status is about: by its waybill, else by our
-- reference (the marketplace's order id), locked.
SELECT s.order_id, s.carrier_status_at
FROM shipments s JOIN orders o ON o.id = s.order_id
WHERE s.carrier = $1 AND (s.waybill = $2 OR ($3 <> '' AND o.marketplace_order_id = $3))
ORDER BY (s.waybill = $2) DESC LIMIT 1
FOR UPDATE OF s;

-- name: CarrierEventInsert
-- One row per status a carrier sent; no row back for a repeat.
INSERT INTO carrier_events (carrier, waybill, reference, order_id, code, name, status_at, payload, applied, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (carrier, waybill, code, status_at) DO NOTHING
RETURNING id;

-- name: ShipmentSetCarrierStatus
-- Moves a shipment forward to the carrier's status (never back: the caller
-- checked the time under the row's lock); a delivered status sets the
-- delivery fact.
UPDATE shipments SET carrier_code = $2, carrier_status_name = $3, carrier_status_at = $4,
    delivered_at = CASE WHEN $5 THEN $4 ELSE delivered_at END, updated_at = $6
WHERE order_id = $1;
