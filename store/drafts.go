package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// Draft states.
const (
	DraftPending    = thugom.DraftPending
	DraftPublished  = thugom.DraftPublished
	DraftDiscarded  = thugom.DraftDiscarded
	DraftSuperseded = thugom.DraftSuperseded
)

// Draft is a re-plan kept back by the publish policy (thugom.Draft).
type Draft = thugom.Draft

// InsertDraft stores a pending draft of a depot day, superseding the
// day's older pending one, in the caller's transaction.
func InsertDraft(ctx context.Context, tx DBTX, d *Draft) error {
	if _, err := SupersedeDrafts(ctx, tx, d.DepotID, d.Day, d.CreatedAt); err != nil {
		return err
	}
	if d.Changes == nil {
		d.Changes = []thugom.StopChange{}
	}
	err := tx.QueryRow(ctx, query("DraftInsert"), d.DepotID, dateArg(d.Day), d.Cause, d.Subject, d.FromVersion, d.Revision,
		d.Changes, d.Counted, d.SMS, d.CreatedAt).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("insert draft of depot %d: %w", d.DepotID, err)
	}
	d.State = DraftPending
	return nil
}

// SupersedeDrafts marks a depot day's pending drafts superseded and
// returns their ids.
func SupersedeDrafts(ctx context.Context, tx DBTX, depotID int64, day, at time.Time) ([]int64, error) {
	rows, err := tx.Query(ctx, query("DraftSupersede"), depotID, dateArg(day), at)
	if err != nil {
		return nil, fmt.Errorf("supersede drafts of depot %d: %w", depotID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("supersede drafts of depot %d: %w", depotID, err)
	}
	return ids, nil
}

func scanDraft(r pgx.Row) (*Draft, error) {
	var d Draft
	err := r.Scan(&d.ID, &d.DepotID, &d.Day, &d.Cause, &d.Subject, &d.FromVersion, &d.Revision, &d.Changes, &d.Counted, &d.SMS,
		&d.State, &d.CreatedAt, &d.DecidedAt, &d.DecidedBy)
	if err != nil {
		return nil, err
	}
	d.Day = localDay(d.Day)
	if d.Changes == nil {
		d.Changes = []thugom.StopChange{}
	}
	return &d, nil
}

// DraftByID returns a draft, or thugom.ErrNotFound; forUpdate locks its
// row in the caller's transaction.
func DraftByID(ctx context.Context, q DBTX, id int64, forUpdate bool) (*Draft, error) {
	name := "DraftGet"
	if forUpdate {
		name = "DraftForUpdate"
	}
	d, err := scanDraft(q.QueryRow(ctx, query(name), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "id", "no draft %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("draft %d: %w", id, err)
	}
	return d, nil
}

// DraftsOfDay returns a depot day's drafts in a state ("" any), newest
// first (at most 50).
func DraftsOfDay(ctx context.Context, q DBTX, depotID int64, day time.Time, state string) ([]Draft, error) {
	rows, err := q.Query(ctx, query("DraftsOfDay"), depotID, dateArg(day), state)
	if err != nil {
		return nil, fmt.Errorf("drafts of depot %d: %w", depotID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Draft, error) {
		d, err := scanDraft(r)
		if err != nil {
			return Draft{}, err
		}
		return *d, nil
	})
	if err != nil {
		return nil, fmt.Errorf("drafts of depot %d: %w", depotID, err)
	}
	return out, nil
}

// DecideDraft moves a pending draft to published or discarded; false when
// it was no longer pending.
func DecideDraft(ctx context.Context, tx DBTX, id int64, state, by string, at time.Time) (bool, error) {
	var got int64
	err := tx.QueryRow(ctx, query("DraftDecide"), id, state, at, by).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("decide draft %d: %w", id, err)
	}
	return true, nil
}

// DraftPublishedFrom reports whether a draft of the day built on version v
// was published (so the next re-plan is the dispatcher's, whatever its
// cause).
func DraftPublishedFrom(ctx context.Context, q DBTX, depotID int64, day time.Time, v int) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, query("DraftPublishedFrom"), depotID, dateArg(day), v).Scan(&ok); err != nil {
		return false, fmt.Errorf("published drafts of depot %d: %w", depotID, err)
	}
	return ok, nil
}
