package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
)

// Queries of the jobs package: geocoding, tasks, SMS, pickups, SLA watch.

// JobsGeocodeTarget is what geocoding reads of a household.
type JobsGeocodeTarget struct {
	ID          int64
	Address     string
	Pin         *orb.Point // the household's own pin (Pinned) or current point
	Precision   string
	Pinned      bool
	Village     string
	CommuneCode string
}

// JobsHouseholdForGeocode returns a household for geocoding or
// thugom.ErrNotFound.
func JobsHouseholdForGeocode(ctx context.Context, q DBTX, id int64) (*JobsGeocodeTarget, error) {
	var t JobsGeocodeTarget
	var lon, lat *float64
	err := q.QueryRow(ctx, Query("JobsHouseholdForGeocode"), id).Scan(&t.ID, &t.Address, &lon, &lat, &t.Precision, &t.Pinned, &t.Village, &t.CommuneCode)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "household_id", "no household %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("household %d: %w", id, err)
	}
	if lon != nil && lat != nil {
		t.Pin = &orb.Point{*lon, *lat}
	}
	return &t, nil
}

// JobsSetHouseholdGeocode stores a geocoding result. A nil point clears it
// (precision must then be "").
func JobsSetHouseholdGeocode(ctx context.Context, q DBTX, id int64, commune, village string, pt *orb.Point, h3, precision string, confidence float64, at time.Time) error {
	var lon, lat *float64
	if pt != nil {
		lon, lat = &pt[0], &pt[1]
	}
	_, err := q.Exec(ctx, Query("JobsSetHouseholdGeocode"), id, commune, village, lon, lat, h3, precision, confidence, at)
	if err != nil {
		return fmt.Errorf("store geocode of household %d: %w", id, err)
	}
	return nil
}

// JobsVillage is a learned village centre.
type JobsVillage struct {
	Key         string
	CommuneCode string
	Name        string
	Point       orb.Point
	H3          string
	Pins        int
}

// JobsLearnedVillages returns every learned village centre by key.
func JobsLearnedVillages(ctx context.Context, q DBTX) (map[string]orb.Point, error) {
	rows, err := q.Query(ctx, Query("JobsLearnedVillages"))
	if err != nil {
		return nil, fmt.Errorf("learned villages: %w", err)
	}
	defer rows.Close()
	out := map[string]orb.Point{}
	for rows.Next() {
		var k string
		var lon, lat float64
		if err := rows.Scan(&k, &lon, &lat); err != nil {
			return nil, err
		}
		out[k] = orb.Point{lon, lat}
	}
	return out, rows.Err()
}

// JobsPinnedVillagePoints returns (village as written, point) of the pinned
// households of a commune.
func JobsPinnedVillagePoints(ctx context.Context, q DBTX, commune string) ([]string, []orb.Point, error) {
	rows, err := q.Query(ctx, Query("JobsPinnedHouseholdsOfCommune"), commune)
	if err != nil {
		return nil, nil, fmt.Errorf("pinned households of %s: %w", commune, err)
	}
	defer rows.Close()
	var names []string
	var pts []orb.Point
	for rows.Next() {
		var n string
		var lon, lat float64
		if err := rows.Scan(&n, &lon, &lat); err != nil {
			return nil, nil, err
		}
		names = append(names, n)
		pts = append(pts, orb.Point{lon, lat})
	}
	return names, pts, rows.Err()
}

// JobsUpsertVillage stores a learned village centre.
func JobsUpsertVillage(ctx context.Context, q DBTX, v JobsVillage, at time.Time) error {
	_, err := q.Exec(ctx, Query("JobsUpsertVillage"), v.Key, v.CommuneCode, v.Name, v.Point[0], v.Point[1], v.H3, v.Pins, at)
	if err != nil {
		return fmt.Errorf("store village %s: %w", v.Key, err)
	}
	return nil
}

// JobsOrderRef is an order id with its carrier.
type JobsOrderRef struct {
	ID        int64
	CarrierID int64
}

