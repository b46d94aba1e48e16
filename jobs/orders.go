package jobs

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/thugom/thugom/store"
)

// Imported says what ImportOrders wrote.
type Imported struct {
	OrderIDs      []int64 // the new orders, in input order (duplicates left out)
	NewHouseholds int
	GeocodeJobs   int
	// Duplicates are the indexes of input orders that already existed
	// (same marketplace and marketplace order id).
	Duplicates []int
}

// DuplicateOrders is the error of an import refused because some orders
// already exist (Indexes into the input).
type DuplicateOrders struct{ Indexes []int }

func (e *DuplicateOrders) Error() string {
	return fmt.Sprintf("%d orders already exist", len(e.Indexes))
}

// ImportOrders writes validated orders (from the API, a marketplace CSV),
// their households, the geocoding jobs (which place households and assign
// depots) and the events, in one transaction. Orders that already exist are
// skipped when keepGood is set, else the import is refused whole with
// *DuplicateOrders.
func (s *Service) ImportOrders(ctx context.Context, orders []store.NewOrder, keepGood bool, a Actor) (*Imported, error) {
	for _, o := range orders {
		if err := a.check(o.CarrierID); err != nil {
			return nil, err
		}
	}
	out := &Imported{OrderIDs: []int64{}}
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		res, err := store.ImportOrders(ctx, tx, orders)
		if err != nil {
			return err
		}
		out.Duplicates, out.NewHouseholds = res.Duplicates, res.NewHouseholds
		if len(res.Duplicates) > 0 && !keepGood {
			return &DuplicateOrders{Indexes: res.Duplicates}
		}
		// Geocode the households without a point, and those whose new
		// orders wait for a depot.
		geo := map[int64]bool{}
		for _, id := range res.ToGeocode {
			geo[id] = true
		}
		subjects := make([]string, 0, len(orders))
		payloads := make([]map[string]any, 0, len(orders))
		for i, id := range res.OrderIDs {
			if id == 0 {
				continue
			}
			out.OrderIDs = append(out.OrderIDs, id)
			if orders[i].DepotID == nil {
				geo[res.HouseholdIDs[i]] = true
			}
			subjects = append(subjects, fmt.Sprintf("order:%d", id))
			payloads = append(payloads, map[string]any{"marketplace": orders[i].Marketplace,
				"marketplace_order_id": orders[i].MarketplaceOrderID, "household_id": res.HouseholdIDs[i], "weight_kg": orders[i].WeightKg})
		}
		if len(geo) > 0 {
			params := make([]river.InsertManyParams, 0, len(geo))
			for _, id := range res.HouseholdIDs {
				if geo[id] {
					params = append(params, river.InsertManyParams{Args: GeocodeHouseholdArgs{HouseholdID: id}})
					delete(geo, id)
				}
			}
			if _, err := s.client.InsertManyTx(ctx, tx, params); err != nil {
				return fmt.Errorf("enqueue geocoding: %w", err)
			}
			out.GeocodeJobs = len(params)
		}
		if err := store.InsertEvents(ctx, tx, s.now(), a.Name, "order.create", subjects, payloads); err != nil {
			return err
		}
		return s.event(ctx, tx, a.Name, "orders.import", "import", map[string]any{"imported": len(out.OrderIDs), "duplicates": len(res.Duplicates), "keep_good": keepGood})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
