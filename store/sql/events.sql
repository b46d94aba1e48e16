-- The append-only journal.

-- name: InsertEvents
INSERT INTO events (at, actor, action, subject, payload)
SELECT $1, $2, $3, s, p FROM unnest($4::text[], $5::jsonb[]) AS t(s, p);

-- name: InsertEvent
INSERT INTO events (at, actor, action, subject, payload) VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: ListEvents
-- Events of a subject ($1 = '': all), newest first.
SELECT id, at, actor, action, subject, payload FROM events
WHERE ($1::text = '' OR subject = $1)
ORDER BY at DESC, id DESC
LIMIT $2;
