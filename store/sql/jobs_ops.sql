-- Queries of the jobs (issue 5): geocoding, tasks, SMS, pickups, SLA watch.

-- name: HouseholdForGeocode
SELECT id, address, lon, lat, precision, pinned, village, commune_code
FROM households WHERE id = $1;

-- name: SetHouseholdGeocode
UPDATE households
SET commune_code = $2, village = $3, lon = $4, lat = $5, h3 = $6, precision = $7,
    confidence = $8, geocoded_at = $9, updated_at = $9
WHERE id = $1;

-- name: LearnedVillages
SELECT village_key, lon, lat FROM jobs_villages;

-- name: PinnedHouseholdsOfCommune
SELECT village, lon, lat FROM households
WHERE commune_code = $1 AND pinned AND village <> '' AND lon IS NOT NULL;

-- name: UpsertVillage
INSERT INTO jobs_villages (village_key, commune_code, name, lon, lat, h3, pins, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (village_key) DO UPDATE
SET lon = excluded.lon, lat = excluded.lat, h3 = excluded.h3, pins = excluded.pins,
    name = excluded.name, updated_at = excluded.updated_at;

-- name: UnassignedOrdersOfHousehold
SELECT id, carrier_id FROM orders WHERE household_id = $1 AND depot_id IS NULL AND status = 'received';

-- name: SetOrderDepot
UPDATE orders SET depot_id = $2, updated_at = $3 WHERE id = $1 AND depot_id IS NULL;

-- name: OrdersWithoutSLA
SELECT id, depot_id, destination_province, placed_at, promise_hours
FROM orders
WHERE household_id = $1 AND depot_id IS NOT NULL AND handover_deadline IS NULL;

-- name: UpsertPackagingTask
-- One packaging task per household and day; a re-plan moves it to the new
-- stop and window but keeps its status (a household that packed stays packed).
INSERT INTO tasks (kind, stop_id, household_id, status, due_at, payload, created_at, updated_at)
VALUES ('packaging', $1, $2, 'open', $3, $4, $5, $5)
ON CONFLICT (household_id, (payload->>'day')) WHERE kind = 'packaging'
DO UPDATE SET stop_id = excluded.stop_id, due_at = excluded.due_at,
    payload = tasks.payload || (excluded.payload - 'day'),
    status = CASE WHEN tasks.status = 'cancelled' THEN 'open' ELSE tasks.status END,
    updated_at = excluded.updated_at
RETURNING id, status, (xmax = 0) AS inserted;

-- name: InsertPickupTask
INSERT INTO tasks (kind, stop_id, household_id, status, due_at, payload, created_at, updated_at)
VALUES ('pickup', $1, $2, $3, $4, $5, $6, $6)
ON CONFLICT (stop_id) WHERE kind = 'pickup' DO NOTHING
RETURNING id;

-- name: TaskByID
SELECT id, kind, stop_id, household_id, order_id, status, due_at, payload, created_at, updated_at
FROM tasks WHERE id = $1;

-- name: TaskForUpdate
SELECT id, kind, stop_id, household_id, order_id, status, due_at, payload, created_at, updated_at
FROM tasks WHERE id = $1 FOR UPDATE;

-- name: SetTaskStatus
UPDATE tasks SET status = $2, updated_at = $3 WHERE id = $1;

-- name: OpenPackagingTaskOfHousehold
-- The household's packaging task of the nearest day that is still open.
SELECT id, kind, stop_id, household_id, order_id, status, due_at, payload, created_at, updated_at
FROM tasks
WHERE kind = 'packaging' AND household_id = $1 AND status IN ('open', 'packed') AND payload->>'day' >= $2
ORDER BY payload->>'day', id
LIMIT 1
FOR UPDATE;

-- name: PickupTaskOfStop
SELECT id, kind, stop_id, household_id, order_id, status, due_at, payload, created_at, updated_at
FROM tasks WHERE kind = 'pickup' AND stop_id = $1 FOR UPDATE;

-- name: InsertNotification
-- A notification per idempotency key: no row back means the event was
-- already notified.
INSERT INTO notifications (household_id, phone, kind, body, status, idempotency_key, created_at)
VALUES ($1, $2, $3, $4, 'queued', $5, $6)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id;

-- name: NotificationForUpdate
SELECT id, household_id, phone, kind, body, status, idempotency_key, provider, error, created_at, sent_at
FROM notifications WHERE id = $1 FOR UPDATE;

-- name: NotificationKind
SELECT kind FROM notifications WHERE id = $1;

-- name: MarkNotification
UPDATE notifications SET status = $2, provider = $3, error = $4, sent_at = $5 WHERE id = $1;

-- name: InsertOutbox
INSERT INTO jobs_sms_outbox (notification_id, phone, body, created_at)
VALUES ($1, $2, $3, now())
RETURNING id;

-- name: InsertInbox
INSERT INTO jobs_sms_inbox (provider_message_id, phone, body, household_id, outcome, detail, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (provider_message_id) DO NOTHING
RETURNING id;

-- name: InboxByProviderID
SELECT outcome, detail, household_id FROM jobs_sms_inbox WHERE provider_message_id = $1;

-- name: HouseholdByPhone
SELECT id, name, phone FROM households WHERE phone = $1;

-- name: OpenOrdersOfHousehold
-- Orders of the household still to collect, with their depot; locked for
-- the change a reply makes.
SELECT id, depot_id, status, handover_deadline, weight_kg
FROM orders
WHERE household_id = $1 AND status IN ('received', 'planned', 'postponed')
ORDER BY id
FOR UPDATE;

-- name: PostponeOrders
UPDATE orders SET status = 'postponed', ready_from = $2, ready_until = NULL, updated_at = $3
WHERE id = ANY($1::bigint[]);

-- name: SetOrdersReadyFrom
UPDATE orders SET ready_from = $2, updated_at = $3 WHERE id = ANY($1::bigint[]);

-- name: HouseholdPhone
SELECT phone FROM households WHERE id = $1;

-- name: StopForUpdate
SELECT s.id, s.route_id, r.vehicle_id, r.driver_id, s.kind, s.household_id, s.status,
       s.arrive_at, s.window_start, s.window_end, r.plan_id, p.status, p.depot_id, p.day
FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
WHERE s.id = $1
FOR UPDATE OF s;

-- name: SetStopStatus
UPDATE stops SET status = $2, updated_at = $3 WHERE id = $1;

-- name: StopOrders
SELECT o.id, o.status, o.handover_deadline, o.weight_kg, o.parcels
FROM stop_orders so JOIN orders o ON o.id = so.order_id
WHERE so.stop_id = $1 ORDER BY o.id;

-- name: OrdersAtRisk
-- Orders not yet handed over whose handover deadline is before $1 (now +
-- the horizon), with their planned arrival and return.
SELECT o.id, o.depot_id, o.household_id, o.status, o.handover_deadline, o.at_risk,
       coalesce((SELECT s.arrive_at FROM stop_orders so JOIN stops s ON s.id = so.stop_id
                 JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
                 WHERE so.order_id = o.id AND p.status = 'done' AND s.status NOT IN ('failed', 'skipped')
                 ORDER BY p.version DESC LIMIT 1), NULL) AS eta,
       coalesce((SELECT s.arrive_at FROM stop_orders so JOIN stops s ON s.id = so.stop_id
                 JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
                 JOIN stops d ON d.route_id = s.route_id AND d.kind = 'depot' AND d.trip = s.trip AND d.seq > s.seq
                 WHERE so.order_id = o.id AND p.status = 'done'
                 ORDER BY p.version DESC, d.seq LIMIT 1), NULL) AS back_at
FROM orders o
WHERE o.status IN ('received', 'planned', 'picked_up')
  AND o.handover_deadline IS NOT NULL
  AND o.handover_deadline < $1
ORDER BY o.handover_deadline, o.id;

-- name: InsertEscalation
INSERT INTO jobs_escalations (order_id, level, reason, created_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (order_id, level) DO NOTHING
RETURNING id;

-- name: SetOrderAtRisk
UPDATE orders SET at_risk = true, at_risk_reason = $2, updated_at = $3 WHERE id = $1 AND NOT at_risk;

-- name: CountOrdersByStatus
SELECT status, count(*) FROM orders GROUP BY status;

-- name: CountOpenEscalations
SELECT level, count(*) FROM jobs_escalations WHERE resolved_at IS NULL GROUP BY level;
