// Package demo builds and seeds thugom's demo day: a deterministic harvest
// day in Lạng Sơn made from the embedded gazetteer (package geo). Build is
// pure: the same Options give the same Scenario. Seed writes a Scenario to
// the database; the caller enqueues the jobs that geocode and plan it.
//
// The scenario: a few thousand farming households across the 65 communes,
// weighted by population, with Tày-Nùng and Kinh names, Vietnamese phones,
// and addresses written as people write them (2025 units, old 2021 units
// with districts, abbreviations, no diacritics); produce by area (custard
// apple around Chi Lăng, mandarin in Bắc Sơn, star anise in Văn Quan,
// persimmon in Cao Lộc and Văn Lãng...); the post offices of both carriers
// (VNPost's 15 bưu cục from the gazetteer, ViettelPost's at district towns)
// with two line-haul departures a day toward Hà Nội; motorbikes and vans
// with their drivers; and the orders of one harvest day, placed the evening
// before and in the morning.
package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/geo"
)

// Options shape the scenario.
type Options struct {
	// Seed makes the scenario; the same seed and day give the same data.
	Seed uint64
	// Households is the number of households (default 3000).
	Households int
	// OrderShare is the share of households selling on the day (default
	// 0.6); a tenth of those sell twice.
	OrderShare float64
	// Day is the harvest day (its local date is used).
	Day time.Time
}

// Scenario is a whole demo day, ready to seed.
type Scenario struct {
	Day        time.Time // local midnight of the harvest day
	Carriers   []thugom.Carrier
	Products   []thugom.Product
	Depots     []DepotSpec
	Households []HouseholdSpec
	Orders     []OrderSpec
}

// DepotSpec is a depot with its carrier, departures and fleet.
type DepotSpec struct {
	Carrier    string // carrier code
	Depot      thugom.Depot
	Departures []thugom.Departure
	Vehicles   []VehicleSpec
}

// VehicleSpec is a vehicle and the driver who drives it.
type VehicleSpec struct {
	Vehicle thugom.Vehicle
	Driver  thugom.Driver
}

// HouseholdSpec is a household as it would register: name, phone and
// address as written. Truth is where it really is (inside its commune),
// which the service never sees: geocoding finds its own point.
type HouseholdSpec struct {
	Household   thugom.Household
	CommuneCode string
	Truth       orb.Point // [lon, lat]
	// SharedGPS: the household once shared its phone's position (from its
	// pickup page), so it is pinned at Truth and teaches the geocoder where
	// its village is.
	SharedGPS bool
}

// OrderSpec is an order of a household (index into Households) for a
// carrier and product (codes), picked up from a depot (index into Depots).
type OrderSpec struct {
	Order     thugom.Order
	Household int
	Carrier   string
	Product   string
	Depot     int
}

// Products of the scenario, with their freshness limits (pickup to buyer),
// box sizes and prices (VND per kg, for cash on delivery).
var products = []struct {
	thugom.Product
	pricePerKg int64
}{
	{thugom.Product{Code: "na", Name: "custard apple", NameVI: "Na Chi Lăng", FreshnessHours: 72, KgPerBox: 5}, 45000},
	{thugom.Product{Code: "quyt", Name: "mandarin", NameVI: "Quýt Bắc Sơn", FreshnessHours: 240, KgPerBox: 10}, 35000},
	{thugom.Product{Code: "hoi", Name: "star anise (dried)", NameVI: "Hoa hồi khô", FreshnessHours: 2160, KgPerBox: 5}, 120000},
	{thugom.Product{Code: "hong", Name: "persimmon", NameVI: "Hồng vành khuyên", FreshnessHours: 120, KgPerBox: 5}, 40000},
	{thugom.Product{Code: "thanhlong", Name: "dragon fruit", NameVI: "Thanh long", FreshnessHours: 168, KgPerBox: 10}, 25000},
	{thugom.Product{Code: "lac", Name: "peanuts", NameVI: "Lạc đỏ", FreshnessHours: 2160, KgPerBox: 10}, 60000},
	{thugom.Product{Code: "thachden", Name: "black grass jelly (dried)", NameVI: "Thạch đen Tràng Định", FreshnessHours: 2160, KgPerBox: 5}, 70000},
	{thugom.Product{Code: "banhchungden", Name: "black bánh chưng", NameVI: "Bánh chưng đen", FreshnessHours: 96, KgPerBox: 5}, 80000},
}

