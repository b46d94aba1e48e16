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

// GeocodeTarget is what geocoding reads of a household.
type GeocodeTarget struct {
	ID          int64
	Address     string
	Pin         *orb.Point // the household's own pin (Pinned) or current point
	Precision   string
	Pinned      bool
	Village     string
	CommuneCode string
}

// HouseholdForGeocode returns a household for geocoding or
// thugom.ErrNotFound.
func HouseholdForGeocode(ctx context.Context, q DBTX, id int64) (*GeocodeTarget, error) {
	var t GeocodeTarget
	var lon, lat *float64
	err := q.QueryRow(ctx, Query("HouseholdForGeocode"), id).Scan(&t.ID, &t.Address, &lon, &lat, &t.Precision, &t.Pinned, &t.Village, &t.CommuneCode)
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

// SetHouseholdGeocode stores a geocoding result. A nil point clears it
// (precision must then be "").
func SetHouseholdGeocode(ctx context.Context, q DBTX, id int64, commune, village string, pt *orb.Point, h3, precision string, confidence float64, at time.Time) error {
	var lon, lat *float64
	if pt != nil {
		lon, lat = &pt[0], &pt[1]
	}
	_, err := q.Exec(ctx, Query("SetHouseholdGeocode"), id, commune, village, lon, lat, h3, precision, confidence, at)
	if err != nil {
		return fmt.Errorf("store geocode of household %d: %w", id, err)
	}
	return nil
}

// Village is a learned village centre.
type Village struct {
	Key         string
	CommuneCode string
	Name        string
	Point       orb.Point
	H3          string
	Pins        int
}

// LearnedVillages returns every learned village centre by key.
func LearnedVillages(ctx context.Context, q DBTX) (map[string]orb.Point, error) {
	rows, err := q.Query(ctx, Query("LearnedVillages"))
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

// PinnedVillagePoints returns (village as written, point) of the pinned
// households of a commune.
func PinnedVillagePoints(ctx context.Context, q DBTX, commune string) ([]string, []orb.Point, error) {
	rows, err := q.Query(ctx, Query("PinnedHouseholdsOfCommune"), commune)
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

// UpsertVillage stores a learned village centre.
func UpsertVillage(ctx context.Context, q DBTX, v Village, at time.Time) error {
	_, err := q.Exec(ctx, Query("UpsertVillage"), v.Key, v.CommuneCode, v.Name, v.Point[0], v.Point[1], v.H3, v.Pins, at)
	if err != nil {
		return fmt.Errorf("store village %s: %w", v.Key, err)
	}
	return nil
}

// OrderRef is an order id with its carrier.
type OrderRef struct {
	ID        int64
	CarrierID int64
}

// UnassignedOrdersOfHousehold returns the household's new orders
// without a depot.
func UnassignedOrdersOfHousehold(ctx context.Context, q DBTX, householdID int64) ([]OrderRef, error) {
	rows, err := q.Query(ctx, Query("UnassignedOrdersOfHousehold"), householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OrderRef
	for rows.Next() {
		var r OrderRef
		if err := rows.Scan(&r.ID, &r.CarrierID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetOrderDepot assigns a depot to an order that has none.
func SetOrderDepot(ctx context.Context, q DBTX, orderID, depotID int64, at time.Time) error {
	_, err := q.Exec(ctx, Query("SetOrderDepot"), orderID, depotID, at)
	return err
}

// SLAOrder is what the SLA needs of an order.
type SLAOrder struct {
	ID           int64
	DepotID      int64
	Province     string
	PlacedAt     time.Time
	PromiseHours int
}

// OrdersWithoutSLA returns the household's orders with a depot but no
// handover deadline yet.
func OrdersWithoutSLA(ctx context.Context, q DBTX, householdID int64) ([]SLAOrder, error) {
	rows, err := q.Query(ctx, Query("OrdersWithoutSLA"), householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SLAOrder
	for rows.Next() {
		var o SLAOrder
		if err := rows.Scan(&o.ID, &o.DepotID, &o.Province, &o.PlacedAt, &o.PromiseHours); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// UpsertPackagingTask creates the household's packaging task of the day
// or moves it to a new stop and window, keeping its status. It returns the
// task id, its status and whether it was created.
func UpsertPackagingTask(ctx context.Context, q DBTX, stopID, householdID int64, due time.Time, payload map[string]any, at time.Time) (id int64, status string, created bool, err error) {
	err = q.QueryRow(ctx, Query("UpsertPackagingTask"), stopID, householdID, due, payload, at).Scan(&id, &status, &created)
	if err != nil {
		return 0, "", false, fmt.Errorf("packaging task of household %d: %w", householdID, err)
	}
	return id, status, created, nil
}

// InsertPickupTask creates the pickup task of a stop; (0, nil) when it
// already exists.
func InsertPickupTask(ctx context.Context, q DBTX, stopID, householdID int64, status string, due time.Time, payload map[string]any, at time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, Query("InsertPickupTask"), stopID, householdID, status, due, payload, at).Scan(&id)
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

// TaskByID returns a task, locked for update when forUpdate, or
// thugom.ErrNotFound.
func TaskByID(ctx context.Context, q DBTX, id int64, forUpdate bool) (*thugom.Task, error) {
	name := "TaskByID"
	if forUpdate {
		name = "TaskForUpdate"
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

// SetTaskStatus sets a task's status.
func SetTaskStatus(ctx context.Context, q DBTX, id int64, status string, at time.Time) error {
	_, err := q.Exec(ctx, Query("SetTaskStatus"), id, status, at)
	return err
}

// OpenPackagingTask returns the household's open (or packed) packaging
// task of the nearest day from fromDay on, locked; nil when none.
func OpenPackagingTask(ctx context.Context, q DBTX, householdID int64, fromDay string) (*thugom.Task, error) {
	t, err := scanTask(q.QueryRow(ctx, Query("OpenPackagingTaskOfHousehold"), householdID, fromDay))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return t, err
}

// PickupTaskOfStop returns the stop's pickup task, locked; nil when none.
func PickupTaskOfStop(ctx context.Context, q DBTX, stopID int64) (*thugom.Task, error) {
	t, err := scanTask(q.QueryRow(ctx, Query("PickupTaskOfStop"), stopID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return t, err
}

// InsertNotification queues a notification under its idempotency key;
// (0, nil) when the key was already used (the event was notified).
func InsertNotification(ctx context.Context, q DBTX, n *thugom.Notification) (int64, error) {
	err := q.QueryRow(ctx, Query("InsertNotification"), n.HouseholdID, n.Phone, n.Kind, n.Body, n.IdempotencyKey, n.CreatedAt).Scan(&n.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("insert notification: %w", err)
	}
	return n.ID, nil
}

// NotificationForUpdate returns a notification locked for update, or
// thugom.ErrNotFound.
func NotificationForUpdate(ctx context.Context, q DBTX, id int64) (*thugom.Notification, error) {
	var n thugom.Notification
	err := q.QueryRow(ctx, Query("NotificationForUpdate"), id).Scan(&n.ID, &n.HouseholdID, &n.Phone, &n.Kind, &n.Body,
		&n.Status, &n.IdempotencyKey, &n.Provider, &n.Error, &n.CreatedAt, &n.SentAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "notification_id", "no notification %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("notification %d: %w", id, err)
	}
	return &n, nil
}

// MarkNotification records the outcome of a send.
func MarkNotification(ctx context.Context, q DBTX, id int64, status, provider, errText string, sentAt *time.Time) error {
	_, err := q.Exec(ctx, Query("MarkNotification"), id, status, provider, errText, sentAt)
	return err
}

// InsertOutbox puts a message in the SMS outbox.
func InsertOutbox(ctx context.Context, q DBTX, notificationID int64, phone, body string) (int64, error) {
	var id int64
	if err := q.QueryRow(ctx, Query("InsertOutbox"), notificationID, phone, body).Scan(&id); err != nil {
		return 0, fmt.Errorf("sms outbox: %w", err)
	}
	return id, nil
}

// InboxMessage is one received SMS.
type InboxMessage struct {
	ProviderMessageID string
	Phone             string
	Body              string
	HouseholdID       *int64
	Outcome           string
	Detail            string
	ReceivedAt        time.Time
}

// InsertInbox records a received SMS; false when its provider message id
// was already recorded (a duplicate delivery).
func InsertInbox(ctx context.Context, q DBTX, m InboxMessage) (bool, error) {
	var id int64
	err := q.QueryRow(ctx, Query("InsertInbox"), m.ProviderMessageID, m.Phone, m.Body, m.HouseholdID, m.Outcome, m.Detail, m.ReceivedAt).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sms inbox: %w", err)
	}
	return true, nil
}

// InboxByProviderID returns the recorded outcome of a received SMS, nil
// if unknown.
func InboxByProviderID(ctx context.Context, q DBTX, providerID string) (*InboxMessage, error) {
	m := InboxMessage{ProviderMessageID: providerID}
	err := q.QueryRow(ctx, Query("InboxByProviderID"), providerID).Scan(&m.Outcome, &m.Detail, &m.HouseholdID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// HouseholdByPhone returns (id, name) of the household with the phone,
// or thugom.ErrNotFound.
func HouseholdByPhone(ctx context.Context, q DBTX, phone string) (int64, string, error) {
	var id int64
	var name, p string
	err := q.QueryRow(ctx, Query("HouseholdByPhone"), phone).Scan(&id, &name, &p)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", thugom.Errorf(thugom.ENotFound, "from", "no household with phone %s", phone)
	}
	return id, name, err
}

// OpenOrder is an order still to collect.
type OpenOrder struct {
	ID       int64
	DepotID  *int64
	Status   string
	Deadline *time.Time
	WeightKg float64
}

// OpenOrdersOfHousehold returns the household's orders still to collect,
// locked for update.
func OpenOrdersOfHousehold(ctx context.Context, q DBTX, householdID int64) ([]OpenOrder, error) {
	rows, err := q.Query(ctx, Query("OpenOrdersOfHousehold"), householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OpenOrder
	for rows.Next() {
		var o OpenOrder
		if err := rows.Scan(&o.ID, &o.DepotID, &o.Status, &o.Deadline, &o.WeightKg); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// PostponeOrders postpones orders until readyFrom.
func PostponeOrders(ctx context.Context, q DBTX, ids []int64, readyFrom, at time.Time) error {
	_, err := q.Exec(ctx, Query("PostponeOrders"), ids, readyFrom, at)
	return err
}

// StopState is a stop with what the pickup state machine needs.
type StopState struct {
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

// StopForUpdate returns a stop locked for update, or thugom.ErrNotFound.
func StopForUpdate(ctx context.Context, q DBTX, id int64) (*StopState, error) {
	var s StopState
	var day time.Time
	err := q.QueryRow(ctx, Query("StopForUpdate"), id).Scan(&s.ID, &s.RouteID, &s.VehicleID, &s.DriverID, &s.Kind,
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

// SetStopStatus sets a stop's status.
func SetStopStatus(ctx context.Context, q DBTX, id int64, status string, at time.Time) error {
	_, err := q.Exec(ctx, Query("SetStopStatus"), id, status, at)
	return err
}

// StopOrder is an order of a stop.
type StopOrder struct {
	ID       int64
	Status   string
	Deadline *time.Time
	WeightKg float64
	Parcels  int
}

// StopOrders returns the orders a stop collects.
func StopOrders(ctx context.Context, q DBTX, stopID int64) ([]StopOrder, error) {
	rows, err := q.Query(ctx, Query("StopOrders"), stopID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StopOrder
	for rows.Next() {
		var o StopOrder
		if err := rows.Scan(&o.ID, &o.Status, &o.Deadline, &o.WeightKg, &o.Parcels); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// RiskOrder is an order the SLA watch looks at.
type RiskOrder struct {
	ID          int64
	DepotID     *int64
	HouseholdID int64
	Status      string
	Deadline    time.Time
	AtRisk      bool
	ETA         *time.Time // planned arrival at the household, nil if unplanned
	BackAt      *time.Time // planned return to the depot with it
}

// OrdersAtRisk returns orders not yet collected whose handover deadline
// is before horizon.
func OrdersAtRisk(ctx context.Context, q DBTX, horizon time.Time) ([]RiskOrder, error) {
	rows, err := q.Query(ctx, Query("OrdersAtRisk"), horizon)
	if err != nil {
		return nil, fmt.Errorf("orders at risk: %w", err)
	}
	defer rows.Close()
	var out []RiskOrder
	for rows.Next() {
		var o RiskOrder
		if err := rows.Scan(&o.ID, &o.DepotID, &o.HouseholdID, &o.Status, &o.Deadline, &o.AtRisk, &o.ETA, &o.BackAt); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// InsertEscalation escalates an order once per level; false when it
// already was.
func InsertEscalation(ctx context.Context, q DBTX, orderID int64, level, reason string, at time.Time) (bool, error) {
	var id int64
	err := q.QueryRow(ctx, Query("InsertEscalation"), orderID, level, reason, at).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("escalate order %d: %w", orderID, err)
	}
	return true, nil
}

// SetOrderAtRisk flags an order at risk.
func SetOrderAtRisk(ctx context.Context, q DBTX, orderID int64, reason string, at time.Time) error {
	_, err := q.Exec(ctx, Query("SetOrderAtRisk"), orderID, reason, at)
	return err
}

// CountOrdersByStatus counts orders per status.
func CountOrdersByStatus(ctx context.Context, q DBTX) (map[string]int, error) {
	return countBy(ctx, q, "CountOrdersByStatus")
}

// CountOpenEscalations counts unresolved escalations per level.
func CountOpenEscalations(ctx context.Context, q DBTX) (map[string]int, error) {
	return countBy(ctx, q, "CountOpenEscalations")
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

// SetOrdersReadyFrom sets when orders are ready (next pickup attempt).
func SetOrdersReadyFrom(ctx context.Context, q DBTX, ids []int64, readyFrom, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := q.Exec(ctx, Query("SetOrdersReadyFrom"), ids, readyFrom, at)
	return err
}

// HouseholdPhone returns a household's phone or thugom.ErrNotFound.
func HouseholdPhone(ctx context.Context, q DBTX, id int64) (string, error) {
	var p string
	err := q.QueryRow(ctx, Query("HouseholdPhone"), id).Scan(&p)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", thugom.Errorf(thugom.ENotFound, "household_id", "no household %d", id)
	}
	return p, err
}
