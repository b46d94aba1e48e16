-- +goose Up
-- Issue 23: every transition thugom owns is told to the order's carrier,
-- not only the shipment's create and cancel: planned, picked up, failed,
-- handed over. Each is one outbox message, numbered per order (seq) in the
-- order of the transactions that wrote them (they all hold the order's
-- row), sent in that order after the order's create (jobs/carrier.go).

ALTER TABLE carrier_outbox DROP CONSTRAINT carrier_outbox_action_check;
ALTER TABLE carrier_outbox ADD CONSTRAINT carrier_outbox_action_check
    CHECK (action IN ('create', 'planned', 'picked_up', 'failed', 'handed_over', 'cancel'));
-- A shipment is created once and cancelled once; a transition may happen
-- again (planned, failed, planned again).
ALTER TABLE carrier_outbox DROP CONSTRAINT carrier_outbox_order_id_action_key;
CREATE UNIQUE INDEX carrier_outbox_once_idx ON carrier_outbox (order_id, action) WHERE action IN ('create', 'cancel');
ALTER TABLE carrier_outbox ADD COLUMN seq integer;
UPDATE carrier_outbox m SET seq = r.n
FROM (SELECT id, row_number() OVER (PARTITION BY order_id ORDER BY id) AS n FROM carrier_outbox) r WHERE r.id = m.id;
ALTER TABLE carrier_outbox ALTER COLUMN seq SET NOT NULL;
ALTER TABLE carrier_outbox ADD CONSTRAINT carrier_outbox_seq_key UNIQUE (order_id, seq);
-- When the transition happened (the driver's time of a pickup), and why
-- (a failed visit's reason).
ALTER TABLE carrier_outbox ADD COLUMN at timestamptz;
ALTER TABLE carrier_outbox ADD COLUMN reason text NOT NULL DEFAULT '';
-- The River job that sends it: woken when the message before it is done.
ALTER TABLE carrier_outbox ADD COLUMN job_id bigint;

-- +goose Down
ALTER TABLE carrier_outbox DROP COLUMN job_id;
ALTER TABLE carrier_outbox DROP COLUMN reason;
ALTER TABLE carrier_outbox DROP COLUMN at;
ALTER TABLE carrier_outbox DROP CONSTRAINT carrier_outbox_seq_key;
ALTER TABLE carrier_outbox DROP COLUMN seq;
DROP INDEX carrier_outbox_once_idx;
DELETE FROM carrier_outbox WHERE action NOT IN ('create', 'cancel');
ALTER TABLE carrier_outbox ADD CONSTRAINT carrier_outbox_order_id_action_key UNIQUE (order_id, action);
ALTER TABLE carrier_outbox DROP CONSTRAINT carrier_outbox_action_check;
ALTER TABLE carrier_outbox ADD CONSTRAINT carrier_outbox_action_check CHECK (action IN ('create', 'cancel'));
