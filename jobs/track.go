package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// MaxPositions is the most positions one batch may carry (a phone offline
// for hours sends its queue in batches).
const MaxPositions = 1000

// RecordPositions keeps a batch of a driver's positions (1 to
// MaxPositions, of today, none in the future beyond a phone's clock drift,
// each in Vietnam) and journals the batch. A bad position refuses the
// whole batch, naming it (positions[i]).
func (s *Service) RecordPositions(ctx context.Context, driverID int64, ps []thugom.Position, a Actor) error {
	now := s.now()
	if err := checkPositions(ps, now); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx pgx.Tx) error {
		if err := store.InsertPositions(ctx, tx, driverID, ps, now); err != nil {
			return err
		}
		return s.event(ctx, tx, a.Name, "driver.positions", fmt.Sprintf("driver:%d", driverID), map[string]any{"count": len(ps)})
	})
}

// checkPositions is what a batch of positions must be, at now.
func checkPositions(ps []thugom.Position, now time.Time) error {
	if len(ps) == 0 || len(ps) > MaxPositions {
		return thugom.Errorf(thugom.EInvalid, "positions", "1 to %d positions", MaxPositions)
	}
	for i, p := range ps {
		field := fmt.Sprintf("positions[%d]", i)
		switch {
		case !inVietnam(p.Lon, p.Lat):
			// Vietnam's box (as for a household's pin); a swapped pair lands outside.
			return thugom.Errorf(thugom.EInvalid, field, "[%g, %g] is not a [lon, lat] in Vietnam (lon 102–110, lat 8–24)", p.Lon, p.Lat)
		case p.At.After(now.Add(10 * time.Minute)):
			return thugom.Errorf(thugom.EInvalid, field+".at", "%s is in the future (the server's time is %s)", p.At.Format(time.RFC3339), now.Format(time.RFC3339))
		case p.At.Before(thugom.Day(now)):
			return thugom.Errorf(thugom.EInvalid, field+".at", "%s is not today (%s): positions are kept for the day's routes", p.At.Format(time.RFC3339), thugom.Day(now).Format(time.DateOnly))
		case p.AccuracyM != nil && *p.AccuracyM < 0:
			return thugom.Errorf(thugom.EInvalid, field+".accuracy_m", "negative")
		}
	}
	return nil
}
