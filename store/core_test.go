package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgtest"
)

type bundle struct {
	ctx       context.Context
	db        *store.DB
	carrier   thugom.Carrier
	depot     thugom.Depot
	product   thugom.Product
	household thugom.Household
	vehicle   thugom.Vehicle
}

func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{ctx: context.Background(), db: pgtest.New(t)}
	b.carrier = thugom.Carrier{Code: thugom.CarrierVNPost, Name: "VNPost", Marketplace: thugom.MarketplacePostmart}
	must(t, store.InsertCarrier(b.ctx, b.db, &b.carrier))
	b.depot = thugom.Depot{CarrierID: b.carrier.ID, Code: "BC-CL", Name: "Bưu cục Chi Lăng", Point: orb.Point{106.62, 21.66}, OpensAt: 7 * 3600, ClosesAt: 18 * 3600}
	must(t, store.InsertDepot(b.ctx, b.db, &b.depot))
	b.product = thugom.Product{Code: "na", Name: "custard apple", NameVI: "na", FreshnessHours: 72}
	must(t, store.UpsertProduct(b.ctx, b.db, &b.product))
	b.household = thugom.Household{Name: "Hoàng Văn Minh", Phone: "0912 345 678", Address: "thôn Đồng Ngầu, xã Chi Lăng"}
	if _, err := store.UpsertHousehold(b.ctx, b.db, &b.household); err != nil {
		t.Fatal(err)
	}
	b.vehicle = thugom.Vehicle{CarrierID: b.carrier.ID, DepotID: b.depot.ID, Code: "XM-01", Kind: thugom.VehicleMotorbike, CapacityKg: 80, CapacityParcels: 12, ShiftStart: 7 * 3600, ShiftEnd: 17 * 3600}
	must(t, store.InsertVehicle(b.ctx, b.db, &b.vehicle))
	return b
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err error, code, field string) {
	t.Helper()
	var e *thugom.Error
	if !errors.As(err, &e) || e.Code != code || e.Field != field {
		t.Fatalf("err = %#v (%v), want code %s field %s", e, err, code, field)
	}
}

func (b *bundle) order(id string) thugom.Order {
	return thugom.Order{Marketplace: thugom.MarketplacePostmart, MarketplaceOrderID: id, CarrierID: b.carrier.ID,
		DepotID: &b.depot.ID, HouseholdID: b.household.ID, ProductID: b.product.ID, WeightKg: 5,
		PlacedAt: time.Date(2026, 9, 1, 20, 0, 0, 0, thugom.Local), PromiseHours: 24}
}

func TestInsertOrderDuplicateIsConflict(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.order("PM-1")
	must(t, store.InsertOrder(b.ctx, b.db, &o))
	if o.ID == 0 || o.Status != thugom.OrderReceived || o.Parcels != 1 {
		t.Fatalf("inserted %+v", o)
	}
	dup := b.order("PM-1")
	wantErr(t, store.InsertOrder(b.ctx, b.db, &dup), thugom.EConflict, "marketplace_order_id")
	// Same id on the other marketplace is another order.
	other := b.order("PM-1")
	other.Marketplace = thugom.MarketplaceVoso
	must(t, store.InsertOrder(b.ctx, b.db, &other))
}

func TestInsertOrderBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.order("PM-2")
	o.HouseholdID = 99999
	wantErr(t, store.InsertOrder(b.ctx, b.db, &o), thugom.EInvalid, "household_id")
	o = b.order("PM-3")
	o.ProductID = 99999
	wantErr(t, store.InsertOrder(b.ctx, b.db, &o), thugom.EInvalid, "product_id")
	o = b.order("PM-4")
	o.WeightKg = 600
	wantErr(t, store.InsertOrder(b.ctx, b.db, &o), thugom.EInvalid, "weight_kg")
	var n int
	must(t, b.db.QueryRow(b.ctx, `SELECT count(*) FROM orders`).Scan(&n))
	if n != 0 {
		t.Fatalf("%d orders written by bad inserts", n)
	}
}

