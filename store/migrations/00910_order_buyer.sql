-- +goose Up
-- Issue 23: an order may carry its buyer (người nhận), as its marketplace
-- knows them, for the carrier's shipment and thugom's label: name, phone
-- (E.164), the address line, and the carrier's own ids (or the names) of
-- the buyer's district and ward. Every column is NULL when not given (all
-- orders before this one), and again once the hourly housekeeping has
-- blanked them, thugom.BuyerRetention after the delivery or the
-- cancellation (personal data kept only while it serves the delivery).
ALTER TABLE orders
    ADD COLUMN receiver_name        text CHECK (length(receiver_name) <= 100),
    ADD COLUMN receiver_phone       text CHECK (receiver_phone ~ '^\+84[0-9]{9,10}$'),
    ADD COLUMN receiver_address     text CHECK (length(receiver_address) <= 300),
    ADD COLUMN receiver_district_id text CHECK (receiver_district_id ~ '^[0-9]{1,12}$'),
    ADD COLUMN receiver_ward_id     text CHECK (receiver_ward_id ~ '^[0-9]{1,12}$'),
    ADD COLUMN receiver_district    text CHECK (length(receiver_district) <= 100),
    ADD COLUMN receiver_ward        text CHECK (length(receiver_ward) <= 100);
-- The orders still holding a buyer: the housekeeping's candidates.
CREATE INDEX orders_receiver_idx ON orders (id)
    WHERE receiver_name IS NOT NULL OR receiver_phone IS NOT NULL OR receiver_address IS NOT NULL
       OR receiver_district_id IS NOT NULL OR receiver_ward_id IS NOT NULL OR receiver_district IS NOT NULL
       OR receiver_ward IS NOT NULL;

-- +goose Down
DROP INDEX orders_receiver_idx;
ALTER TABLE orders
    DROP COLUMN receiver_name, DROP COLUMN receiver_phone, DROP COLUMN receiver_address,
    DROP COLUMN receiver_district_id, DROP COLUMN receiver_ward_id, DROP COLUMN receiver_district,
    DROP COLUMN receiver_ward;
