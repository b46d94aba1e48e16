package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// An order's page carries its carrier's waybill once the shipment exists,
// and the carrier's refusal when there is one; without a shipment,
// neither.
func TestOrderCarrierWaybill(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.seedDay(2)
	ctx := context.Background()
	if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: ids[0], Carrier: thugom.CarrierVNPost, Waybill: "EB100000001VN", Status: thugom.ShipmentCreated, UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: ids[1], Carrier: thugom.CarrierVNPost, Status: thugom.ShipmentFailed, Error: "vnpost: refused: 422", UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Waybill string `json:"carrier_waybill"`
		Error   string `json:"carrier_error"`
	}
	r := b.do("GET", fmt.Sprintf("/v1/orders/%d", ids[0]), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &got)
	if got.Waybill != "EB100000001VN" || got.Error != "" {
		t.Errorf("created: %+v", got)
	}
	got.Waybill, got.Error = "", ""
	r = b.do("GET", fmt.Sprintf("/v1/orders/%d", ids[1]), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &got)
	if got.Waybill != "" || got.Error == "" {
		t.Errorf("refused: %+v", got)
	}
}

// The carriers' webhooks over HTTP: a bad signature is a 401 problem and
// changes nothing; a good one applies once (a repeat is answered, not
// applied); the delivery shows on the order; an unconfigured carrier and
// bad JSON are problems, never a 500.
func TestCarrierHooksHTTP(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.seedDay(1)
	ctx := context.Background()
	if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: ids[0], Carrier: thugom.CarrierVNPost, Waybill: "EB100000002VN", Status: thugom.ShipmentCreated, UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	const key = "vnpost-webhook-key-16"
	svc, err := jobs.New(b.db, jobs.Deps{Clock: func() time.Time { return testNow }, Carriers: jobs.CarrierConfig{
		Connectors: map[string]jobs.CarrierConnector{thugom.CarrierVNPost: &jobs.VNPost{Username: "u", Password: "p", WebhookKey: key}}}})
	if err != nil {
		t.Fatal(err)
	}
	b.srv = httptest.NewServer(checkOpenAPI(t, api.New(api.Deps{DB: b.db, Service: svc, Clock: func() time.Time { return testNow }, Secret: secret})))
	t.Cleanup(b.srv.Close)
	hook := func(signKey, sendDate string, code int) map[string]any {
		data, _ := json.Marshal(map[string]any{"ItemCode": "EB100000002VN", "OrderStatusId": code, "StatusName": "Phát thành công"})
		return map[string]any{"Data": string(data), "SendDate": sendDate, "SignData": jobs.VNPostSign(string(data), signKey)}
	}
	wantStatus(t, b.do("POST", "/hooks/vnpost", "", hook("wrong-key-wrong-key", "2026-09-16T09:00:00+07:00", 100)), http.StatusUnauthorized, "SignData")
	if n := countRows(t, b, `SELECT count(*) FROM carrier_events`); n != 0 {
		t.Fatalf("%d events after a bad signature", n)
	}
	var res struct {
		Applied, Duplicate, Delivered bool
	}
	r := b.do("POST", "/hooks/vnpost", "", hook(key, "2026-09-16T09:00:00+07:00", 100))
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &res)
	if !res.Applied || !res.Delivered {
		t.Errorf("delivered: %s", r.body)
	}
	r = b.do("POST", "/hooks/vnpost", "", hook(key, "2026-09-16T09:00:00+07:00", 100))
	wantStatus(t, r, http.StatusOK, "")
	res = struct{ Applied, Duplicate, Delivered bool }{}
	r.json(t, &res)
	if res.Applied || !res.Duplicate {
		t.Errorf("repeat: %s", r.body)
	}
	var o struct {
		DeliveredAt   *time.Time `json:"delivered_at"`
		CarrierStatus *struct {
			Code int    `json:"code"`
			Name string `json:"name"`
		} `json:"carrier_status"`
	}
	r = b.do("GET", fmt.Sprintf("/v1/orders/%d", ids[0]), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &o)
	if o.DeliveredAt == nil || !o.DeliveredAt.Equal(time.Date(2026, 9, 16, 9, 0, 0, 0, thugom.Local)) || o.CarrierStatus == nil || o.CarrierStatus.Code != 100 {
		t.Errorf("order after delivery: %s", r.body)
	}
	wantStatus(t, b.do("POST", "/hooks/viettelpost", "", map[string]any{"DATA": map[string]any{}, "TOKEN": "x"}), http.StatusNotFound, "carrier")
	r = b.do("POST", "/hooks/vnpost", "", `{"Data": `)
	if r.status < 400 || r.status >= 500 {
		t.Errorf("bad JSON: %d %s", r.status, r.body)
	}
}

func countRows(t *testing.T, b *bundle, q string) int {
	t.Helper()
	var n int
	if err := b.db.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