// produceByDistrict: what households of each old (2021) district sell.
var produceByDistrict = map[string][]weighted{
	"178": {{"banhchungden", 40}, {"thachden", 30}, {"hong", 30}},              // TP Lạng Sơn
	"180": {{"thachden", 50}, {"hoi", 20}, {"banhchungden", 15}, {"lac", 15}},  // Tràng Định
	"181": {{"hoi", 35}, {"thachden", 25}, {"quyt", 20}, {"banhchungden", 20}}, // Bình Gia
	"182": {{"hong", 45}, {"hoi", 25}, {"thachden", 15}, {"lac", 15}},          // Văn Lãng
	"183": {{"hong", 50}, {"na", 15}, {"hoi", 15}, {"thachden", 20}},           // Cao Lộc
	"184": {{"hoi", 55}, {"hong", 15}, {"thachden", 15}, {"lac", 15}},          // Văn Quan
	"185": {{"quyt", 60}, {"banhchungden", 20}, {"lac", 10}, {"hong", 10}},     // Bắc Sơn
	"186": {{"na", 40}, {"thanhlong", 30}, {"lac", 15}, {"banhchungden", 15}},  // Hữu Lũng
	"187": {{"na", 70}, {"thanhlong", 10}, {"lac", 10}, {"banhchungden", 10}},  // Chi Lăng
	"188": {{"lac", 35}, {"hoi", 25}, {"thachden", 20}, {"na", 20}},            // Lộc Bình
	"189": {{"hoi", 40}, {"lac", 30}, {"banhchungden", 30}},                    // Đình Lập
}

// Buyers' provinces (2025 codes) and their shares.
var destinations = []weighted{
	{"01", 40}, {"24", 8}, {"31", 6}, {"22", 5}, {"19", 4}, {"20", 7}, {"79", 15}, {"48", 5}, {"40", 3}, {"38", 3}, {"92", 2}, {"56", 2},
}

// ViettelPost's post offices: at these 2025 communes (district towns).
var viettelTowns = []struct{ commune, name string }{
	{"05983", "ViettelPost Lạng Sơn"}, {"06463", "ViettelPost Chi Lăng"}, {"06385", "ViettelPost Hữu Lũng"},
	{"06325", "ViettelPost Bắc Sơn"}, {"06253", "ViettelPost Văn Quan"}, {"06529", "ViettelPost Lộc Bình"},
}

// Build makes the scenario from the gazetteer.
func Build(gaz *geo.Gazetteer, opt Options) (*Scenario, error) {
	if opt.Households <= 0 {
		opt.Households = 3000
	}
	if opt.Households > 200000 {
		return nil, thugom.Errorf(thugom.EInvalid, "households", "at most 200000 households")
	}
	if opt.OrderShare <= 0 {
		opt.OrderShare = 0.6
	}
	if opt.Day.IsZero() {
		return nil, thugom.Errorf(thugom.EInvalid, "day", "a harvest day is required")
	}
	if len(gaz.Communes) == 0 || len(gaz.PostOffices) == 0 {
		return nil, fmt.Errorf("demo: empty gazetteer")
	}
	b := &builder{gaz: gaz, rng: rand.New(rand.NewPCG(opt.Seed, 0x7468_7567_6f6d)), phones: map[string]bool{}}
	sc := &Scenario{Day: thugom.Day(opt.Day)}
	sc.Carriers = []thugom.Carrier{
		{Code: thugom.CarrierVNPost, Name: "VNPost (Bưu điện Việt Nam)", Marketplace: thugom.MarketplacePostmart},
		{Code: thugom.CarrierViettelPost, Name: "Viettel Post", Marketplace: thugom.MarketplaceVoso},
	}
	for _, p := range products {
		sc.Products = append(sc.Products, p.Product)
	}
	b.depots(sc)
	if err := b.households(sc, opt.Households); err != nil {
		return nil, err
	}
	b.orders(sc, opt.OrderShare)
	b.fleet(sc)
	return sc, nil
}

