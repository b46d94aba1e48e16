package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/fakecarrier"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// labelBundle: a seeded day whose first order is ViettelPost's, shipped
// through the real connector to the fake (its waybill the fake's), the
// second VNPost's with a waybill, the third without a shipment; the
// server's core has both connectors.
type labelBundle struct {
	*bundle
	vtp            *fakecarrier.ViettelPost
	vnp            *fakecarrier.VNPost
	fake           string // the fake ViettelPost's server
	vtpOrder       int64
	vnpOrder, none int64
	vtpBill        string
}

const vnpBill = "EB123456789VN"

func labelSetup(t *testing.T) *labelBundle {
	t.Helper()
	b := setup(t)
	ids := b.seedDay(3)
	ctx := context.Background()
	lb := &labelBundle{bundle: b, vtp: fakecarrier.NewViettelPost("0988000111", "vtp-secret"), vnp: fakecarrier.NewVNPost("u", "p"),
		vtpOrder: ids[0], vnpOrder: ids[1], none: ids[2]}
	fake, vnpFake := httptest.NewServer(lb.vtp), httptest.NewServer(lb.vnp)
	t.Cleanup(fake.Close)
	t.Cleanup(vnpFake.Close)
	lb.fake = fake.URL
	conn := &jobs.ViettelPost{URL: fake.URL + "/v2", PrintURL: fake.URL + fakecarrier.PrintPath, Username: "0988000111", Password: "vtp-secret"}
	if _, err := b.db.Exec(ctx, `UPDATE orders SET carrier_id = (SELECT id FROM carriers WHERE code = 'viettelpost'), cod_amount = 150000 WHERE id = $1`, lb.vtpOrder); err != nil {
		t.Fatal(err)
	}
	o, err := store.ShipmentOrderOf(ctx, b.db, lb.vtpOrder)
	if err != nil {
		t.Fatal(err)
	}
	w, err := conn.CreateShipment(ctx, jobs.CarrierShipment{OrderID: o.OrderID, Reference: o.MarketplaceOrderID, SenderName: o.SenderName, SenderPhone: o.SenderPhone,
		SenderAddress: o.SenderAddress, DestinationProvince: o.DestinationProvince, ProductName: o.ProductName, WeightGrams: int(o.WeightKg * 1000), Parcels: o.Parcels, CODAmount: o.CODAmount})
	if err != nil {
		t.Fatal(err)
	}
	lb.vtpBill = w.Number
	for id, sh := range map[int64]*store.Shipment{
		lb.vtpOrder: {Carrier: thugom.CarrierViettelPost, Waybill: w.Number},
		lb.vnpOrder: {Carrier: thugom.CarrierVNPost, Waybill: vnpBill},
	} {
		sh.OrderID, sh.Status, sh.UpdatedAt = id, thugom.ShipmentCreated, testNow
		if err := store.SaveShipment(ctx, b.db, sh); err != nil {
			t.Fatal(err)
		}
	}
	svc, err := jobs.New(b.db, jobs.Deps{Clock: func() time.Time { return testNow }, Carriers: jobs.CarrierConfig{Connectors: map[string]jobs.CarrierConnector{
		thugom.CarrierViettelPost: conn,
		thugom.CarrierVNPost:      &jobs.VNPost{URL: vnpFake.URL + "/api/api", Username: "u", Password: "p", ReceiverProvince: map[string]string{"ha-noi": "10"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	b.srv = httptest.NewServer(checkOpenAPI(t, api.New(api.Deps{DB: b.db, Service: svc, Clock: func() time.Time { return testNow }, Secret: secret,
		BaseURL: "http://thugom.test", CommunesGeoJSON: communes, MapAttribution: geo.Attribution})))
	t.Cleanup(b.srv.Close)
	return lb
}

// TestOrderLabel: ViettelPost's order opens ViettelPost's own label (its
// printing code, from the connector, to the fake's print page), VNPost's
// thugom's own with the waybill's barcode; ViettelPost down, thugom's own
// with the reason. An unknown order is 404, one without a waybill 409, one
// of another carrier 403, all problems.
func TestOrderLabel(t *testing.T) {
	t.Parallel()
	lb := labelSetup(t)
	var l jobs.OrderLabel
	r := lb.do("GET", fmt.Sprintf("/v1/orders/%d/label.json", lb.vtpOrder), lb.disp2, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &l)
	if l.Waybill != lb.vtpBill || !strings.HasPrefix(l.CarrierURL, lb.fake+fakecarrier.PrintPath+"?") || l.CODAmount != 150000 || l.SenderName == "" {
		t.Fatalf("ViettelPost label: %+v", l)
	}
	r = lb.do("GET", fmt.Sprintf("/v1/orders/%d/label", lb.vtpOrder), lb.disp2, nil)
	wantStatus(t, r, http.StatusSeeOther, "")
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, lb.fake+fakecarrier.PrintPath+"?") || !strings.Contains(loc, "type=1") || !strings.Contains(loc, "showPostage=1") {
		t.Fatalf("redirect to %q", loc)
	}
	res, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), `data-waybill="`+lb.vtpBill+`"`) {
		t.Fatalf("ViettelPost's label page: %d %s", res.StatusCode, page)
	}
	// VNPost prints none: thugom's label.
	r = lb.do("GET", fmt.Sprintf("/v1/orders/%d/label", lb.vnpOrder), lb.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	body := string(r.body)
	for _, want := range []string{`data-waybill="` + vnpBill + `"`, `class="barcode"`, `data-code128="`, "Người gửi", "Người nhận", " kg"} {
		if !strings.Contains(body, want) {
			t.Errorf("VNPost label lacks %q", want)
		}
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("content type %q", ct)
	}
	// ?own=1, and ViettelPost down: thugom's, with why.
	r = lb.do("GET", fmt.Sprintf("/v1/orders/%d/label?own=1", lb.vtpOrder), lb.disp2, nil)
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `data-waybill="`+lb.vtpBill+`"`) || !strings.Contains(string(r.body), "Thu hộ: 150.000") {
		t.Errorf("own label of the ViettelPost order: %s", r.body)
	}
	lb.vtp.Down(true)
	r = lb.do("GET", fmt.Sprintf("/v1/orders/%d/label", lb.vtpOrder), lb.disp2, nil)
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `data-waybill="`+lb.vtpBill+`"`) || !strings.Contains(string(r.body), "chưa lấy được") {
		t.Errorf("ViettelPost down: %s", r.body)
	}
	lb.vtp.Down(false)
	// Bad input.
	wantStatus(t, lb.do("GET", "/v1/orders/999999/label", lb.disp, nil), http.StatusNotFound, "")
	wantStatus(t, lb.do("GET", "/v1/orders/abc/label.json", lb.disp, nil), http.StatusNotFound, "id")
	wantStatus(t, lb.do("GET", fmt.Sprintf("/v1/orders/%d/label", lb.none), lb.disp, nil), http.StatusConflict, "order_id")
	wantStatus(t, lb.do("GET", fmt.Sprintf("/v1/orders/%d/label.json", lb.vtpOrder), lb.disp, nil), http.StatusForbidden, "")
	if err := store.SaveShipment(context.Background(), lb.db, &store.Shipment{OrderID: lb.none, Carrier: thugom.CarrierVNPost, Status: thugom.ShipmentFailed,
		Error: "vnpost: refused: 422", UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	p := wantStatus(t, lb.do("GET", fmt.Sprintf("/v1/orders/%d/label", lb.none), lb.disp, nil), http.StatusConflict, "order_id")
	if !strings.Contains(fmt.Sprint(p["detail"]), "refused") {
		t.Errorf("refused shipment: %v", p)
	}
}

// TestOrderPrice: VNPost's price of an order's shipment, asked through
// its connector (the fake's tariff for 8 kg to Hà Nội with 150,000 đ to
// collect); the carrier down is the answer's error; ViettelPost's order
// (thugom does not ask it) a 409, an unknown order a 404.
func TestOrderPrice(t *testing.T) {
	t.Parallel()
	lb := labelSetup(t)
	var p jobs.CarrierPrice
	r := lb.do("GET", fmt.Sprintf("/v1/orders/%d/price", lb.vnpOrder), lb.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &p)
	o, err := store.ShipmentOrderOf(context.Background(), lb.db, lb.vnpOrder)
	if err != nil {
		t.Fatal(err)
	}
	steps := (int(o.WeightKg*1000) - 1) / 500
	want := int64((16500+2500*steps)*11/10) + max(10000, o.CODAmount/100)
	if p.Fee != want || p.Service != "BK" || p.Error != "" || p.OrderID != lb.vnpOrder {
		t.Errorf("price of %g kg, COD %d: %+v, want %d đ", o.WeightKg, o.CODAmount, p, want)
	}
	lb.vnp.Down(true)
	p = jobs.CarrierPrice{}
	r = lb.do("GET", fmt.Sprintf("/v1/orders/%d/price", lb.vnpOrder), lb.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &p)
	if p.Fee != 0 || p.Error == "" {
		t.Errorf("VNPost down: %+v", p)
	}
	wantStatus(t, lb.do("GET", fmt.Sprintf("/v1/orders/%d/price", lb.vtpOrder), lb.disp2, nil), http.StatusConflict, "order_id")
	wantStatus(t, lb.do("GET", "/v1/orders/999999/price", lb.disp, nil), http.StatusNotFound, "")
}

// pickUp reports the pickup of the order's (last) stop.
func (lb *labelBundle) pickUp(t *testing.T, order int64) {
	t.Helper()
	ctx := context.Background()
	var stop int64
	if err := lb.db.QueryRow(ctx, `SELECT stop_id FROM stop_orders WHERE order_id = $1 ORDER BY stop_id DESC LIMIT 1`, order).Scan(&stop); err != nil {
		t.Fatal(err)
	}
	if _, err := lb.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: stop, Status: thugom.StopPickedUp, Parcels: 1, At: testNow, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
}
