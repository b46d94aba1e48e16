-- A depot's day: the revision every write to the day's state bumps, so that
-- a plan solved from an older revision is never written over what happened
-- meanwhile.

-- name: DepotDayRevision
SELECT coalesce((SELECT revision FROM depot_days WHERE depot_id = $1 AND day = $2), 0);

-- name: DepotDayBump
-- Bumps the revision (creating the day's row); the row stays locked until
-- the transaction ends, which serialises the day's writers for milliseconds.
INSERT INTO depot_days (depot_id, day, revision, updated_at) VALUES ($1, $2, 1, $3)
ON CONFLICT (depot_id, day) DO UPDATE SET revision = depot_days.revision + 1, updated_at = excluded.updated_at
RETURNING revision;

-- name: DepotDayLock
-- The planner's write step: lock the day's row and read its revision.
INSERT INTO depot_days (depot_id, day, revision, updated_at) VALUES ($1, $2, 0, now())
ON CONFLICT (depot_id, day) DO UPDATE SET updated_at = depot_days.updated_at
RETURNING revision;

-- name: DepotDayStarted
-- Whether anything of the day was reported (a stop left 'planned').
SELECT EXISTS (
    SELECT 1 FROM plans p JOIN routes r ON r.plan_id = p.id JOIN stops s ON s.route_id = r.id
    WHERE p.depot_id = $1 AND p.day = $2 AND p.status = 'done' AND s.status <> 'planned');

