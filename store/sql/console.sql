-- The dispatcher console's read models.

-- name: ConsoleVehicles
-- Every vehicle of a depot (in service or not) with its active driver and
-- the driver's last position since $2.
SELECT v.id, v.code, v.kind, v.capacity_kg, v.status, d.id, coalesce(d.name, ''), coalesce(d.phone, ''), p.at, p.lon, p.lat
FROM vehicles v
LEFT JOIN LATERAL (SELECT id, name, phone FROM drivers WHERE vehicle_id = v.id AND active ORDER BY id LIMIT 1) d ON true
LEFT JOIN LATERAL (SELECT at, lon, lat FROM driver_positions WHERE driver_id = d.id AND at > $2 ORDER BY at DESC LIMIT 1) p ON true
WHERE v.depot_id = $1
ORDER BY v.id;

-- name: PlanDistance
-- The distance of a plan's routes in metres; a route whose every pickup was
-- dropped (its vehicle no longer used) keeps its old figures, and counts
-- for nothing.
SELECT coalesce(sum(r.distance_m), 0)::int FROM routes r
WHERE r.plan_id = $1
  AND EXISTS (SELECT 1 FROM stops s WHERE s.route_id = r.id AND s.kind = 'pickup' AND s.status <> 'skipped');

-- name: HouseholdPhones
SELECT id, phone FROM households WHERE id = ANY($1::bigint[]);

-- name: OrderPromises
-- When each order is promised to its buyer.
SELECT id, promised_by FROM orders WHERE id = ANY($1::bigint[]);