type builder struct {
	gaz      *geo.Gazetteer
	rng      *rand.Rand
	phones   map[string]bool
	villages map[string][]village // by commune code
}

// village is a thôn or bản (khối in a ward): households live around its
// centre.
type village struct {
	name   string
	centre orb.Point
}

func (b *builder) depots(sc *Scenario) {
	for _, po := range b.gaz.PostOffices {
		commune := ""
		if len(po.CommuneCodes) > 0 {
			commune = po.CommuneCodes[0]
		}
		sc.Depots = append(sc.Depots, DepotSpec{Carrier: thugom.CarrierVNPost, Depot: thugom.Depot{
			Code: "VNP-" + po.Code, Name: "Bưu cục " + po.Name, Kind: thugom.DepotPostOffice, Address: po.Address,
			CommuneCode: commune, Point: orb.Point{po.Point.Lon, po.Point.Lat},
		}})
	}
	for i, t := range viettelTowns {
		c, ok := b.gaz.Commune(t.commune)
		if !ok {
			continue
		}
		// A few hundred metres from the commune's label point, so the two
		// carriers' offices do not sit on top of each other.
		p := orb.Point{c.Label.Lon + 0.004, c.Label.Lat - 0.003}
		sc.Depots = append(sc.Depots, DepotSpec{Carrier: thugom.CarrierViettelPost, Depot: thugom.Depot{
			Code: fmt.Sprintf("VTP-%02d", i+1), Name: t.name, Kind: thugom.DepotPostOffice,
			Address: fmt.Sprintf("Trung tâm %s %s, Lạng Sơn", strings.ToLower(c.Type), c.Name), CommuneCode: c.Code, Point: p,
		}})
	}
	for i := range sc.Depots {
		d := &sc.Depots[i].Depot
		d.H3 = cell(d.Point)
		d.OpensAt, d.ClosesAt = 7*3600, 18*3600
		// Far from the city, the truck to the Hà Nội hub takes longer.
		extra := math.Round(haversineKm(d.Point, orb.Point{106.7615, 21.8537})/40*2) / 2
		sc.Depots[i].Departures = []thugom.Departure{
			{Name: "Hà Nội 11:00", DepartsAt: 11 * 3600, CutoffAt: 10*3600 + 30*60, TransitHours: 7 + extra},
			{Name: "Hà Nội 16:30", DepartsAt: 16*3600 + 30*60, CutoffAt: 16 * 3600, TransitHours: 14 + extra},
		}
	}
}

func (b *builder) households(sc *Scenario, n int) error {
	communes := append([]geo.Commune(nil), b.gaz.Communes...)
	sort.Slice(communes, func(i, j int) bool { return communes[i].Code < communes[j].Code })
	total := 0
	for _, c := range communes {
		total += c.Population
	}
	if total == 0 {
		return fmt.Errorf("demo: gazetteer has no population figures")
	}
	b.villages = map[string][]village{}
	for _, c := range communes {
		b.villages[c.Code] = b.villageNames(c)
	}
	for i := 0; i < n; i++ {
		// Population-weighted commune.
		r := b.rng.IntN(total)
		var c geo.Commune
		for _, cc := range communes {
			if r < cc.Population {
				c = cc
				break
			}
			r -= cc.Population
		}
		v := b.villages[c.Code][b.rng.IntN(len(b.villages[c.Code]))]
		truth := b.near(c, v.centre)
		name := b.personName()
		addr := b.address(c, v.name)
		sc.Households = append(sc.Households, HouseholdSpec{
			Household:   thugom.Household{Name: name, Phone: b.phone(), Address: addr},
			CommuneCode: c.Code, Truth: truth, SharedGPS: b.rng.IntN(100) < 30,
		})
	}
	return nil
}

