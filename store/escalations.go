package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// InsertEscalation escalates an order once per level; false when it
// already was.
func InsertEscalation(ctx context.Context, q DBTX, orderID int64, level, reason string, at time.Time) (bool, error) {
	var id int64
	err := q.QueryRow(ctx, query("InsertEscalation"), orderID, level, reason, at).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("escalate order %d: %w", orderID, err)
	}
	return true, nil
}

// CountOpenEscalations counts unresolved escalations per level.
func CountOpenEscalations(ctx context.Context, q DBTX) (map[string]int, error) {
	return countBy(ctx, q, "CountOpenEscalations")
}
