-- +goose Up
-- A dispatcher's drop at a place in a route (issue 15): the stop comes
-- right after stop locked_after_stop_id on its locked vehicle, or first on
-- it (0). NULL: the planner chooses the place. No foreign key: 0 is not a
-- stop, and a stale pointer (its stop finished or moved) is dropped by the
-- planner and by the next move.
ALTER TABLE stops ADD COLUMN locked_after_stop_id bigint CHECK (locked_after_stop_id >= 0);

-- +goose Down
ALTER TABLE stops DROP COLUMN locked_after_stop_id;
