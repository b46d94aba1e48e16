-- The households: sellers, identified by phone, and where they are.

-- name: UpsertHouseholds
-- One row per phone (the caller deduplicates). A known household keeps its
-- name; a new address (unless the point was pinned by a person) replaces the
-- old one and clears the geocode, so it is geocoded again.
INSERT INTO households AS h (name, phone, address)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
ON CONFLICT (phone) DO UPDATE SET
    address     = CASE WHEN h.pinned OR h.address = excluded.address THEN h.address ELSE excluded.address END,
    precision   = CASE WHEN h.pinned OR h.address = excluded.address THEN h.precision ELSE '' END,
    lon         = CASE WHEN h.pinned OR h.address = excluded.address THEN h.lon ELSE NULL END,
    lat         = CASE WHEN h.pinned OR h.address = excluded.address THEN h.lat ELSE NULL END,
    h3          = CASE WHEN h.pinned OR h.address = excluded.address THEN h.h3 ELSE '' END,
    confidence  = CASE WHEN h.pinned OR h.address = excluded.address THEN h.confidence ELSE 0 END,
    updated_at  = now()
RETURNING id, phone, precision = '', xmax = 0;

-- name: Household
SELECT id, name, phone, address, commune_code, village, lon, lat, h3, precision, confidence, pinned, shares_collection, geocoded_at, created_at
FROM households WHERE id = $1;

-- name: HouseholdCarrier
-- Whether a household has an order with the carrier (dispatcher scope).
SELECT EXISTS (SELECT 1 FROM orders WHERE household_id = $1 AND ($2::bigint = 0 OR carrier_id = $2));

-- name: UpsertHousehold
-- A household is its phone. A new address clears the geocode (unless a person
-- pinned the point) so it is geocoded again. xmax = 0 tells an insert.
INSERT INTO households (name, phone, address)
VALUES ($1, $2, $3)
ON CONFLICT (phone) DO UPDATE SET
    name = EXCLUDED.name,
    address = EXCLUDED.address,
    precision   = CASE WHEN households.pinned OR households.address = EXCLUDED.address THEN households.precision ELSE '' END,
    lon         = CASE WHEN households.pinned OR households.address = EXCLUDED.address THEN households.lon ELSE NULL END,
    lat         = CASE WHEN households.pinned OR households.address = EXCLUDED.address THEN households.lat ELSE NULL END,
    h3          = CASE WHEN households.pinned OR households.address = EXCLUDED.address THEN households.h3 ELSE '' END,
    confidence  = CASE WHEN households.pinned OR households.address = EXCLUDED.address THEN households.confidence ELSE 0 END,
    geocoded_at = CASE WHEN households.pinned OR households.address = EXCLUDED.address THEN households.geocoded_at ELSE NULL END,
    updated_at = now()
RETURNING id, (xmax = 0) AS inserted, precision = '' AS needs_geocode;

-- name: PinHousehold
UPDATE households SET lon = $2, lat = $3, h3 = $4, precision = $6, confidence = 1, pinned = true,
    geocoded_at = $5, updated_at = now()
WHERE id = $1
RETURNING id;

-- name: CountHouseholds
SELECT count(*) FROM households;

-- name: CountHouseholdsToGeocode
SELECT count(*) FROM households WHERE precision = '' AND geocoded_at IS NULL;

-- name: HouseholdsWithPickups
-- Households with a pickup in the current plans of day $1, earliest first.
SELECT s.household_id, min(s.window_start) AS first
FROM plans p
JOIN routes r ON r.plan_id = p.id
JOIN stops s ON s.route_id = r.id AND s.kind = 'pickup'
WHERE p.day = $1::date AND p.status = 'done'
  AND p.version = (SELECT max(p2.version) FROM plans p2 WHERE p2.depot_id = p.depot_id AND p2.day = p.day AND p2.status = 'done')
GROUP BY s.household_id
ORDER BY first, s.household_id
LIMIT $2;

-- name: DepotDaysOfHousehold
SELECT DISTINCT o.depot_id, o.planned_day
FROM orders o
WHERE o.household_id = $1 AND o.planned_day IS NOT NULL AND o.depot_id IS NOT NULL
ORDER BY 1, 2;

-- name: HouseholdForGeocode
SELECT id, address, lon, lat, precision, pinned, village, commune_code
FROM households WHERE id = $1;

-- name: SetHouseholdGeocode
UPDATE households
SET commune_code = $2, village = $3, lon = $4, lat = $5, h3 = $6, precision = $7,
    confidence = $8, geocoded_at = $9, updated_at = $9
WHERE id = $1;

-- name: PinnedHouseholdsOfCommune
SELECT village, lon, lat FROM households
WHERE commune_code = $1 AND pinned AND village <> '' AND lon IS NOT NULL;

-- name: HouseholdByPhone
SELECT id, name, phone FROM households WHERE phone = $1;

-- name: OpenOrdersOfHousehold
-- Orders of the household still to collect, with their depot; locked for
-- the change a reply makes.
SELECT id, depot_id, status, handover_deadline, weight_kg
FROM orders
WHERE household_id = $1 AND status IN ('received', 'planned', 'postponed')
ORDER BY id
FOR UPDATE;

-- name: HouseholdPhone
SELECT phone FROM households WHERE id = $1;

-- name: HouseholdPoints
SELECT id, lon, lat FROM households WHERE id = ANY($1::bigint[]) AND lon IS NOT NULL;
