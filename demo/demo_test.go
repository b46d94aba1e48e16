package demo_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var day = time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)

func build(t *testing.T, n int) *demo.Scenario {
	t.Helper()
	sc, err := demo.Build(geo.Default().Gazetteer(), demo.Options{Seed: 42, Households: n, Day: day})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestBuildIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := build(t, 500), build(t, 500)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two builds with the same seed differ")
	}
	c, err := demo.Build(geo.Default().Gazetteer(), demo.Options{Seed: 43, Households: 500, Day: day})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Households, c.Households) {
		t.Fatal("another seed gives the same households")
	}
}

func TestScenarioShape(t *testing.T) {
	t.Parallel()
	sc := build(t, 3000)
	if len(sc.Households) != 3000 {
		t.Fatalf("%d households", len(sc.Households))
	}
	carriers := map[string]int{}
	for _, d := range sc.Depots {
		carriers[d.Carrier]++
		if len(d.Departures) == 0 || len(d.Vehicles) < 2 {
			t.Errorf("depot %s: %d departures, %d vehicles", d.Depot.Code, len(d.Departures), len(d.Vehicles))
		}
	}
	if carriers[thugom.CarrierVNPost] != 15 || carriers[thugom.CarrierViettelPost] < 3 {
		t.Fatalf("depots per carrier %v", carriers)
	}
	phones := map[string]bool{}
	communes := map[string]bool{}
	noDiacritics, old := 0, 0
	for _, h := range sc.Households {
		p, err := thugom.NormalizePhone("phone", h.Household.Phone)
		if err != nil || phones[p] {
			t.Fatalf("phone %q: %v (duplicate %v)", h.Household.Phone, err, phones[p])
		}
		phones[p] = true
		communes[h.CommuneCode] = true
		if thugom.StripDiacritics(h.Household.Address) == h.Household.Address {
			noDiacritics++
		}
		if strings.Contains(h.Household.Address, "huyện") || strings.Contains(h.Household.Address, "H. ") {
			old++
		}
	}
	if len(communes) < 60 {
		t.Errorf("households in only %d communes", len(communes))
	}
	if noDiacritics < 150 || old < 300 {
		t.Errorf("address styles: %d without diacritics, %d with old districts", noDiacritics, old)
	}
	naChiLang, chiLang := 0, 0
	for _, o := range sc.Orders {
		if o.Order.WeightKg < 3 || o.Order.WeightKg > 10 {
			t.Fatalf("order of %.1f kg", o.Order.WeightKg)
		}
		if o.Order.PlacedAt.After(day.Add(10*time.Hour)) || o.Order.PlacedAt.Before(day.Add(-7*time.Hour)) {
			t.Fatalf("order placed at %s", o.Order.PlacedAt)
		}
		if sc.Depots[o.Depot].Carrier != o.Carrier {
			t.Fatalf("order of %s at a depot of %s", o.Carrier, sc.Depots[o.Depot].Carrier)
		}
		if c, _ := geo.Default().Gazetteer().Commune(sc.Households[o.Household].CommuneCode); len(c.OldDistricts) > 0 && c.OldDistricts[0] == "187" {
			chiLang++
			if o.Product == "na" {
				naChiLang++
			}
		}
	}
	if len(sc.Orders) < 1500 {
		t.Errorf("only %d orders", len(sc.Orders))
	}
	if chiLang == 0 || naChiLang*2 < chiLang {
		t.Errorf("custard apple is %d of %d Chi Lăng orders", naChiLang, chiLang)
	}
}

// The addresses are written the way the geocoder must read them: most land
// in the commune the household is really in.
func TestAddressesGeocode(t *testing.T) {
	t.Parallel()
	sc := build(t, 1000)
	g := geo.Default()
	right := 0
	for _, h := range sc.Households {
		if r := g.Geocode(h.Household.Address); r.CommuneCode == h.CommuneCode {
			right++
		}
	}
	if right < 800 {
		t.Errorf("only %d of 1000 demo addresses geocode to their commune", right)
	}
	t.Logf("%d of 1000 demo addresses geocode to their commune", right)
}

func TestSeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	sc := build(t, 300)
	var seeded *demo.Seeded
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		seeded, err = demo.Seed(ctx, tx, sc, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seeded.HouseholdIDs) != 300 || len(seeded.ToGeocode) != 300 || len(seeded.OrderIDs) != len(sc.Orders) {
		t.Fatalf("seeded %d households (%d to geocode), %d orders", len(seeded.HouseholdIDs), len(seeded.ToGeocode), len(seeded.OrderIDs))
	}
	var n int
	err = db.QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&n)
	if err != nil || n != len(sc.Orders) {
		t.Fatalf("%d orders in the database (err %v)", n, err)
	}
	d, ok, err := demo.SeededDay(ctx, db)
	if err != nil || !ok || !d.Equal(day) {
		t.Fatalf("seeded day %s %v %v", d, ok, err)
	}
	vs, err := store.ListVehicles(ctx, db, seeded.DepotIDs[0], "")
	if err != nil || len(vs) < 2 {
		t.Fatalf("vehicles of the first depot: %d (err %v)", len(vs), err)
	}
}
