-- +goose Up
-- Tables of the durable operations (issue 5): learned village centres, the
-- SMS outbox and inbox, SLA escalations, and the lineage of plans.

-- Village (thôn, bản) centres learned from households with GPS pins; the
-- geocoder places households of a known village at its centre.
CREATE TABLE jobs_villages (
    village_key  text PRIMARY KEY,            -- geo.VillageKey: "<commune code>|<name>"
    commune_code text NOT NULL,
    name         text NOT NULL,
    lon          double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat          double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    h3           text NOT NULL DEFAULT '',
    pins         integer NOT NULL CHECK (pins > 0), -- agreeing pins behind the centre
    updated_at   timestamptz NOT NULL
);
CREATE INDEX jobs_villages_commune_idx ON jobs_villages (commune_code);

-- The default SMS provider: messages wait here, visible to dispatchers, for a
-- GSM modem or the carrier's SMS system. One row per notification.
CREATE TABLE jobs_sms_outbox (
    id              bigserial PRIMARY KEY,
    notification_id bigint NOT NULL UNIQUE REFERENCES notifications(id),
    phone           text NOT NULL,
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    picked_at       timestamptz
);

-- Replies from households, one row per provider message (duplicate webhook
-- deliveries hit the unique key and change nothing).
CREATE TABLE jobs_sms_inbox (
    id                  bigserial PRIMARY KEY,
    provider_message_id text NOT NULL UNIQUE CHECK (length(provider_message_id) BETWEEN 1 AND 200),
    phone               text NOT NULL,
    body                text NOT NULL,
    household_id        bigint REFERENCES households(id),
    outcome             text NOT NULL,
    detail              text NOT NULL DEFAULT '',
    received_at         timestamptz NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_sms_inbox_household_idx ON jobs_sms_inbox (household_id, received_at);

-- Orders escalated by the SLA watch: one row per order and level, so an
-- order is escalated once per level however often the watch runs.
CREATE TABLE jobs_escalations (
    id          bigserial PRIMARY KEY,
    order_id    bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    level       text NOT NULL CHECK (level IN ('at_risk', 'missed', 'pickup_failed')),
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL,
    resolved_at timestamptz,
    UNIQUE (order_id, level)
);
CREATE INDEX jobs_escalations_open_idx ON jobs_escalations (created_at) WHERE resolved_at IS NULL;

-- Which stop of the previous plan version a stop continues (re-planning
-- copies frozen and finished stops into the new version).
CREATE TABLE jobs_stop_lineage (
    stop_id      bigint PRIMARY KEY REFERENCES stops(id) ON DELETE CASCADE,
    prev_stop_id bigint NOT NULL REFERENCES stops(id) ON DELETE CASCADE
);
CREATE INDEX jobs_stop_lineage_prev_idx ON jobs_stop_lineage (prev_stop_id);

-- One pickup task per stop and one packaging task per household and day:
-- a retried job never creates a second one.
CREATE UNIQUE INDEX jobs_tasks_pickup_uq ON tasks (stop_id) WHERE kind = 'pickup';
CREATE UNIQUE INDEX jobs_tasks_packaging_uq ON tasks (household_id, (payload->>'day')) WHERE kind = 'packaging';

-- +goose Down
DROP INDEX jobs_tasks_packaging_uq, jobs_tasks_pickup_uq;
DROP TABLE jobs_stop_lineage, jobs_escalations, jobs_sms_inbox, jobs_sms_outbox, jobs_villages;
