-- Vehicles lent for a day by one depot to another (issue 14).

-- name: InsertLoan
INSERT INTO loans (vehicle_id, day, from_depot_id, to_depot_id, empty_run_m, empty_run_s, actor, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id;

-- name: LoansOfDepotDay
-- The live loans of a day that a depot lends ($1 = from) or borrows (to).
SELECT id, vehicle_id, day, from_depot_id, to_depot_id, empty_run_m, empty_run_s, actor, created_at, ended_at
FROM loans
WHERE day = $2 AND ended_at IS NULL AND (from_depot_id = $1 OR to_depot_id = $1)
ORDER BY id;

-- name: LoansOfCarrierDay
-- The live loans of a day among a carrier's vehicles.
SELECT l.id, l.vehicle_id, l.day, l.from_depot_id, l.to_depot_id, l.empty_run_m, l.empty_run_s, l.actor, l.created_at, l.ended_at
FROM loans l JOIN vehicles v ON v.id = l.vehicle_id
WHERE l.day = $2 AND l.ended_at IS NULL AND v.carrier_id = $1
ORDER BY l.id;

-- name: LoanOfVehicleDay
SELECT id, vehicle_id, day, from_depot_id, to_depot_id, empty_run_m, empty_run_s, actor, created_at, ended_at
FROM loans
WHERE vehicle_id = $1 AND day = $2 AND ended_at IS NULL;

-- name: EndLoan
UPDATE loans SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL
RETURNING id;

-- name: LoanBusyVehicles
-- What the current plans of the day hold for the carrier's vehicles, per
-- vehicle and planning depot: pickup stops other than skipped, and whether
-- any stop of the vehicle there has started (left 'planned').
SELECT r.vehicle_id, p.depot_id, count(*) FILTER (WHERE s.kind = 'pickup'), bool_or(s.status <> 'planned')
FROM plans p
JOIN routes r ON r.plan_id = p.id
JOIN stops s ON s.route_id = r.id
JOIN vehicles v ON v.id = r.vehicle_id
WHERE p.day = $2 AND p.status = 'done' AND v.carrier_id = $1 AND s.status <> 'skipped'
  AND p.version = (SELECT max(p2.version) FROM plans p2 WHERE p2.depot_id = p.depot_id AND p2.day = p.day AND p2.status = 'done')
GROUP BY r.vehicle_id, p.depot_id;

-- name: BorrowedConsoleVehicles
-- The vehicles a depot borrowed for day $2, as ConsoleVehicles shows them.
SELECT v.id, v.code, v.kind, v.capacity_kg, v.status, d.id, coalesce(d.name, ''), coalesce(d.phone, ''), p.at, p.lon, p.lat
FROM loans l
JOIN vehicles v ON v.id = l.vehicle_id
LEFT JOIN LATERAL (SELECT id, name, phone FROM drivers WHERE vehicle_id = v.id AND active ORDER BY id LIMIT 1) d ON true
LEFT JOIN LATERAL (SELECT at, lon, lat FROM driver_positions WHERE driver_id = d.id AND at > $3 ORDER BY at DESC LIMIT 1) p ON true
WHERE l.to_depot_id = $1 AND l.day = $2 AND l.ended_at IS NULL
ORDER BY v.id;
