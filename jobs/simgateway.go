package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// SIMGateway is an Android phone with a SIM card acting as the SMS
// gateway, in the shape of medic's cht-gateway protocol: the phone polls
// thugom over HTTPS (so it works behind NAT, with no contract), in one
// POST sending the messages it received and the states of the ones it
// sent, and getting back the messages to send:
//
//	POST /hooks/sim   (basic auth; the password is THUGOM_SIM_TOKEN)
//	{"messages": [{"id", "from", "content", "sms_sent", "sms_received"}],
//	 "updates":  [{"id", "status": "PENDING|SENT|DELIVERED|FAILED", "reason"}]}
//	→ {"messages": [{"id", "to", "content"}]}
//
// Send only queues the message in sms_outbox (in the notification's
// transaction: exactly once); the id the phone gets is "sim-<outbox id>",
// which its updates name. A message picked but never reported is offered
// again after SIMRepickAfter (the phone died); the phone drops ids it has
// seen, as cht-gateway does.
type SIMGateway struct{}

// SIMRepickAfter is how long a picked message waits for a report before
// it is offered again.
const SIMRepickAfter = 15 * time.Minute

// Name implements SMSProvider.
func (SIMGateway) Name() string { return "sim" }

// Send implements SMSProvider.
func (SIMGateway) Send(ctx context.Context, tx pgx.Tx, m OutgoingSMS) (string, error) {
	id, err := store.InsertOutbox(ctx, tx, m.NotificationID, m.To, m.Body)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("sim-%d", id), nil
}

// SIMPoll is one poll of the phone.
type SIMPoll struct {
	Messages []SIMInbound `json:"messages"`
	Updates  []SIMUpdate  `json:"updates"`
}

// SIMInbound is an SMS the phone received.
type SIMInbound struct {
	ID          string `json:"id"`
	From        string `json:"from"`
	Content     string `json:"content"`
	SMSSent     int64  `json:"sms_sent,omitempty"`
	SMSReceived int64  `json:"sms_received,omitempty"`
}

// SIMUpdate is the state of a message the phone sends.
type SIMUpdate struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// SIMOutgoing is a message for the phone to send.
type SIMOutgoing struct {
	ID      string `json:"id"`
	To      string `json:"to"`
	Content string `json:"content"`
}

// SIMAnswer answers a poll.
type SIMAnswer struct {
	Messages []SIMOutgoing `json:"messages"`
}

// SIMGatewayPoll handles a phone's poll: every received message is a
// household's inbound SMS (HandleInboundSMS, duplicates answered from the
// inbox), every final state a delivery receipt (RecordDelivery; unknown
// ids are ignored: the phone may report messages of another system), and
// up to 20 messages to send are handed over. Bad input is EInvalid and
// changes nothing.
func (s *Service) SIMGatewayPoll(ctx context.Context, p SIMPoll) (*SIMAnswer, error) {
	if len(p.Messages) > 200 || len(p.Updates) > 500 {
		return nil, thugom.Errorf(thugom.EInvalid, "messages", "at most 200 messages and 500 updates a poll")
	}
	for i, m := range p.Messages {
		if strings.TrimSpace(m.ID) == "" || strings.TrimSpace(m.From) == "" {
			return nil, thugom.Errorf(thugom.EInvalid, fmt.Sprintf("messages[%d]", i), "id and from are required")
		}
	}
	for i, u := range p.Updates {
		switch u.Status {
		case "UNSENT", "PENDING", "SENT", "DELIVERED", "FAILED":
		default:
			return nil, thugom.Errorf(thugom.EInvalid, fmt.Sprintf("updates[%d].status", i), "unknown status %q", u.Status)
		}
	}
	for _, m := range p.Messages {
		in := InboundSMS{ProviderMessageID: "sim:" + m.ID, From: m.From, Text: m.Content}
		if m.SMSReceived > 0 {
			in.ReceivedAt = time.UnixMilli(m.SMSReceived)
		}
		if _, err := s.HandleInboundSMS(ctx, in); err != nil {
			return nil, err
		}
	}
	for _, u := range p.Updates {
		if u.Status != "DELIVERED" && u.Status != "FAILED" {
			continue
		}
		_, err := s.RecordDelivery(ctx, Receipt{Provider: "sim", Ref: u.ID, Delivered: u.Status == "DELIVERED", Detail: u.Reason})
		if err != nil && !errors.Is(err, thugom.ErrNotFound) {
			return nil, err
		}
	}
	now := s.now()
	msgs, err := store.PickOutbox(ctx, s.db, 20, "sim", now, now.Add(-SIMRepickAfter))
	if err != nil {
		return nil, err
	}
	ans := &SIMAnswer{Messages: []SIMOutgoing{}}
	for _, m := range msgs {
		ans.Messages = append(ans.Messages, SIMOutgoing{ID: "sim-" + strconv.FormatInt(m.ID, 10), To: m.Phone, Content: m.Body})
	}
	return ans, nil
}
