package sim

import (
	"regexp"
	"strings"
	"testing"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo"
)

// A what-if adds motorbikes like the depot's own, each with its driver and
// a phone the schema accepts, says what it added, and refuses unknown
// depots and counts out of range without changing the scenario.
func TestAddVehicles(t *testing.T) {
	t.Parallel()
	bike := demo.VehicleSpec{Vehicle: thugom.Vehicle{Kind: thugom.VehicleMotorbike, CapacityKg: 100, CapacityParcels: 14, MaxTrips: 3, ShiftStart: 23400, ShiftEnd: 64800, Code: "04-XM01"},
		Driver: thugom.Driver{Name: "A", Phone: "+84912345678", Active: true}}
	van := demo.VehicleSpec{Vehicle: thugom.Vehicle{Kind: thugom.VehicleVan, Code: "04-VAN1"}}
	mk := func() *demo.Scenario {
		return &demo.Scenario{Depots: []demo.DepotSpec{
			{Depot: thugom.Depot{Code: "VTP-04", Name: "ViettelPost Bắc Sơn"}, Vehicles: []demo.VehicleSpec{van, bike}},
			{Depot: thugom.Depot{Code: "VTP-05", Name: "ViettelPost Văn Quan"}, Vehicles: []demo.VehicleSpec{van}},
		}}
	}
	sc := mk()
	said, err := addVehicles(sc, map[string]int{"VTP-04": 2})
	if err != nil {
		t.Fatal(err)
	}
	vs := sc.Depots[0].Vehicles
	if len(vs) != 4 || !strings.Contains(said, "+2") || !strings.Contains(said, "Bắc Sơn") {
		t.Fatalf("%d vehicles, said %q", len(vs), said)
	}
	phone := regexp.MustCompile(`^\+84[0-9]{9,10}$`)
	seen := map[string]bool{}
	for _, v := range vs[2:] {
		if v.Vehicle.Kind != thugom.VehicleMotorbike || v.Vehicle.CapacityKg != 100 || v.Vehicle.ShiftStart != bike.Vehicle.ShiftStart || !phone.MatchString(v.Driver.Phone) || seen[v.Vehicle.Code] || seen[v.Driver.Phone] {
			t.Errorf("added %+v", v)
		}
		seen[v.Vehicle.Code], seen[v.Driver.Phone] = true, true
	}
	if said, err := addVehicles(mk(), nil); err != nil || said != "" {
		t.Errorf("no what-if: %q, %v", said, err)
	}
	for _, bad := range []map[string]int{{"VTP-99": 1}, {"VTP-04": 0}, {"VTP-04": 21}, {"VTP-05": 1}} {
		sc := mk()
		if _, err := addVehicles(sc, bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
