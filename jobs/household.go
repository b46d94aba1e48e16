package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// Answer is a household's answer about its pickup, by SMS or on its page:
// one meaning whichever channel it came by.
type Answer struct {
	HouseholdID int64
	Reply       thugom.SMSReply // ready, postpone or cancel
	// Via is the channel ("sms", "page"); Key identifies this answer for its
	// acknowledgement (the SMS provider's message id; for the page, empty:
	// one acknowledgement per household, reply and day).
	Via string
	Key string
}

// AnswerResult says what an answer did.
type AnswerResult struct {
	Outcome     string  `json:"outcome"` // InboundReady, InboundPostponed, InboundCancelled, InboundNothingToDo
	Detail      string  `json:"detail,omitempty"`
	HouseholdID int64   `json:"household_id"`
	Orders      []int64 `json:"orders,omitempty"`
}

// AnswerHousehold applies a household's answer in one transaction.
func (s *Service) AnswerHousehold(ctx context.Context, a Answer) (*AnswerResult, error) {
	var res *AnswerResult
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		phone, err := store.HouseholdPhone(ctx, tx, a.HouseholdID)
		if err != nil {
			return err
		}
		res, err = s.answer(ctx, tx, a, phone)
		return err
	})
	return res, err
}

// answer is AnswerHousehold in tx:
//   - ready: the household's nearest packaging task is packed and its open
//     orders are ready from now;
//   - postpone: its orders not yet collected move to tomorrow 07:00 (their
//     day is re-planned);
//   - cancel: its orders not yet collected are cancelled, by the one
//     cancel every entry point runs (cancel.go).
//
// Each is acknowledged by one SMS; with nothing to act on, nothing changes.
func (s *Service) answer(ctx context.Context, tx pgx.Tx, a Answer, phone string) (*AnswerResult, error) {
	now := s.now()
	hh := a.HouseholdID
	res := &AnswerResult{HouseholdID: hh}
	actor := householdActor(hh)
	ackKey := a.Key
	if ackKey == "" {
		ackKey = fmt.Sprintf("%s:%d:%s:%s", a.Via, hh, a.Reply, DayString(now))
	}
	// The household's days first, then its rows (the planner's order).
	days, err := store.DepotDaysOfHousehold(ctx, tx, hh)
	if err != nil {
		return nil, err
	}
	if err := s.bump(ctx, tx, days); err != nil {
		return nil, err
	}
	orders, err := store.OpenOrdersOfHousehold(ctx, tx, hh)
	if err != nil {
		return nil, err
	}
	var ids []int64
	var ack thugom.SMSKind
	switch a.Reply {
	case thugom.ReplyReady:
		t, err := s.markPacked(ctx, tx, hh, actor)
		if err != nil && thugom.ErrorCode(err) != thugom.ENotFound {
			return nil, err
		}
		for _, o := range orders {
			if thugom.OrderPlannable(o.Status) {
				ids = append(ids, o.ID)
			}
		}
		if t == nil && len(ids) == 0 {
			res.Outcome, res.Detail = InboundNothingToDo, "no pickup to pack for"
			return res, nil
		}
		if err := store.SetOrdersReadyFrom(ctx, tx, ids, now, now); err != nil {
			return nil, err
		}
		res.Outcome, res.Detail, ack = InboundReady, fmt.Sprintf("%d orders ready", len(ids)), thugom.SMSReplyReady
		if t != nil {
			res.Detail += fmt.Sprintf(", task %d packed", t.ID)
		}
	case thugom.ReplyCancel:
		for _, o := range orders {
			if thugom.OrderCancellable(o.Status) {
				ids = append(ids, o.ID)
			}
		}
		// The one cancel (cancel.go): it acknowledges and journals.
		done, err := s.cancelOrders(ctx, tx, ids, cancellation{actor: Actor{Name: actor}, via: a.Via, ackKey: ackKey,
			subject: fmt.Sprintf("household:%d", hh)})
		if err != nil {
			return nil, err
		}
		if len(done) == 0 {
			res.Outcome, res.Detail = InboundNothingToDo, "no open order"
			return res, nil
		}
		res.Outcome, res.Detail, res.Orders = InboundCancelled, fmt.Sprintf("%d orders cancelled", len(done)), done
		return res, nil
	case thugom.ReplyPostpone:
		for _, o := range orders {
			if thugom.OrderPostponable(o.Status) {
				ids = append(ids, o.ID)
			}
		}
		if len(ids) == 0 {
			res.Outcome, res.Detail = InboundNothingToDo, "no open order"
			return res, nil
		}
		days, err := s.lockDaysOfOrders(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		tomorrow := thugom.Day(now).AddDate(0, 0, 1).Add(7 * time.Hour)
		if err := store.PostponeOrders(ctx, tx, ids, tomorrow, now); err != nil {
			return nil, err
		}
		ack = thugom.SMSReplyPostponed
		res.Outcome, res.Detail = InboundPostponed, fmt.Sprintf("%d orders postponed to %s", len(ids), DayString(tomorrow))
		if err := s.closePackaging(ctx, tx, hh); err != nil {
			return nil, err
		}
		if err := s.replan(ctx, tx, days, CausePostponed, fmt.Sprintf("household:%d", hh)); err != nil {
			return nil, err
		}
	default:
		return nil, thugom.Errorf(thugom.EInvalid, "reply", "a household answers ready, postpone or cancel")
	}
	res.Orders = ids
	if _, err := s.notify(ctx, tx, hh, phone, thugom.SMSData{Kind: ack, Via: a.Via}, "ack:"+ackKey, true); err != nil {
		return nil, err
	}
	return res, s.event(ctx, tx, actor, "household."+a.Reply.String(), fmt.Sprintf("household:%d", hh),
		map[string]any{"orders": ids, "via": a.Via, "outcome": res.Outcome})
}

// InboundRestored is the outcome of an undone cancel.
const InboundRestored = "restored"

// UndoCancel takes back a household's cancel within thugom.UndoWindow: its
// orders cancelled since then come back to planning, its packaging task of
// today reopens, today's plan of their depots is re-planned, and one SMS
// says so. With nothing cancelled in the window, nothing changes
// (InboundNothingToDo).
func (s *Service) UndoCancel(ctx context.Context, householdID int64, via string) (*AnswerResult, error) {
	res := &AnswerResult{HouseholdID: householdID}
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		now := s.now()
		phone, err := store.HouseholdPhone(ctx, tx, householdID)
		if err != nil {
			return err
		}
		orders, err := store.OrdersCancelledSince(ctx, tx, householdID, now.Add(-thugom.UndoWindow))
		if err != nil {
			return err
		}
		var ids []int64
		depots := map[int64]bool{}
		for _, o := range orders {
			if thugom.OrderRestorable(thugom.OrderCancelled, o.CancelledAt, now) {
				ids = append(ids, o.ID)
				if o.DepotID != nil {
					depots[*o.DepotID] = true
				}
			}
		}
		if len(ids) == 0 {
			res.Outcome, res.Detail = InboundNothingToDo, fmt.Sprintf("no cancel to take back (only within %d minutes)", thugom.UndoMinutes())
			return nil
		}
		var days []store.DepotDay
		for d := range depots {
			days = append(days, store.DepotDay{DepotID: d, Day: thugom.Day(now)})
		}
		if err := s.bump(ctx, tx, days); err != nil {
			return err
		}
		if res.Orders, err = store.RestoreOrders(ctx, tx, ids, now); err != nil {
			return err
		}
		if err := store.ReopenPackagingTask(ctx, tx, householdID, DayString(now), now); err != nil {
			return err
		}
		if err := s.replan(ctx, tx, days, CauseCancelled, fmt.Sprintf("household:%d", householdID)); err != nil {
			return err
		}
		res.Outcome, res.Detail = InboundRestored, fmt.Sprintf("%d orders back to planning", len(res.Orders))
		if _, err := s.notify(ctx, tx, householdID, phone, thugom.SMSData{Kind: thugom.SMSReplyRestored},
			fmt.Sprintf("ack:%s:%d:undo:%s", via, householdID, now.UTC().Format("20060102T1504")), true); err != nil {
			return err
		}
		return s.event(ctx, tx, householdActor(householdID), "household.undo_cancel", fmt.Sprintf("household:%d", householdID),
			map[string]any{"orders": res.Orders, "via": via})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
