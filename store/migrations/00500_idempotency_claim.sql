-- +goose Up
-- An Idempotency-Key is claimed by one request at a time (issue 11): claim
-- names the holder, so only it saves the answer (never overwriting one) or
-- forgets a failed attempt; claimed_at lets a retry take over a claim whose
-- holder died.
ALTER TABLE idempotency_keys
    ADD COLUMN claim      bytea       NOT NULL DEFAULT '',
    ADD COLUMN claimed_at timestamptz NOT NULL DEFAULT now();

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN claim, DROP COLUMN claimed_at;
