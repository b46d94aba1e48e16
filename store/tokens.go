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
	err := q.QueryRow(ctx, query("TokenByHash"), hash).Scan(
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
	case thugom.RoleAdmin, thugom.RoleDispatcher, thugom.RoleDriver, thugom.RoleMarketplace:
	default:
		return 0, thugom.Errorf(thugom.EInvalid, "role", "role must be admin, dispatcher, driver or marketplace, not %q", t.Role)
	}
	if (t.Role == thugom.RoleDispatcher || t.Role == thugom.RoleMarketplace) && t.CarrierID == nil {
		return 0, thugom.Errorf(thugom.EInvalid, "carrier", "a %s token needs a carrier", t.Role)
	}
	if t.Role == thugom.RoleDriver && t.DriverID == nil {
		return 0, thugom.Errorf(thugom.EInvalid, "driver", "a driver token needs a driver")
	}
	var id int64
	err := q.QueryRow(ctx, query("InsertToken"), t.Name, hash, t.Role, t.CarrierID, t.DriverID, t.CreatedAt).Scan(&id)
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
	err := q.QueryRow(ctx, query("RevokeToken"), id, at).Scan(&got)
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
	rows, err := q.Query(ctx, query("ListTokens"))
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

// CarrierIDByCode resolves a carrier code ("vnpost") or id ("1").
func CarrierIDByCode(ctx context.Context, q DBTX, codeOrID string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, query("CarrierIDByCode"), codeOrID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, thugom.Errorf(thugom.ENotFound, "carrier", "no carrier %q", codeOrID)
	}
	if err != nil {
		return 0, fmt.Errorf("carrier %q: %w", codeOrID, err)
	}
	return id, nil
}
