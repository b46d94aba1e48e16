-- Notice given to households: when each message may leave, merging,
-- the daily cap, delivery receipts and the notice distribution.

-- name: NoticeInsert
-- One notification per idempotency key, with the window it announces (if
-- any), when it may leave and its status (queued, or suppressed over the
-- daily cap); no row back: the event was already notified.
INSERT INTO notifications (household_id, phone, kind, body, status, idempotency_key, created_at, window_start, send_at, error)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id;

-- name: NoticeSupersede
-- Merges: queued (not yet sent) messages of a household of the given kinds
-- are superseded by the one being written. Returns the kinds superseded.
UPDATE notifications SET status = 'superseded', error = $3
WHERE household_id = $1 AND status = 'queued' AND kind = ANY($2::text[]) AND created_at > $4
RETURNING kind;

-- name: NoticeCountOfDay
-- Messages a household gets on a local day (queued or sent), by when they
-- leave.
SELECT count(*) FROM notifications
WHERE household_id = $1 AND status IN ('queued', 'sent')
  AND coalesce(sent_at, send_at, created_at) >= $2 AND coalesce(sent_at, send_at, created_at) < $3;

-- name: NoticeLastWindow
-- The last window a household was told (or is about to be), after $2.
SELECT window_start FROM notifications
WHERE household_id = $1 AND window_start IS NOT NULL AND window_start > $2 AND status IN ('queued', 'sent')
ORDER BY id DESC LIMIT 1;

-- name: NoticeSendAt
SELECT kind, coalesce(send_at, created_at) FROM notifications WHERE id = $1;

-- name: NoticeSetRef
UPDATE notifications SET provider_ref = $2 WHERE id = $1;

-- name: NoticeByRef
-- The notification a provider's delivery receipt is about.
SELECT id, household_id, kind, status, delivery, window_start FROM notifications
WHERE provider = $1 AND provider_ref = $2;

-- name: NoticeDelivery
-- A delivery receipt: delivered is final; undelivered never overwrites
-- delivered (receipts can arrive twice and out of order).
UPDATE notifications SET delivery = $2, delivered_at = $3
WHERE id = $1 AND delivery <> 'delivered'
RETURNING id;

-- name: NoticeSentOfDay
-- Every message sent for a local day [$1, $2): kind, window announced and
-- when it left (the notice distribution).
-- $3 limits to households with orders of a carrier, $4 of a depot (0: any).
SELECT n.kind, n.window_start, n.sent_at, n.created_at FROM notifications n
WHERE n.status = 'sent' AND n.sent_at IS NOT NULL
  AND ((n.window_start >= $1 AND n.window_start < $2) OR (n.window_start IS NULL AND n.sent_at >= $1 - interval '12 hours' AND n.sent_at < $2))
  AND ($3::bigint = 0 OR EXISTS (SELECT 1 FROM orders o WHERE o.household_id = n.household_id AND o.carrier_id = $3))
  AND ($4::bigint = 0 OR EXISTS (SELECT 1 FROM orders o WHERE o.household_id = n.household_id AND o.depot_id = $4))
ORDER BY n.id;

-- name: NoticeTakeInline
-- The acknowledgement of an inbound message, taken to be sent in the
-- provider's synchronous answer (a short code's MO reply) instead of by
-- the send job: only while still queued.
UPDATE notifications SET status = 'sent', provider = $2, sent_at = $3
WHERE idempotency_key = $1 AND status = 'queued'
RETURNING body;

-- name: NoticeOrdersAtRisk
-- A household's window message failed everywhere: its open orders are at
-- risk on the dispatcher's board.
UPDATE orders SET at_risk = true, at_risk_reason = $2
WHERE household_id = $1 AND status IN ('received', 'planned')
RETURNING id;

-- name: NoticeWindowsOfDay
-- Window messages (first and changes) a household was sent or is about to
-- be for windows in [$2, $3): the .ics SEQUENCE.
SELECT count(*) FROM notifications
WHERE household_id = $1 AND kind IN ('pickup_window', 'pickup_changed') AND status IN ('queued', 'sent')
  AND window_start >= $2 AND window_start < $3;

-- name: OutboxPick
-- Messages for a SIM gateway phone to send: not yet picked, or picked
-- long ago with no report (the phone died before it could send); the
-- oldest first, skipping rows another poll holds.
UPDATE sms_outbox o SET picked_at = $2
FROM (SELECT id FROM sms_outbox
      WHERE (picked_at IS NULL OR picked_at < $3)
        AND notification_id IN (SELECT id FROM notifications WHERE provider IN ($4, 'zalo') AND delivery = '')
      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) p
WHERE o.id = p.id
RETURNING o.id, o.phone, o.body;
