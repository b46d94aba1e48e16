-- Queries of the HTTP API: tokens and idempotency keys.

-- name: TokenByHash
SELECT id, name, role, carrier_id, driver_id, created_at, revoked_at
FROM api_tokens
WHERE hash = $1 AND revoked_at IS NULL;

-- name: InsertToken
INSERT INTO api_tokens (name, hash, role, carrier_id, driver_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: RevokeToken
UPDATE api_tokens SET revoked_at = $2
WHERE id = $1 AND revoked_at IS NULL
RETURNING id;

-- name: ListTokens
SELECT id, name, role, carrier_id, driver_id, created_at, revoked_at
FROM api_tokens
ORDER BY id;

-- name: ClaimIdempotencyKey
-- Reserves (actor, key) for this request; no row back means it was already
-- taken (waits for a concurrent holder to commit or roll back).
INSERT INTO api_idempotency (actor, key, request_hash)
VALUES ($1, $2, $3)
ON CONFLICT (actor, key) DO NOTHING
RETURNING created_at;

-- name: IdempotentResponse
SELECT request_hash, status, body
FROM api_idempotency
WHERE actor = $1 AND key = $2;

-- name: SaveIdempotentResponse
UPDATE api_idempotency SET status = $3, body = $4
WHERE actor = $1 AND key = $2;

-- name: PruneIdempotency
DELETE FROM api_idempotency WHERE created_at < $1;

-- name: CarrierIDByCode
-- A carrier by code or by id (text).
SELECT id FROM carriers WHERE code = $1 OR id::text = $1;

-- name: ForgetIdempotencyKey
DELETE FROM api_idempotency WHERE actor = $1 AND key = $2 AND status = 0;
