package jobs

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // eSMS defines its short-code signature with MD5; not our choice of primitive
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// ESMSDefaultURL is eSMS.vn's send endpoint for customer-care (brandname)
// messages.
const ESMSDefaultURL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"

// ESMS sends through eSMS.vn, a Vietnamese SMS brandname gateway, in the
// shape of its JSON API (SendMultipleMessage_V4_post_json):
//
//   - send: a JSON POST of ApiKey, SecretKey, Phone, Content, Brandname,
//     SmsType "2" (customer care), IsUnicode "0", RequestId (the
//     notification's idempotency key: eSMS answers CodeResult 124 "Duplicate
//     RequestId" to a second send, which is taken as sent) and CallbackUrl.
//     CodeResult 100 is accepted (SMSID is eSMS's id); 99 (blocked number),
//     101 (bad keys), 102, 104 (unknown brandname), 108 (bad number), 146
//     (template not registered), 177 (network not registered) and 300 are
//     permanent; 103 (balance), 140 (IP not whitelisted), HTTP 429, 5xx and
//     timeouts are retried (an operator can fix them).
//   - delivery receipts: eSMS calls CallbackUrl by HTTP GET with SMSID,
//     RequestId, SendStatus (5 sent, 4 rejected, 1/2/7 pending),
//     SendSuccess, SendFailed, phonenumber; retried up to 5 times. eSMS does
//     not sign them, so CallbackUrl carries a token of ours (CallbackToken).
//   - inbound replies to a short code (MO): eSMS calls our URL by GET with
//     sender (84…), content, serviceNumber, keyword, smsid, cpid,
//     receiverTime (yyyyMMddHHmmss) and sign = base64(MD5(cpid + smsid +
//     content + receiverTime + private key)); the answer, synchronous, is
//     <ClientResponse><Message/><Smsid/><Receiver/></ClientResponse>, whose
//     Message eSMS sends back to the sender.
//
// Configuration (see the README): THUGOM_ESMS_API_KEY, THUGOM_ESMS_SECRET_KEY,
// THUGOM_ESMS_BRANDNAME, THUGOM_ESMS_CALLBACK_URL, THUGOM_ESMS_CALLBACK_TOKEN,
// THUGOM_ESMS_CPID, THUGOM_ESMS_PRIVATE_KEY, THUGOM_ESMS_URL (tests).
type ESMS struct {
	URL           string // default ESMSDefaultURL
	APIKey        string
	SecretKey     string
	Brandname     string
	SmsType       string // default "2"
	CallbackURL   string // where eSMS sends receipts (with ?token=CallbackToken added)
	CallbackToken string
	CPID          string       // short-code (MO) partner id
	PrivateKey    string       // short-code signing key
	Client        *http.Client // nil: 10 s timeout
}

// Name implements SMSProvider.
func (e *ESMS) Name() string { return "esms" }

// esmsPermanent are CodeResults that retrying cannot fix.
var esmsPermanent = map[string]bool{"99": true, "101": true, "102": true, "104": true, "108": true, "146": true, "177": true, "300": true}

