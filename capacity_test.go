package thugom_test

import (
	"strings"
	"testing"

	"github.com/thugom/thugom"
)

func TestAdviseCapacity(t *testing.T) {
	t.Parallel()
	moto := thugom.CapacityVehicle{Kind: thugom.VehicleMotorbike, CapacityKg: 100, Trips: 2}
	near := thugom.CapacityVehicle{VehicleID: 7, Code: "VTP-02-M1", Kind: thugom.VehicleMotorbike, CapacityKg: 100, Trips: 2, DepotID: 2, DepotName: "Bưu cục Chi Lăng", EmptyRunKm: 12.5}
	far := thugom.CapacityVehicle{VehicleID: 8, Code: "VTP-03-V1", Kind: thugom.VehicleVan, CapacityKg: 500, Trips: 1, DepotID: 3, DepotName: "Bưu cục Hữu Lũng", EmptyRunKm: 28}
	// Nothing short: no advice.
	if a := thugom.AdviseCapacity(thugom.CapacityInput{Motorbike: moto, Borrowable: []thugom.CapacityVehicle{near}}); a.Orders != 0 || len(a.Borrow) != 0 || a.Motorbikes != 0 || a.Text != "" {
		t.Fatalf("nothing short: %+v", a)
	}
	// 150 kg in 3 households (two orders of household 1, one late): the
	// first vehicle to borrow covers 200 kg and 10 stops.
	short := []thugom.ShortOrder{{OrderID: 1, HouseholdID: 1, WeightKg: 50}, {OrderID: 2, HouseholdID: 1, WeightKg: 20, Late: true},
		{OrderID: 3, HouseholdID: 2, WeightKg: 40}, {OrderID: 4, HouseholdID: 3, WeightKg: 40}}
	a := thugom.AdviseCapacity(thugom.CapacityInput{Short: short, StopsPerVehicle: 10, Motorbike: moto, Borrowable: []thugom.CapacityVehicle{near, far}})
	if a.Orders != 4 || a.Late != 1 || a.Stops != 3 || a.Kg != 150 || len(a.Borrow) != 1 || a.Borrow[0].VehicleID != 7 || a.Motorbikes != 0 {
		t.Fatalf("one to borrow: %+v", a)
	}
	if !strings.Contains(a.Text, "mượn xe VTP-02-M1 của Bưu cục Chi Lăng") || !strings.Contains(a.Text, "4 đơn") {
		t.Errorf("text %q", a.Text)
	}
	// 25 stops: stops, not kilograms, ask for both vehicles and then one
	// motorbike more (25 - 10 - 10 = 5 stops left).
	var many []thugom.ShortOrder
	for h := int64(1); h <= 25; h++ {
		many = append(many, thugom.ShortOrder{OrderID: h, HouseholdID: h, WeightKg: 4})
	}
	a = thugom.AdviseCapacity(thugom.CapacityInput{Short: many, StopsPerVehicle: 10, Motorbike: moto, Borrowable: []thugom.CapacityVehicle{near, far}})
	if len(a.Borrow) != 2 || a.Motorbikes != 1 || a.Stops != 25 {
		t.Fatalf("stops bound: %+v", a)
	}
	// Nothing to borrow, 450 kg: three motorbikes of 200 kg a day.
	heavy := []thugom.ShortOrder{{OrderID: 1, WeightKg: 150}, {OrderID: 2, WeightKg: 150}, {OrderID: 3, WeightKg: 150}}
	a = thugom.AdviseCapacity(thugom.CapacityInput{Short: heavy, Motorbike: moto})
	if len(a.Borrow) != 0 || a.Motorbikes != 3 || a.Stops != 3 || !strings.Contains(a.Text, "thêm 3 xe máy") {
		t.Fatalf("kg bound, no vehicle to borrow: %+v", a)
	}
}
