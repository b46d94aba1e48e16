-- River's jobs as thugom reads them: the orphans of dead processes (issue
-- 24: each process holds a lock on its own client id while it lives) and
-- counts for the metrics.

-- name: ClaimClientID
-- Held for the process's life on one connection: no other live process
-- runs with this River client id, and its running jobs are not orphans.
-- The key is thugom_client_live's (migration 00790).
SELECT pg_try_advisory_lock(hashtextextended('thugom river client ' || $1, 0));

-- name: RescueOrphanedJobs
-- Jobs running under a client id starting with $1 whose lock nobody holds:
-- the process died while running them. Those among $2 (orphaned at the
-- previous sweep too) are made available now, as River's rescuer would
-- after RescueStuckJobsAfter; the ones out of attempts are left to it.
-- Returns the rescued jobs (rescued true) and the other orphans, the next
-- sweep's suspects. The update checks again that the job is still running
-- under the same attempt, so a job another worker took meanwhile stays.
WITH orphaned AS (
    SELECT j.id, j.attempt, j.attempted_by[array_length(j.attempted_by, 1)] AS by
    FROM river_job j
    WHERE j.state = 'running'
      AND starts_with(j.attempted_by[array_length(j.attempted_by, 1)], $1)
      AND NOT thugom_client_live(j.attempted_by[array_length(j.attempted_by, 1)])
), rescued AS (
    UPDATE river_job j
    SET state = 'available', scheduled_at = now(),
        errors = array_append(j.errors, jsonb_build_object(
            'at', now(), 'attempt', j.attempt,
            'error', 'rescued: the process with client id ' || o.by || ' died while running it',
            'trace', ''))
    FROM orphaned o
    WHERE j.id = o.id AND j.id = ANY($2::bigint[])
      AND j.state = 'running' AND j.attempt = o.attempt
      AND j.attempted_by[array_length(j.attempted_by, 1)] = o.by
      AND j.attempt < j.max_attempts
    RETURNING j.id, j.kind, j.args, o.by, j.attempt
)
SELECT id, kind, args, by, attempt, true FROM rescued
UNION ALL
SELECT o.id, '', '{}'::jsonb, o.by, o.attempt, false FROM orphaned o WHERE o.id NOT IN (SELECT id FROM rescued);

-- name: CountJobs
-- River jobs by kind and state (the metrics' scrape).
SELECT kind, state::text, count(*)
FROM river_job
GROUP BY kind, state;
