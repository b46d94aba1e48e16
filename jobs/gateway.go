package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// Receipt is a provider's delivery report of one sent message.
type Receipt struct {
	Provider   string // the SMSProvider's Name
	Ref        string // the reference Send returned
	ProviderID string // the provider's own id, for the journal
	Delivered  bool
	Detail     string
}

// DeliveryResult says what a receipt changed.
type DeliveryResult struct {
	NotificationID int64   `json:"notification_id"`
	Delivery       string  `json:"delivery"`
	Duplicate      bool    `json:"duplicate,omitempty"` // nothing changed: already delivered, or the same report again
	AtRisk         []int64 `json:"at_risk,omitempty"`   // orders flagged at risk by an undelivered window
}

// RecordDelivery applies a delivery receipt to its notification: delivered
// is final (a late "undelivered" after it changes nothing; a receipt
// delivered twice is answered the same). A window message that could not
// be delivered makes the household's open orders at risk on the
// dispatcher's board. A receipt for an unknown message is not found.
func (s *Service) RecordDelivery(ctx context.Context, r Receipt) (*DeliveryResult, error) {
	var res DeliveryResult
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		n, err := store.NoticeByRef(ctx, tx, r.Provider, r.Ref)
		if thugom.ErrorCode(err) == thugom.ENotFound {
			// Sent by SMS as Zalo's fallback: recorded under zalo.
			n, err = store.NoticeByRef(ctx, tx, "zalo", r.Provider+":"+r.Ref)
		}
		if err != nil {
			return err
		}
		res = DeliveryResult{NotificationID: n.ID, Delivery: "undelivered"}
		if r.Delivered {
			res.Delivery = "delivered"
		}
		if n.Delivery == res.Delivery || n.Delivery == "delivered" {
			res.Duplicate, res.Delivery = true, n.Delivery
			return nil
		}
		if _, err := store.SetNoticeDelivery(ctx, tx, n.ID, res.Delivery, s.now()); err != nil {
			return err
		}
		if !r.Delivered && n.HouseholdID != nil {
			res.AtRisk, err = s.windowFailed(ctx, tx, *n.HouseholdID, n.Kind, r.Detail)
			if err != nil {
				return err
			}
		}
		return s.event(ctx, tx, "sms:"+r.Provider, "sms.delivery", fmt.Sprintf("notification:%d", n.ID),
			map[string]any{"delivery": res.Delivery, "detail": r.Detail, "provider_id": r.ProviderID})
	})
	if err != nil {
		return nil, fmt.Errorf("delivery receipt: %w", err)
	}
	s.metrics.sms.WithLabelValues("receipt", res.Delivery).Inc()
	return &res, nil
}

// windowFailed flags a household's open orders at risk when the message
// that failed told its window: nobody knows when to be ready.
func (s *Service) windowFailed(ctx context.Context, tx pgx.Tx, hh int64, kind, detail string) ([]int64, error) {
	if kind != string(thugom.SMSPickupWindow) && kind != string(thugom.SMSPickupChanged) {
		return nil, nil
	}
	days, err := store.DepotDaysOfHousehold(ctx, tx, hh)
	if err != nil {
		return nil, err
	}
	if err := s.bump(ctx, tx, days); err != nil {
		return nil, err
	}
	return store.MarkHouseholdOrdersAtRisk(ctx, tx, hh, truncate("household not told its window: "+strings.TrimSpace(detail), 200))
}

// HandleInboundSMSInline is HandleInboundSMS for providers that answer the
// sender in their webhook's synchronous response (a short code's MO): the
// acknowledgement the answer queued is taken from the queue and returned,
// to be sent in that response instead of by a second message. reply is ""
// when there is nothing to answer (a duplicate delivery, an unknown
// number, the daily cap).
func (s *Service) HandleInboundSMSInline(ctx context.Context, m InboundSMS, provider string) (*InboundResult, string, error) {
	res, err := s.HandleInboundSMS(ctx, m)
	if err != nil || res.Duplicate {
		return res, "", err
	}
	keys := []string{"ack:" + strings.TrimSpace(m.ProviderMessageID)}
	if res.Outcome == InboundInvalidReply && res.HouseholdID != 0 {
		keys = append(keys, fmt.Sprintf("help:%d:%s", res.HouseholdID, DayString(s.now())))
	}
	for _, k := range keys {
		body, err := store.TakeInlineNotice(ctx, s.db, k, provider, s.now())
		if err != nil {
			return res, "", err
		}
		if body != "" {
			return res, body, nil
		}
	}
	return res, "", nil
}
