-- +goose Up
-- Issue 23: the carriers' shipments. A shipment is created at the carrier
-- exactly once per order (shipments.order_id is unique); every message to a
-- carrier is first a carrier_outbox row, written in the transaction of the
-- transition it reports, then sent by a River job (jobs/carrier.go).

CREATE TABLE shipments (
    id          bigserial PRIMARY KEY,
    order_id    bigint NOT NULL UNIQUE REFERENCES orders(id),
    carrier     text NOT NULL,
    -- The carrier's waybill number (mã vận đơn), printed on the label.
    waybill     text NOT NULL DEFAULT '',
    -- The carrier's own id of the order where it differs from the waybill
    -- (VNPost's Id, which its cancel names).
    carrier_ref text NOT NULL DEFAULT '',
    status      text NOT NULL CHECK (status IN ('created', 'failed', 'cancelled')),
    error       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE carrier_outbox (
    id          bigserial PRIMARY KEY,
    order_id    bigint NOT NULL REFERENCES orders(id),
    carrier     text NOT NULL,
    action      text NOT NULL CHECK (action IN ('create', 'cancel')),
    -- queued → sending (leased by one worker until lease_until) → sent, or
    -- failed (the carrier refused: an administrator looks), or skipped
    -- (nothing to do at the carrier: a cancel of a shipment never created).
    status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    lease_until timestamptz,
    attempts    integer NOT NULL DEFAULT 0,
    error       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    sent_at     timestamptz,
    UNIQUE (order_id, action)
);
CREATE INDEX carrier_outbox_open_idx ON carrier_outbox (status) WHERE status IN ('queued', 'sending', 'failed');

-- +goose Down
DROP TABLE carrier_outbox;
DROP TABLE shipments;