// pointIn draws a point inside the commune's polygon around its label point.
func (b *builder) pointIn(c geo.Commune) orb.Point {
	radiusKm := math.Sqrt(c.AreaKm2/math.Pi) * 0.8
	for try := 0; try < 30; try++ {
		d := radiusKm * math.Sqrt(b.rng.Float64())
		a := b.rng.Float64() * 2 * math.Pi
		lat := c.Label.Lat + d*math.Sin(a)/111.0
		lon := c.Label.Lon + d*math.Cos(a)/(111.0*math.Cos(c.Label.Lat*math.Pi/180))
		if r := b.gaz.Reverse(geo.Point{Lat: lat, Lon: lon}); r.Inside && r.CommuneCode == c.Code {
			return orb.Point{lon, lat}
		}
	}
	return orb.Point{c.Label.Lon, c.Label.Lat}
}

// near draws a point within about 600 m of a village centre, inside its
// commune.
func (b *builder) near(c geo.Commune, centre orb.Point) orb.Point {
	for try := 0; try < 10; try++ {
		d := 0.6 * math.Sqrt(b.rng.Float64())
		a := b.rng.Float64() * 2 * math.Pi
		lat := centre.Lat() + d*math.Sin(a)/111.0
		lon := centre.Lon() + d*math.Cos(a)/(111.0*math.Cos(centre.Lat()*math.Pi/180))
		if r := b.gaz.Reverse(geo.Point{Lat: lat, Lon: lon}); r.Inside && r.CommuneCode == c.Code {
			return orb.Point{lon, lat}
		}
	}
	return centre
}

func (b *builder) villageNames(c geo.Commune) []village {
	n := 6 + b.rng.IntN(10)
	seen := map[string]bool{}
	var names []string
	for len(names) < n {
		var v string
		switch {
		case c.Type == "Phường":
			v = fmt.Sprintf("Khối %d", 1+b.rng.IntN(24)) // 24 > the 15 names wanted at most
		case b.rng.IntN(6) == 0:
			v = villageKinh[b.rng.IntN(len(villageKinh))]
		default:
			v = villagePrefix[b.rng.IntN(len(villagePrefix))] + " " + villageSecond[b.rng.IntN(len(villageSecond))]
		}
		if !seen[v] {
			seen[v] = true
			names = append(names, v)
		}
	}
	sort.Strings(names)
	out := make([]village, len(names))
	for i, name := range names {
		out[i] = village{name: name, centre: b.pointIn(c)}
	}
	return out
}

func (b *builder) personName() string {
	family := pick(b.rng, familyNames)
	if b.rng.IntN(2) == 0 {
		return family + " " + maleMiddle[b.rng.IntN(len(maleMiddle))] + " " + maleGiven[b.rng.IntN(len(maleGiven))]
	}
	return family + " " + femaleMiddle[b.rng.IntN(len(femaleMiddle))] + " " + femaleGiven[b.rng.IntN(len(femaleGiven))]
}

// Mobile prefixes of the three networks (Viettel 03x/086/09[678],
// VinaPhone 08[1-5]/088/09[14], MobiFone 07x/089/09[03]).
var mobilePrefixes = []string{"32", "33", "34", "35", "36", "37", "38", "39", "86", "96", "97", "98", "81", "82", "83", "84", "85", "88", "91", "94", "70", "76", "77", "78", "79", "89", "90", "93"}

// phone returns a new unique mobile number written as people write it.
func (b *builder) phone() string {
	for {
		p := mobilePrefixes[b.rng.IntN(len(mobilePrefixes))] + fmt.Sprintf("%07d", b.rng.IntN(10_000_000))
		if b.phones[p] {
			continue
		}
		b.phones[p] = true
		switch b.rng.IntN(5) {
		case 0:
			return "+84" + p
		case 1:
			return "0" + p[:3] + " " + p[3:6] + " " + p[6:]
		case 2:
			return "0" + p[:3] + "." + p[3:6] + "." + p[6:]
		default:
			return "0" + p
		}
	}
}

