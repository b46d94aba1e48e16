-- Drivers' positions from their phones.

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
