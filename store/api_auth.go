package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/thugom/thugom"
)

// TokenByHash returns the live (not revoked) API token with this hash, or
// thugom.ErrNotFound.
func TokenByHash(ctx context.Context, q DBTX, hash []byte) (*thugom.Token, error) {
	var t thugom.Token
	err := q.QueryRow(ctx, Query("TokenByHash"), hash).Scan(
		&t.ID, &t.Name, &t.Role, &t.CarrierID, &t.DriverID, &t.CreatedAt, &t.RevokedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "unknown or revoked token")
	}
	if err != nil {
		return nil, fmt.Errorf("token by hash: %w", err)
	}
	return &t, nil
}

// InsertToken stores a new token's hash and scope and returns its id.
func InsertToken(ctx context.Context, q DBTX, t thugom.Token, hash []byte) (int64, error) {
	switch t.Role {
	case thugom.RoleAdmin, thugom.RoleDispatcher, thugom.RoleDriver:
	default:
		return 0, thugom.Errorf(thugom.EInvalid, "role", "role must be admin, dispatcher or driver, not %q", t.Role)
	}
	if t.Role == thugom.RoleDispatcher && t.CarrierID == nil {
		return 0, thugom.Errorf(thugom.EInvalid, "carrier", "a dispatcher token needs a carrier")
	}
	if t.Role == thugom.RoleDriver && t.DriverID == nil {
		return 0, thugom.Errorf(thugom.EInvalid, "driver", "a driver token needs a driver")
	}
	var id int64
	err := q.QueryRow(ctx, Query("InsertToken"), t.Name, hash, t.Role, t.CarrierID, t.DriverID, t.CreatedAt).Scan(&id)
	switch pgCode(err) {
	case "":
	case codeForeignKeyViolation:
		return 0, thugom.Errorf(thugom.EInvalid, "", "no such carrier or driver")
	case codeUniqueViolation:
		return 0, thugom.Errorf(thugom.EConflict, "", "token already exists")
	default:
		return 0, fmt.Errorf("insert token: %w", err)
	}
	return id, nil
}

// RevokeToken revokes a live token; thugom.ErrNotFound when there is none
// with that id (or it is already revoked).
func RevokeToken(ctx context.Context, q DBTX, id int64, at time.Time) error {
	var got int64
	err := q.QueryRow(ctx, Query("RevokeToken"), id, at).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return thugom.Errorf(thugom.ENotFound, "", "no live token %d", id)
	}
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// ListTokens returns every token (never their hashes).
func ListTokens(ctx context.Context, q DBTX) ([]thugom.Token, error) {
	rows, err := q.Query(ctx, Query("ListTokens"))
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (thugom.Token, error) {
		var t thugom.Token
		err := r.Scan(&t.ID, &t.Name, &t.Role, &t.CarrierID, &t.DriverID, &t.CreatedAt, &t.RevokedAt)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

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

// CarrierIDByCode resolves a carrier code ("vnpost") or id ("1").
func CarrierIDByCode(ctx context.Context, q DBTX, codeOrID string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, Query("CarrierIDByCode"), codeOrID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, thugom.Errorf(thugom.ENotFound, "carrier", "no carrier %q", codeOrID)
	}
	if err != nil {
		return 0, fmt.Errorf("carrier %q: %w", codeOrID, err)
	}
	return id, nil
}

// ForgetIdempotencyKey drops an unanswered claim (the request failed), so
// a retry runs again.
func ForgetIdempotencyKey(ctx context.Context, q DBTX, actor, key string) error {
	if _, err := q.Exec(ctx, Query("ForgetIdempotencyKey"), actor, key); err != nil {
		return fmt.Errorf("forget idempotency key: %w", err)
	}
	return nil
}
