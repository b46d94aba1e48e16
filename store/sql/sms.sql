-- Notifications to households, the SMS outbox and inbox.

-- name: InsertNotification
-- A notification per idempotency key: no row back means the event was
-- already notified.
INSERT INTO notifications (household_id, phone, kind, body, status, idempotency_key, created_at)
VALUES ($1, $2, $3, $4, 'queued', $5, $6)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id;

-- name: NotificationForUpdate
SELECT id, household_id, phone, kind, body, status, idempotency_key, provider, error, created_at, sent_at
FROM notifications WHERE id = $1 FOR UPDATE;

-- name: NotificationKind
SELECT kind FROM notifications WHERE id = $1;

-- name: MarkNotification
UPDATE notifications SET status = $2, provider = $3, error = $4, sent_at = $5 WHERE id = $1;

-- name: InsertOutbox
INSERT INTO sms_outbox (notification_id, phone, body, created_at)
VALUES ($1, $2, $3, now())
RETURNING id;

-- name: InsertInbox
INSERT INTO sms_inbox (provider_message_id, phone, body, household_id, outcome, detail, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (provider_message_id) DO NOTHING
RETURNING id;

-- name: InboxByProviderID
SELECT outcome, detail, household_id FROM sms_inbox WHERE provider_message_id = $1;
