package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// LostPromise is an order whose promise the promise function says cannot
// be kept even if everything goes right, told at intake: KeepableBy is
// the time that can be kept instead (nil: none, no truck serves the
// province), Reason why (Vietnamese). The order keeps its promise; the
// marketplace decides what to tell the buyer.
type LostPromise struct {
	KeepableBy *time.Time `json:"keepable_by,omitempty"`
	Reason     string     `json:"reason"`
}

// flagLostPromises checks the new policy orders of located households
// against the promise function and journals "order.promise_at_risk" for
// those lost already (the marketplace's event), marking them on the order
// (the console lists them apart from planning misses). Households not located
// yet are checked when geocoded (computeSLA). Recorded visits are not read
// here: keepable_by counts on the prior's failure rate, and on its retry
// gap (thugom.DefaultRetryGap, 3 h) rather than the planner's RetryAfter
// that quotes count on. An offer is made for an order whose promise is
// already lost, and the planner then aims at it; offers as tight as a
// quote's were kept less often (the harvest week, 2026-12-07: 93.3 % of
// flagged orders by keepable_by, against 94.8-95.2 % with the 3 h gap).
func (s *Service) flagLostPromises(ctx context.Context, tx pgx.Tx, orders []store.NewOrder, res *store.ImportResult, out *Imported) error {
	var hids []int64
	for i, o := range orders {
		if res.OrderIDs[i] != 0 && o.QuoteID == 0 {
			hids = append(hids, res.HouseholdIDs[i])
		}
	}
	points, err := store.HouseholdPoints(ctx, tx, hids)
	if err != nil || len(points) == 0 {
		return err
	}
	depots := map[int64][]thugom.Depot{}
	type depotInput struct {
		in       thugom.PromiseInput
		vehicles []thugom.Vehicle
	}
	inputs := map[int64]depotInput{}
	for i, o := range orders {
		pt, ok := points[res.HouseholdIDs[i]]
		if res.OrderIDs[i] == 0 || o.QuoteID != 0 || !ok {
			continue
		}
		if _, ok := depots[o.CarrierID]; !ok {
			if depots[o.CarrierID], err = store.DepotsOfCarrier(ctx, tx, o.CarrierID); err != nil {
				return err
			}
		}
		depot := nearestDepot(depots[o.CarrierID], pt, o.DepotID)
		if depot == nil {
			continue
		}
		di, ok := inputs[depot.ID]
		if !ok {
			if di.in, di.vehicles, err = s.promiseInput(ctx, tx, depot, 0, o.PlacedAt); err != nil {
				return err
			}
			inputs[depot.ID] = di
		}
		in := di.in
		in.Vehicles = s.promiseVehicles(di.vehicles, depot.Point, pt)
		if err := s.flagLost(ctx, tx, in, res.OrderIDs[i], o, out); err != nil {
			return err
		}
	}
	return nil
}

// flagLost checks one order; in is its depot's promise input.
func (s *Service) flagLost(ctx context.Context, tx pgx.Tx, in thugom.PromiseInput, id int64, o store.NewOrder, out *Imported) error {
	in.At, in.Province, in.WeightKg, in.Policy = o.PlacedAt, o.DestinationProvince, o.WeightKg, o.PromisedBy.Sub(o.PlacedAt)
	in.Ready = time.Time{}
	if o.ReadyFrom != nil {
		in.Ready = *o.ReadyFrom
	}
	in.Ready = s.noticeReady(o.PlacedAt, in.Ready) // noticefloor.go
	a, err := thugom.Promise(in)
	var lost LostPromise
	switch {
	case thugom.ErrorCode(err) == thugom.EInvalid:
		lost.Reason = "Không hứa được: " + thugom.ErrorMessage(err)
	case err != nil:
		return err
	case !a.EarliestBy.After(o.PromisedBy):
		return nil
	default:
		lost = LostPromise{KeepableBy: &a.PromiseBy, Reason: a.Reason}
	}
	if out.Lost == nil {
		out.Lost = map[int64]LostPromise{}
	}
	out.Lost[id] = lost
	if err := store.MarkPromiseLost(ctx, tx, id, s.now(), lost.KeepableBy, lost.Reason); err != nil {
		return err
	}
	return s.event(ctx, tx, "system", "order.promise_at_risk", fmt.Sprintf("order:%d", id), map[string]any{
		"promised_by": o.PromisedBy, "keepable_by": lost.KeepableBy, "reason": lost.Reason, "marketplace": o.Marketplace})
}

// nearestDepot is the order's depot when it names one, else the carrier's
// nearest to the household.
func nearestDepot(ds []thugom.Depot, pt orb.Point, id *int64) *thugom.Depot {
	var best *thugom.Depot
	for i := range ds {
		if id != nil && ds[i].ID == *id {
			return &ds[i]
		}
		if best == nil || haversineKm(pt, ds[i].Point) < haversineKm(pt, best.Point) {
			best = &ds[i]
		}
	}
	if id != nil {
		return nil
	}
	return best
}
