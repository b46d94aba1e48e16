-- Drivers' reports from the field: pickups and positions.

-- name: UpsertStopReport
INSERT INTO stop_reports (stop_id, driver_id, outcome, parcels, weight_kg, reason, note, happened_at, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (stop_id) DO UPDATE SET
    driver_id = excluded.driver_id, outcome = excluded.outcome, parcels = excluded.parcels,
    weight_kg = excluded.weight_kg, reason = excluded.reason, note = excluded.note,
    happened_at = excluded.happened_at, recorded_at = excluded.recorded_at
WHERE stop_reports.happened_at <= excluded.happened_at;

-- name: InsertPositions
INSERT INTO driver_positions (driver_id, at, lon, lat, accuracy_m, recorded_at)
SELECT $1, t.at, t.lon, t.lat, t.acc, $6
FROM unnest($2::timestamptz[], $3::float8[], $4::float8[], $5::float8[]) AS t(at, lon, lat, acc);

-- name: LastPositions
-- The last known position of each driver of a depot's carrier scope.
SELECT DISTINCT ON (p.driver_id) p.driver_id, p.at, p.lon, p.lat
FROM driver_positions p JOIN drivers d ON d.id = p.driver_id
WHERE d.depot_id = $1 AND p.at > $2
ORDER BY p.driver_id, p.at DESC;
