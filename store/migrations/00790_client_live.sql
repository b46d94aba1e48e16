-- +goose Up
-- Issue 24: each working process holds, while it lives, the advisory lock
-- on its River client id (store ClaimClientID). thugom_client_live says
-- whether a process holds it, in this database: the jobs of a client that
-- is not live are orphans (jobs/rescue.go), and a re-plan does not wait
-- behind one (jobs/replan_unique.go).
-- +goose StatementBegin
CREATE FUNCTION thugom_client_live(id text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1
        FROM pg_locks l,
             LATERAL (SELECT hashtextextended('thugom river client ' || id, 0) AS k) h
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = (h.k >> 32) & 4294967295
          AND l.objid::bigint = h.k & 4294967295)
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION thugom_client_live(text);
