package jobs_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/fakecarrier"
	"github.com/thugom/thugom/jobs"
)

// The carriers' own province ids, from the environment, keyed by
// ProvinceKey: the creates carry the buyer's province as each carrier
// numbers it (a province written by code or by name alike), and VNPost's
// price call is priced by its tariff for that province; without the id
// VNPost refuses the price.
func TestCarrierProvinceIDsAndPrice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	vnp := fakecarrier.NewVNPost("u", "p")
	vtp := fakecarrier.NewViettelPost("0988000111", "secret")
	vnpSrv, vtpSrv := httptest.NewServer(vnp), httptest.NewServer(vtp)
	t.Cleanup(vnpSrv.Close)
	t.Cleanup(vtpSrv.Close)
	cfg, err := jobs.CarriersFromEnv(env{
		"THUGOM_CARRIERS":        "vnpost, viettelpost",
		"THUGOM_VNPOST_USERNAME": "u", "THUGOM_VNPOST_PASSWORD": "p", "THUGOM_VNPOST_URL": vnpSrv.URL + "/api/api",
		"THUGOM_VNPOST_PROVINCE_IDS":  "Hà Nội=10, Thành phố Hồ Chí Minh=70",
		"THUGOM_VIETTELPOST_USERNAME": "0988000111", "THUGOM_VIETTELPOST_PASSWORD": "secret", "THUGOM_VIETTELPOST_URL": vtpSrv.URL + "/v2",
		"THUGOM_VIETTELPOST_PROVINCE_IDS": "01=1, ho chi minh=2",
	}.get)
	if err != nil {
		t.Fatal(err)
	}
	s := testShipment("PM-P1") // to "01", 5 kg, COD 225,000 đ
	if _, err := cfg.Connectors[thugom.CarrierVNPost].CreateShipment(ctx, s); err != nil {
		t.Fatal(err)
	}
	s.Reference, s.DestinationProvince = "VS-P1", "TP. Hồ Chí Minh"
	if _, err := cfg.Connectors[thugom.CarrierViettelPost].CreateShipment(ctx, s); err != nil {
		t.Fatal(err)
	}
	if o, _ := vnp.Order("PM-P1"); o.Fields["ReceiverProvinceId"] != "10" {
		t.Errorf("VNPost's ReceiverProvinceId %v, want 10 (Hà Nội, written 01)", o.Fields["ReceiverProvinceId"])
	}
	if o, _ := vtp.Order("VS-P1"); o.Fields["RECEIVER_PROVINCE"] != float64(2) {
		t.Errorf("ViettelPost's RECEIVER_PROVINCE %v, want 2 (Hồ Chí Minh by name)", o.Fields["RECEIVER_PROVINCE"])
	}
	pricer, ok := cfg.Connectors[thugom.CarrierVNPost].(jobs.CarrierPricer)
	if !ok {
		t.Fatal("VNPost's connector has no price call")
	}
	// 5,000 g: nine 500 g steps past the first: (16,500 + 9 × 2,500) ×
	// 1.1 = 42,900 đ, COD 1 % of 225,000 (10,000 at least) = 10,000.
	s.DestinationProvince = "Hà Nội"
	p, err := pricer.Price(ctx, s)
	if err != nil || p.Fee != 52900 || p.Service != "BK" || p.Carrier != thugom.CarrierVNPost {
		t.Fatalf("price: %+v %v", p, err)
	}
	s.DestinationProvince = "Cà Mau" // no id configured: VNPost refuses
	if _, err := pricer.Price(ctx, s); !errors.Is(err, jobs.ErrCarrierRefused) {
		t.Errorf("a province without VNPost's id: %v", err)
	}
	vnp.Down(true)
	s.DestinationProvince = "Hà Nội"
	if _, err := pricer.Price(ctx, s); err == nil || errors.Is(err, jobs.ErrCarrierRefused) {
		t.Errorf("VNPost down: %v, want a retryable error", err)
	}
	for name, v := range map[string]string{"no id": "Hà Nội=", "no equals": "Hà Nội", "not a number": "Hà Nội=x"} {
		e := env{"THUGOM_CARRIERS": "viettelpost", "THUGOM_VIETTELPOST_USERNAME": "u", "THUGOM_VIETTELPOST_PASSWORD": "p", "THUGOM_VIETTELPOST_PROVINCE_IDS": v}
		if _, err := jobs.CarriersFromEnv(e.get); err == nil {
			t.Errorf("%s (%q): accepted", name, v)
		}
	}
}
