-- +goose Up
-- Tables are named by what they hold, not by the package that first wrote
-- them (issue 9).
ALTER TABLE jobs_villages RENAME TO villages;
ALTER TABLE jobs_sms_outbox RENAME TO sms_outbox;
ALTER TABLE jobs_sms_inbox RENAME TO sms_inbox;
ALTER TABLE jobs_escalations RENAME TO escalations;
ALTER TABLE api_idempotency RENAME TO idempotency_keys;
ALTER TABLE api_tokens RENAME TO tokens;

-- +goose Down
ALTER TABLE tokens RENAME TO api_tokens;
ALTER TABLE idempotency_keys RENAME TO api_idempotency;
ALTER TABLE escalations RENAME TO jobs_escalations;
ALTER TABLE sms_inbox RENAME TO jobs_sms_inbox;
ALTER TABLE sms_outbox RENAME TO jobs_sms_outbox;
ALTER TABLE villages RENAME TO jobs_villages;
