package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

type sendSMSWorker struct {
	river.WorkerDefaults[SendSMSArgs]
	s *Service
}

// Work sends one notification at most once: the notification row is locked,
// only a queued one is sent, and marking it sent, the provider's write (the
// outbox) and the job's completion commit together. A worker killed before
// the commit leaves nothing behind and the retry sends; killed after, the
// job is already complete.
func (w *sendSMSWorker) Work(ctx context.Context, job *river.Job[SendSMSArgs]) error {
	s := w.s
	// A message leaves no earlier than its notice rules said (a job run
	// early: a retry, a clock moved by a simulation), and one that could
	// wait never leaves outside waking hours (a retry at night).
	now := s.now()
	kind, sendAt, err := store.NoticeSendAt(ctx, s.db, job.Args.NotificationID)
	if err != nil {
		return cancelIfNotFound(err)
	}
	if sendAt.After(now.Add(time.Minute)) {
		return river.JobSnooze(sendAt.Sub(now))
	}
	if !urgentKind(thugom.SMSKind(kind)) && !s.deps.WakingHours.Awake(now) {
		return river.JobSnooze(s.deps.WakingHours.NextMorning(now).Sub(now))
	}
	var permanent error
	err = s.db.InTx(ctx, func(tx pgx.Tx) error {
		n, err := store.NotificationForUpdate(ctx, tx, job.Args.NotificationID)
		if err != nil {
			return err
		}
		if n.Status != thugom.NotificationQueued {
			s.metrics.sms.WithLabelValues(n.Kind, "skipped").Inc()
			_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
			return err
		}
		ref, err := s.sms.Send(ctx, tx, OutgoingSMS{NotificationID: n.ID, To: n.Phone, Body: n.Body, IdempotencyKey: n.IdempotencyKey})
		now := s.now()
		switch {
		case errors.Is(err, ErrPermanent):
			permanent = err
			s.metrics.sms.WithLabelValues(n.Kind, "failed").Inc()
			if err := store.MarkNotification(ctx, tx, n.ID, thugom.NotificationFailed, s.sms.Name(), truncate(permanent.Error(), 500), nil); err != nil {
				return err
			}
			if n.HouseholdID != nil {
				if _, err := s.windowFailed(ctx, tx, *n.HouseholdID, n.Kind, permanent.Error()); err != nil {
					return err
				}
			}
			return nil
		case err != nil:
			return err
		}
		if err := store.SetNoticeRef(ctx, tx, n.ID, ref); err != nil {
			return err
		}
		if err := store.MarkNotification(ctx, tx, n.ID, thugom.NotificationSent, s.sms.Name(), "", &now); err != nil {
			return err
		}
		s.metrics.sms.WithLabelValues(n.Kind, "sent").Inc()
		_, err = river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
	if permanent != nil {
		return river.JobCancel(permanent)
	}
	return cancelIfNotFound(err)
}

// urgentKind reports whether a message may go out in the quiet hours.
func urgentKind(k thugom.SMSKind) bool {
	switch k {
	case thugom.SMSPickupWindow, thugom.SMSPackReminder:
		return false
	}
	return true
}

// InboundSMS is a household's SMS as the provider's webhook delivers it.
type InboundSMS struct {
	// ProviderMessageID is the provider's id of the message; a second
	// delivery with the same id is a duplicate and changes nothing.
	ProviderMessageID string
	From              string // the sender's number, any Vietnamese format
	Text              string
	ReceivedAt        time.Time // zero: the service clock
}

// Outcomes of an inbound SMS.
const (
	InboundReady         = "ready"          // reply 1: packaging task packed
	InboundPostponed     = "postponed"      // reply 2: orders moved to tomorrow
	InboundCancelled     = "cancelled"      // reply 0: orders cancelled
	InboundInvalidReply  = "invalid_reply"  // not 0, 1 or 2: help sent
	InboundUnknownNumber = "unknown_number" // no household has this phone
	InboundNothingToDo   = "nothing_to_do"  // valid reply, but nothing open
)

// InboundResult says what an inbound SMS did. Duplicate is set for a
// repeated delivery: Outcome is then the first delivery's.
type InboundResult struct {
	Outcome     string `json:"outcome"`
	Detail      string `json:"detail,omitempty"`
	HouseholdID int64  `json:"household_id,omitempty"`
	Duplicate   bool   `json:"duplicate,omitempty"`
}

var errDuplicateInbound = errors.New("duplicate inbound sms")

// HandleInboundSMS applies a household's reply: 1 marks its packaging task
// packed, 2 postpones its open orders to tomorrow, 0 cancels them (both
// re-plan the depot's day), each acknowledged by one SMS. Replies that are
// not 0/1/2 get one help message a day; unknown numbers change nothing.
// Every message is recorded once in sms_inbox. The only errors are bad
// webhook input (thugom.EInvalid) and internal failures; the outcomes above
// are results, for the webhook to answer 200 so the provider stops retrying.
func (s *Service) HandleInboundSMS(ctx context.Context, m InboundSMS) (*InboundResult, error) {
	m.ProviderMessageID = strings.TrimSpace(m.ProviderMessageID)
	if m.ProviderMessageID == "" || len(m.ProviderMessageID) > 200 {
		return nil, thugom.Errorf(thugom.EInvalid, "message_id", "provider message id is required (1-200 characters)")
	}
	if !utf8.ValidString(m.Text) {
		m.Text = strings.ToValidUTF8(m.Text, "?")
	}
	if len(m.Text) > 1600 {
		m.Text = m.Text[:1600]
	}
	if m.ReceivedAt.IsZero() {
		m.ReceivedAt = s.now()
	}
	var res InboundResult
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		prev, err := store.InboxByProviderID(ctx, tx, m.ProviderMessageID)
		if err != nil {
			return err
		}
		if prev != nil {
			res = InboundResult{Outcome: prev.Outcome, Detail: prev.Detail, Duplicate: true}
			if prev.HouseholdID != nil {
				res.HouseholdID = *prev.HouseholdID
			}
			return nil
		}
		res, err = s.applyInbound(ctx, tx, m)
		if err != nil {
			return err
		}
		var hh *int64
		if res.HouseholdID != 0 {
			hh = &res.HouseholdID
		}
		phone := m.From
		if p, err := thugom.NormalizePhone("from", m.From); err == nil {
			phone = p
		}
		ok, err := store.InsertInbox(ctx, tx, store.InboxMessage{ProviderMessageID: m.ProviderMessageID, Phone: truncate(phone, 40),
			Body: m.Text, HouseholdID: hh, Outcome: res.Outcome, Detail: res.Detail, ReceivedAt: m.ReceivedAt})
		if err != nil {
			return err
		}
		if !ok {
			return errDuplicateInbound // a concurrent delivery of the same message won
		}
		return s.event(ctx, tx, householdActor(res.HouseholdID), "sms.inbound", fmt.Sprintf("household:%d", res.HouseholdID),
			map[string]any{"outcome": res.Outcome, "detail": res.Detail, "message_id": m.ProviderMessageID})
	})
	if errors.Is(err, errDuplicateInbound) {
		return s.HandleInboundSMS(ctx, m) // now answered from the inbox
	}
	if err != nil {
		return nil, fmt.Errorf("inbound sms: %w", err)
	}
	if !res.Duplicate {
		s.metrics.inbound.WithLabelValues(res.Outcome).Inc()
	} else {
		s.metrics.inbound.WithLabelValues("duplicate").Inc()
	}
	s.log.Info("inbound sms", "outcome", res.Outcome, "household", res.HouseholdID, "duplicate", res.Duplicate, "detail", res.Detail)
	return &res, nil
}

