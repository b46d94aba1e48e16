package jobs

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// Imported says what ImportOrders wrote.
type Imported struct {
	OrderIDs      []int64 // the new orders, in input order (the rejected left out)
	NewHouseholds int
	GeocodeJobs   int
	// Invalid are the orders left out because they are not valid
	// (thugom.NewOrder.Check), of another carrier, or repeat an earlier
	// order of the same import; Duplicates those that already existed
	// (same marketplace and marketplace order id). Both in input order.
	Invalid    []OrderError
	Duplicates []OrderError
	// Quoted maps the orders placed with a quote to it (their promise is
	// the quote's: promise_source "quoted").
	Quoted map[int64]int64
	// Lost are the orders whose promise is lost already at intake (the
	// promise function's earliest is later), with what can be kept.
	Lost map[int64]LostPromise
}

// OrderError is an order an import refused: its index in the input, its
// CSV line, and why (a *thugom.Error naming the field at fault).
type OrderError struct {
	Index int
	Line  int
	Err   error
}

// RejectedOrders is the error of an import refused whole (keepGood unset):
// the invalid orders, or else those that already exist.
type RejectedOrders struct{ Invalid, Duplicates []OrderError }

func (e *RejectedOrders) Error() string {
	if len(e.Invalid) > 0 {
		return fmt.Sprintf("%d orders are not valid", len(e.Invalid))
	}
	return fmt.Sprintf("%d orders already exist", len(e.Duplicates))
}

// CheckOrders validates orders as ImportOrders does, writing nothing: the
// orders it would refuse (an entry point that refuses a batch names every
// order at fault, also those it could not even read).
func (s *Service) CheckOrders(ctx context.Context, orders []thugom.NewOrder, a Actor) ([]OrderError, error) {
	_, _, invalid, err := s.checkOrders(ctx, orders, a)
	return invalid, err
}

// checkOrders runs thugom.NewOrder.Check on every order with the reference
// data and the actor's carrier, and refuses an order that repeats an
// earlier one of the batch. It returns the valid orders as the store
// writes them, with their input indexes, and the invalid ones.
func (s *Service) checkOrders(ctx context.Context, orders []thugom.NewOrder, a Actor) ([]store.NewOrder, []int, []OrderError, error) {
	ref, err := store.LoadRefData(ctx, s.db)
	if err != nil {
		return nil, nil, nil, err
	}
	may := func(carrierID int64) bool { return a.check(carrierID) == nil }
	var (
		valid   []store.NewOrder
		index   []int
		invalid []OrderError
		seen    = map[string]int{}
	)
	now := s.now()
	for i, n := range orders {
		var q *thugom.Quote
		var err error
		if n.QuoteID != 0 {
			n, q, err = s.withQuote(ctx, n, a, now)
		}
		var v thugom.ValidOrder
		if err == nil {
			v, err = n.Check(ref, now, may)
		}
		if err == nil && q != nil {
			err = quotedPromise(&v, q)
		}
		if err == nil {
			k := v.Marketplace + "\x00" + v.MarketplaceOrderID
			if first, ok := seen[k]; ok {
				err = thugom.Errorf(thugom.EConflict, "marketplace_order_id", "order %s repeats line %d", v.MarketplaceOrderID, first)
			} else {
				seen[k] = n.Line
			}
		}
		if err != nil {
			invalid = append(invalid, OrderError{Index: i, Line: n.Line, Err: err})
			continue
		}
		valid = append(valid, store.NewOrder{Order: v.Order, HouseholdName: v.Household.Name, HouseholdPhone: v.Household.Phone,
			HouseholdAddress: v.Household.Address, Line: v.Line, QuoteID: n.QuoteID, Buyer: v.Buyer})
		index = append(index, i)
	}
	return valid, index, invalid, nil
}

// ImportOrders checks orders (thugom.NewOrder.Check, for every entry
// point: the API, a marketplace CSV, the simulation) and writes the valid
// ones, their households, the geocoding jobs (which place households and
// assign depots) and the events, in one transaction. Invalid orders and
// orders that already exist are left out when keepGood is set, else the
// import is refused whole with *RejectedOrders.
func (s *Service) ImportOrders(ctx context.Context, orders []thugom.NewOrder, keepGood bool, a Actor) (*Imported, error) {
	valid, index, invalid, err := s.checkOrders(ctx, orders, a)
	if err != nil {
		return nil, err
	}
	if len(invalid) > 0 && !keepGood {
		return nil, &RejectedOrders{Invalid: invalid}
	}
	out := &Imported{OrderIDs: []int64{}, Invalid: invalid}
	err = s.db.InTx(ctx, func(tx pgx.Tx) error {
		res, err := store.ImportOrders(ctx, tx, valid)
		if err != nil {
			return err
		}
		out.NewHouseholds = res.NewHouseholds
		for _, i := range res.Duplicates {
			o := valid[i]
			out.Duplicates = append(out.Duplicates, OrderError{Index: index[i], Line: o.Line, Err: thugom.Errorf(thugom.EConflict,
				"marketplace_order_id", "order %s of %s already exists", o.MarketplaceOrderID, o.Marketplace)})
		}
		if len(res.Duplicates) > 0 && !keepGood {
			return &RejectedOrders{Duplicates: out.Duplicates}
		}
		if err := useQuotes(ctx, tx, valid, res.OrderIDs, out); err != nil {
			return err
		}
		if err := s.flagLostPromises(ctx, tx, valid, res, out); err != nil {
			return err
		}
		return s.imported(ctx, tx, valid, res, out, a, keepGood)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// imported queues the geocoding of the households that need it (without a
// point, or whose new orders wait for a depot) and writes the events.
func (s *Service) imported(ctx context.Context, tx pgx.Tx, orders []store.NewOrder, res *store.ImportResult, out *Imported, a Actor, keepGood bool) error {
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
	if err := s.shipOnIntake(ctx, tx, out.OrderIDs); err != nil { // carrier.go: the outbox, in this transaction
		return err
	}
	if err := store.InsertEvents(ctx, tx, s.now(), a.Name, "order.create", subjects, payloads); err != nil {
		return err
	}
	return s.event(ctx, tx, a.Name, "orders.import", "import", map[string]any{"imported": len(out.OrderIDs), "duplicates": len(res.Duplicates), "keep_good": keepGood})
}
