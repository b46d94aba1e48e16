-- Quotes (capable-to-promise) for the marketplaces, and their tokens.

-- +goose Up
ALTER TABLE tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_role_check CHECK (role IN ('admin', 'dispatcher', 'driver', 'marketplace'));
ALTER TABLE tokens ADD CONSTRAINT tokens_marketplace_carrier CHECK (role <> 'marketplace' OR carrier_id IS NOT NULL);

-- A promise given to a marketplace before the order: the order placed with
-- it (order_id, once) gets its promise_by.
CREATE TABLE quotes (
    id                   bigserial PRIMARY KEY,
    carrier_id           bigint NOT NULL REFERENCES carriers(id),
    household_id         bigint NOT NULL REFERENCES households(id),
    depot_id             bigint NOT NULL REFERENCES depots(id),
    product_id           bigint NOT NULL REFERENCES products(id),
    destination_province text NOT NULL,
    weight_kg            double precision NOT NULL CHECK (weight_kg > 0),
    asked_at             timestamptz NOT NULL,
    ready_from           timestamptz,
    earliest_by          timestamptz NOT NULL,
    likely_by            timestamptz NOT NULL,
    promise_by           timestamptz NOT NULL,
    order_by             timestamptz NOT NULL,
    expires_at           timestamptz NOT NULL,
    confidence           double precision NOT NULL,
    reason               text NOT NULL DEFAULT '',
    order_id             bigint UNIQUE REFERENCES orders(id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL,
    CHECK (earliest_by <= likely_by AND likely_by <= promise_by)
);
CREATE INDEX quotes_carrier_idx ON quotes (carrier_id, created_at);

-- +goose Down
DROP TABLE quotes;
DELETE FROM tokens WHERE role = 'marketplace';
ALTER TABLE tokens DROP CONSTRAINT tokens_marketplace_carrier;
ALTER TABLE tokens DROP CONSTRAINT tokens_role_check;
ALTER TABLE tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'dispatcher', 'driver'));
