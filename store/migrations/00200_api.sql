-- +goose Up
-- Tables of the HTTP API (issue 6): idempotent replays of drivers' offline
-- queues, pickup confirmations, and drivers' positions.

-- One row per (actor, Idempotency-Key): the first answer is kept and replayed
-- to every retry with the same body; a retry with another body is refused.
CREATE TABLE api_idempotency (
    actor        text NOT NULL,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash bytea NOT NULL,
    status       integer NOT NULL DEFAULT 0,
    body         bytea NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (actor, key)
);
CREATE INDEX api_idempotency_created_idx ON api_idempotency (created_at);

-- What a driver reported at a pickup stop, with the time it happened on the
-- phone (happened_at) and when the server heard of it (recorded_at).
CREATE TABLE stop_reports (
    stop_id     bigint PRIMARY KEY REFERENCES stops(id) ON DELETE CASCADE,
    driver_id   bigint REFERENCES drivers(id) ON DELETE SET NULL,
    outcome     text NOT NULL CHECK (outcome IN ('picked_up', 'failed')),
    parcels     integer CHECK (parcels >= 0),
    weight_kg   double precision CHECK (weight_kg >= 0 AND weight_kg <= 5000),
    reason      text NOT NULL DEFAULT '',
    note        text NOT NULL DEFAULT '',
    happened_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE driver_positions (
    id          bigserial PRIMARY KEY,
    driver_id   bigint NOT NULL REFERENCES drivers(id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    lon         double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat         double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    accuracy_m  double precision CHECK (accuracy_m >= 0),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX driver_positions_driver_idx ON driver_positions (driver_id, at DESC);

-- +goose Down
DROP TABLE driver_positions, stop_reports, api_idempotency;
