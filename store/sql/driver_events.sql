-- A driver's reports from the phone, as sent (issue 12).

-- name: DriverEventByKey
SELECT request_hash, stop_id, status, outcome, stop_status, happened_at, received_at, skew_seconds, skew_flagged
FROM driver_events WHERE driver_id = $1 AND event_key = $2;

-- name: InsertDriverEvent
INSERT INTO driver_events (driver_id, event_key, request_hash, seq, stop_id, status, happened_at, received_at,
    skew_seconds, skew_flagged, outcome, stop_status, note, photo)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (driver_id, event_key) DO NOTHING
RETURNING id;

-- name: DriverEventsOfDriver
-- A driver's events received since $2, in the phone's order.
SELECT event_key, seq, stop_id, status, happened_at, received_at, skew_seconds, skew_flagged, outcome, stop_status,
    note, coalesce(length(photo), 0)
FROM driver_events WHERE driver_id = $1 AND received_at >= $2
ORDER BY seq, id;

-- name: StopHeldByDriver
-- Whether a version of the stop's day put the stop on the driver's vehicle
-- (the plan's snapshots keep every version's vehicle per stop), or a route
-- of the driver holds it now.
SELECT EXISTS (
    SELECT 1 FROM plans p
    CROSS JOIN LATERAL jsonb_array_elements(p.snapshot) AS e(v)
    JOIN drivers d ON d.id = $2
    WHERE p.depot_id = $3 AND p.day = $4 AND (e.v->>'stop_id')::bigint = $1
      AND (e.v->>'vehicle_id')::bigint = d.vehicle_id
) OR EXISTS (
    SELECT 1 FROM stops s JOIN routes r ON r.id = s.route_id WHERE s.id = $1 AND r.driver_id = $2
);

-- name: DriverPositionsBetween
-- A driver's positions of a period (the day), oldest first. Kept here, not
-- in positions.sql, while that file is being changed on another branch.
SELECT at, lon, lat, accuracy_m FROM driver_positions
WHERE driver_id = $1 AND at >= $2 AND at < $3
ORDER BY at LIMIT $4;
