-- Orders whose promise was lost at placement (issue 22): the promise
-- function said at intake the marketplace's promise cannot be kept; when,
-- what can be kept instead (NULL: nothing, no truck serves the province)
-- and why (Vietnamese). The console lists them apart from planning misses.

-- +goose Up
ALTER TABLE orders ADD COLUMN promise_lost_at timestamptz;
ALTER TABLE orders ADD COLUMN keepable_by timestamptz;
ALTER TABLE orders ADD COLUMN promise_lost_reason text;
CREATE INDEX orders_promise_lost_idx ON orders (depot_id, placed_at) WHERE promise_lost_at IS NOT NULL;

-- +goose Down
DROP INDEX orders_promise_lost_idx;
ALTER TABLE orders DROP COLUMN promise_lost_reason;
ALTER TABLE orders DROP COLUMN keepable_by;
ALTER TABLE orders DROP COLUMN promise_lost_at;