func TestUpsertHouseholdRegeocodesOnNewAddress(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if b.household.Phone != "+84912345678" {
		t.Fatalf("phone stored as %q", b.household.Phone)
	}
	// Geocoded (as the geocoding job stores it).
	_, err := b.db.Exec(b.ctx, `UPDATE households SET lon = 106.6, lat = 21.6, precision = 'village', geocoded_at = now() WHERE id = $1`, b.household.ID)
	must(t, err)
	// Same phone, same address: keeps the geocode.
	h := thugom.Household{Name: "Hoàng Văn Minh", Phone: "+84912345678", Address: b.household.Address}
	needs, err := store.UpsertHousehold(b.ctx, b.db, &h)
	must(t, err)
	if needs || h.ID != b.household.ID {
		t.Fatalf("same address: needs=%v id=%d", needs, h.ID)
	}
	// New address: geocode again.
	h.Address = "Khu 1, TT Đồng Mỏ"
	needs, err = store.UpsertHousehold(b.ctx, b.db, &h)
	must(t, err)
	if !needs {
		t.Fatal("new address keeps the old geocode")
	}
	// A pinned point survives a new address and geocoding.
	must(t, store.PinHousehold(b.ctx, b.db, h.ID, 106.7, 21.7, "8a4155", time.Now()))
	h.Address = "somewhere else"
	needs, err = store.UpsertHousehold(b.ctx, b.db, &h)
	must(t, err)
	if needs {
		t.Fatal("pinned household asked for geocoding")
	}
	bad := thugom.Household{Name: "x", Phone: "12345", Address: "y"}
	_, err = store.UpsertHousehold(b.ctx, b.db, &bad)
	wantErr(t, err, thugom.EInvalid, "phone")
}

func TestNetworkConstraintsNameFields(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.vehicle
	wantErr(t, store.InsertVehicle(b.ctx, b.db, &v), thugom.EConflict, "code")
	v = thugom.Vehicle{CarrierID: b.carrier.ID, DepotID: b.depot.ID, Code: "XM-02", Kind: "truck", CapacityKg: 80, CapacityParcels: 1}
	wantErr(t, store.InsertVehicle(b.ctx, b.db, &v), thugom.EInvalid, "kind")
	d := thugom.Departure{DepotID: b.depot.ID, DepartsAt: 11 * 3600, CutoffAt: 12 * 3600, TransitHours: 4}
	wantErr(t, store.InsertDeparture(b.ctx, b.db, &d), thugom.EInvalid, "cutoff_at")
	d = thugom.Departure{DepotID: b.depot.ID, Name: "Hà Nội 11:00", DepartsAt: 11 * 3600, CutoffAt: 10*3600 + 1800, Destinations: []string{"01"}, TransitHours: 4}
	must(t, store.InsertDeparture(b.ctx, b.db, &d))
	deps, err := store.DeparturesOfDepot(b.ctx, b.db, b.depot.ID)
	must(t, err)
	if len(deps) != 1 || deps[0].Destinations[0] != "01" {
		t.Fatalf("departures %+v", deps)
	}
	dr := thugom.Driver{CarrierID: b.carrier.ID, DepotID: b.depot.ID, Name: "Lộc", Phone: "+84987654321", VehicleID: &b.vehicle.ID, Active: true}
	must(t, store.InsertDriver(b.ctx, b.db, &dr))
	dr2 := thugom.Driver{CarrierID: b.carrier.ID, DepotID: b.depot.ID, Name: "Lan", Phone: "+84987654322", VehicleID: &b.vehicle.ID, Active: true}
	wantErr(t, store.InsertDriver(b.ctx, b.db, &dr2), thugom.EConflict, "vehicle_id")
	must(t, store.SetVehicleStatus(b.ctx, b.db, b.vehicle.ID, thugom.VehicleBroken))
	got, err := store.VehicleByID(b.ctx, b.db, b.vehicle.ID)
	must(t, err)
	if got.Status != thugom.VehicleBroken {
		t.Fatalf("status %s", got.Status)
	}
	if _, err := store.VehicleByID(b.ctx, b.db, 424242); !errors.Is(err, thugom.ErrNotFound) {
		t.Fatalf("missing vehicle: %v", err)
	}
	c, err := store.CarrierByMarketplace(b.ctx, b.db, thugom.MarketplacePostmart)
	must(t, err)
	if c.ID != b.carrier.ID {
		t.Fatal("carrier by marketplace")
	}
}

func TestInsertEventAndList(t *testing.T) {
	t.Parallel()
	b := setup(t)
	e := thugom.Event{At: time.Now(), Actor: "system", Action: "demo.seed", Subject: "depot:1", Payload: map[string]any{"n": 3.0}}
	must(t, store.InsertEvent(b.ctx, b.db, &e))
	got, err := store.ListEvents(b.ctx, b.db, "depot:1", 10)
	must(t, err)
	if len(got) != 1 || got[0].Payload["n"] != 3.0 || got[0].Action != "demo.seed" {
		t.Fatalf("events %+v", got)
	}
	wantErr(t, store.InsertEvent(b.ctx, b.db, &thugom.Event{At: time.Now()}), thugom.EInvalid, "actor")
}
