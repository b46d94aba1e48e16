-- Read models of the simulated day (sim).

-- name: SimDeadlines
SELECT id, handover_deadline FROM orders;

