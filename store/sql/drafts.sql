-- Re-plans kept as drafts: one pending per depot day.

-- name: DraftSupersede
-- Older pending drafts of a day, superseded by a newer draft or a plan.
UPDATE plan_drafts SET state = 'superseded', decided_at = $3
WHERE depot_id = $1 AND day = $2 AND state = 'pending'
RETURNING id;

-- name: DraftInsert
INSERT INTO plan_drafts (depot_id, day, cause, subject, from_version, revision, changes, counted, sms, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING id;

-- name: DraftGet
SELECT id, depot_id, day, cause, subject, from_version, revision, changes, counted, sms, state, created_at, decided_at, decided_by
FROM plan_drafts WHERE id = $1;

-- name: DraftForUpdate
SELECT id, depot_id, day, cause, subject, from_version, revision, changes, counted, sms, state, created_at, decided_at, decided_by
FROM plan_drafts WHERE id = $1 FOR UPDATE;

-- name: DraftsOfDay
-- A depot day's drafts, newest first.
SELECT id, depot_id, day, cause, subject, from_version, revision, changes, counted, sms, state, created_at, decided_at, decided_by
FROM plan_drafts WHERE depot_id = $1 AND day = $2 AND ($3::text = '' OR state = $3::text)
ORDER BY id DESC LIMIT 50;

-- name: DraftDecide
-- A pending draft published or discarded: false when it no longer is pending.
UPDATE plan_drafts SET state = $2, decided_at = $3, decided_by = $4
WHERE id = $1 AND state = 'pending'
RETURNING id;

-- name: DraftPublishedFrom
-- Whether the dispatcher published a draft of the day built on version $3
-- (its re-plan has not been written yet).
SELECT EXISTS (SELECT 1 FROM plan_drafts WHERE depot_id = $1 AND day = $2 AND from_version = $3 AND state = 'published');
