package jobs

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// CreateToken stores a new API token (its hash and scope, never the token
// itself) and journals it, for the API's administrators and `thugom token`
// alike. A driver's token takes the driver's carrier. It returns t with
// its id and creation time.
func (s *Service) CreateToken(ctx context.Context, t thugom.Token, hash []byte, a Actor) (*thugom.Token, error) {
	if len(t.Name) > 200 {
		return nil, thugom.Errorf(thugom.EInvalid, "name", "longer than 200 characters")
	}
	t.CreatedAt, t.RevokedAt = s.now(), nil
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		if t.Role == thugom.RoleDriver && t.DriverID != nil {
			d, err := store.DriverByID(ctx, tx, *t.DriverID)
			if err != nil {
				return thugom.Errorf(thugom.EInvalid, "driver_id", "no driver %d", *t.DriverID)
			}
			t.CarrierID = &d.CarrierID
		}
		id, err := store.InsertToken(ctx, tx, t, hash)
		if err != nil {
			return err
		}
		t.ID = id
		return s.event(ctx, tx, a.Name, "token.create", fmt.Sprintf("token:%d", t.ID), map[string]any{"role": t.Role})
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// RevokeToken revokes a live token and journals it; thugom.ErrNotFound
// when there is no live token with that id. The caller forgets any cached
// copy after it returns (the revocation is committed then).
func (s *Service) RevokeToken(ctx context.Context, id int64, a Actor) error {
	return s.db.InTx(ctx, func(tx pgx.Tx) error {
		if err := store.RevokeToken(ctx, tx, id, s.now()); err != nil {
			return err
		}
		return s.event(ctx, tx, a.Name, "token.revoke", fmt.Sprintf("token:%d", id), nil)
	})
}
