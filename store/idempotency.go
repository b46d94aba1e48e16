package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// IdempotentResponse is the first answer given to an (actor, key).
type IdempotentResponse struct {
	RequestHash []byte
	Status      int
	Body        []byte
}

// ClaimIdempotencyKey reserves (actor, key) in tx. It returns nil when the
// key is new (the caller does the work, then SaveIdempotentResponse in the
// same tx), or the stored answer of the first request with that key.
func ClaimIdempotencyKey(ctx context.Context, tx DBTX, actor, key string, requestHash []byte) (*IdempotentResponse, error) {
	var at time.Time
	err := tx.QueryRow(ctx, Query("ClaimIdempotencyKey"), actor, key, requestHash).Scan(&at)
	if err == nil {
		return nil, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	var r IdempotentResponse
	if err := tx.QueryRow(ctx, Query("IdempotentResponse"), actor, key).Scan(&r.RequestHash, &r.Status, &r.Body); err != nil {
		return nil, fmt.Errorf("idempotent response: %w", err)
	}
	return &r, nil
}

// SaveIdempotentResponse records the answer to replay for (actor, key).
func SaveIdempotentResponse(ctx context.Context, tx DBTX, actor, key string, status int, body []byte) error {
	if _, err := tx.Exec(ctx, Query("SaveIdempotentResponse"), actor, key, status, body); err != nil {
		return fmt.Errorf("save idempotent response: %w", err)
	}
	return nil
}

// PruneIdempotency forgets keys older than before.
func PruneIdempotency(ctx context.Context, q DBTX, before time.Time) (int64, error) {
	tag, err := q.Exec(ctx, Query("PruneIdempotency"), before)
	if err != nil {
		return 0, fmt.Errorf("prune idempotency: %w", err)
	}
	return tag.RowsAffected(), nil
}

// ForgetIdempotencyKey drops an unanswered claim (the request failed), so
// a retry runs again.
func ForgetIdempotencyKey(ctx context.Context, q DBTX, actor, key string) error {
	if _, err := q.Exec(ctx, Query("ForgetIdempotencyKey"), actor, key); err != nil {
		return fmt.Errorf("forget idempotency key: %w", err)
	}
	return nil
}
