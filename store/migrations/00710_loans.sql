-- +goose Up
-- Vehicles lent for a day by one depot to another of the same carrier
-- (issue 14: borrowing an idle vehicle from a neighbouring depot). The
-- borrowing depot plans the vehicle that day, starting from its home depot
-- (the empty run); the lending depot does not. One live loan per vehicle
-- and day; a returned loan (ended_at) stays as history.
CREATE TABLE loans (
    id            bigserial PRIMARY KEY,
    vehicle_id    bigint NOT NULL REFERENCES vehicles (id),
    day           date NOT NULL,
    from_depot_id bigint NOT NULL REFERENCES depots (id),
    to_depot_id   bigint NOT NULL REFERENCES depots (id),
    -- The empty run from the home depot to the borrowing depot, one way.
    empty_run_m   integer NOT NULL DEFAULT 0 CHECK (empty_run_m >= 0),
    empty_run_s   integer NOT NULL DEFAULT 0 CHECK (empty_run_s >= 0),
    actor         text NOT NULL,
    created_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    CHECK (from_depot_id <> to_depot_id)
);
CREATE UNIQUE INDEX loans_vehicle_day_key ON loans (vehicle_id, day) WHERE ended_at IS NULL;
CREATE INDEX loans_to_depot_day_idx ON loans (to_depot_id, day) WHERE ended_at IS NULL;
CREATE INDEX loans_from_depot_day_idx ON loans (from_depot_id, day) WHERE ended_at IS NULL;

-- +goose Down
DROP TABLE loans;
