package jobs

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // the signature scheme assumed for VNPost's webhook (README); not our choice of primitive
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// CarrierStatus is one status a carrier sent about a shipment.
type CarrierStatus struct {
	Carrier   string
	Waybill   string
	Reference string // our order number at the carrier, when it says it
	Code      int
	Name      string
	At        time.Time
	// Payload is the carrier's message as it came (unknown fields kept).
	Payload json.RawMessage
}

// CarrierWebhookParser is a connector that reads its carrier's webhook: it
// checks what the carrier signs (thugom.EUnauthorized when wrong) and the
// message's shape (thugom.EInvalid).
type CarrierWebhookParser interface {
	ParseWebhook(body []byte) (CarrierStatus, error)
}

// CarrierStatusResult says what a carrier's status did.
type CarrierStatusResult struct {
	OrderID int64 `json:"order_id"`
	// Applied: the shipment moved to this status. Not applied: a repeat
	// (Duplicate) or a status older than the one it has.
	Applied   bool `json:"applied"`
	Duplicate bool `json:"duplicate,omitempty"`
	Delivered bool `json:"delivered,omitempty"`
}

// CarrierWebhook applies a carrier's webhook: the connector of carrier
// verifies and reads it, the status is kept once, and the shipment moves
// forward only (a late or repeated status changes nothing); a delivered
// status is the order's delivery fact. A status about no shipment thugom
// knows is kept for an administrator and answered thugom.ErrNotFound.
func (s *Service) CarrierWebhook(ctx context.Context, carrier string, body []byte) (*CarrierStatusResult, error) {
	p, ok := s.carrier.cfg.Connectors[carrier].(CarrierWebhookParser)
	if !ok {
		return nil, thugom.Errorf(thugom.ENotFound, "carrier", "carrier %q is not configured", carrier)
	}
	st, err := p.ParseWebhook(body)
	if err != nil {
		return nil, err
	}
	if len(st.Payload) == 0 {
		st.Payload = json.RawMessage(`{}`)
	}
	var res CarrierStatusResult
	err = s.db.InTx(ctx, func(tx pgx.Tx) error {
		orderID, lastAt, err := store.ShipmentByWaybill(ctx, tx, st.Carrier, st.Waybill, st.Reference)
		if err != nil {
			return err
		}
		now := s.now()
		ev := &store.CarrierEvent{Carrier: st.Carrier, Waybill: st.Waybill, Reference: st.Reference, Code: st.Code, Name: st.Name,
			At: st.At, Payload: st.Payload, ReceivedAt: now}
		if orderID != 0 {
			ev.OrderID = &orderID
			ev.Applied = lastAt == nil || st.At.After(*lastAt)
		}
		fresh, err := store.InsertCarrierEvent(ctx, tx, ev)
		if err != nil {
			return err
		}
		res = CarrierStatusResult{OrderID: orderID, Duplicate: !fresh, Applied: fresh && ev.Applied}
		if !res.Applied {
			return nil
		}
		res.Delivered = thugom.CarrierDelivered(st.Carrier, st.Code)
		return store.SetShipmentCarrierStatus(ctx, tx, orderID, st.Code, st.Name, st.At, res.Delivered, now)
	})
	if err != nil {
		return nil, err
	}
	if res.OrderID == 0 {
		return nil, thugom.Errorf(thugom.ENotFound, "waybill", "no shipment with waybill %q at %s (kept for an administrator)", st.Waybill, st.Carrier)
	}
	return &res, nil
}

