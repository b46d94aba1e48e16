-- +goose Up
-- geo's geocoder reports "gps_pin" (the household's own phone position).
ALTER TABLE households DROP CONSTRAINT households_precision_check;
ALTER TABLE households ADD CONSTRAINT households_precision_check
    CHECK (precision IN ('', 'manual', 'gps_pin', 'address', 'village', 'commune', 'district', 'province'));

-- +goose Down
ALTER TABLE households DROP CONSTRAINT households_precision_check;
ALTER TABLE households ADD CONSTRAINT households_precision_check
    CHECK (precision IN ('', 'manual', 'address', 'village', 'commune', 'district', 'province'));
