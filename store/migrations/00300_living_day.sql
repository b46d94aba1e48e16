-- +goose Up
-- One living day (issue 9): a depot's day has a revision that every write to
-- its state bumps; routes belong to the day's vehicle and stops keep their
-- identity across plan versions (a re-plan amends them); an order knows the
-- day whose plan holds it, so planning another day never takes it.

CREATE TABLE depot_days (
    depot_id   bigint NOT NULL REFERENCES depots(id),
    day        date NOT NULL,
    revision   bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (depot_id, day)
);

ALTER TABLE orders ADD COLUMN planned_day date;
UPDATE orders o SET planned_day = (
    SELECT p.day FROM stop_orders so JOIN stops s ON s.id = so.stop_id
    JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
    WHERE so.order_id = o.id AND p.status = 'done' AND s.status IN ('planned', 'en_route', 'arrived')
    ORDER BY p.day DESC LIMIT 1)
WHERE o.status = 'planned';
CREATE INDEX orders_planned_day_idx ON orders (depot_id, planned_day) WHERE status = 'planned';

-- A re-plan renumbers a route's stops in one transaction.
ALTER TABLE stops DROP CONSTRAINT stops_route_id_seq_key;
ALTER TABLE stops ADD CONSTRAINT stops_route_seq_key UNIQUE (route_id, seq) DEFERRABLE INITIALLY DEFERRED;

-- Each version keeps what it decided, for history and for "what changed since
-- the version the driver has": [{stop_id, vehicle_id, trip, seq, arrive_at,
-- window_start, window_end, status}].
ALTER TABLE plans ADD COLUMN snapshot jsonb NOT NULL DEFAULT '[]';

-- Stops no longer get copied into each new version, so nothing continues
-- another.
DROP TABLE jobs_stop_lineage;

-- +goose Down
CREATE TABLE jobs_stop_lineage (
    stop_id      bigint PRIMARY KEY REFERENCES stops(id) ON DELETE CASCADE,
    prev_stop_id bigint NOT NULL REFERENCES stops(id) ON DELETE CASCADE
);
ALTER TABLE plans DROP COLUMN snapshot;
ALTER TABLE stops DROP CONSTRAINT stops_route_seq_key;
ALTER TABLE stops ADD CONSTRAINT stops_route_id_seq_key UNIQUE (route_id, seq);
DROP INDEX orders_planned_day_idx;
ALTER TABLE orders DROP COLUMN planned_day;
DROP TABLE depot_days;
