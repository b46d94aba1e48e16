package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// shortLinkDays is how long after its pickup day a window message's link
// still opens the household's page (a postponed pickup gets a new message).
const shortLinkDays = 2

// householdShortLink is the short link a window or changed message
// carries (thugom.ShortLinkURL): "" when Deps.LinkBase is not set (New
// refuses a LinkBase without a LinkSecret). It stays valid through the pickup day and shortLinkDays
// more, and never longer than a short code can say.
func (s *Service) householdShortLink(householdID int64, window time.Time) string {
	if s.deps.LinkBase == "" || householdID == 0 {
		return ""
	}
	through := thugom.Day(window).AddDate(0, 0, shortLinkDays)
	if last := thugom.Day(s.now()).AddDate(0, 0, thugom.ShortLinkMaxAhead); through.After(last) {
		through = last
	}
	return thugom.ShortLinkURL(s.deps.LinkBase, s.deps.LinkSecret, householdID, through)
}

// HouseholdLinked journals a signed page link made for a household (a
// dispatcher sends it by other means than the SMS), valid until expires.
// A household without an order of the actor's carrier is not found.
func (s *Service) HouseholdLinked(ctx context.Context, householdID int64, expires time.Time, a Actor) error {
	return s.db.InTx(ctx, func(tx pgx.Tx) error {
		if err := householdOfCarrier(ctx, tx, householdID, a); err != nil {
			return err
		}
		return s.event(ctx, tx, a.Name, "household.link", fmt.Sprintf("household:%d", householdID), map[string]any{"expires_at": expires})
	})
}

// householdOfCarrier answers not found for a household without an order of
// the actor's carrier (one outside the actor's scope is not shown to exist).
func householdOfCarrier(ctx context.Context, tx pgx.Tx, householdID int64, a Actor) error {
	ok, err := store.HouseholdHasCarrier(ctx, tx, householdID, a.CarrierID)
	if err == nil && !ok {
		err = thugom.Errorf(thugom.ENotFound, "", "no household %d with orders of your carrier", householdID)
	}
	return err
}
