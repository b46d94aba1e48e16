-- Idempotency keys of drivers' reports (a retry answers as the first attempt did).

-- name: ClaimIdempotencyKey
-- Reserves (actor, key) for this request; no row back means it was already
-- taken (waits for a concurrent holder to commit or roll back).
INSERT INTO idempotency_keys (actor, key, request_hash)
VALUES ($1, $2, $3)
ON CONFLICT (actor, key) DO NOTHING
RETURNING created_at;

-- name: IdempotentResponse
SELECT request_hash, status, body
FROM idempotency_keys
WHERE actor = $1 AND key = $2;

-- name: SaveIdempotentResponse
UPDATE idempotency_keys SET status = $3, body = $4
WHERE actor = $1 AND key = $2;

-- name: PruneIdempotency
DELETE FROM idempotency_keys WHERE created_at < $1;

-- name: ForgetIdempotencyKey
DELETE FROM idempotency_keys WHERE actor = $1 AND key = $2 AND status = 0;
