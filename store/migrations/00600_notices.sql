-- +goose Up
-- Notice given to households (issue 13): the window a message announces,
-- when it may leave, the provider's reference for delivery receipts, and
-- two more outcomes: superseded (merged into a later message before it
-- left) and suppressed (over the per-household daily cap).
ALTER TABLE notifications
    ADD COLUMN window_start timestamptz,
    ADD COLUMN send_at      timestamptz,
    ADD COLUMN provider_ref text NOT NULL DEFAULT '',
    ADD COLUMN delivery     text NOT NULL DEFAULT '' CHECK (delivery IN ('', 'delivered', 'undelivered')),
    ADD COLUMN delivered_at timestamptz;
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('queued', 'sent', 'failed', 'superseded', 'suppressed'));
CREATE INDEX notifications_provider_ref_idx ON notifications (provider, provider_ref) WHERE provider_ref <> '';

-- +goose Down
DROP INDEX notifications_provider_ref_idx;
UPDATE notifications SET status = 'failed' WHERE status IN ('superseded', 'suppressed');
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check CHECK (status IN ('queued', 'sent', 'failed'));
ALTER TABLE notifications DROP COLUMN window_start, DROP COLUMN send_at, DROP COLUMN provider_ref,
    DROP COLUMN delivery, DROP COLUMN delivered_at;
