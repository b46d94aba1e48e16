-- Packaging and pickup tasks.

-- name: PlanPackaging
-- The packaging task of each stop of a plan (or of one route).
SELECT DISTINCT ON (t.stop_id) t.stop_id, t.payload
FROM tasks t
JOIN stops s ON s.id = t.stop_id
JOIN routes r ON r.id = s.route_id
WHERE t.kind = 'packaging' AND r.plan_id = $1 AND ($2::bigint = 0 OR s.route_id = $2)
ORDER BY t.stop_id, t.id DESC;

-- name: UpsertPackagingTask
-- One packaging task per household and day; a re-plan moves it to the new
-- stop and window but keeps its status (a household that packed stays packed).
INSERT INTO tasks (kind, stop_id, household_id, status, due_at, payload, created_at, updated_at)
VALUES ('packaging', $1, $2, 'open', $3, $4, $5, $5)
ON CONFLICT (household_id, (payload->>'day')) WHERE kind = 'packaging'
DO UPDATE SET stop_id = excluded.stop_id, due_at = excluded.due_at,
    payload = tasks.payload || (excluded.payload - 'day'),
    status = CASE WHEN tasks.status = 'cancelled' THEN 'open' ELSE tasks.status END,
    updated_at = excluded.updated_at
RETURNING id, status, (xmax = 0) AS inserted;

-- name: InsertPickupTask
INSERT INTO tasks (kind, stop_id, household_id, status, due_at, payload, created_at, updated_at)
VALUES ('pickup', $1, $2, $3, $4, $5, $6, $6)
ON CONFLICT (stop_id) WHERE kind = 'pickup' DO NOTHING
RETURNING id;

-- name: TaskByID
SELECT id, kind, stop_id, household_id, order_id, status, due_at, payload, created_at, updated_at
FROM tasks WHERE id = $1;

-- name: TaskForUpdate
SELECT id, kind, stop_id, household_id, order_id, status, due_at, payload, created_at, updated_at
FROM tasks WHERE id = $1 FOR UPDATE;

-- name: SetTaskStatus
UPDATE tasks SET status = $2, updated_at = $3 WHERE id = $1;

-- name: OpenPackagingTaskOfHousehold
-- The household's packaging task of the nearest day that is still open.
SELECT id, kind, stop_id, household_id, order_id, status, due_at, payload, created_at, updated_at
FROM tasks
WHERE kind = 'packaging' AND household_id = $1 AND status IN ('open', 'packed') AND payload->>'day' >= $2
ORDER BY payload->>'day', id
LIMIT 1
FOR UPDATE;

-- name: PickupTaskOfStop
SELECT id, kind, stop_id, household_id, order_id, status, due_at, payload, created_at, updated_at
FROM tasks WHERE kind = 'pickup' AND stop_id = $1 FOR UPDATE;

-- name: TaskReopenPackaging
-- A household's undone cancel: its packaging task of the day is open again.
UPDATE tasks SET status = 'open', updated_at = $3
WHERE kind = 'packaging' AND household_id = $1 AND payload->>'day' = $2 AND status = 'cancelled';
