-- +goose Up
-- Issue 23: what the carriers tell thugom (their webhooks). Every status a
-- carrier sends is kept, once (a repeated webhook is the same row), with
-- the whole message (unknown fields and codes included); a shipment moves
-- forward only, and the carrier's delivered time is the order's delivery
-- fact.

ALTER TABLE shipments ADD COLUMN carrier_code integer;
ALTER TABLE shipments ADD COLUMN carrier_status_name text NOT NULL DEFAULT '';
ALTER TABLE shipments ADD COLUMN carrier_status_at timestamptz;
ALTER TABLE shipments ADD COLUMN delivered_at timestamptz;
CREATE INDEX shipments_waybill_idx ON shipments (carrier, waybill) WHERE waybill <> '';

CREATE TABLE carrier_events (
    id          bigserial PRIMARY KEY,
    carrier     text NOT NULL,
    waybill     text NOT NULL,
    reference   text NOT NULL DEFAULT '',
    -- NULL: no order thugom knows (kept for an administrator).
    order_id    bigint REFERENCES orders(id),
    code        integer NOT NULL,
    name        text NOT NULL DEFAULT '',
    status_at   timestamptz NOT NULL,
    payload     jsonb NOT NULL,
    -- applied: it moved the shipment forward; false: late, or unknown order.
    applied     boolean NOT NULL DEFAULT false,
    received_at timestamptz NOT NULL,
    UNIQUE (carrier, waybill, code, status_at)
);
CREATE INDEX carrier_events_order_idx ON carrier_events (order_id);

-- +goose Down
DROP TABLE carrier_events;
DROP INDEX shipments_waybill_idx;
ALTER TABLE shipments DROP COLUMN delivered_at;
ALTER TABLE shipments DROP COLUMN carrier_status_at;
ALTER TABLE shipments DROP COLUMN carrier_status_name;
ALTER TABLE shipments DROP COLUMN carrier_code;
