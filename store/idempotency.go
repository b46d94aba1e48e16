package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// IdempotentResponse is the first answer given to an (actor, key); Status
// 0 means the first request is still running.
type IdempotentResponse = thugom.StoredAnswer

// IdempotencyClaim names the request holding an (actor, key).
type IdempotencyClaim = thugom.RequestClaim

// NewIdempotencyClaim returns a fresh holder name.
func NewIdempotencyClaim() IdempotencyClaim {
	c := make([]byte, 16)
	_, _ = rand.Read(c)
	return c
}

// ClaimIdempotencyKey reserves (actor, key). It returns nil when the key is
// new (the caller does the work, then SaveIdempotentResponse), or what is
// stored for the first request with that key.
func ClaimIdempotencyKey(ctx context.Context, tx DBTX, actor, key string, requestHash []byte) (*IdempotentResponse, error) {
	prev, _, err := ClaimIdempotency(ctx, tx, actor, key, requestHash, NewIdempotencyClaim(), 0)
	return prev, err
}

// ClaimIdempotency reserves (actor, key) for claim. claimed is true when
// the caller holds it: the key was new, or its holder left it unanswered
// for lease (it died; 0: never) and this request is the same one. Otherwise
// prev is what is stored (Status 0: the holder is still at work).
func ClaimIdempotency(ctx context.Context, q DBTX, actor, key string, requestHash []byte, claim IdempotencyClaim, lease time.Duration) (prev *IdempotentResponse, claimed bool, err error) {
	var at time.Time
	err = q.QueryRow(ctx, query("ClaimIdempotencyKey"), actor, key, requestHash, []byte(claim)).Scan(&at)
	if err == nil {
		return nil, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, false, fmt.Errorf("claim idempotency key: %w", err)
	}
	if lease > 0 {
		err = q.QueryRow(ctx, query("TakeOverIdempotencyKey"), actor, key, requestHash, []byte(claim), lease.Seconds()).Scan(&at)
		if err == nil {
			return nil, true, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, false, fmt.Errorf("take over idempotency key: %w", err)
		}
	}
	var r IdempotentResponse
	err = q.QueryRow(ctx, query("IdempotentResponse"), actor, key).Scan(&r.RequestHash, &r.Status, &r.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil // the holder failed and forgot it meanwhile: claim again
	}
	if err != nil {
		return nil, false, fmt.Errorf("idempotent response: %w", err)
	}
	return &r, false, nil
}

// SaveIdempotentResponse records the answer to replay for (actor, key) if
// claim still holds the key and no answer is stored; saved is false
// otherwise (the stored answer is never overwritten).
func SaveIdempotentResponse(ctx context.Context, q DBTX, actor, key string, claim IdempotencyClaim, status int, body []byte) (saved bool, err error) {
	tag, err := q.Exec(ctx, query("SaveIdempotentResponse"), actor, key, status, body, []byte(claim))
	if err != nil {
		return false, fmt.Errorf("save idempotent response: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// PruneIdempotency forgets keys older than before.
func PruneIdempotency(ctx context.Context, q DBTX, before time.Time) (int64, error) {
	tag, err := q.Exec(ctx, query("PruneIdempotency"), before)
	if err != nil {
		return 0, fmt.Errorf("prune idempotency: %w", err)
	}
	return tag.RowsAffected(), nil
}

// ForgetIdempotencyKey drops claim's unanswered claim (the request failed),
// so a retry runs again.
func ForgetIdempotencyKey(ctx context.Context, q DBTX, actor, key string, claim IdempotencyClaim) error {
	if _, err := q.Exec(ctx, query("ForgetIdempotencyKey"), actor, key, []byte(claim)); err != nil {
		return fmt.Errorf("forget idempotency key: %w", err)
	}
	return nil
}
