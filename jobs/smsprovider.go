package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom/store"
)

// OutgoingSMS is one message to send.
type OutgoingSMS struct {
	NotificationID int64
	To             string // E.164, +84…
	Body           string // GSM-7, ≤ 160 characters
	// IdempotencyKey is unique per event; a provider that sees it twice
	// must send once.
	IdempotencyKey string
}

// SMSProvider sends SMS. Send runs inside the transaction that marks the
// notification sent, so a provider that writes to the database (the outbox)
// sends exactly once; a remote provider gets the idempotency key so it can
// drop the duplicate of a send whose transaction was lost.
type SMSProvider interface {
	// Name is stored with each notification ("outbox", "http").
	Name() string
	// Send sends m and returns the provider's message reference. An error
	// wrapping ErrPermanent is not retried.
	Send(ctx context.Context, tx pgx.Tx, m OutgoingSMS) (ref string, err error)
}

// ErrPermanent marks a send failure that retrying cannot fix (rejected
// number, rejected text).
var ErrPermanent = errors.New("permanent SMS failure")

// Outbox is the default provider: messages go to the sms_outbox table,
// visible to dispatchers, from which a GSM modem or a carrier's SMS system
// picks them up.
type Outbox struct{}

// Name implements SMSProvider.
func (Outbox) Name() string { return "outbox" }

// Send implements SMSProvider.
func (Outbox) Send(ctx context.Context, tx pgx.Tx, m OutgoingSMS) (string, error) {
	id, err := store.InsertOutbox(ctx, tx, m.NotificationID, m.To, m.Body)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("outbox:%d", id), nil
}

// HTTPGateway sends through a generic HTTP SMS gateway: a JSON POST of
// {"to", "text", "idempotency_key"} with an optional bearer token and the
// Idempotency-Key header. 2xx is sent (the reply's "id" is the reference),
// 4xx other than 408/429 is permanent, anything else is retried.
type HTTPGateway struct {
	URL    string
	Token  string
	Client *http.Client // nil: 10 s timeout
}

// Name implements SMSProvider.
func (g *HTTPGateway) Name() string { return "http" }

// Send implements SMSProvider.
func (g *HTTPGateway) Send(ctx context.Context, _ pgx.Tx, m OutgoingSMS) (string, error) {
	body, err := json.Marshal(map[string]string{"to": m.To, "text": m.Body, "idempotency_key": m.IdempotencyKey})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("sms gateway: %w: %w", ErrPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.IdempotencyKey)
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	c := g.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("sms gateway: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		var r struct {
			ID any `json:"id"`
		}
		_ = json.Unmarshal(data, &r)
		if r.ID == nil {
			return "http", nil
		}
		return fmt.Sprint(r.ID), nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests:
		return "", fmt.Errorf("sms gateway: %w: %s: %s", ErrPermanent, resp.Status, truncate(string(data), 200))
	default:
		return "", fmt.Errorf("sms gateway: %s: %s", resp.Status, truncate(string(data), 200))
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
