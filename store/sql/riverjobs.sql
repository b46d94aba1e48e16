-- River's jobs as thugom reads them: its own orphans (a previous life of this
-- process, issue 11) and counts for the metrics.

-- name: ClaimClientID
-- Held for the process's life on one connection: no other live process
-- runs with this River client id.
SELECT pg_try_advisory_lock(hashtextextended('thugom river client ' || $1, 0));

-- name: RescueOwnJobs
-- Jobs whose last attempt was by client $1 and that still run: their worker
-- died with the previous process. Retried now, as River's rescuer would
-- after RescueStuckJobsAfter; the ones out of attempts are left to it.
UPDATE river_job
SET state = 'available', scheduled_at = now(),
    errors = array_append(errors, jsonb_build_object(
        'at', now(), 'attempt', attempt,
        'error', 'rescued on restart: the previous process with client id ' || $1 || ' died while running it',
        'trace', ''))
WHERE state = 'running'
  AND attempted_by[array_length(attempted_by, 1)] = $1
  AND attempt < max_attempts
RETURNING id;

-- name: CountJobs
-- River jobs by kind and state (the metrics' scrape).
SELECT kind, state::text, count(*)
FROM river_job
GROUP BY kind, state;
