package thugom

import (
	"strings"
	"time"
)

// Promise hours: within the region (Lạng Sơn and neighbours) and beyond.
const (
	PromiseRegionHours = 24
	PromiseBeyondHours = 48
)

// Validate checks an order's own fields (not references) and fills the
// defaults: one parcel, the promise deadline from placed_at. Errors name the
// JSON field at fault.
func (o *Order) Validate() error {
	o.Marketplace = strings.TrimSpace(o.Marketplace)
	o.MarketplaceOrderID = strings.TrimSpace(o.MarketplaceOrderID)
	switch {
	case o.Marketplace == "":
		return Errorf(EInvalid, "marketplace", "required")
	case len(o.Marketplace) > 50:
		return Errorf(EInvalid, "marketplace", "longer than 50 characters")
	case o.MarketplaceOrderID == "":
		return Errorf(EInvalid, "marketplace_order_id", "required")
	case len(o.MarketplaceOrderID) > 100:
		return Errorf(EInvalid, "marketplace_order_id", "longer than 100 characters")
	case !(o.WeightKg > 0):
		return Errorf(EInvalid, "weight_kg", "must be more than 0 kg")
	case o.WeightKg > MaxOrderKg:
		return Errorf(EInvalid, "weight_kg", "%.1f kg is more than %d kg in one order", o.WeightKg, MaxOrderKg)
	case o.Parcels < 0 || o.Parcels > 1000:
		return Errorf(EInvalid, "parcels", "must be between 1 and 1000")
	case o.CODAmount < 0:
		return Errorf(EInvalid, "cod_amount", "must not be negative")
	case o.PlacedAt.IsZero():
		return Errorf(EInvalid, "placed_at", "required")
	case o.PromiseHours < 0 || o.PromiseHours > 24*14:
		return Errorf(EInvalid, "promise_hours", "must be between 1 and 336")
	}
	if o.Parcels == 0 {
		o.Parcels = 1
	}
	if o.PromiseHours == 0 {
		o.PromiseHours = PromiseBeyondHours
	}
	if o.PromisedBy.IsZero() {
		o.PromisedBy = o.PlacedAt.Add(time.Duration(o.PromiseHours) * time.Hour)
	}
	if o.Status == "" {
		o.Status = OrderReceived
	}
	return nil
}