// address writes a household's address in one of the styles people use.
func (b *builder) address(c geo.Commune, v string) string {
	ward := c.Type == "Phường"
	village := "Thôn " + v
	if ward {
		village = v
		if b.rng.IntN(3) == 0 {
			village = fmt.Sprintf("Số %d đường %s", 1+b.rng.IntN(180), streets[b.rng.IntN(len(streets))])
		}
	} else if strings.HasPrefix(v, "Nà") || strings.HasPrefix(v, "Khuổi") || strings.HasPrefix(v, "Pác") {
		if b.rng.IntN(2) == 0 {
			village = "Bản " + v
		}
	}
	typeWord := strings.ToLower(c.Type) // xã, phường
	// An old (2021) commune this commune was formed from, with its district.
	var old *geo.OldCommune
	var district *geo.District
	olds := append(append([]string(nil), c.OldCodes...), c.OldCodesPartial...)
	if len(olds) > 0 {
		if oc, ok := b.gaz.OldCommune(olds[b.rng.IntN(len(olds))]); ok {
			old = &oc
			if d, ok := b.gaz.District(oc.DistrictCode); ok {
				district = &d
			}
		}
	}
	style := b.rng.IntN(100)
	if old == nil || district == nil {
		style %= 30 // only the 2025 styles
	}
	switch {
	case style < 30: // 2025 units
		return fmt.Sprintf("%s, %s %s, tỉnh Lạng Sơn", village, typeWord, c.Name)
	case style < 55: // 2021 units with the district
		return fmt.Sprintf("%s, %s %s, %s %s, Lạng Sơn", village, strings.ToLower(old.Type), old.Name, strings.ToLower(district.Type), district.Name)
	case style < 70: // no diacritics
		if b.rng.IntN(2) == 0 {
			return thugom.StripDiacritics(fmt.Sprintf("%s, %s %s, Lang Son", village, typeWord, c.Name))
		}
		return strings.ToLower(thugom.StripDiacritics(fmt.Sprintf("%s %s %s %s %s", village, strings.ToLower(old.Type), old.Name, strings.ToLower(district.Type), district.Name)))
	case style < 85: // abbreviated 2021 units
		return fmt.Sprintf("%s, %s %s, %s %s, LS", v, abbrev(old.Type), old.Name, abbrev(district.Type), district.Name)
	case style < 95: // dashes, 2025 commune
		return fmt.Sprintf("%s - %s - Lạng Sơn", village, c.Name)
	default: // old commune only, no district
		return fmt.Sprintf("%s, %s %s", village, strings.ToLower(old.Type), old.Name)
	}
}

func abbrev(unitType string) string {
	switch unitType {
	case "Xã":
		return "X."
	case "Phường":
		return "P."
	case "Thị trấn":
		return "TT"
	case "Huyện":
		return "H."
	case "Thành phố":
		return "TP"
	}
	return unitType
}

func (b *builder) orders(sc *Scenario, share float64) {
	day := sc.Day
	policy := thugom.DefaultPromisePolicy()
	prices := map[string]int64{}
	for _, p := range products {
		prices[p.Code] = p.pricePerKg
	}
	seq := map[string]int{}
	for hi, hs := range sc.Households {
		if b.rng.Float64() >= share {
			continue
		}
		n := 1
		if b.rng.IntN(10) == 0 {
			n = 2
		}
		carrier := thugom.CarrierVNPost
		if b.rng.IntN(100) < 35 {
			carrier = thugom.CarrierViettelPost
		}
		depot := nearestDepot(sc, carrier, hs.Truth)
		district := ""
		if c, ok := b.gaz.Commune(hs.CommuneCode); ok && len(c.OldDistricts) > 0 {
			district = c.OldDistricts[0]
		}
		mix := produceByDistrict[district]
		if mix == nil {
			mix = produceByDistrict["178"]
		}
		for k := 0; k < n; k++ {
			product := pick(b.rng, mix)
			kg := 3 + float64(b.rng.IntN(15))*0.5 // 3–10 kg
			var placed time.Time
			if b.rng.IntN(100) < 55 { // the evening before, 18:00–23:30
				placed = day.Add(-6*time.Hour + time.Duration(b.rng.IntN(330))*time.Minute)
			} else { // the morning, 05:30–09:30
				placed = day.Add(5*time.Hour + 30*time.Minute + time.Duration(b.rng.IntN(240))*time.Minute)
			}
			placed = placed.Add(time.Duration(b.rng.IntN(60)) * time.Second)
			dest := pick(b.rng, destinations)
			promise := policy.Promise(dest)
			readyFrom := day.Add(7*time.Hour + time.Duration(b.rng.IntN(13))*15*time.Minute)
			readyUntil := readyFrom.Add(4*time.Hour + time.Duration(b.rng.IntN(21))*15*time.Minute)
			if latest := day.Add(18 * time.Hour); readyUntil.After(latest) {
				readyUntil = latest
			}
			var cod int64
			if b.rng.IntN(2) == 0 {
				cod = int64(math.Round(kg*float64(prices[product])/1000)) * 1000
			}
			market := thugom.MarketplacePostmart
			prefix := "PM"
			if carrier == thugom.CarrierViettelPost {
				market, prefix = thugom.MarketplaceVoso, "VS"
			}
			seq[market]++
			kgPerBox := 5.0
			for _, p := range products {
				if p.Code == product {
					kgPerBox = p.KgPerBox
				}
			}
			o := thugom.Order{
				Marketplace: market, MarketplaceOrderID: fmt.Sprintf("%s-%s-%05d", prefix, day.Format("060102"), seq[market]),
				WeightKg: kg, Parcels: int(math.Ceil(kg / kgPerBox)), CODAmount: cod, DestinationProvince: dest,
				PlacedAt: placed, PromiseHours: int(promise / time.Hour), ReadyFrom: &readyFrom, ReadyUntil: &readyUntil,
			}
			sc.Orders = append(sc.Orders, OrderSpec{Order: o, Household: hi, Carrier: carrier, Product: product, Depot: depot})
		}
	}
}

