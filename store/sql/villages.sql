-- Village (thôn, bản) centres learned from GPS pins.

-- name: LearnedVillages
SELECT village_key, lon, lat FROM villages;

-- name: UpsertVillage
INSERT INTO villages (village_key, commune_code, name, lon, lat, h3, pins, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (village_key) DO UPDATE
SET lon = excluded.lon, lat = excluded.lat, h3 = excluded.h3, pins = excluded.pins,
    name = excluded.name, updated_at = excluded.updated_at;
