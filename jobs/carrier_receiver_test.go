package jobs_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/fakecarrier"
	"github.com/thugom/thugom/jobs"
)

var testBuyer = thugom.Buyer{Name: "Trần Thị Mai", Phone: "+84987654321", Address: "12 Hàng Bài", DistrictID: "1",
	WardID: "123", District: "Hoàn Kiếm", Ward: "Tràng Tiền"}

// Both connectors put the order's buyer in the carrier's receiver fields
// (the fakes record them as a carrier would get them), keep today's
// fields for an order without one, and the fakes refuse what the carriers
// would.
func TestConnectorsSendTheBuyer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	vtp := fakecarrier.NewViettelPost("0988000111", "secret")
	vnp := fakecarrier.NewVNPost("thugom", "secret")
	vs, ps := httptest.NewServer(vtp), httptest.NewServer(vnp)
	t.Cleanup(vs.Close)
	t.Cleanup(ps.Close)
	v := &jobs.ViettelPost{URL: vs.URL + "/v2", Username: "0988000111", Password: "secret", ReceiverProvince: map[string]int{"ha-noi": 1}}
	p := &jobs.VNPost{URL: ps.URL + "/api/api", Username: "thugom", Password: "secret", ReceiverProvince: map[string]string{"ha-noi": "10"}}
	for _, c := range []struct {
		conn  jobs.CarrierConnector
		order func(string) (fakecarrier.Order, bool)
		want  map[string]any // with the buyer
		none  map[string]any // without
	}{
		{v, vtp.Order, map[string]any{"RECEIVER_FULLNAME": "Trần Thị Mai", "RECEIVER_PHONE": "0987654321",
			"RECEIVER_ADDRESS": "12 Hàng Bài, Tràng Tiền, Hoàn Kiếm, 01", "RECEIVER_DISTRICT": 1.0, "RECEIVER_WARD": 123.0, "RECEIVER_PROVINCE": 1.0},
			map[string]any{"RECEIVER_FULLNAME": "", "RECEIVER_PHONE": "", "RECEIVER_ADDRESS": "01", "RECEIVER_DISTRICT": 0.0, "RECEIVER_WARD": 0.0}},
		{p, vnp.Order, map[string]any{"ReceiverFullname": "Trần Thị Mai", "ReceiverTel": "0987654321",
			"ReceiverAddress": "12 Hàng Bài, Tràng Tiền, Hoàn Kiếm, 01", "ReceiverDistrictId": "1", "ReceiverWardId": "123", "ReceiverProvinceId": "10"},
			map[string]any{"ReceiverFullname": "", "ReceiverTel": "", "ReceiverAddress": "01", "ReceiverDistrictId": "", "ReceiverWardId": ""}},
	} {
		s := testShipment(c.conn.Name() + "-B")
		s.Receiver = testBuyer
		if _, err := c.conn.CreateShipment(ctx, s); err != nil {
			t.Fatalf("%s with a buyer: %v", c.conn.Name(), err)
		}
		o, _ := c.order(s.Reference)
		for k, want := range c.want {
			if o.Fields[k] != want {
				t.Errorf("%s %s = %#v, want %#v", c.conn.Name(), k, o.Fields[k], want)
			}
		}
		s = testShipment(c.conn.Name() + "-NONE")
		if _, err := c.conn.CreateShipment(ctx, s); err != nil {
			t.Fatalf("%s without a buyer: %v", c.conn.Name(), err)
		}
		o, _ = c.order(s.Reference)
		for k, want := range c.none {
			if o.Fields[k] != want {
				t.Errorf("%s without a buyer: %s = %#v, want %#v", c.conn.Name(), k, o.Fields[k], want)
			}
		}
		// A name only: ViettelPost's documented required receiver
		// wants the phone too; VNPost takes it.
		s = testShipment(c.conn.Name() + "-NAME")
		s.Receiver = thugom.Buyer{Name: "Mai"}
		_, err := c.conn.CreateShipment(ctx, s)
		if refused := errors.Is(err, jobs.ErrCarrierRefused); refused != (c.conn.Name() == thugom.CarrierViettelPost) {
			t.Errorf("%s, a name without a phone: %v", c.conn.Name(), err)
		}
		// A phone the carrier cannot call is refused by both.
		s = testShipment(c.conn.Name() + "-BADPHONE")
		s.Receiver = thugom.Buyer{Name: "Mai", Phone: "+1415"}
		if _, err := c.conn.CreateShipment(ctx, s); !errors.Is(err, jobs.ErrCarrierRefused) {
			t.Errorf("%s, a foreign phone: %v, want refused", c.conn.Name(), err)
		}
	}
	if n := len(vtp.Orders()) + len(vnp.Orders()); n != 5 {
		t.Errorf("%d orders at the fakes, want 5 (the refused ones not made)", n)
	}
}

// Through the service: an order imported with its buyer is created at
// its carrier with the buyer's fields (the outbox, at intake).
func TestCarrierCreateCarriesTheBuyer(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtIntake, 0)
	ctx := context.Background()
	ids := importBuyers(t, cb, thugom.Buyer{Name: " Trần Thị Mai ", Phone: "0987.654.321", Address: "12 Hàng Bài", DistrictID: "1", WardID: "123"}, "VS-BUYER")
	if err := cb.svc.SendCarrier(ctx, msgOf(t, cb, ids[0], "create")); err != nil {
		t.Fatal(err)
	}
	o, ok := cb.vtp.Order("VS-BUYER")
	if !ok {
		t.Fatal("no order at ViettelPost")
	}
	for k, want := range map[string]any{"RECEIVER_FULLNAME": "Trần Thị Mai", "RECEIVER_PHONE": "0987654321",
		"RECEIVER_ADDRESS": "12 Hàng Bài, 01", "RECEIVER_DISTRICT": 1.0, "RECEIVER_WARD": 123.0} {
		if o.Fields[k] != want {
			t.Errorf("%s = %#v, want %#v", k, o.Fields[k], want)
		}
	}
}

// importBuyers imports ViettelPost orders of the seeded first household,
// one per reference, with buyer ("-NONE" references without); it returns
// the orders.
func importBuyers(t *testing.T, cb *carrierBundle, buyer thugom.Buyer, refs ...string) []int64 {
	t.Helper()
	ctx := context.Background()
	var name, phone, addr string
	if err := cb.db.QueryRow(ctx, `SELECT name, phone, address FROM households ORDER BY id LIMIT 1`).Scan(&name, &phone, &addr); err != nil {
		t.Fatal(err)
	}
	w := 4.0
	orders := make([]thugom.NewOrder, 0, len(refs))
	for _, ref := range refs {
		o := thugom.NewOrder{Marketplace: thugom.MarketplaceVoso, MarketplaceOrderID: ref, HouseholdName: name, HouseholdPhone: phone,
			HouseholdAddress: addr, Product: "na", WeightKg: &w, DestinationProvince: "01"}
		if !strings.HasSuffix(ref, "-NONE") {
			o.Buyer = buyer
		}
		orders = append(orders, o)
	}
	imp, err := cb.svc.ImportOrders(ctx, orders, false, jobs.Actor{Name: "test"})
	if err != nil || len(imp.OrderIDs) != len(refs) {
		t.Fatalf("import: %+v %v", imp, err)
	}
	return imp.OrderIDs
}
