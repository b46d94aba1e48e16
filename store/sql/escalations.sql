-- SLA escalations: one row per order and level.

-- name: InsertEscalation
INSERT INTO escalations (order_id, level, reason, created_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (order_id, level) DO NOTHING
RETURNING id;

-- name: CountOpenEscalations
SELECT level, count(*) FROM escalations WHERE resolved_at IS NULL GROUP BY level;
