-- +goose Up
-- Re-plans kept as drafts (issue 15): an automatic re-plan the publish
-- policy holds back, with the change list it would make, until the
-- dispatcher publishes or discards it. One pending draft per depot day: a
-- newer one supersedes it, and so does any plan written for the day.
CREATE TABLE plan_drafts (
    id           bigserial PRIMARY KEY,
    depot_id     bigint NOT NULL REFERENCES depots(id),
    day          date NOT NULL,
    cause        text NOT NULL,
    subject      text NOT NULL DEFAULT '',
    from_version integer NOT NULL,
    revision     bigint NOT NULL,
    changes      jsonb NOT NULL DEFAULT '[]',
    counted      integer NOT NULL DEFAULT 0,
    sms          integer NOT NULL DEFAULT 0,
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'published', 'discarded', 'superseded')),
    created_at   timestamptz NOT NULL,
    decided_at   timestamptz,
    decided_by   text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX plan_drafts_pending_idx ON plan_drafts (depot_id, day) WHERE state = 'pending';
CREATE INDEX plan_drafts_day_idx ON plan_drafts (depot_id, day, id);

-- +goose Down
DROP TABLE plan_drafts;
