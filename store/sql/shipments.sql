-- The carriers' shipments and the outbox of what thugom tells them.

-- name: CarrierOutboxInsert
-- One message about an order, numbered after the order's last: a create or
-- a cancel once per order, a transition not twice in a row (no row back
-- then). The caller holds the order's row (it just moved it), so the
-- numbers follow the transactions. has_create: the order's create was
-- written (before this message, or it is this one).
INSERT INTO carrier_outbox (order_id, carrier, action, created_at, at, reason, seq)
SELECT o.id, c.code, $2, $3, $4, $5,
       coalesce((SELECT max(seq) FROM carrier_outbox WHERE order_id = o.id), 0) + 1
FROM orders o JOIN carriers c ON c.id = o.carrier_id
WHERE o.id = $1
  AND NOT EXISTS (SELECT 1 FROM carrier_outbox m WHERE m.order_id = o.id AND m.action = $2
                  AND ($2 IN ('create', 'cancel') OR m.seq = (SELECT max(seq) FROM carrier_outbox WHERE order_id = o.id)))
ON CONFLICT (order_id, action) WHERE action IN ('create', 'cancel') DO NOTHING
RETURNING id, $2 = 'create' OR EXISTS (SELECT 1 FROM carrier_outbox WHERE order_id = $1 AND action = 'create');

-- name: CarrierOutboxSetJob
UPDATE carrier_outbox SET job_id = $2 WHERE id = $1;

-- name: CarrierOutboxAhead
-- What message $1 waits for: the status of its order's create ('' when
-- none was written), and the message it must follow that is not done (the
-- create first, else the earliest before it), with when that one's job
-- runs next.
SELECT coalesce((SELECT c.status FROM carrier_outbox c WHERE c.order_id = m.order_id AND c.action = 'create'), ''),
       coalesce(a.id, 0), coalesce(a.status, ''), j.scheduled_at
FROM carrier_outbox m
LEFT JOIN LATERAL (
    SELECT p.id, p.status, p.job_id FROM carrier_outbox p
    WHERE p.order_id = m.order_id AND p.id <> m.id AND p.status IN ('queued', 'sending') AND (p.action = 'create' OR p.seq < m.seq)
    ORDER BY (p.action = 'create') DESC, p.seq LIMIT 1
) a ON true
LEFT JOIN river_job j ON j.id = a.job_id
WHERE m.id = $1;

-- name: CarrierOutboxNext
-- The job of an order's next message to send after one is done.
SELECT job_id FROM carrier_outbox
WHERE order_id = $1 AND status = 'queued' AND action <> 'create' AND job_id IS NOT NULL
ORDER BY seq LIMIT 1;

-- name: CarrierOutboxSkipUncreated
-- The queued messages of orders whose shipment will never be created (no
-- create, or a refused one) are skipped; their jobs back.
UPDATE carrier_outbox m SET status = 'skipped', error = $2
WHERE m.order_id = ANY($1::bigint[]) AND m.status = 'queued' AND m.action <> 'create'
  AND NOT EXISTS (SELECT 1 FROM carrier_outbox c WHERE c.order_id = m.order_id AND c.action = 'create'
                  AND c.status IN ('queued', 'sending', 'sent'))
RETURNING coalesce(job_id, 0);

-- name: CarrierMessagesOfOrder
-- An order's messages in their order (tests, the console).
SELECT id, order_id, carrier, action, status, attempts, error, seq, coalesce(at, created_at), reason
FROM carrier_outbox WHERE order_id = $1 ORDER BY seq;

-- name: CarrierOutboxFailures
-- The carriers' refusals an administrator has to look at, newest first.
SELECT m.id, m.order_id, m.carrier, m.action, m.status, m.attempts, m.error, m.seq, coalesce(m.at, m.created_at), m.reason
FROM carrier_outbox m JOIN orders o ON o.id = m.order_id
WHERE m.status = 'failed' AND ($1 = 0 OR o.carrier_id = $1)
ORDER BY m.id DESC LIMIT $2;

-- name: CarrierOutboxClaim
-- Leases a message to one sender: a queued one, or one whose sender's lease
-- ran out (its worker died mid-send).
UPDATE carrier_outbox SET status = 'sending', lease_until = now() + make_interval(secs => $2), attempts = attempts + 1
WHERE id = $1 AND (status = 'queued' OR (status = 'sending' AND lease_until < now()))
RETURNING order_id, carrier, action, attempts, seq, coalesce(at, created_at), reason;

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
-- The buyer receives (người nhận; '' what was not given).
SELECT o.id, o.marketplace, o.marketplace_order_id, c.code, h.name, h.phone, h.address, p.name_vi,
       o.weight_kg, o.parcels, o.cod_amount, o.destination_province, o.note,
       coalesce(o.receiver_name, ''), coalesce(o.receiver_phone, ''), coalesce(o.receiver_address, ''),
       coalesce(o.receiver_district_id, ''), coalesce(o.receiver_ward_id, ''), coalesce(o.receiver_district, ''),
       coalesce(o.receiver_ward, '')
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

-- name: CarrierOutboxLostWakes
-- The jobs of messages first in their order's line (nothing ahead of them
-- open, the create sent) that sleep more than ten minutes ahead: the one
-- ahead finished while this job was running, so its wake (JobRetryTx of a
-- running job, a no-op) was lost and the job snoozed for the wait it had
-- computed, up to an hour. A carrier's Retry-After is a short snooze and
-- stays; backoff after an error is 'retryable', not 'scheduled'.
SELECT j.id FROM river_job j JOIN carrier_outbox m ON m.job_id = j.id
WHERE j.kind = 'send_carrier' AND j.state = 'scheduled' AND j.scheduled_at > now() + interval '10 minutes'
  AND m.status = 'queued'
  AND EXISTS (SELECT 1 FROM carrier_outbox c WHERE c.order_id = m.order_id AND c.action = 'create' AND c.status = 'sent')
  AND NOT EXISTS (SELECT 1 FROM carrier_outbox p WHERE p.order_id = m.order_id AND p.id <> m.id
                  AND p.status IN ('queued', 'sending') AND (p.action = 'create' OR p.seq < m.seq))
ORDER BY j.id;
