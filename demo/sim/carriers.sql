-- The simulation's reads of the carriers' side (carriers.go).

-- name: CarrierOpenMessages
-- Messages still to send whose order's create is written (a message of an
-- order never picked up waits for a create that will not come).
SELECT count(*) FROM carrier_outbox m
WHERE m.status IN ('queued', 'sending')
  AND EXISTS (SELECT 1 FROM carrier_outbox c WHERE c.order_id = m.order_id AND c.action = 'create');

-- name: CarrierWaitingForCreate
SELECT count(*) FROM carrier_outbox m
WHERE m.status IN ('queued', 'sending')
  AND NOT EXISTS (SELECT 1 FROM carrier_outbox c WHERE c.order_id = m.order_id AND c.action = 'create');

-- name: CarrierOpenMessageIDs
SELECT m.id FROM carrier_outbox m
WHERE m.status IN ('queued', 'sending')
  AND EXISTS (SELECT 1 FROM carrier_outbox c WHERE c.order_id = m.order_id AND c.action = 'create');

-- name: CarrierStillOpen
SELECT count(*) FROM carrier_outbox WHERE id = ANY($1) AND status IN ('queued', 'sending');

-- name: CarrierOrderOfWaybill
-- The depot and destination of the order a carrier's waybill names.
SELECT o.depot_id, o.destination_province
FROM shipments s JOIN orders o ON o.id = s.order_id
WHERE s.carrier = $1 AND s.waybill = $2;

-- name: CarrierOrdersPickedUp
SELECT count(*) FROM orders WHERE status IN ('picked_up', 'handed_over');

-- name: CarrierMessageCounts
-- The outbox by action and status.
SELECT action, status, count(*) FROM carrier_outbox GROUP BY 1, 2;

-- name: CarrierSentMessages
-- Each order's messages sent after its create, in their order, with its
-- reference at the carrier.
SELECT m.order_id, m.carrier, o.marketplace_order_id, m.action
FROM carrier_outbox m JOIN orders o ON o.id = m.order_id
WHERE m.action <> 'create' AND m.status = 'sent'
ORDER BY m.order_id, m.seq;

-- name: CarrierWaybills
SELECT count(*) FROM shipments WHERE waybill <> '';

-- name: CarrierEventCounts
-- The carriers' statuses kept, those applied, and any kept twice.
SELECT count(*), count(*) FILTER (WHERE applied),
       (SELECT count(*) FROM (SELECT 1 FROM carrier_events GROUP BY carrier, waybill, code, status_at HAVING count(*) > 1) d)
FROM carrier_events;

-- name: CarrierDelivered
-- Each order's delivery the carrier told.
SELECT order_id, delivered_at FROM shipments WHERE delivered_at IS NOT NULL;

-- name: CarrierJobRuns
SELECT coalesce(sum(attempt), 0) FROM river_job WHERE kind = 'send_carrier';

-- name: CarrierJobsUntried
-- The messages' jobs River can run now (or runs) and has not tried since
-- $1 (wall time).
SELECT count(*) FROM river_job
WHERE kind = 'send_carrier' AND state IN ('available', 'running') AND (attempted_at IS NULL OR attempted_at < $1);

-- name: CarrierJobsRetryable
-- The messages' jobs waiting out River's backoff after an error.
SELECT id FROM river_job WHERE kind = 'send_carrier' AND state = 'retryable' ORDER BY id;

-- name: CarrierJobsBusy
-- The messages' jobs River can run now or runs.
SELECT count(*) FROM river_job WHERE kind = 'send_carrier' AND state IN ('available', 'running');
