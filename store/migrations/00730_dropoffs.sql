-- +goose Up
-- Commune post-office drop-off points (điểm bưu điện văn hóa xã, issue 14):
-- a household far from every route may bring its produce to its commune's
-- point, which a van sweeps on its round. The real positions are missing
-- from the data (shared/geodata/README.md): one point per commune is made
-- at the commune's label point, marked approximate until a person corrects it.
CREATE TABLE dropoff_points (
    id           bigserial PRIMARY KEY,
    commune_code text NOT NULL UNIQUE,
    name         text NOT NULL CHECK (name <> ''),
    lon          double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat          double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    h3           text NOT NULL DEFAULT '',
    opens_at     integer NOT NULL DEFAULT 25200 CHECK (opens_at >= 0 AND opens_at < 86400),
    closes_at    integer NOT NULL DEFAULT 61200 CHECK (closes_at <= 86400),
    approximate  boolean NOT NULL DEFAULT true,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (closes_at > opens_at)
);

-- The household brings the order to that point, by dropoff_by.
ALTER TABLE orders ADD COLUMN dropoff_point_id bigint REFERENCES dropoff_points(id);
ALTER TABLE orders ADD COLUMN dropoff_by timestamptz;

-- A hub stop is at a drop-off point and has no single household.
ALTER TABLE stops ADD COLUMN dropoff_point_id bigint REFERENCES dropoff_points(id);
ALTER TABLE stops DROP CONSTRAINT stops_check;
ALTER TABLE stops ADD CONSTRAINT stops_place_check
    CHECK (kind = 'depot' OR household_id IS NOT NULL OR dropoff_point_id IS NOT NULL);

-- +goose Down
ALTER TABLE stops DROP CONSTRAINT stops_place_check;
DELETE FROM stops WHERE kind <> 'depot' AND household_id IS NULL;
ALTER TABLE stops ADD CONSTRAINT stops_check CHECK (kind = 'depot' OR household_id IS NOT NULL);
ALTER TABLE stops DROP COLUMN dropoff_point_id;
ALTER TABLE orders DROP COLUMN dropoff_by;
ALTER TABLE orders DROP COLUMN dropoff_point_id;
DROP TABLE dropoff_points;
