-- +goose Up
-- Issue 21: every status column is checked against its Go list. A task's
-- status is one of thugom.TaskStatuses: a packaging task's own (open,
-- packed, cancelled), a pickup task's its stop's.
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check
    CHECK (status IN ('open', 'packed', 'cancelled', 'planned', 'en_route', 'arrived', 'picked_up', 'failed', 'skipped', 'done'));

-- +goose Down
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
