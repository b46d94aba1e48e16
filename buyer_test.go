package thugom_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
)

// The buyer an order may carry: trimmed, the phone normalised from any
// Vietnamese writing, the carrier's ids kept as given; every slip names
// its receiver_ field, and an order without a buyer is as before.
func TestNewOrderBuyer(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, thugom.Local)
	kg := 3.0
	base := thugom.NewOrder{Marketplace: "postmart", MarketplaceOrderID: "B1", HouseholdPhone: "0912345678",
		HouseholdAddress: "thôn Nà Pàn", Product: "na", WeightKg: &kg}
	v, err := base.Check(testRefs, now, nil)
	if err != nil || !v.Buyer.Empty() {
		t.Fatalf("no buyer: %+v %v", v.Buyer, err)
	}
	base.Buyer = thugom.Buyer{Name: " Trần Thị Mai ", Phone: "0084 (24) 3826-1234", Address: " 12 Hàng Bài ",
		DistrictID: "1", WardID: "0123", District: "Hoàn Kiếm", Ward: "Tràng Tiền"}
	v, err = base.Check(testRefs, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := thugom.Buyer{Name: "Trần Thị Mai", Phone: "+842438261234", Address: "12 Hàng Bài", DistrictID: "1", WardID: "0123",
		District: "Hoàn Kiếm", Ward: "Tràng Tiền"}
	if v.Buyer != want {
		t.Errorf("buyer %+v, want %+v", v.Buyer, want)
	}
	if got := v.Buyer.AddressLine("Hà Nội"); got != "12 Hàng Bài, Tràng Tiền, Hoàn Kiếm, Hà Nội" {
		t.Errorf("address line %q", got)
	}
	if got := (thugom.Buyer{}).AddressLine("01"); got != "01" {
		t.Errorf("no buyer's address line %q", got)
	}
	for _, c := range []struct {
		field string
		edit  func(b *thugom.Buyer)
	}{
		{"receiver_phone", func(b *thugom.Buyer) { b.Phone = "+1 415 555 0100" }},
		{"receiver_phone", func(b *thugom.Buyer) { b.Phone = "12345" }},
		{"receiver_name", func(b *thugom.Buyer) { b.Name = strings.Repeat("á", thugom.MaxBuyerName+1) }},
		{"receiver_name", func(b *thugom.Buyer) { b.Name = "Mai\nGọi trước" }},
		{"receiver_address", func(b *thugom.Buyer) { b.Address = strings.Repeat("x", thugom.MaxBuyerAddress+1) }},
		{"receiver_address", func(b *thugom.Buyer) { b.Address = "12\tHàng Bài" }},
		{"receiver_ward", func(b *thugom.Buyer) { b.Ward = "P.\u0085Tràng Tiền" }},
		{"receiver_district_id", func(b *thugom.Buyer) { b.DistrictID = "Q1" }},
		{"receiver_ward_id", func(b *thugom.Buyer) { b.WardID = "1234567890123" }},
		{"receiver_district", func(b *thugom.Buyer) { b.District = strings.Repeat("d", thugom.MaxBuyerPlace+1) }},
	} {
		o := base
		c.edit(&o.Buyer)
		_, err := o.Check(testRefs, now, nil)
		var e *thugom.Error
		if !errors.As(err, &e) || e.Field != c.field || e.Code != thugom.EInvalid {
			t.Errorf("want invalid %s, got %v", c.field, err)
		}
	}
	// At the limit is fine (characters, not bytes).
	o := base
	o.Buyer.Name = strings.Repeat("ệ", thugom.MaxBuyerName)
	if _, err := o.Check(testRefs, now, nil); err != nil {
		t.Errorf("a %d-character name: %v", thugom.MaxBuyerName, err)
	}
}
