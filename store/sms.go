package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// InsertNotification queues a notification under its idempotency key;
// (0, nil) when the key was already used (the event was notified).
func InsertNotification(ctx context.Context, q DBTX, n *thugom.Notification) (int64, error) {
	err := q.QueryRow(ctx, query("InsertNotification"), n.HouseholdID, n.Phone, n.Kind, n.Body, n.IdempotencyKey, n.CreatedAt).Scan(&n.ID)
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
	err := q.QueryRow(ctx, query("NotificationForUpdate"), id).Scan(&n.ID, &n.HouseholdID, &n.Phone, &n.Kind, &n.Body,
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
	_, err := q.Exec(ctx, query("MarkNotification"), id, status, provider, errText, sentAt)
	return err
}

// InsertOutbox puts a message in the SMS outbox.
func InsertOutbox(ctx context.Context, q DBTX, notificationID int64, phone, body string) (int64, error) {
	var id int64
	if err := q.QueryRow(ctx, query("InsertOutbox"), notificationID, phone, body).Scan(&id); err != nil {
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
	err := q.QueryRow(ctx, query("InsertInbox"), m.ProviderMessageID, m.Phone, m.Body, m.HouseholdID, m.Outcome, m.Detail, m.ReceivedAt).Scan(&id)
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
	err := q.QueryRow(ctx, query("InboxByProviderID"), providerID).Scan(&m.Outcome, &m.Detail, &m.HouseholdID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}
