package jobs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// The estimate of a collected order's delivery, for when its carrier has
// not told it (issue 23): computed here, once, by the promise's truck rule
// (thugom.EstimatedDelivery), and stored on the order — at pickup from the
// planned unload at the depot (the pickup's time if later), again at the
// hand-over from its time. The SLA board and the day report read it; no
// other copy of the rule exists (the SQL one of migration 00855, which
// disagreed, is dropped by 00900).

// estimateDelivery stores, in tx, each order's estimated delivery for a
// parcel at its depot at atDepot.
func (s *Service) estimateDelivery(ctx context.Context, tx pgx.Tx, ids []int64, atDepot time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	dests, err := store.DeliveryDestinations(ctx, tx, ids)
	if err != nil {
		return err
	}
	timetables := map[int64][]thugom.Departure{}
	for _, d := range dests {
		deps, ok := timetables[d.DepotID]
		if !ok {
			if deps, err = store.DeparturesOfDepot(ctx, tx, d.DepotID); err != nil {
				return err
			}
			timetables[d.DepotID] = deps
		}
		var at *time.Time
		if t, ok := thugom.EstimatedDelivery(deps, d.Province, atDepot); ok {
			at = &t
		}
		if err := store.SetOrderEstimatedDelivery(ctx, tx, d.OrderID, at); err != nil {
			return err
		}
	}
	return nil
}

// handedOver is the hand-over's hook (the orders just moved to handed
// over, at the given time; zero: now): the estimate from the hand-over,
// then the carrier told.
func (s *Service) handedOver(ctx context.Context, tx pgx.Tx, ids []int64, at time.Time) error {
	from := at
	if from.IsZero() {
		from = s.now()
	}
	if err := s.estimateDelivery(ctx, tx, ids, from); err != nil {
		return err
	}
	return s.tellCarrier(ctx, tx, ids, carrierHandedOver, at, "") // carrier_transitions.go
}