// fleet gives each depot vehicles for its load: motorbikes for the hills,
// a van where the day is heavy, one driver each.
func (b *builder) fleet(sc *Scenario) {
	kg := make([]float64, len(sc.Depots))
	for _, o := range sc.Orders {
		kg[o.Depot] += o.Order.WeightKg
	}
	for i := range sc.Depots {
		ds := &sc.Depots[i]
		bikes := int(math.Ceil(kg[i] / 180))
		bikes = max(2, min(bikes, 16))
		vans := 0
		if kg[i] > 400 {
			vans = 1
		}
		if kg[i] > 1500 {
			vans = 2
		}
		code := strings.TrimPrefix(strings.TrimPrefix(ds.Depot.Code, "VNP-"), "VTP-")
		for k := 0; k < bikes+vans; k++ {
			v := thugom.Vehicle{Kind: thugom.VehicleMotorbike, CapacityKg: 100, CapacityParcels: 14, MaxTrips: 3,
				ShiftStart: 6*3600 + 30*60, ShiftEnd: 18 * 3600, Code: fmt.Sprintf("%s-XM%02d", code, k+1)}
			if k >= bikes {
				v.Kind, v.CapacityKg, v.CapacityParcels, v.MaxTrips = thugom.VehicleVan, 700, 90, 2
				v.Code = fmt.Sprintf("%s-VAN%d", code, k-bikes+1)
			}
			phone := b.phone()
			ds.Vehicles = append(ds.Vehicles, VehicleSpec{Vehicle: v, Driver: thugom.Driver{Name: b.personName(), Phone: phone, Active: true}})
		}
	}
}

func nearestDepot(sc *Scenario, carrier string, p orb.Point) int {
	best, bestD := -1, math.Inf(1)
	for i, d := range sc.Depots {
		if d.Carrier != carrier {
			continue
		}
		if km := haversineKm(p, d.Depot.Point); km < bestD {
			best, bestD = i, km
		}
	}
	return best
}

func pick(rng *rand.Rand, ws []weighted) string {
	total := 0
	for _, w := range ws {
		total += w.weight
	}
	r := rng.IntN(total)
	for _, w := range ws {
		if r < w.weight {
			return w.value
		}
		r -= w.weight
	}
	return ws[len(ws)-1].value
}

func haversineKm(a, b orb.Point) float64 {
	const r = 6371.0
	la1, la2 := a.Lat()*math.Pi/180, b.Lat()*math.Pi/180
	dla := la2 - la1
	dlo := (b.Lon() - a.Lon()) * math.Pi / 180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// cell is the H3 cell of a [lon, lat] point at the resolution geo uses.
func cell(p orb.Point) string {
	c, err := h3.LatLngToCell(h3.NewLatLng(p.Lat(), p.Lon()), geo.DefaultResolution)
	if err != nil {
		return ""
	}
	return c.String()
}