// ParseWebhook reads ViettelPost's webhook {"DATA": {ORDER_NUMBER (the
// waybill), ORDER_REFERENCE (ours), ORDER_STATUSDATE "dd/MM/yyyy
// HH:mm:ss", ORDER_STATUS, STATUS_NAME, LOCALION_CURRENTLY, …}, "TOKEN"}:
// TOKEN must be the secret given to ViettelPost with the webhook's address.
func (v *ViettelPost) ParseWebhook(body []byte) (CarrierStatus, error) {
	var m struct {
		Data  json.RawMessage `json:"DATA"`
		Token string          `json:"TOKEN"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return CarrierStatus{}, thugom.Errorf(thugom.EInvalid, "body", "not JSON: %v", err)
	}
	if v.WebhookToken == "" || subtle.ConstantTimeCompare([]byte(m.Token), []byte(v.WebhookToken)) != 1 {
		return CarrierStatus{}, thugom.Errorf(thugom.EUnauthorized, "TOKEN", "bad or missing webhook token")
	}
	var d struct {
		OrderNumber string          `json:"ORDER_NUMBER"`
		Reference   string          `json:"ORDER_REFERENCE"`
		Date        string          `json:"ORDER_STATUSDATE"`
		Status      json.RawMessage `json:"ORDER_STATUS"`
		Name        string          `json:"STATUS_NAME"`
	}
	if err := json.Unmarshal(m.Data, &d); err != nil || d.OrderNumber == "" {
		return CarrierStatus{}, thugom.Errorf(thugom.EInvalid, "DATA", "DATA must be an object with ORDER_NUMBER")
	}
	code, err := statusCode(d.Status)
	if err != nil {
		return CarrierStatus{}, thugom.Errorf(thugom.EInvalid, "ORDER_STATUS", "ORDER_STATUS must be a number")
	}
	at, err := time.ParseInLocation("02/01/2006 15:04:05", d.Date, thugom.Local)
	if err != nil {
		return CarrierStatus{}, thugom.Errorf(thugom.EInvalid, "ORDER_STATUSDATE", "ORDER_STATUSDATE must be dd/MM/yyyy HH:mm:ss, not %q", d.Date)
	}
	return CarrierStatus{Carrier: v.Name(), Waybill: d.OrderNumber, Reference: d.Reference, Code: code, Name: d.Name, At: at, Payload: m.Data}, nil
}

// statusCode reads a status code written as a number or as a string.
func statusCode(raw json.RawMessage) (int, error) {
	var n int
	if err := json.Unmarshal(bytes.Trim(raw, `"`), &n); err != nil {
		return 0, err
	}
	return n, nil
}

// VNPostSign is the signature assumed for VNPost's webhook: the hex MD5 of
// Data followed by the key VNPost and thugom share (see the README: the
// public material read gives the envelope, not the scheme).
func VNPostSign(data, key string) string {
	sum := md5.Sum([]byte(data + key)) //nolint:gosec // as above
	return hex.EncodeToString(sum[:])
}

// ParseWebhook reads VNPost's webhook {Data (a JSON string), SendDate,
// SignData}: SignData must be VNPostSign(Data, WebhookKey). Data names
// ItemCode (the waybill), OrderCode (ours), OrderStatusId and StatusName;
// the status's time is SendDate (RFC 3339, or yyyy-MM-ddTHH:mm:ss local).
func (v *VNPost) ParseWebhook(body []byte) (CarrierStatus, error) {
	var m struct {
		Data     string `json:"Data"`
		SendDate string `json:"SendDate"`
		SignData string `json:"SignData"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return CarrierStatus{}, thugom.Errorf(thugom.EInvalid, "body", "not JSON: %v", err)
	}
	want := VNPostSign(m.Data, v.WebhookKey)
	if v.WebhookKey == "" || subtle.ConstantTimeCompare([]byte(strings.ToLower(m.SignData)), []byte(want)) != 1 {
		return CarrierStatus{}, thugom.Errorf(thugom.EUnauthorized, "SignData", "bad or missing signature")
	}
	var d struct {
		ItemCode  string          `json:"ItemCode"`
		OrderCode string          `json:"OrderCode"`
		Status    json.RawMessage `json:"OrderStatusId"`
		Name      string          `json:"StatusName"`
	}
	if err := json.Unmarshal([]byte(m.Data), &d); err != nil || d.ItemCode == "" {
		return CarrierStatus{}, thugom.Errorf(thugom.EInvalid, "Data", "Data must be a JSON object with ItemCode")
	}
	code, err := statusCode(d.Status)
	if err != nil {
		return CarrierStatus{}, thugom.Errorf(thugom.EInvalid, "OrderStatusId", "OrderStatusId must be a number")
	}
	at, err := time.Parse(time.RFC3339, m.SendDate)
	if err != nil {
		if at, err = time.ParseInLocation("2006-01-02T15:04:05", m.SendDate, thugom.Local); err != nil {
			return CarrierStatus{}, thugom.Errorf(thugom.EInvalid, "SendDate", "SendDate must be a date and time, not %q", m.SendDate)
		}
	}
	return CarrierStatus{Carrier: v.Name(), Waybill: d.ItemCode, Reference: d.OrderCode, Code: code, Name: d.Name, At: at,
		Payload: json.RawMessage(m.Data)}, nil
}

var (
	_ CarrierWebhookParser = (*ViettelPost)(nil)
	_ CarrierWebhookParser = (*VNPost)(nil)
)

// errNoWebhook is the configuration error of a webhook secret too short.
func errNoWebhook(name string) error {
	return fmt.Errorf("carriers: %s must be at least 16 characters", name)
}
