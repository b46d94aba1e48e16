-- +goose Up
-- The core schema of thugom (issue 2 item 4). Times are timestamptz; times of
-- day are integer seconds since local (Asia/Ho_Chi_Minh) midnight.

CREATE TABLE carriers (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    marketplace text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Post offices (bưu cục) and commune cultural post offices.
CREATE TABLE depots (
    id           bigserial PRIMARY KEY,
    carrier_id   bigint NOT NULL REFERENCES carriers(id),
    code         text NOT NULL UNIQUE,
    name         text NOT NULL,
    kind         text NOT NULL DEFAULT 'post_office' CHECK (kind IN ('post_office', 'commune')),
    address      text NOT NULL DEFAULT '',
    commune_code text NOT NULL DEFAULT '',
    lon          double precision NOT NULL,
    lat          double precision NOT NULL,
    h3           text NOT NULL DEFAULT '',
    opens_at     integer NOT NULL DEFAULT 25200 CHECK (opens_at BETWEEN 0 AND 86400),
    closes_at    integer NOT NULL DEFAULT 64800 CHECK (closes_at BETWEEN 0 AND 86400),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX depots_carrier_idx ON depots (carrier_id);

-- Daily line-haul trucks leaving a depot.
CREATE TABLE departures (
    id            bigserial PRIMARY KEY,
    depot_id      bigint NOT NULL REFERENCES depots(id) ON DELETE CASCADE,
    name          text NOT NULL DEFAULT '',
    departs_at    integer NOT NULL CHECK (departs_at BETWEEN 0 AND 86400),
    cutoff_at     integer NOT NULL CHECK (cutoff_at BETWEEN 0 AND 86400),
    destinations  text[] NOT NULL DEFAULT '{}',
    transit_hours double precision NOT NULL CHECK (transit_hours >= 0),
    active        boolean NOT NULL DEFAULT true,
    CHECK (cutoff_at <= departs_at)
);
CREATE INDEX departures_depot_idx ON departures (depot_id, departs_at);

CREATE TABLE vehicles (
    id               bigserial PRIMARY KEY,
    carrier_id       bigint NOT NULL REFERENCES carriers(id),
    depot_id         bigint NOT NULL REFERENCES depots(id),
    code             text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('motorbike', 'van')),
    capacity_kg      double precision NOT NULL CHECK (capacity_kg > 0),
    capacity_parcels integer NOT NULL CHECK (capacity_parcels > 0),
    shift_start      integer NOT NULL DEFAULT 25200 CHECK (shift_start BETWEEN 0 AND 86400),
    shift_end        integer NOT NULL DEFAULT 64800 CHECK (shift_end BETWEEN 0 AND 86400),
    max_trips        integer NOT NULL DEFAULT 2 CHECK (max_trips >= 1),
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'broken', 'off')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (carrier_id, code)
);
CREATE INDEX vehicles_depot_idx ON vehicles (depot_id);

CREATE TABLE drivers (
    id         bigserial PRIMARY KEY,
    carrier_id bigint NOT NULL REFERENCES carriers(id),
    depot_id   bigint NOT NULL REFERENCES depots(id),
    name       text NOT NULL,
    phone      text NOT NULL,
    vehicle_id bigint REFERENCES vehicles(id) ON DELETE SET NULL,
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (carrier_id, phone)
);
CREATE INDEX drivers_depot_idx ON drivers (depot_id);
CREATE UNIQUE INDEX drivers_vehicle_idx ON drivers (vehicle_id) WHERE vehicle_id IS NOT NULL AND active;

