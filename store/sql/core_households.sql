-- Households: upsert by phone, geocoding.

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

