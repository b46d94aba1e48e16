package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// UpsertPackagingTask creates the household's packaging task of the day
// or moves it to a new stop and window, keeping its status. It returns the
// task id, its status and whether it was created.
func UpsertPackagingTask(ctx context.Context, q DBTX, stopID, householdID int64, due time.Time, payload map[string]any, at time.Time) (id int64, status string, created bool, err error) {
	err = q.QueryRow(ctx, query("UpsertPackagingTask"), stopID, householdID, due, payload, at).Scan(&id, &status, &created)
	if err != nil {
		return 0, "", false, fmt.Errorf("packaging task of household %d: %w", householdID, err)
	}
	return id, status, created, nil
}

// InsertPickupTask creates the pickup task of a stop; (0, nil) when it
// already exists.
func InsertPickupTask(ctx context.Context, q DBTX, stopID, householdID int64, status string, due time.Time, payload map[string]any, at time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, query("InsertPickupTask"), stopID, householdID, status, due, payload, at).Scan(&id)
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
	t, err := scanTask(q.QueryRow(ctx, query(name), id))
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
	_, err := q.Exec(ctx, query("SetTaskStatus"), id, status, at)
	return err
}

// OpenPackagingTask returns the household's open (or packed) packaging
// task of the nearest day from fromDay on, locked; nil when none.
func OpenPackagingTask(ctx context.Context, q DBTX, householdID int64, fromDay string) (*thugom.Task, error) {
	t, err := scanTask(q.QueryRow(ctx, query("OpenPackagingTaskOfHousehold"), householdID, fromDay))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return t, err
}

// PickupTaskOfStop returns the stop's pickup task, locked; nil when none.
func PickupTaskOfStop(ctx context.Context, q DBTX, stopID int64) (*thugom.Task, error) {
	t, err := scanTask(q.QueryRow(ctx, query("PickupTaskOfStop"), stopID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return t, err
}

// ReopenPackagingTask reopens the household's packaging task of day (YYYY-MM-DD)
// that a cancel closed.
func ReopenPackagingTask(ctx context.Context, q DBTX, householdID int64, day string, at time.Time) error {
	if _, err := q.Exec(ctx, query("TaskReopenPackaging"), householdID, day, at); err != nil {
		return fmt.Errorf("reopen packaging of household %d: %w", householdID, err)
	}
	return nil
}
