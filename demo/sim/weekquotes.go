package sim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// placeQuoted places the batch's orders as their carriers' marketplaces do
// when they quote (--promises quoted): each order first asks its quote at
// its placement time on the simulated clock, through the core call POST
// /v1/quotes makes (Service.Quote, as its carrier's marketplace), then is
// placed with the quote's id through the same import (its promise is the
// quote's) and geocoded (it gets its depot), so it takes its depot day's
// capacity before the next quote reads it. An order whose quote is refused
// (no truck at all, or a quote already past its order_by) is placed with
// the policy promise, and the refusal counted by its reason. It returns
// the orders' ids, as the batch.
func (w *week) placeQuoted(ctx context.Context, batch []weekOrder, now time.Time) ([]int64, error) {
	defer func() { w.clk.t = now }()
	ids := make([]int64, 0, len(batch))
	for _, o := range batch {
		n := o.order
		w.clk.t = *n.PlacedAt // orders come sorted: the clock only moves on
		a := jobs.Actor{Name: "marketplace:" + o.carrier + ":simulation", CarrierID: w.seeded.CarrierIDs[o.carrier]}
		q, err := w.base.Quote(ctx, jobs.QuoteRequest{HouseholdID: w.seeded.HouseholdIDs[o.household], DestinationProvince: n.DestinationProvince,
			WeightKg: n.WeightKg, Product: n.Product, ReadyFrom: n.ReadyFrom, At: n.PlacedAt}, a)
		var e *thugom.Error
		switch {
		case err == nil && q.ExpiresAt.After(w.clk.t):
			n.QuoteID = q.ID
		case err == nil:
			w.refused["expired_at_placement"]++
		case errors.As(err, &e):
			w.refused[e.Code+":"+e.Field]++
		default:
			return nil, fmt.Errorf("quote for %s: %w", n.MarketplaceOrderID, err)
		}
		res, err := w.base.ImportOrders(ctx, []thugom.NewOrder{n}, false, a)
		if err != nil {
			return nil, fmt.Errorf("import order %s: %w", n.MarketplaceOrderID, err)
		}
		if _, err := w.base.GeocodeHousehold(ctx, w.seeded.HouseholdIDs[o.household]); err != nil {
			return nil, err
		}
		ids = append(ids, res.OrderIDs...)
	}
	return ids, nil
}