-- A household is identified by its phone (E.164).
CREATE TABLE households (
    id                 bigserial PRIMARY KEY,
    name               text NOT NULL,
    phone              text NOT NULL UNIQUE CHECK (phone ~ '^\+84[0-9]{9,10}$'),
    address            text NOT NULL,
    commune_code       text NOT NULL DEFAULT '',
    village            text NOT NULL DEFAULT '',
    lon                double precision,
    lat                double precision,
    h3                 text NOT NULL DEFAULT '',
    precision          text NOT NULL DEFAULT '' CHECK (precision IN ('', 'manual', 'address', 'village', 'commune', 'district', 'province')),
    confidence         double precision NOT NULL DEFAULT 0 CHECK (confidence BETWEEN 0 AND 1),
    pinned             boolean NOT NULL DEFAULT false,
    shares_collection  boolean NOT NULL DEFAULT false,
    geocoded_at        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((precision = '') = (lon IS NULL)),
    CHECK ((lon IS NULL) = (lat IS NULL))
);
CREATE INDEX households_h3_idx ON households (h3) WHERE h3 <> '';
CREATE INDEX households_commune_idx ON households (commune_code);
CREATE INDEX households_ungeocoded_idx ON households (id) WHERE precision = '';

CREATE TABLE products (
    id              bigserial PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    name            text NOT NULL,
    name_vi         text NOT NULL,
    freshness_hours integer NOT NULL CHECK (freshness_hours > 0),
    kg_per_box      double precision NOT NULL DEFAULT 5 CHECK (kg_per_box > 0),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id                   bigserial PRIMARY KEY,
    marketplace          text NOT NULL,
    marketplace_order_id text NOT NULL,
    carrier_id           bigint NOT NULL REFERENCES carriers(id),
    depot_id             bigint REFERENCES depots(id),
    household_id         bigint NOT NULL REFERENCES households(id),
    product_id           bigint NOT NULL REFERENCES products(id),
    weight_kg            double precision NOT NULL CHECK (weight_kg > 0 AND weight_kg <= 500),
    parcels              integer NOT NULL DEFAULT 1 CHECK (parcels BETWEEN 1 AND 1000),
    cod_amount           bigint NOT NULL DEFAULT 0 CHECK (cod_amount >= 0),
    destination_province text NOT NULL DEFAULT '',
    placed_at            timestamptz NOT NULL,
    promise_hours        integer NOT NULL CHECK (promise_hours > 0),
    promised_by          timestamptz NOT NULL,
    handover_deadline    timestamptz,
    ready_from           timestamptz,
    ready_until          timestamptz,
    status               text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'planned', 'picked_up', 'handed_over', 'failed', 'postponed', 'cancelled')),
    at_risk              boolean NOT NULL DEFAULT false,
    at_risk_reason       text NOT NULL DEFAULT '',
    locked_vehicle_id    bigint REFERENCES vehicles(id) ON DELETE SET NULL,
    note                 text NOT NULL DEFAULT '',
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (marketplace, marketplace_order_id)
);
CREATE INDEX orders_depot_status_idx ON orders (depot_id, status, placed_at);
CREATE INDEX orders_household_idx ON orders (household_id);
CREATE INDEX orders_placed_idx ON orders (placed_at);
CREATE INDEX orders_at_risk_idx ON orders (handover_deadline) WHERE at_risk OR status IN ('received', 'planned');

-- A plan routes one depot's day. Versions grow; older plans are superseded.
CREATE TABLE plans (
    id          bigserial PRIMARY KEY,
    depot_id    bigint NOT NULL REFERENCES depots(id),
    day         date NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'superseded')),
    algorithm   text NOT NULL DEFAULT '',
    stats       jsonb NOT NULL DEFAULT '{}',
    error       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    UNIQUE (depot_id, day, version)
);
CREATE INDEX plans_current_idx ON plans (depot_id, day, version DESC);

CREATE TABLE plan_unassigned (
    plan_id  bigint NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    order_id bigint NOT NULL REFERENCES orders(id),
    reason   text NOT NULL,
    fix      text NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, order_id)
);

