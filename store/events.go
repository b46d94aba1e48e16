package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// InsertEvents appends one event per subject, all with the same actor,
// action and time.
func InsertEvents(ctx context.Context, q DBTX, at time.Time, actor, action string, subjects []string, payloads []map[string]any) error {
	if len(subjects) == 0 {
		return nil
	}
	if payloads == nil {
		payloads = make([]map[string]any, len(subjects))
	}
	for i := range payloads {
		if payloads[i] == nil {
			payloads[i] = map[string]any{}
		}
	}
	if _, err := q.Exec(ctx, query("InsertEvents"), at, actor, action, subjects, payloads); err != nil {
		return fmt.Errorf("record events %s: %w", action, err)
	}
	return nil
}

// InsertEvent appends an event to the journal and sets its ID. The table
// refuses updates and deletes.
func InsertEvent(ctx context.Context, q DBTX, e *thugom.Event) error {
	if e.Actor == "" || e.Action == "" {
		return thugom.Errorf(thugom.EInvalid, "actor", "an event needs an actor and an action")
	}
	if e.At.IsZero() {
		return thugom.Errorf(thugom.EInvalid, "at", "an event needs a time")
	}
	payload := e.Payload
	if payload == nil {
		payload = map[string]any{}
	}
	if err := q.QueryRow(ctx, query("InsertEvent"), e.At, e.Actor, e.Action, e.Subject, payload).Scan(&e.ID); err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

// ListEvents returns up to limit events of a subject ("" all), newest first.
func ListEvents(ctx context.Context, q DBTX, subject string, limit int) ([]thugom.Event, error) {
	rows, err := q.Query(ctx, query("ListEvents"), subject, limit)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (thugom.Event, error) {
		var e thugom.Event
		return e, r.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Payload)
	})
}
