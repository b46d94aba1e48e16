package jobs

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// The one cancel. A dispatcher's or a marketplace's cancel (CancelOrder,
// also the entry of an import's withdrawal), a household's "0" by SMS and
// its cancel on its page (AnswerHousehold) all run cancelOrders, with the
// same checks and the same effects:
//   - each order moves to cancelled only from a status thugom.OrderCancellable
//     allows (the update is guarded by the same rule, thugom.OrderFrom), so
//     of two cancels that meet, the second changes nothing;
//   - its stop is left to the re-plan the cancel asks for (a re-plan after
//     a cancel is always published, drafts.go), which drops a stop with
//     nothing left to collect;
//   - the household's packaging task of today closes once its stop has no
//     order left to collect;
//   - the household is told once: a household that cancelled gets its
//     acknowledgement, one whose orders somebody else cancelled learns its
//     pickup is off (when it has no other order to collect);
//   - the depot days holding the orders get a new revision and a re-plan;
//   - each cancelled order gets its order.cancel event.

// cancellation says who cancels and how the household hears of it.
type cancellation struct {
	actor  Actor
	reason string
	// via is the household's channel ("sms", "page") when the household
	// cancels; "" when somebody else does.
	via string
	// ackKey identifies the household's acknowledgement (its own cancel);
	// "" when somebody else cancels.
	ackKey  string
	subject string // of the re-plan: "order:12", "household:7"
}

// cancelOrders applies the cancel rule to orders in tx and returns the
// orders it cancelled (none when each was already cancelled). An order
// already collected (or otherwise past cancelling) is a conflict; one of
// another carrier than the actor's is forbidden.
func (s *Service) cancelOrders(ctx context.Context, tx pgx.Tx, ids []int64, c cancellation) ([]int64, error) {
	// The orders' days first, then their rows (the planner's order).
	days, err := s.lockDaysOfOrders(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	from := map[int64]*store.OrderLock{}
	var todo []int64
	for _, id := range ids {
		o, err := store.LockOrder(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := c.actor.check(o.CarrierID); err != nil {
			return nil, err
		}
		switch {
		case o.Status == thugom.OrderCancelled:
			continue // cancelled already: nothing to do, nobody to tell again
		case !thugom.OrderCancellable(o.Status):
			return nil, thugom.Errorf(thugom.EConflict, "status", "order %d is already %s", id, o.Status)
		}
		from[id] = o
		todo = append(todo, id)
	}
	now := s.now()
	done, err := store.SetOrdersStatus(ctx, tx, todo, thugom.OrderCancelled, now)
	if err != nil || len(done) == 0 {
		return nil, err
	}
	slices.Sort(done)
	if err := s.cancelEffects(ctx, tx, done, from, c); err != nil {
		return nil, err
	}
	if err := s.cancelShipments(ctx, tx, done); err != nil { // carrier.go: the outbox, in this transaction
		return nil, err
	}
	if err := s.replan(ctx, tx, days, CauseCancelled, c.subject); err != nil {
		return nil, err
	}
	subjects := make([]string, len(done))
	payloads := make([]map[string]any, len(done))
	for i, id := range done {
		subjects[i] = fmt.Sprintf("order:%d", id)
		payloads[i] = map[string]any{"reason": c.reason, "previous_status": from[id].Status, "household_id": from[id].HouseholdID}
		if c.via != "" {
			payloads[i]["via"] = c.via
		}
	}
	return done, store.InsertEvents(ctx, tx, now, c.actor.Name, "order.cancel", subjects, payloads)
}

// cancelEffects closes the packaging tasks and tells the households of
// the cancelled orders, each household once.
func (s *Service) cancelEffects(ctx context.Context, tx pgx.Tx, done []int64, from map[int64]*store.OrderLock, c cancellation) error {
	byHousehold := map[int64][]int64{}
	var households []int64
	for _, id := range done {
		hh := from[id].HouseholdID
		if byHousehold[hh] == nil {
			households = append(households, hh)
		}
		byHousehold[hh] = append(byHousehold[hh], id)
	}
	for _, hh := range households {
		if err := s.closePackaging(ctx, tx, hh); err != nil {
			return err
		}
		if err := s.tellCancelled(ctx, tx, hh, byHousehold[hh], from, c); err != nil {
			return err
		}
	}
	return nil
}

// closePackaging cancels the household's packaging task of today once its
// stop has no order left to collect (a cancel, a postpone).
func (s *Service) closePackaging(ctx context.Context, tx pgx.Tx, householdID int64) error {
	now := s.now()
	t, err := store.OpenPackagingTask(ctx, tx, householdID, DayString(now))
	if err != nil || t == nil || str(t.Payload["day"]) != DayString(now) {
		return err
	}
	if t.StopID != nil {
		orders, err := store.StopOrders(ctx, tx, *t.StopID)
		if err != nil {
			return err
		}
		for _, o := range orders {
			if thugom.OrderPlannable(o.Status) {
				return nil // still something to pack for
			}
		}
	}
	return store.SetTaskStatus(ctx, tx, t.ID, PackagingCancelled, now)
}

// tellCancelled queues the one SMS of a cancel to a household: the
// acknowledgement of its own cancel, or, when somebody else cancelled and
// nothing is left to collect, the news that its pickup is off.
func (s *Service) tellCancelled(ctx context.Context, tx pgx.Tx, householdID int64, ids []int64, from map[int64]*store.OrderLock, c cancellation) error {
	phone, err := store.HouseholdPhone(ctx, tx, householdID)
	if err != nil {
		return err
	}
	if c.ackKey != "" {
		_, err := s.notify(ctx, tx, householdID, phone, thugom.SMSData{Kind: thugom.SMSReplyCancelled, Via: c.via}, "ack:"+c.ackKey, true)
		return err
	}
	// A read, not a lock: this cancel holds one order of the household,
	// and locking the others now would take them out of the order every
	// writer takes them in (a household's answer locks them all at once).
	others, err := store.ListOrders(ctx, tx, store.OrderFilter{HouseholdID: &householdID, Limit: 1000})
	if err != nil {
		return err
	}
	for _, o := range others {
		if thugom.OrderPlannable(o.Status) {
			return nil // the pickup is still on, for its other orders
		}
	}
	d := thugom.SMSData{Kind: thugom.SMSPickupCancelled, Orders: len(ids), Reason: "don hang da bi huy"}
	if dep := from[ids[0]].DepotID; dep != nil {
		depot, err := store.DepotByID(ctx, tx, *dep)
		if err != nil {
			return err
		}
		d.Depot = depot.Name
	}
	_, err = s.notify(ctx, tx, householdID, phone, d, fmt.Sprintf("cancel:%d:%v", householdID, ids), true)
	return err
}

// lockDaysOfOrders bumps (and so locks) the depot days whose plans hold
// the orders, before the orders' rows are locked, and returns them.
func (s *Service) lockDaysOfOrders(ctx context.Context, tx pgx.Tx, ids []int64) ([]store.DepotDay, error) {
	days, err := store.DepotDaysOfOrders(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	return days, s.bump(ctx, tx, days)
}
