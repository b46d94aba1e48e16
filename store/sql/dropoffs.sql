-- Commune drop-off points (điểm bưu điện văn hóa xã) and the orders households bring there.

-- name: DropOffPointsEnsure
-- One point per commune, made from the gazetteer when missing; a point a
-- person corrected is never overwritten.
INSERT INTO dropoff_points (commune_code, name, lon, lat, h3)
SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::text[])
ON CONFLICT (commune_code) DO NOTHING;

-- name: DropOffPointByID
SELECT id, commune_code, name, lon, lat, h3, opens_at, closes_at, approximate
FROM dropoff_points WHERE id = $1;

-- name: DropOffPointByCommune
SELECT id, commune_code, name, lon, lat, h3, opens_at, closes_at, approximate
FROM dropoff_points WHERE commune_code = $1;

-- name: DropOffPointsOfDepot
-- The points of the communes a depot serves: its own and those of the
-- households with orders there.
SELECT dp.id, dp.commune_code, dp.name, dp.lon, dp.lat, dp.h3, dp.opens_at, dp.closes_at, dp.approximate
FROM dropoff_points dp
WHERE dp.commune_code = (SELECT commune_code FROM depots WHERE id = $1)
   OR dp.commune_code IN (SELECT DISTINCT h.commune_code FROM orders o JOIN households h ON h.id = o.household_id WHERE o.depot_id = $1)
ORDER BY dp.name, dp.id;

-- name: DropOffPointSet
-- A person corrects a point's position and hours: no longer approximate.
UPDATE dropoff_points SET lon = $2, lat = $3, h3 = $4, opens_at = $5, closes_at = $6, approximate = false, updated_at = $7
WHERE id = $1
RETURNING id, commune_code, name, lon, lat, h3, opens_at, closes_at, approximate;

-- name: DropOffsOfOrders
-- The point each order is brought to, and by when.
SELECT o.id, o.dropoff_by, dp.id, dp.commune_code, dp.name, dp.lon, dp.lat, dp.h3, dp.opens_at, dp.closes_at, dp.approximate
FROM orders o JOIN dropoff_points dp ON dp.id = o.dropoff_point_id
WHERE o.id = ANY($1::bigint[]);

-- name: DropOffHouseholdOrders
-- A household's orders of a depot's day that may still go to a drop-off
-- point, locked (the caller bumped the day first): waiting for a plan, or
-- planned on that day.
SELECT o.id, o.carrier_id, o.status, o.weight_kg, o.parcels, o.ready_from, o.dropoff_point_id, o.dropoff_by
FROM orders o
WHERE o.household_id = $1 AND o.depot_id = $2 AND o.placed_at < $3
  AND (o.status = 'received' OR (o.status = 'planned' AND o.planned_day = $4))
ORDER BY o.id
FOR UPDATE;

-- name: DropOffOrdersUnderway
-- Of these orders, those on a stop a vehicle is already on its way to or at.
SELECT DISTINCT so.order_id
FROM stop_orders so JOIN stops s ON s.id = so.stop_id
WHERE so.order_id = ANY($1::bigint[]) AND s.status IN ('en_route', 'arrived');

-- name: OrdersSetDropOff
-- Orders the household brings to point $2 by $3 ($2 NULL: back to a pickup
-- at home); only orders a plan may still change.
UPDATE orders SET dropoff_point_id = $2, dropoff_by = $3, updated_at = $4
WHERE id = ANY($1::bigint[]) AND status IN ('received', 'planned')
RETURNING id;

-- name: DropOffCandidateOrders
-- The orders of a depot's day a drop-off may help, with their households:
-- waiting for a plan (received), or planned on the day ($3) and late.
SELECT o.id, o.household_id, h.name, h.phone, h.lon, h.lat, coalesce(h.commune_code, ''), o.weight_kg, o.parcels,
       o.ready_from, o.status, (o.status = 'planned' AND o.at_risk_reason LIKE 'late:%') AS late, o.dropoff_point_id
FROM orders o JOIN households h ON h.id = o.household_id
WHERE o.depot_id = $1 AND o.placed_at < $2
  AND (o.status = 'received' OR (o.status = 'planned' AND o.planned_day = $3))
  AND (o.ready_from IS NULL OR o.ready_from < $2)
  AND h.lon IS NOT NULL AND h.lat IS NOT NULL AND h.precision <> ''
ORDER BY o.id;

-- name: DropOffPackagingCancel
-- The household brings its produce itself: its packing task for a pickup
-- at home that day (and its reminder) is off; a later pickup reopens it.
UPDATE tasks SET status = 'cancelled', updated_at = $3
WHERE kind = 'packaging' AND household_id = $1 AND status = 'open' AND payload->>'day' = $2;

-- name: DropOffStopHouseholds
-- The households whose orders a (hub) stop collects, with how many each.
SELECT o.household_id, count(*)
FROM stop_orders so JOIN orders o ON o.id = so.order_id
WHERE so.stop_id = $1
GROUP BY o.household_id
ORDER BY o.household_id;
