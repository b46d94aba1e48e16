package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// Notice is a notification with what the notice rules need: the window it
// announces (zero when none), when it may leave, and its initial status
// (queued, or suppressed).
type Notice struct {
	thugom.Notification
	WindowStart time.Time
	SendAt      time.Time
}

// InsertNotice writes a notification under its idempotency key; (0, nil)
// when the key was already used.
func InsertNotice(ctx context.Context, q DBTX, n *Notice) (int64, error) {
	var ws *time.Time
	if !n.WindowStart.IsZero() {
		ws = &n.WindowStart
	}
	status := n.Status
	if status == "" {
		status = thugom.NotificationQueued
	}
	err := q.QueryRow(ctx, query("NoticeInsert"), n.HouseholdID, n.Phone, n.Kind, n.Body, status, n.IdempotencyKey,
		n.CreatedAt, ws, n.SendAt, n.Error).Scan(&n.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("insert notice: %w", err)
	}
	return n.ID, nil
}

// SupersedeNotices marks a household's queued messages of kinds created
// after since as superseded and returns their kinds.
func SupersedeNotices(ctx context.Context, q DBTX, householdID int64, kinds []string, reason string, since time.Time) ([]string, error) {
	rows, err := q.Query(ctx, query("NoticeSupersede"), householdID, kinds, reason, since)
	if err != nil {
		return nil, fmt.Errorf("supersede notices: %w", err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("supersede notices: %w", err)
	}
	return got, nil
}

// NoticesOfDay counts a household's messages leaving in [from, to).
func NoticesOfDay(ctx context.Context, q DBTX, householdID int64, from, to time.Time) (int, error) {
	var n int
	if err := q.QueryRow(ctx, query("NoticeCountOfDay"), householdID, from, to).Scan(&n); err != nil {
		return 0, fmt.Errorf("count notices: %w", err)
	}
	return n, nil
}

// LastToldWindow is the start of the last window a household was told
// after since; zero when none.
func LastToldWindow(ctx context.Context, q DBTX, householdID int64, since time.Time) (time.Time, error) {
	var t time.Time
	err := q.QueryRow(ctx, query("NoticeLastWindow"), householdID, since).Scan(&t)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	}
	return t, err
}

// NoticeSendAt returns a notification's kind and when it may leave.
func NoticeSendAt(ctx context.Context, q DBTX, id int64) (string, time.Time, error) {
	var kind string
	var at time.Time
	err := q.QueryRow(ctx, query("NoticeSendAt"), id).Scan(&kind, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", at, thugom.Errorf(thugom.ENotFound, "notification_id", "no notification %d", id)
	}
	return kind, at, err
}

// SetNoticeRef records the provider's message reference of a sent
// notification (delivery receipts name it).
func SetNoticeRef(ctx context.Context, q DBTX, id int64, ref string) error {
	_, err := q.Exec(ctx, query("NoticeSetRef"), id, ref)
	return err
}

// NoticeRef is what a delivery receipt needs of its notification.
type NoticeRef struct {
	ID          int64
	HouseholdID *int64
	Kind        string
	Status      string
	Delivery    string
	WindowStart *time.Time
}

// NoticeByRef finds a notification by provider and reference, or
// thugom.ErrNotFound.
func NoticeByRef(ctx context.Context, q DBTX, provider, ref string) (*NoticeRef, error) {
	var n NoticeRef
	err := q.QueryRow(ctx, query("NoticeByRef"), provider, ref).Scan(&n.ID, &n.HouseholdID, &n.Kind, &n.Status, &n.Delivery, &n.WindowStart)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "ref", "no message %s/%s", provider, ref)
	}
	if err != nil {
		return nil, fmt.Errorf("notice by ref: %w", err)
	}
	return &n, nil
}

// SetNoticeDelivery records a delivery receipt; false when nothing changed
// (already delivered).
func SetNoticeDelivery(ctx context.Context, q DBTX, id int64, delivery string, at time.Time) (bool, error) {
	var got int64
	err := q.QueryRow(ctx, query("NoticeDelivery"), id, delivery, at).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("notice delivery: %w", err)
	}
	return true, nil
}

// SentNotice is one sent message for the notice distribution.
type SentNotice struct {
	Kind        string
	WindowStart *time.Time
	SentAt      time.Time
	CreatedAt   time.Time
}

// SentNoticesOfDay lists the messages sent about the local day [from, to):
// window messages by their window, others by when they left; to households
// with orders of carrierID and of depotID (0: any).
func SentNoticesOfDay(ctx context.Context, q DBTX, from, to time.Time, carrierID, depotID int64) ([]SentNotice, error) {
	rows, err := q.Query(ctx, query("NoticeSentOfDay"), from, to, carrierID, depotID)
	if err != nil {
		return nil, fmt.Errorf("sent notices: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SentNotice, error) {
		var n SentNotice
		err := r.Scan(&n.Kind, &n.WindowStart, &n.SentAt, &n.CreatedAt)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("sent notices: %w", err)
	}
	return out, nil
}

// TakeInlineNotice marks the queued notification of an idempotency key as
// sent by provider and returns its body; "" when there is none (already
// sent by its job, or never queued).
func TakeInlineNotice(ctx context.Context, q DBTX, key, provider string, at time.Time) (string, error) {
	var body string
	err := q.QueryRow(ctx, query("NoticeTakeInline"), key, provider, at).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return body, err
}

// MarkHouseholdOrdersAtRisk flags a household's open orders at risk; it
// returns them.
func MarkHouseholdOrdersAtRisk(ctx context.Context, q DBTX, householdID int64, reason string) ([]int64, error) {
	rows, err := q.Query(ctx, query("NoticeOrdersAtRisk"), householdID, reason)
	if err != nil {
		return nil, fmt.Errorf("orders at risk: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// WindowNoticesOfDay counts the window messages of a household for windows
// in [from, to).
func WindowNoticesOfDay(ctx context.Context, q DBTX, householdID int64, from, to time.Time) (int, error) {
	var n int
	if err := q.QueryRow(ctx, query("NoticeWindowsOfDay"), householdID, from, to).Scan(&n); err != nil {
		return 0, fmt.Errorf("window notices: %w", err)
	}
	return n, nil
}

// OutboxMessage is a message a SIM gateway phone picks up to send.
type OutboxMessage struct {
	ID    int64
	Phone string
	Body  string
}

// PickOutbox hands up to n outbox messages of provider to a polling phone:
// never picked, or picked before stale with no delivery report yet.
func PickOutbox(ctx context.Context, q DBTX, n int, provider string, now, stale time.Time) ([]OutboxMessage, error) {
	rows, err := q.Query(ctx, query("OutboxPick"), n, now, stale, provider)
	if err != nil {
		return nil, fmt.Errorf("pick outbox: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxMessage, error) {
		var m OutboxMessage
		return m, r.Scan(&m.ID, &m.Phone, &m.Body)
	})
}
