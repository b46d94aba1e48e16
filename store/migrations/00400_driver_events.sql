-- +goose Up
-- A driver's reports as the phone sent them (issue 12): one row per event
-- id, so a replayed offline queue is recognised and answered as the first
-- time. Both clocks are kept: the phone's (happened_at, as sent) and the
-- server's (received_at); skew_seconds is phone minus server at sending.
CREATE TABLE driver_events (
    id            bigserial PRIMARY KEY,
    driver_id     bigint NOT NULL REFERENCES drivers(id) ON DELETE CASCADE,
    event_key     text NOT NULL CHECK (length(event_key) BETWEEN 1 AND 200),
    request_hash  bytea NOT NULL,
    seq           bigint NOT NULL,
    stop_id       bigint NOT NULL REFERENCES stops(id) ON DELETE CASCADE,
    status        text NOT NULL,
    happened_at   timestamptz NOT NULL,
    received_at   timestamptz NOT NULL,
    skew_seconds  integer NOT NULL DEFAULT 0,
    skew_flagged  boolean NOT NULL DEFAULT false,
    outcome       text NOT NULL CHECK (outcome IN ('applied', 'unchanged', 'superseded', 'reassigned')),
    stop_status   text NOT NULL,
    note          text NOT NULL DEFAULT '',
    photo         bytea CHECK (photo IS NULL OR length(photo) <= 204800),
    UNIQUE (driver_id, event_key)
);
CREATE INDEX driver_events_stop_idx ON driver_events (stop_id);

-- +goose Down
DROP TABLE driver_events;
