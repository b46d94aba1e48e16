-- API tokens (only hashes are stored).

-- name: TokenByHash
SELECT id, name, role, carrier_id, driver_id, created_at, revoked_at
FROM tokens
WHERE hash = $1 AND revoked_at IS NULL;

-- name: InsertToken
INSERT INTO tokens (name, hash, role, carrier_id, driver_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: RevokeToken
UPDATE tokens SET revoked_at = $2
WHERE id = $1 AND revoked_at IS NULL
RETURNING id;

-- name: ListTokens
SELECT id, name, role, carrier_id, driver_id, created_at, revoked_at
FROM tokens
ORDER BY id;

-- name: CarrierIDByCode
-- A carrier by code or by id (text).
SELECT id FROM carriers WHERE code = $1 OR id::text = $1;
