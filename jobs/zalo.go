package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ZaloZNSDefaultURL is Zalo's endpoint for ZNS template messages to a
// phone number.
const ZaloZNSDefaultURL = "https://business.openapi.zalo.me/message/template"

// ZaloZNS sends a household's message as a Zalo Notification Service
// template message to its phone number, falling back to SMS (Fallback)
// when Zalo cannot deliver it. The shape is Zalo's: a JSON POST with the
// header access_token and {phone: "84…", template_id, template_data,
// tracking_id}; the answer is {error: 0, message, data: {msg_id,
// sent_time, quota}} or {error: <negative code>, message}.
//
// The template (registered and approved in Zalo's ZNS console) has one
// parameter, "message", which receives the SMS text: the household reads
// the same words on either channel.
//
// Which answers fall back to SMS (the message then goes by SMS at once,
// in the same send):
//   - the person cannot be reached on Zalo: -118 (no Zalo account for the
//     number), -114 (user inactive, rejected the message, or an outdated
//     Zalo), -108 (number not valid for Zalo);
//   - Zalo cannot send for us now: -124 (access token invalid or expired),
//     -131/-132 (template not approved / not found), -201/-217/-218 (bad
//     template data), -216 (daily ZNS quota used up), and any other error
//     code.
//
// HTTP 429, 5xx and timeouts are not answers: the send is retried (the
// next attempt tries Zalo again), so a message Zalo may have taken is not
// also sent by SMS. With no Fallback, error codes are permanent failures.
//
// Configuration: THUGOM_ZALO_ACCESS_TOKEN, THUGOM_ZALO_TEMPLATE_ID,
// THUGOM_ZALO_URL (tests); the fallback is the SMS provider of
// THUGOM_SMS_PROVIDER.
type ZaloZNS struct {
	URL         string
	AccessToken string
	TemplateID  string
	Fallback    SMSProvider
	Client      *http.Client
}

// Name implements SMSProvider.
func (z *ZaloZNS) Name() string { return "zalo" }

// Send implements SMSProvider. The reference is "zns:<msg_id>", or the
// fallback's reference prefixed with its name ("esms:…").
func (z *ZaloZNS) Send(ctx context.Context, tx pgx.Tx, m OutgoingSMS) (string, error) {
	phone := strings.TrimPrefix(m.To, "+")
	data, err := json.Marshal(map[string]any{"phone": phone, "template_id": z.TemplateID,
		"template_data": map[string]string{"message": m.Body}, "tracking_id": m.IdempotencyKey})
	if err != nil {
		return "", err
	}
	u := z.URL
	if u == "" {
		u = ZaloZNSDefaultURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("zalo: %w: %w", ErrPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	// Zalo names the header "access_token"; header names are case-insensitive
	// and Go sends them in canonical form.
	req.Header.Set("Access_token", z.AccessToken)
	resp, err := httpClient(z.Client).Do(req)
	if err != nil {
		return "", fmt.Errorf("zalo: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return "", fmt.Errorf("zalo: %s: %s", resp.Status, truncate(string(raw), 200))
	}
	var r struct {
		Error   *int   `json:"error"`
		Message string `json:"message"`
		Data    struct {
			MsgID string `json:"msg_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || r.Error == nil {
		return "", fmt.Errorf("zalo: unreadable answer %s %q", resp.Status, truncate(string(raw), 100))
	}
	if *r.Error == 0 && resp.StatusCode < 300 {
		return "zns:" + r.Data.MsgID, nil
	}
	if z.Fallback == nil {
		return "", fmt.Errorf("zalo: %w: error %d: %s", ErrPermanent, *r.Error, r.Message)
	}
	ref, err := z.Fallback.Send(ctx, tx, m)
	if err != nil {
		return "", fmt.Errorf("zalo error %d (%s), then %s: %w", *r.Error, r.Message, z.Fallback.Name(), err)
	}
	return z.Fallback.Name() + ":" + ref, nil
}