// Send implements SMSProvider. The reference returned is the RequestId
// (the idempotency key): receipts carry it, also for a duplicate send.
func (e *ESMS) Send(ctx context.Context, _ pgx.Tx, m OutgoingSMS) (string, error) {
	typ := e.SmsType
	if typ == "" {
		typ = "2"
	}
	body := map[string]string{
		"ApiKey": e.APIKey, "SecretKey": e.SecretKey, "Phone": esmsPhone(m.To), "Content": m.Body,
		"Brandname": e.Brandname, "SmsType": typ, "IsUnicode": "0", "Sandbox": "0", "RequestId": m.IdempotencyKey,
	}
	if e.CallbackURL != "" {
		body["CallbackUrl"] = withToken(e.CallbackURL, e.CallbackToken)
	}
	data, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	u := e.URL
	if u == "" {
		u = ESMSDefaultURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("esms: %w: %w", ErrPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient(e.Client).Do(req)
	if err != nil {
		return "", fmt.Errorf("esms: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return "", fmt.Errorf("esms: %s: %s", resp.Status, truncate(string(raw), 200))
	}
	if resp.StatusCode >= 400 {
		return "", fmt.Errorf("esms: %w: %s: %s", ErrPermanent, resp.Status, truncate(string(raw), 200))
	}
	var r struct {
		CodeResult   string `json:"CodeResult"`
		SMSID        string `json:"SMSID"`
		ErrorMessage string `json:"ErrorMessage"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return "", fmt.Errorf("esms: unreadable answer %q: %w", truncate(string(raw), 100), err)
	}
	switch {
	case r.CodeResult == "100", r.CodeResult == "124": // accepted, or accepted before
		return m.IdempotencyKey, nil
	case esmsPermanent[r.CodeResult]:
		return "", fmt.Errorf("esms: %w: code %s: %s", ErrPermanent, r.CodeResult, r.ErrorMessage)
	default:
		return "", fmt.Errorf("esms: code %s: %s", r.CodeResult, r.ErrorMessage)
	}
}

// esmsPhone writes +84… as eSMS's examples do: 0 and the national number.
func esmsPhone(e164 string) string {
	if s, ok := strings.CutPrefix(e164, "+84"); ok {
		return "0" + s
	}
	return e164
}

func withToken(u, token string) string {
	if token == "" {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "token=" + url.QueryEscape(token)
}

func httpClient(c *http.Client) *http.Client {
	if c == nil {
		return &http.Client{Timeout: 10 * time.Second}
	}
	return c
}

// ParseReceipt reads an eSMS delivery callback. It checks our token and
// returns the receipt; ok false with a nil error is a pending state (1, 2,
// 7) that changes nothing.
func (e *ESMS) ParseReceipt(q url.Values) (r Receipt, ok bool, err error) {
	if e.CallbackToken == "" || subtle.ConstantTimeCompare([]byte(q.Get("token")), []byte(e.CallbackToken)) != 1 {
		return r, false, thugom.Errorf(thugom.EUnauthorized, "token", "bad or missing callback token")
	}
	r = Receipt{Provider: e.Name(), Ref: q.Get("RequestId"), ProviderID: q.Get("SMSID")}
	if r.Ref == "" {
		r.Ref = r.ProviderID
	}
	if r.Ref == "" {
		return r, false, thugom.Errorf(thugom.EInvalid, "RequestId", "a receipt names its RequestId or SMSID")
	}
	success, _ := strconv.Atoi(q.Get("SendSuccess"))
	failed, _ := strconv.Atoi(q.Get("SendFailed"))
	switch q.Get("SendStatus") {
	case "5":
		r.Delivered = success > 0 || failed == 0
		r.Detail = fmt.Sprintf("eSMS SendStatus 5, %d sent, %d failed", success, failed)
	case "4":
		r.Delivered, r.Detail = false, "eSMS rejected the message (SendStatus 4)"
	case "1", "2", "7":
		return r, false, nil
	default:
		return r, false, thugom.Errorf(thugom.EInvalid, "SendStatus", "unknown SendStatus %q", q.Get("SendStatus"))
	}
	return r, true, nil
}

// ESMSSign is the signature of a short-code message:
// base64(MD5(cpid + smsid + content + receiverTime + private key)).
func ESMSSign(cpid, smsid, content, receiverTime, privateKey string) string {
	sum := md5.Sum([]byte(cpid + smsid + content + receiverTime + privateKey)) //nolint:gosec // eSMS's signature, as above
	return base64.StdEncoding.EncodeToString(sum[:])
}

// ParseMO reads and verifies an eSMS short-code message (MO).
func (e *ESMS) ParseMO(q url.Values) (InboundSMS, error) {
	var m InboundSMS
	if e.PrivateKey == "" || e.CPID == "" {
		return m, thugom.Errorf(thugom.EUnauthorized, "sign", "short-code messages are not configured")
	}
	cpid, smsid, content, at := q.Get("cpid"), q.Get("smsid"), q.Get("content"), q.Get("receiverTime")
	want := ESMSSign(cpid, smsid, content, at, e.PrivateKey)
	if cpid != e.CPID || subtle.ConstantTimeCompare([]byte(q.Get("sign")), []byte(want)) != 1 {
		return m, thugom.Errorf(thugom.EUnauthorized, "sign", "bad signature")
	}
	if smsid == "" || q.Get("sender") == "" {
		return m, thugom.Errorf(thugom.EInvalid, "smsid", "smsid and sender are required")
	}
	m = InboundSMS{ProviderMessageID: "esms:" + smsid, From: q.Get("sender"), Text: content}
	if t, err := time.ParseInLocation("20060102150405", at, thugom.Local); err == nil {
		m.ReceivedAt = t
	}
	return m, nil
}

// ESMSMOAnswer is the synchronous answer to a short-code message.
type ESMSMOAnswer struct {
	XMLName  xml.Name `xml:"ClientResponse"`
	Message  string   `xml:"Message"`
	Smsid    string   `xml:"Smsid"`
	Receiver string   `xml:"Receiver"`
}