-- One vehicle's day in a plan (several trips possible).
CREATE TABLE routes (
    id         bigserial PRIMARY KEY,
    plan_id    bigint NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    vehicle_id bigint NOT NULL REFERENCES vehicles(id),
    driver_id  bigint REFERENCES drivers(id) ON DELETE SET NULL,
    start_at   timestamptz NOT NULL,
    end_at     timestamptz NOT NULL,
    distance_m integer NOT NULL DEFAULT 0,
    duration_s integer NOT NULL DEFAULT 0,
    load_kg    double precision NOT NULL DEFAULT 0,
    line       jsonb NOT NULL DEFAULT '[]', -- [[lon, lat], ...]
    UNIQUE (plan_id, vehicle_id)
);
CREATE INDEX routes_driver_idx ON routes (driver_id);
CREATE INDEX routes_vehicle_idx ON routes (vehicle_id);

CREATE TABLE stops (
    id                bigserial PRIMARY KEY,
    route_id          bigint NOT NULL REFERENCES routes(id) ON DELETE CASCADE,
    seq               integer NOT NULL,
    trip              integer NOT NULL DEFAULT 0,
    kind              text NOT NULL CHECK (kind IN ('pickup', 'depot')),
    household_id      bigint REFERENCES households(id),
    departure_id      bigint REFERENCES departures(id),
    arrive_at         timestamptz NOT NULL,
    window_start      timestamptz NOT NULL,
    window_end        timestamptz NOT NULL,
    service_s         integer NOT NULL DEFAULT 0,
    load_kg           double precision NOT NULL DEFAULT 0,
    parcels           integer NOT NULL DEFAULT 0,
    status            text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'en_route', 'arrived', 'picked_up', 'failed', 'skipped', 'done')),
    locked_vehicle_id bigint REFERENCES vehicles(id) ON DELETE SET NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (route_id, seq),
    CHECK (kind = 'depot' OR household_id IS NOT NULL)
);
CREATE INDEX stops_household_idx ON stops (household_id, arrive_at);

-- The orders a stop collects.
CREATE TABLE stop_orders (
    stop_id  bigint NOT NULL REFERENCES stops(id) ON DELETE CASCADE,
    order_id bigint NOT NULL REFERENCES orders(id),
    PRIMARY KEY (stop_id, order_id)
);
CREATE INDEX stop_orders_order_idx ON stop_orders (order_id);

CREATE TABLE tasks (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL,
    stop_id      bigint REFERENCES stops(id) ON DELETE SET NULL,
    household_id bigint REFERENCES households(id),
    order_id     bigint REFERENCES orders(id),
    status       text NOT NULL,
    due_at       timestamptz,
    payload      jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tasks_stop_idx ON tasks (stop_id);
CREATE INDEX tasks_household_idx ON tasks (household_id);

CREATE TABLE notifications (
    id              bigserial PRIMARY KEY,
    household_id    bigint REFERENCES households(id),
    phone           text NOT NULL,
    kind            text NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    idempotency_key text NOT NULL UNIQUE,
    provider        text NOT NULL DEFAULT '',
    error           text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX notifications_household_idx ON notifications (household_id, created_at);

-- Append-only journal: who did what, when.
CREATE TABLE events (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text NOT NULL,
    action  text NOT NULL,
    subject text NOT NULL DEFAULT '',
    payload jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX events_subject_idx ON events (subject, at);
CREATE INDEX events_at_idx ON events (at);

-- +goose StatementBegin
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events is append-only (% refused)', TG_OP;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL DEFAULT '',
    hash         bytea NOT NULL UNIQUE,
    role         text NOT NULL CHECK (role IN ('admin', 'dispatcher', 'driver')),
    carrier_id   bigint REFERENCES carriers(id),
    driver_id    bigint REFERENCES drivers(id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz,
    CHECK (role <> 'dispatcher' OR carrier_id IS NOT NULL),
    CHECK (role <> 'driver' OR driver_id IS NOT NULL)
);

-- +goose Down
DROP TABLE api_tokens, events, notifications, tasks, stop_orders, stops, routes,
    plan_unassigned, plans, orders, products, households, drivers, vehicles,
    departures, depots, carriers;
DROP FUNCTION events_append_only();
