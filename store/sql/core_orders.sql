-- Orders.

-- name: InsertOrder
INSERT INTO orders (marketplace, marketplace_order_id, carrier_id, depot_id, household_id, product_id, weight_kg, parcels,
    cod_amount, destination_province, placed_at, promise_hours, promised_by, handover_deadline, ready_from, ready_until,
    status, at_risk, at_risk_reason, locked_vehicle_id, note)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
RETURNING id, created_at, updated_at;

