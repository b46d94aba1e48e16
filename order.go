package thugom

import (
	"slices"
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

// NewOrder is an order as an entry point receives it: a marketplace's API
// call, a row of its CSV, the simulation's marketplace. References are by
// code (marketplace, product, depot), the household by name, phone and
// address. NewOrder.Check is the one validation every entry point's orders
// go through (jobs.ImportOrders runs it).
type NewOrder struct {
	Marketplace        string
	MarketplaceOrderID string
	HouseholdName      string
	HouseholdPhone     string // any Vietnamese writing of the number
	HouseholdAddress   string
	Product            string // product code
	WeightKg           *float64
	Parcels            int
	CODAmount          int64
	// DestinationProvince is the buyer's province code.
	DestinationProvince string
	PlacedAt            *time.Time // nil: now
	PromiseHours        int        // 0: the promise policy's for the destination
	ReadyFrom           *time.Time
	ReadyUntil          *time.Time
	Depot               string // depot code or id; "": chosen after geocoding
	Note                string
	Line                int // CSV line (or 0)
	// QuoteID is the marketplace's quote the order is placed with (0:
	// none): the order gets the quote's promise (jobs.ImportOrders).
	QuoteID int64
	// Buyer is who the carrier delivers to (optional, Buyer.Check).
	Buyer Buyer
}

// OrderRefs are the reference data an order names: each marketplace's
// carrier, products by code, depots by code and by id (as text).
type OrderRefs struct {
	CarrierByMarketplace map[string]int64
	ProductByCode        map[string]int64
	Depots               map[string]DepotRef
}

// DepotRef is a depot's id and carrier.
type DepotRef struct{ ID, CarrierID int64 }

// ValidOrder is a checked order: the Order to write and its household
// (phone in E.164, fields trimmed).
type ValidOrder struct {
	Order
	Household Household
	Buyer     Buyer // checked (Buyer.Check); empty when not given
	Line      int
}

// Plausible values of an order: outside them the input is a slip (grams
// for kilograms, a timestamp's zero value), not produce.
const (
	MinOrderKg     = 0.05
	MaxCOD         = 100_000_000 // đồng
	MaxOrderAge    = 30 * 24 * time.Hour
	OrderClockSkew = 10 * time.Minute
	// MaxReadyDays bounds the readiness window around the order's day.
	MaxReadyDays = 7
)

// Check validates an order as given against the reference data and the
// clock and returns it ready to write, defaults filled (placed now, the
// promise policy's hours, one parcel). may says whether the caller acts
// for a carrier (nil: for every carrier); an order of another carrier is
// EForbidden. Errors name the field at fault by its JSON name (household
// fields prefixed "household.", the buyer's "receiver_") and come in a
// fixed order, the first one found.
func (n NewOrder) Check(ref *OrderRefs, now time.Time, may func(carrierID int64) bool) (ValidOrder, error) {
	var v ValidOrder
	carrier, err := n.checkMarketplace(ref, may)
	if err != nil {
		return v, err
	}
	h, err := n.checkHousehold()
	if err != nil {
		return v, err
	}
	buyer, err := n.Buyer.Check()
	if err != nil {
		return v, err
	}
	product, err := n.checkProduct(ref)
	if err != nil {
		return v, err
	}
	depot, err := n.checkAmounts(ref, carrier)
	if err != nil {
		return v, err
	}
	placed, err := n.checkTimes(now)
	if err != nil {
		return v, err
	}
	promise := n.PromiseHours
	if promise == 0 {
		promise = int(DefaultPromisePolicy().Promise(n.DestinationProvince) / time.Hour)
	}
	v.Order = Order{
		Marketplace: strings.ToLower(strings.TrimSpace(n.Marketplace)), MarketplaceOrderID: n.MarketplaceOrderID, CarrierID: carrier,
		DepotID: depot, ProductID: product, WeightKg: *n.WeightKg, Parcels: n.Parcels, CODAmount: n.CODAmount,
		DestinationProvince: strings.TrimSpace(n.DestinationProvince), PlacedAt: placed, PromiseHours: promise,
		ReadyFrom: n.ReadyFrom, ReadyUntil: n.ReadyUntil, Note: strings.TrimSpace(n.Note),
	}
	if err := v.Order.Validate(); err != nil {
		return v, err
	}
	v.Household, v.Buyer, v.Line = h, buyer, n.Line
	return v, nil
}

func required(field string, empty bool) error {
	if empty {
		return Errorf(EInvalid, field, "%s is required", field)
	}
	return nil
}

// checkMarketplace returns the carrier of the order's marketplace.
func (n NewOrder) checkMarketplace(ref *OrderRefs, may func(int64) bool) (int64, error) {
	m := strings.ToLower(strings.TrimSpace(n.Marketplace))
	if err := required("marketplace", m == ""); err != nil {
		return 0, err
	}
	carrier, ok := ref.CarrierByMarketplace[m]
	if !ok {
		return 0, Errorf(EInvalid, "marketplace", "unknown marketplace %q", m)
	}
	if may != nil && !may(carrier) {
		return 0, Errorf(EForbidden, "marketplace", "orders of %s belong to another carrier", m)
	}
	return carrier, required("marketplace_order_id", strings.TrimSpace(n.MarketplaceOrderID) == "")
}

// checkHousehold returns the household the order names.
func (n NewOrder) checkHousehold() (Household, error) {
	h := Household{Name: strings.TrimSpace(n.HouseholdName), Address: strings.TrimSpace(n.HouseholdAddress)}
	if len(h.Name) > 200 {
		return h, Errorf(EInvalid, "household.name", "longer than 200 characters")
	}
	if err := required("household.phone", strings.TrimSpace(n.HouseholdPhone) == ""); err != nil {
		return h, err
	}
	var err error
	if h.Phone, err = NormalizePhone("household.phone", n.HouseholdPhone); err != nil {
		return h, err
	}
	if err := required("household.address", h.Address == ""); err != nil {
		return h, err
	}
	if len(h.Address) > 500 {
		return h, Errorf(EInvalid, "household.address", "longer than 500 characters")
	}
	return h, nil
}

// checkProduct returns the id of the order's product.
func (n NewOrder) checkProduct(ref *OrderRefs) (int64, error) {
	if err := required("product", strings.TrimSpace(n.Product) == ""); err != nil {
		return 0, err
	}
	product, ok := ref.ProductByCode[strings.ToLower(strings.TrimSpace(n.Product))]
	if !ok {
		known := make([]string, 0, len(ref.ProductByCode))
		for c := range ref.ProductByCode {
			known = append(known, c)
		}
		slices.Sort(known)
		return 0, Errorf(EInvalid, "product", "unknown product %q (known: %s)", n.Product, strings.Join(known, ", "))
	}
	return product, nil
}

// checkAmounts checks the weight, the cash on delivery, the depot (of the
// marketplace's carrier, returned) and the texts' lengths.
func (n NewOrder) checkAmounts(ref *OrderRefs, carrier int64) (*int64, error) {
	if n.WeightKg == nil {
		return nil, Errorf(EInvalid, "weight_kg", "weight_kg is required")
	}
	if w := *n.WeightKg; !(w >= MinOrderKg && w <= MaxOrderKg) {
		return nil, Errorf(EInvalid, "weight_kg", "%g kg is not a plausible order: between %g and %g kg", w, MinOrderKg, float64(MaxOrderKg))
	}
	if n.CODAmount > MaxCOD {
		return nil, Errorf(EInvalid, "cod_amount", "%d đồng is more than the %d đồng a postal COD can carry", n.CODAmount, MaxCOD)
	}
	var depot *int64
	if n.Depot != "" {
		d, ok := ref.Depots[strings.TrimSpace(n.Depot)]
		if !ok {
			return nil, Errorf(EInvalid, "depot", "unknown depot %q", n.Depot)
		}
		if d.CarrierID != carrier {
			return nil, Errorf(EInvalid, "depot", "depot %q is not a depot of the marketplace's carrier", n.Depot)
		}
		depot = &d.ID
	}
	if len(n.Note) > 1000 {
		return nil, Errorf(EInvalid, "note", "longer than 1000 characters")
	}
	if len(n.DestinationProvince) > 100 {
		return nil, Errorf(EInvalid, "destination_province", "longer than 100 characters")
	}
	return depot, nil
}

// checkTimes checks the placing time (not in the future beyond the clock
// skew, not older than MaxOrderAge; returned, now when not given) and the
// readiness window (ordered, within MaxReadyDays of the order's day: Lạng
// Sơn's calendar day of placed_at).
func (n NewOrder) checkTimes(now time.Time) (time.Time, error) {
	if n.ReadyFrom != nil && n.ReadyUntil != nil && !n.ReadyUntil.After(*n.ReadyFrom) {
		return time.Time{}, Errorf(EInvalid, "ready_until", "must be after ready_from")
	}
	placed := now
	if n.PlacedAt != nil {
		placed = *n.PlacedAt
		switch {
		case placed.After(now.Add(OrderClockSkew)):
			return placed, Errorf(EInvalid, "placed_at", "%s is in the future (the server's time is %s)", placed.Format(time.RFC3339), now.Format(time.RFC3339))
		case placed.Before(now.Add(-MaxOrderAge)):
			return placed, Errorf(EInvalid, "placed_at", "%s is more than %d days ago", placed.Format(time.RFC3339), int(MaxOrderAge/(24*time.Hour)))
		}
	}
	day := Day(placed)
	lo, hi := day.AddDate(0, 0, -MaxReadyDays), day.AddDate(0, 0, MaxReadyDays+1)
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"ready_from", n.ReadyFrom}, {"ready_until", n.ReadyUntil}} {
		if f.t != nil && (f.t.Before(lo) || !f.t.Before(hi)) {
			return placed, Errorf(EInvalid, f.name, "%s is not within %d days of the order's day %s", f.t.Format(time.RFC3339), MaxReadyDays, day.Format(time.DateOnly))
		}
	}
	return placed, nil
}