// JobsUnassignedOrdersOfHousehold returns the household's new orders
// without a depot.
func JobsUnassignedOrdersOfHousehold(ctx context.Context, q DBTX, householdID int64) ([]JobsOrderRef, error) {
	rows, err := q.Query(ctx, Query("JobsUnassignedOrdersOfHousehold"), householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobsOrderRef
	for rows.Next() {
		var r JobsOrderRef
		if err := rows.Scan(&r.ID, &r.CarrierID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// JobsSetOrderDepot assigns a depot to an order that has none.
func JobsSetOrderDepot(ctx context.Context, q DBTX, orderID, depotID int64, at time.Time) error {
	_, err := q.Exec(ctx, Query("JobsSetOrderDepot"), orderID, depotID, at)
	return err
}

// JobsSLAOrder is what the SLA needs of an order.
type JobsSLAOrder struct {
	ID           int64
	DepotID      int64
	Province     string
	PlacedAt     time.Time
	PromiseHours int
}

// JobsOrdersWithoutSLA returns the household's orders with a depot but no
// handover deadline yet.
func JobsOrdersWithoutSLA(ctx context.Context, q DBTX, householdID int64) ([]JobsSLAOrder, error) {
	rows, err := q.Query(ctx, Query("JobsOrdersWithoutSLA"), householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobsSLAOrder
	for rows.Next() {
		var o JobsSLAOrder
		if err := rows.Scan(&o.ID, &o.DepotID, &o.Province, &o.PlacedAt, &o.PromiseHours); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// JobsUpsertPackagingTask creates the household's packaging task of the day
// or moves it to a new stop and window, keeping its status. It returns the
// task id, its status and whether it was created.
func JobsUpsertPackagingTask(ctx context.Context, q DBTX, stopID, householdID int64, due time.Time, payload map[string]any, at time.Time) (id int64, status string, created bool, err error) {
	err = q.QueryRow(ctx, Query("JobsUpsertPackagingTask"), stopID, householdID, due, payload, at).Scan(&id, &status, &created)
	if err != nil {
		return 0, "", false, fmt.Errorf("packaging task of household %d: %w", householdID, err)
	}
	return id, status, created, nil
}

// JobsInsertPickupTask creates the pickup task of a stop; (0, nil) when it
// already exists.
func JobsInsertPickupTask(ctx context.Context, q DBTX, stopID, householdID int64, status string, due time.Time, payload map[string]any, at time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, Query("JobsInsertPickupTask"), stopID, householdID, status, due, payload, at).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pickup task of stop %d: %w", stopID, err)
	}
	return id, nil
}

func scanTask(row pgx.Row) (*thugom.Task, error) {
	var t thugom.Task
	if err := row.Scan(&t.ID, &t.Kind, &t.StopID, &t.HouseholdID, &t.OrderID, &t.Status, &t.DueAt, &t.Payload, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return nil, err
	}
	return &t, nil
}

// JobsTask returns a task, locked for update when forUpdate, or
// thugom.ErrNotFound.
func JobsTask(ctx context.Context, q DBTX, id int64, forUpdate bool) (*thugom.Task, error) {
	name := "JobsTask"
	if forUpdate {
		name = "JobsTaskForUpdate"
	}
	t, err := scanTask(q.QueryRow(ctx, Query(name), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "task_id", "no task %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("task %d: %w", id, err)
	}
	return t, nil
}

// JobsSetTaskStatus sets a task's status.
func JobsSetTaskStatus(ctx context.Context, q DBTX, id int64, status string, at time.Time) error {
	_, err := q.Exec(ctx, Query("JobsSetTaskStatus"), id, status, at)
	return err
}

// JobsOpenPackagingTask returns the household's open (or packed) packaging
// task of the nearest day from fromDay on, locked; nil when none.
func JobsOpenPackagingTask(ctx context.Context, q DBTX, householdID int64, fromDay string) (*thugom.Task, error) {
	t, err := scanTask(q.QueryRow(ctx, Query("JobsOpenPackagingTaskOfHousehold"), householdID, fromDay))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return t, err
}

// JobsPickupTaskOfStop returns the stop's pickup task, locked; nil when none.
func JobsPickupTaskOfStop(ctx context.Context, q DBTX, stopID int64) (*thugom.Task, error) {
	t, err := scanTask(q.QueryRow(ctx, Query("JobsPickupTaskOfStop"), stopID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return t, err
}

// JobsInsertNotification queues a notification under its idempotency key;
// (0, nil) when the key was already used (the event was notified).
func JobsInsertNotification(ctx context.Context, q DBTX, n *thugom.Notification) (int64, error) {
	err := q.QueryRow(ctx, Query("JobsInsertNotification"), n.HouseholdID, n.Phone, n.Kind, n.Body, n.IdempotencyKey, n.CreatedAt).Scan(&n.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("insert notification: %w", err)
	}
	return n.ID, nil
}

// JobsNotificationForUpdate returns a notification locked for update, or
// thugom.ErrNotFound.
func JobsNotificationForUpdate(ctx context.Context, q DBTX, id int64) (*thugom.Notification, error) {
	var n thugom.Notification
	err := q.QueryRow(ctx, Query("JobsNotificationForUpdate"), id).Scan(&n.ID, &n.HouseholdID, &n.Phone, &n.Kind, &n.Body,
		&n.Status, &n.IdempotencyKey, &n.Provider, &n.Error, &n.CreatedAt, &n.SentAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "notification_id", "no notification %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("notification %d: %w", id, err)
	}
	return &n, nil
}

// JobsMarkNotification records the outcome of a send.
func JobsMarkNotification(ctx context.Context, q DBTX, id int64, status, provider, errText string, sentAt *time.Time) error {
	_, err := q.Exec(ctx, Query("JobsMarkNotification"), id, status, provider, errText, sentAt)
	return err
}

// JobsInsertOutbox puts a message in the SMS outbox.
func JobsInsertOutbox(ctx context.Context, q DBTX, notificationID int64, phone, body string) (int64, error) {
	var id int64
	if err := q.QueryRow(ctx, Query("JobsInsertOutbox"), notificationID, phone, body).Scan(&id); err != nil {
		return 0, fmt.Errorf("sms outbox: %w", err)
	}
	return id, nil
}

// JobsInboxMessage is one received SMS.
type JobsInboxMessage struct {
	ProviderMessageID string
	Phone             string
	Body              string
	HouseholdID       *int64
	Outcome           string
	Detail            string
	ReceivedAt        time.Time
}

// JobsInsertInbox records a received SMS; false when its provider message id
// was already recorded (a duplicate delivery).
func JobsInsertInbox(ctx context.Context, q DBTX, m JobsInboxMessage) (bool, error) {
	var id int64
	err := q.QueryRow(ctx, Query("JobsInsertInbox"), m.ProviderMessageID, m.Phone, m.Body, m.HouseholdID, m.Outcome, m.Detail, m.ReceivedAt).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sms inbox: %w", err)
	}
	return true, nil
}

// JobsInboxByProviderID returns the recorded outcome of a received SMS, nil
// if unknown.
func JobsInboxByProviderID(ctx context.Context, q DBTX, providerID string) (*JobsInboxMessage, error) {
	m := JobsInboxMessage{ProviderMessageID: providerID}
	err := q.QueryRow(ctx, Query("JobsInboxByProviderID"), providerID).Scan(&m.Outcome, &m.Detail, &m.HouseholdID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// JobsHouseholdByPhone returns (id, name) of the household with the phone,
// or thugom.ErrNotFound.
func JobsHouseholdByPhone(ctx context.Context, q DBTX, phone string) (int64, string, error) {
	var id int64
	var name, p string
	err := q.QueryRow(ctx, Query("JobsHouseholdByPhone"), phone).Scan(&id, &name, &p)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", thugom.Errorf(thugom.ENotFound, "from", "no household with phone %s", phone)
	}
	return id, name, err
}

// JobsOpenOrder is an order still to collect.
type JobsOpenOrder struct {
	ID       int64
	DepotID  *int64
	Status   string
	Deadline *time.Time
	WeightKg float64
}

// JobsOpenOrdersOfHousehold returns the household's orders still to collect,
// locked for update.
func JobsOpenOrdersOfHousehold(ctx context.Context, q DBTX, householdID int64) ([]JobsOpenOrder, error) {
	rows, err := q.Query(ctx, Query("JobsOpenOrdersOfHousehold"), householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobsOpenOrder
	for rows.Next() {
		var o JobsOpenOrder
		if err := rows.Scan(&o.ID, &o.DepotID, &o.Status, &o.Deadline, &o.WeightKg); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// JobsPostponeOrders postpones orders until readyFrom.
func JobsPostponeOrders(ctx context.Context, q DBTX, ids []int64, readyFrom, at time.Time) error {
	_, err := q.Exec(ctx, Query("JobsPostponeOrders"), ids, readyFrom, at)
	return err
}

// JobsStopState is a stop with what the pickup state machine needs.
type JobsStopState struct {
	ID          int64
	RouteID     int64
	VehicleID   int64
	DriverID    *int64
	Kind        string
	HouseholdID *int64
	Status      string
	ArriveAt    time.Time
	WindowStart time.Time
	WindowEnd   time.Time
	PlanID      int64
	PlanStatus  string
	DepotID     int64
	Day         time.Time // local midnight
}

// JobsStopForUpdate returns a stop locked for update, or thugom.ErrNotFound.
func JobsStopForUpdate(ctx context.Context, q DBTX, id int64) (*JobsStopState, error) {
	var s JobsStopState
	var day time.Time
	err := q.QueryRow(ctx, Query("JobsStopForUpdate"), id).Scan(&s.ID, &s.RouteID, &s.VehicleID, &s.DriverID, &s.Kind,
		&s.HouseholdID, &s.Status, &s.ArriveAt, &s.WindowStart, &s.WindowEnd, &s.PlanID, &s.PlanStatus, &s.DepotID, &day)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "stop_id", "no stop %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("stop %d: %w", id, err)
	}
	s.Day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, thugom.Local)
	return &s, nil
}

// JobsSetStopStatus sets a stop's status.
func JobsSetStopStatus(ctx context.Context, q DBTX, id int64, status string, at time.Time) error {
	_, err := q.Exec(ctx, Query("JobsSetStopStatus"), id, status, at)
	return err
}

// JobsStopOrder is an order of a stop.
type JobsStopOrder struct {
	ID       int64
	Status   string
	Deadline *time.Time
	WeightKg float64
	Parcels  int
}

// JobsStopOrders returns the orders a stop collects.
func JobsStopOrders(ctx context.Context, q DBTX, stopID int64) ([]JobsStopOrder, error) {
	rows, err := q.Query(ctx, Query("JobsStopOrders"), stopID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobsStopOrder
	for rows.Next() {
		var o JobsStopOrder
		if err := rows.Scan(&o.ID, &o.Status, &o.Deadline, &o.WeightKg, &o.Parcels); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// JobsRiskOrder is an order the SLA watch looks at.
type JobsRiskOrder struct {
	ID          int64
	DepotID     *int64
	HouseholdID int64
	Status      string
	Deadline    time.Time
	AtRisk      bool
	ETA         *time.Time // planned arrival at the household, nil if unplanned
	BackAt      *time.Time // planned return to the depot with it
}

// JobsOrdersAtRisk returns orders not yet collected whose handover deadline
// is before horizon.
func JobsOrdersAtRisk(ctx context.Context, q DBTX, horizon time.Time) ([]JobsRiskOrder, error) {
	rows, err := q.Query(ctx, Query("JobsOrdersAtRisk"), horizon)
	if err != nil {
		return nil, fmt.Errorf("orders at risk: %w", err)
	}
	defer rows.Close()
	var out []JobsRiskOrder
	for rows.Next() {
		var o JobsRiskOrder
		if err := rows.Scan(&o.ID, &o.DepotID, &o.HouseholdID, &o.Status, &o.Deadline, &o.AtRisk, &o.ETA, &o.BackAt); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// JobsInsertEscalation escalates an order once per level; false when it
// already was.
func JobsInsertEscalation(ctx context.Context, q DBTX, orderID int64, level, reason string, at time.Time) (bool, error) {
	var id int64
	err := q.QueryRow(ctx, Query("JobsInsertEscalation"), orderID, level, reason, at).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("escalate order %d: %w", orderID, err)
	}
	return true, nil
}

// JobsSetOrderAtRisk flags an order at risk.
func JobsSetOrderAtRisk(ctx context.Context, q DBTX, orderID int64, reason string, at time.Time) error {
	_, err := q.Exec(ctx, Query("JobsSetOrderAtRisk"), orderID, reason, at)
	return err
}

// JobsCountOrdersByStatus counts orders per status.
func JobsCountOrdersByStatus(ctx context.Context, q DBTX) (map[string]int, error) {
	return countBy(ctx, q, "JobsCountOrdersByStatus")
}

// JobsCountOpenEscalations counts unresolved escalations per level.
func JobsCountOpenEscalations(ctx context.Context, q DBTX) (map[string]int, error) {
	return countBy(ctx, q, "JobsCountOpenEscalations")
}

func countBy(ctx context.Context, q DBTX, name string) (map[string]int, error) {
	rows, err := q.Query(ctx, Query(name))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// JobsSetOrdersReadyFrom sets when orders are ready (next pickup attempt).
func JobsSetOrdersReadyFrom(ctx context.Context, q DBTX, ids []int64, readyFrom, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := q.Exec(ctx, Query("JobsSetOrdersReadyFrom"), ids, readyFrom, at)
	return err
}

// JobsHouseholdPhone returns a household's phone or thugom.ErrNotFound.
func JobsHouseholdPhone(ctx context.Context, q DBTX, id int64) (string, error) {
	var p string
	err := q.QueryRow(ctx, Query("JobsHouseholdPhone"), id).Scan(&p)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", thugom.Errorf(thugom.ENotFound, "household_id", "no household %d", id)
	}
	return p, err
}