func householdActor(id int64) string {
	if id == 0 {
		return "sms:unknown"
	}
	return fmt.Sprintf("household:%d", id)
}

func (s *Service) applyInbound(ctx context.Context, tx pgx.Tx, m InboundSMS) (InboundResult, error) {
	phone, err := thugom.NormalizePhone("from", m.From)
	if err != nil {
		// A sender that is no Vietnamese number is an outcome, answered, not a failure.
		return InboundResult{Outcome: InboundUnknownNumber, Detail: "sender is not a Vietnamese phone number"}, nil //nolint:nilerr // an outcome
	}
	hh, _, err := store.HouseholdByPhone(ctx, tx, phone)
	if thugom.ErrorCode(err) == thugom.ENotFound {
		return InboundResult{Outcome: InboundUnknownNumber, Detail: "no household has this phone"}, nil
	}
	if err != nil {
		return InboundResult{}, err
	}
	res := InboundResult{HouseholdID: hh}
	now := s.now()
	reply, perr := thugom.ParseSMSReply(m.Text)
	switch reply {
	case thugom.ReplyReady, thugom.ReplyPostpone, thugom.ReplyCancel:
		a, err := s.answer(ctx, tx, Answer{HouseholdID: hh, Reply: reply, Via: "sms", Key: m.ProviderMessageID}, phone)
		if err != nil {
			return res, err
		}
		res.Outcome, res.Detail = a.Outcome, a.Detail
		return res, nil
	}
	// Not 0/1/2: one help message per household and day.
	res.Outcome, res.Detail = InboundInvalidReply, perr.Error()
	_, err = s.notify(ctx, tx, hh, phone, thugom.SMSData{Kind: thugom.SMSReplyHelp},
		fmt.Sprintf("help:%d:%s", hh, DayString(now)), true)
	return res, err
}

// EnqueueReplanTx asks, inside tx, for a re-plan of a depot's day of at.
func (s *Service) EnqueueReplanTx(ctx context.Context, tx pgx.Tx, depotID int64, at time.Time, cause, subject string) error {
	_, err := s.client.InsertTx(ctx, tx, ReplanArgs{DepotID: depotID, Day: DayString(at), Cause: cause, Subject: subject, RequestedAt: s.now()}, nil)
	if err != nil {
		return fmt.Errorf("enqueue replan: %w", err)
	}
	return nil
}

// EnqueuePlanTx asks, inside tx, for a fresh plan of a depot's day (unique
// per depot and day while one is queued or running).
func (s *Service) EnqueuePlanTx(ctx context.Context, tx pgx.Tx, depotID int64, day time.Time, reason string) error {
	_, err := s.client.InsertTx(ctx, tx, PlanDepotDayArgs{DepotID: depotID, Day: DayString(day), Reason: reason}, nil)
	if err != nil {
		return fmt.Errorf("enqueue plan: %w", err)
	}
	return nil
}
