package thugom_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
)

var testRefs = &thugom.OrderRefs{CarrierByMarketplace: map[string]int64{"postmart": 1, "voso": 2},
	ProductByCode: map[string]int64{"na": 1}, Depots: map[string]thugom.DepotRef{"BC-LS": {ID: 7, CarrierID: 1}, "BC-VT": {ID: 8, CarrierID: 2}}}

// One order as every entry point gives it: checked, normalised, defaults
// filled; each slip names its field, the first one found.
func TestNewOrderCheck(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, thugom.Local)
	kg := 12.5
	good := thugom.NewOrder{Marketplace: " PostMart ", MarketplaceOrderID: " A1 ", HouseholdName: "Hộ Nông",
		HouseholdPhone: "0912 345 678", HouseholdAddress: " thôn Nà Pàn ", Product: "NA", WeightKg: &kg, Depot: "BC-LS", Line: 3}
	v, err := good.Check(testRefs, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Marketplace != "postmart" || v.MarketplaceOrderID != "A1" || v.CarrierID != 1 || v.ProductID != 1 || *v.DepotID != 7 ||
		v.Household.Phone != "+84912345678" || v.Household.Address != "thôn Nà Pàn" || v.Parcels != 1 || !v.PlacedAt.Equal(now) ||
		v.PromiseHours == 0 || v.Status != thugom.OrderReceived || v.Line != 3 {
		t.Errorf("checked: %+v", v)
	}
	heavy, light := 501.0, 0.01
	soon := now.Add(time.Hour)
	for _, c := range []struct {
		field string
		code  string
		edit  func(o *thugom.NewOrder)
	}{
		{"marketplace", thugom.EInvalid, func(o *thugom.NewOrder) { o.Marketplace = "tiki" }},
		{"marketplace", thugom.EForbidden, func(o *thugom.NewOrder) { o.Marketplace = "voso" }},
		{"marketplace_order_id", thugom.EInvalid, func(o *thugom.NewOrder) { o.MarketplaceOrderID = " " }},
		{"household.phone", thugom.EInvalid, func(o *thugom.NewOrder) { o.HouseholdPhone = "12" }},
		{"household.address", thugom.EInvalid, func(o *thugom.NewOrder) { o.HouseholdAddress = "" }},
		{"product", thugom.EInvalid, func(o *thugom.NewOrder) { o.Product = "mango" }},
		{"weight_kg", thugom.EInvalid, func(o *thugom.NewOrder) { o.WeightKg = nil }},
		{"weight_kg", thugom.EInvalid, func(o *thugom.NewOrder) { o.WeightKg = &heavy }},
		{"weight_kg", thugom.EInvalid, func(o *thugom.NewOrder) { o.WeightKg = &light }},
		{"depot", thugom.EInvalid, func(o *thugom.NewOrder) { o.Depot = "BC-VT" }},
		{"placed_at", thugom.EInvalid, func(o *thugom.NewOrder) { o.PlacedAt = &soon; *o.PlacedAt = now.Add(time.Hour) }},
		{"ready_until", thugom.EInvalid, func(o *thugom.NewOrder) { o.ReadyFrom, o.ReadyUntil = &soon, &now }},
		{"note", thugom.EInvalid, func(o *thugom.NewOrder) { o.Note = strings.Repeat("x", 1001) }},
		// Two slips: the marketplace's comes first.
		{"marketplace", thugom.EInvalid, func(o *thugom.NewOrder) { o.Marketplace, o.Product = "", "" }},
	} {
		o := good
		c.edit(&o)
		_, err := o.Check(testRefs, now, func(carrier int64) bool { return carrier == 1 })
		var e *thugom.Error
		if !errors.As(err, &e) || e.Field != c.field || e.Code != c.code {
			t.Errorf("want %s on %s, got %v", c.code, c.field, err)
		}
	}
}

func FuzzNewOrderCheck(f *testing.F) {
	f.Add("postmart", "A1", "0912345678", "Lạng Sơn", "na", 12.0, "BC-LS", int64(0))
	f.Add("", "", "", "", "", -1.0, "9", int64(-5))
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, market, id, phone, addr, product string, kg float64, depot string, cod int64) {
		o := thugom.NewOrder{Marketplace: market, MarketplaceOrderID: id, HouseholdPhone: phone, HouseholdAddress: addr,
			Product: product, WeightKg: &kg, Depot: depot, CODAmount: cod}
		_, _ = o.Check(testRefs, now, nil) // must not panic
	})
}
