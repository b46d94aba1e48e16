package jobs_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/fakecarrier"
	"github.com/thugom/thugom/jobs"
)

func TestCarriersFromEnv(t *testing.T) {
	t.Parallel()
	cfg, err := jobs.CarriersFromEnv(env{}.get)
	if err != nil || len(cfg.Connectors) != 0 || cfg.ShipAt != jobs.ShipAtPickup {
		t.Fatalf("default: %+v %v", cfg, err)
	}
	ok := env{"THUGOM_CARRIERS": "vnpost", "THUGOM_VNPOST_USERNAME": "u", "THUGOM_VNPOST_PASSWORD": "p", "THUGOM_CARRIER_SHIP_AT": "intake"}
	cfg, err = jobs.CarriersFromEnv(ok.get)
	if err != nil || cfg.Connectors[thugom.CarrierVNPost] == nil || cfg.ShipAt != jobs.ShipAtIntake {
		t.Fatalf("vnpost at intake: %+v %v", cfg, err)
	}
	for name, e := range map[string]env{
		"ship at":      {"THUGOM_CARRIER_SHIP_AT": "handover"},
		"unknown":      {"THUGOM_CARRIERS": "ghn", "THUGOM_GHN_USERNAME": "u", "THUGOM_GHN_PASSWORD": "p"},
		"no password":  {"THUGOM_CARRIERS": "viettelpost", "THUGOM_VIETTELPOST_USERNAME": "u"},
		"bad url":      {"THUGOM_CARRIERS": "vnpost", "THUGOM_VNPOST_USERNAME": "u", "THUGOM_VNPOST_PASSWORD": "p", "THUGOM_VNPOST_URL": "donhang"},
		"bad group id": {"THUGOM_CARRIERS": "viettelpost", "THUGOM_VIETTELPOST_USERNAME": "u", "THUGOM_VIETTELPOST_PASSWORD": "p", "THUGOM_VIETTELPOST_GROUPADDRESS_ID": "x"},
	} {
		if _, err := jobs.CarriersFromEnv(e.get); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func testShipment(ref string) jobs.CarrierShipment {
	return jobs.CarrierShipment{OrderID: 1, Reference: ref, SenderName: "Hoàng Văn Thụ", SenderPhone: "+84912345678",
		SenderAddress: "thôn Còn Quan, xã Chi Lăng", DestinationProvince: "01", ProductName: "Na Chi Lăng", WeightGrams: 5000, Parcels: 1, CODAmount: 225000}
}

// The ViettelPost connector against the fake: the two-step login, a
// create, the label, a token the carrier forgot (one login more), a
// refusal in the answer's body, a 429's Retry-After, a cancel.
func TestViettelPostConnector(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakecarrier.NewViettelPost("0988000111", "secret")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	bad := &jobs.ViettelPost{URL: srv.URL + "/v2", Username: "0988000111", Password: "wrong"}
	if _, err := bad.CreateShipment(ctx, testShipment("VS-0")); !errors.Is(err, jobs.ErrCarrierRefused) {
		t.Fatalf("wrong password: %v", err)
	}
	v := &jobs.ViettelPost{URL: srv.URL + "/v2", Username: "0988000111", Password: "secret", GroupAddressID: 5818802, PrintURL: "https://print.example/report.do"}
	w, err := v.CreateShipment(ctx, testShipment("VS-1"))
	if err != nil || w.Number == "" {
		t.Fatalf("create: %+v %v", w, err)
	}
	o, _ := fake.Order("VS-1")
	if o.Fields["PRODUCT_WEIGHT"] != 5000.0 || o.Fields["MONEY_COLLECTION"] != 225000.0 || o.Fields["ORDER_PAYMENT"] != 3.0 || o.Fields["SENDER_PHONE"] != "0912345678" {
		t.Errorf("fields sent: %v", o.Fields)
	}
	label, err := v.LabelURL(ctx, w.Number, time.Now().Add(time.Hour))
	if err != nil || !strings.HasPrefix(label, "https://print.example/report.do?") || !strings.Contains(label, "bill=print-") {
		t.Errorf("label: %q %v", label, err)
	}
	fake.Expire()
	if _, err := v.CreateShipment(ctx, testShipment("VS-2")); err != nil {
		t.Fatalf("after the token expired: %v", err)
	}
	if n := fake.Logins(); n != 2 {
		t.Errorf("%d logins, want 2 (one again after the expiry)", n)
	}
	s := testShipment("VS-3")
	s.ProductName = ""
	if _, err := v.CreateShipment(ctx, s); !errors.Is(err, jobs.ErrCarrierRefused) {
		t.Errorf("no product name: %v, want refused", err)
	}
	fake.Fail(fakecarrier.Fault{Status: http.StatusTooManyRequests, RetryAfter: 7}, fakecarrier.Fault{Status: http.StatusBadGateway})
	var after *jobs.CarrierRetryAfter
	if _, err := v.CreateShipment(ctx, testShipment("VS-4")); !errors.As(err, &after) || after.After != 7*time.Second {
		t.Errorf("429: %v", err)
	}
	if _, err := v.CreateShipment(ctx, testShipment("VS-4")); err == nil || errors.Is(err, jobs.ErrCarrierRefused) || errors.As(err, &after) {
		t.Errorf("502: %v, want a plain retry", err)
	}
	if err := v.CancelShipment(ctx, w, "huy"); err != nil {
		t.Fatal(err)
	}
	if o, _ := fake.Order("VS-1"); !o.Cancelled {
		t.Error("not cancelled at the carrier")
	}
	if err := v.CancelShipment(ctx, jobs.Waybill{Number: "nope"}, "huy"); !errors.Is(err, jobs.ErrCarrierRefused) {
		t.Errorf("cancel of an unknown waybill: %v", err)
	}
}

// The VNPost connector against the fake: the access token, a create with
// its Id and ItemCode, a refusal (HTTP 400), a cancel by Id.
func TestVNPostConnector(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakecarrier.NewVNPost("thugom", "secret")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	if _, err := (&jobs.VNPost{URL: srv.URL, Username: "thugom", Password: "x"}).CreateShipment(ctx, testShipment("PM-0")); !errors.Is(err, jobs.ErrCarrierRefused) {
		t.Fatalf("wrong password: %v", err)
	}
	v := &jobs.VNPost{URL: srv.URL + "/api/api", Username: "thugom", Password: "secret"}
	w, err := v.CreateShipment(ctx, testShipment("PM-1"))
	if err != nil || !strings.HasPrefix(w.Number, "EB") || w.Ref == "" {
		t.Fatalf("create: %+v %v", w, err)
	}
	if o, _ := fake.Order("PM-1"); o.Fields["WeightEvaluation"] != 5000.0 || o.Fields["SenderProvinceId"] != "24" {
		t.Errorf("fields sent: %v", o.Fields)
	}
	s := testShipment("PM-2")
	s.WeightGrams = 0
	if _, err := v.CreateShipment(ctx, s); !errors.Is(err, jobs.ErrCarrierRefused) {
		t.Errorf("no weight: %v, want refused", err)
	}
	if err := v.CancelShipment(ctx, w, ""); err != nil {
		t.Fatal(err)
	}
	if o, _ := fake.Order("PM-1"); !o.Cancelled {
		t.Error("not cancelled at the carrier")
	}
}
