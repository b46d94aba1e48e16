-- Idempotency keys of drivers' reports (a retry answers as the first attempt did).

-- name: ClaimIdempotencyKey
-- Reserves (actor, key) for this request; no row back means it was already
-- taken (waits for a concurrent holder to commit or roll back).
INSERT INTO idempotency_keys (actor, key, request_hash, claim)
VALUES ($1, $2, $3, $4)
ON CONFLICT (actor, key) DO NOTHING
RETURNING created_at;

-- name: TakeOverIdempotencyKey
-- Takes an unanswered claim whose holder has not answered for $5 seconds
-- (it died; the database's clock): the same request only, never an answered key.
UPDATE idempotency_keys SET claim = $4, claimed_at = now()
WHERE actor = $1 AND key = $2 AND request_hash = $3 AND status = 0 AND claimed_at < now() - make_interval(secs => $5)
RETURNING created_at;

-- name: IdempotentResponse
SELECT request_hash, status, body
FROM idempotency_keys
WHERE actor = $1 AND key = $2;

-- name: SaveIdempotentResponse
-- Only the holder of the claim saves, and only once: a stored answer is
-- never overwritten.
UPDATE idempotency_keys SET status = $3, body = $4
WHERE actor = $1 AND key = $2 AND status = 0 AND claim = $5;

-- name: PruneIdempotency
DELETE FROM idempotency_keys WHERE created_at < $1;

-- name: ForgetIdempotencyKey
DELETE FROM idempotency_keys WHERE actor = $1 AND key = $2 AND status = 0 AND claim = $3;
