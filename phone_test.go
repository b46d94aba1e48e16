package thugom_test

import (
	"errors"
	"testing"
	"time"

	"github.com/thugom/thugom"
)

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"0912 345 678":     "+84912345678",
		"0912.345.678":     "+84912345678",
		"+84 912345678":    "+84912345678",
		"+84 0912345678":   "+84912345678",
		"84912345678":      "+84912345678",
		"0084-912-345-678": "+84912345678",
		"(0205) 3871 234":  "+842053871234",
		"0386123456":       "+84386123456",
	} {
		got, err := thugom.NormalizePhone("phone", in)
		if err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12345", "+33612345678", "0112345678", "09123456789", "0912abc678", "091234567"} {
		_, err := thugom.NormalizePhone("phone", in)
		var e *thugom.Error
		if !errors.As(err, &e) || e.Code != thugom.EInvalid || e.Field != "phone" {
			t.Errorf("NormalizePhone(%q): err = %v, want invalid phone", in, err)
		}
	}
}

func TestOrderValidate(t *testing.T) {
	placed := time.Date(2026, 9, 1, 20, 0, 0, 0, thugom.Local)
	good := func() thugom.Order {
		return thugom.Order{Marketplace: "postmart", MarketplaceOrderID: "PM-1", WeightKg: 5, PlacedAt: placed, PromiseHours: 24}
	}
	o := good()
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.Parcels != 1 || !o.PromisedBy.Equal(placed.Add(24*time.Hour)) || o.Status != thugom.OrderReceived {
		t.Fatalf("defaults not filled: %+v", o)
	}
	for field, mut := range map[string]func(*thugom.Order){
		"marketplace":          func(o *thugom.Order) { o.Marketplace = " " },
		"marketplace_order_id": func(o *thugom.Order) { o.MarketplaceOrderID = "" },
		"weight_kg":            func(o *thugom.Order) { o.WeightKg = 501 },
		"parcels":              func(o *thugom.Order) { o.Parcels = -1 },
		"placed_at":            func(o *thugom.Order) { o.PlacedAt = time.Time{} },
		"cod_amount":           func(o *thugom.Order) { o.CODAmount = -5 },
	} {
		o := good()
		mut(&o)
		err := o.Validate()
		var e *thugom.Error
		if !errors.As(err, &e) || e.Field != field || !errors.Is(err, thugom.ErrInvalid) {
			t.Errorf("%s: err = %v", field, err)
		}
	}
	o = good()
	o.WeightKg = -3
	if err := o.Validate(); !errors.Is(err, thugom.ErrInvalid) {
		t.Errorf("negative weight: %v", err)
	}
}

func TestErrorIs(t *testing.T) {
	err := thugom.Errorf(thugom.EConflict, "marketplace_order_id", "duplicate")
	if !errors.Is(err, thugom.ErrConflict) || errors.Is(err, thugom.ErrNotFound) {
		t.Fatal("Is by code broken")
	}
	if thugom.ErrorCode(errors.New("x")) != thugom.EInternal || thugom.ErrorMessage(errors.New("secret")) == "secret" {
		t.Fatal("internal errors leak")
	}
	if got := (&thugom.Error{Code: thugom.EInvalid, Field: "weight_kg", Line: 3, Message: "bad"}).Error(); got != "line 3: weight_kg: bad" {
		t.Fatalf("Error() = %q", got)
	}
}
