package geo

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paulmach/orb/planar"
)

func label(t *testing.T, code string) Point {
	t.Helper()
	c, ok := Default().Gazetteer().Commune(code)
	if !ok {
		t.Fatalf("no commune %s", code)
	}
	return c.Label
}

func TestPins(t *testing.T) {
	g := Default()
	tanVan, dinhLap, thatKhe := label(t, "06115"), label(t, "06613"), label(t, "06040")
	cases := []struct {
		name, addr string
		pin        Point
		code       string
		prec       Precision
		status     Status
		reason     string // substring of Reason
		minConf    float64
		maxConf    float64
	}{
		{"pin in the named commune", "Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia", tanVan, "06115", PrecisionGPSPin, StatusOK, "", 0.95, 1},
		{"pin in another commune", "Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia", dinhLap, "06115", PrecisionCommune, StatusPinMismatch, "pin mismatch", 0, 0.5},
		{"pin decides among candidates", "Chi Lăng", thatKhe, "06040", PrecisionGPSPin, StatusOK, "candidate", 0.9, 1},
		{"pin swapped", "xã Tân Văn, Bình Gia", Point{tanVan.Lon, tanVan.Lat}, "06115", PrecisionCommune, StatusOK, "swapped", 0.9, 1},
		{"pin abroad", "xã Tân Văn, Bình Gia", Point{48.85, 2.35}, "06115", PrecisionCommune, StatusOK, "outside Vietnam", 0.9, 1},
		{"pin in Hà Nội", "xã Tân Văn, Bình Gia", Point{21.03, 105.85}, "06115", PrecisionCommune, StatusOK, "outside Lạng Sơn", 0.9, 1},
		{"pin only", "", tanVan, "06115", PrecisionGPSPin, StatusOK, "pin only", 0.5, 0.8},
		{"pin NaN", "xã Tân Văn, Bình Gia", Point{math.NaN(), 106}, "06115", PrecisionCommune, StatusOK, "not a valid coordinate", 0.9, 1},
		{"pin abroad, no address", "", Point{48.85, 2.35}, "", PrecisionNone, StatusOutsideArea, "outside Vietnam", 0, 0},
		{"pin in LS, address in Hà Nội", "12 Nguyễn Huệ, Hoàn Kiếm, Hà Nội", tanVan, "06115", PrecisionGPSPin, StatusPinMismatch, "another province", 0, 0.6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pin := c.pin
			r := g.GeocodeWith(c.addr, Options{Pin: &pin})
			if r.CommuneCode != c.code || r.Precision != c.prec || r.Status != c.status ||
				!strings.Contains(r.Reason, c.reason) || r.Confidence < c.minConf || r.Confidence > c.maxConf {
				t.Errorf("got %s %s %s conf %.2f reason %q; want %s %s %s conf [%.2f, %.2f] reason ~%q",
					r.CommuneCode, r.Precision, r.Status, r.Confidence, r.Reason, c.code, c.prec, c.status, c.minConf, c.maxConf, c.reason)
			}
			if r.Precision == PrecisionGPSPin && (r.Lat != pin.Lat || r.Lon != pin.Lon) {
				t.Errorf("gps_pin result at %v,%v, not at the pin", r.Lat, r.Lon)
			}
		})
	}
}

func TestReverse(t *testing.T) {
	g := Default().Gazetteer()
	// The easternmost vertex of all communes lies on the province border:
	// 200 m further east is a border sliver, 20 km further is China.
	var east Point
	for _, c := range g.Communes {
		for _, poly := range c.poly {
			for _, pt := range poly[0] {
				if pt[0] > east.Lon {
					east = Point{Lat: pt[1], Lon: pt[0]}
				}
			}
		}
	}
	sliver := Point{east.Lat, east.Lon + 0.002}
	r := g.Reverse(sliver)
	if !r.InProvince || r.Inside || r.CommuneCode == "" || r.DistanceKm <= 0 || r.DistanceKm > 0.5 || r.OldDistrictCode == "" {
		t.Errorf("sliver point %v: %+v", sliver, r)
	}
	if r := g.Reverse(Point{east.Lat, east.Lon + 0.2}); r.InProvince || r.CommuneCode != "" {
		t.Errorf("point 20 km out of the province: %+v", r)
	}
	for _, p := range []Point{{math.NaN(), 0}, {91, 0}, {0, 0}, {21.03, 105.85}} {
		if r := g.Reverse(p); r.InProvince {
			t.Errorf("%v reversed into the province: %+v", p, r)
		}
	}
	// Every old commune's proxy point lies in its district and successor.
	for _, o := range g.OldCommunes {
		r := g.Reverse(o.Approx)
		if !contains(o.NewCodes, r.CommuneCode) || r.OldDistrictCode != o.DistrictCode {
			t.Errorf("proxy of %s %s reverses to %s/%s, want %v/%s", o.Code, o.Name, r.CommuneCode, r.OldDistrictCode, o.NewCodes, o.DistrictCode)
		}
	}
}

func TestVillages(t *testing.T) {
	k := MakeVillageKey("06115", "Thôn Nà Lầu")
	for _, v := range []string{"thon na lau", "NÀ LẦU", "Bản  Nà-Lầu", "Na Lau"} {
		if got := MakeVillageKey("06115", v); got != k {
			t.Errorf("key of %q = %q, want %q", v, got, k)
		}
	}
	if MakeVillageKey("06115", "Thôn 03") != MakeVillageKey("06115", "thon 3") || k.CommuneCode() != "06115" {
		t.Error("numbered village keys differ")
	}
	if MakeVillageKey("05977", "Khối 5") == MakeVillageKey("05977", "Tổ 5") ||
		MakeVillageKey("05977", "Tổ dân phố 05") != MakeVillageKey("05977", "to 5") ||
		MakeVillageKey("05977", "Khu phố 5") != MakeVillageKey("05977", "khoi 5") {
		t.Errorf("numbered village classes: %q %q %q", MakeVillageKey("05977", "Khối 5"), MakeVillageKey("05977", "Tổ 5"), MakeVillageKey("05977", "Tổ dân phố 05"))
	}
	if MakeVillageKey("06115", "Thôn Nà Lầu") == MakeVillageKey("06112", "Thôn Nà Lầu") {
		t.Error("same key in two communes")
	}

	truth := Point{21.93, 106.46}
	pins := []Point{{21.9301, 106.4602}, {21.9298, 106.4597}, {21.9305, 106.4601}, {21.9296, 106.4605},
		{21.9302, 106.4599}, {21.85, 106.76}, {22.2, 106.2}, {0, 0}, {math.NaN(), 1}}
	c, kept, ok := RobustCentre(pins)
	if !ok || kept != 5 || haversineKm(c, truth) > 0.1 {
		t.Errorf("centre %v kept %d ok %v; want ≈ %v from 5 pins", c, kept, ok, truth)
	}
	if _, _, ok := RobustCentre(pins[:2]); ok {
		t.Error("two pins are not enough")
	}
	if _, _, ok := RobustCentre(nil); ok {
		t.Error("no pins")
	}

	g := Default()
	learned := VillageSet{k: truth}
	r := g.GeocodeWith("Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia", Options{Villages: learned})
	if r.Precision != PrecisionVillage || r.Lat != truth.Lat || r.VillageKey != k || r.CommuneCode != "06115" {
		t.Errorf("learned village not used: %+v", r)
	}
	// A village alone, learned in one commune only.
	r = g.GeocodeWith("Thôn Nà Lầu", Options{Villages: learned})
	if r.CommuneCode != "06115" || r.Precision != PrecisionVillage || r.Confidence >= 0.8 {
		t.Errorf("village alone: %s %s %.2f", r.CommuneCode, r.Precision, r.Confidence)
	}
	// A village learned in one of the candidate communes decides.
	tk := MakeVillageKey("06040", "Bản Slằng")
	r = g.GeocodeWith("Bản Slằng, Chi Lăng", Options{Villages: VillageSet{tk: label(t, "06040")}})
	if r.CommuneCode != "06040" || r.Precision != PrecisionVillage {
		t.Errorf("village did not pick the candidate: %s %s %v", r.CommuneCode, r.Precision, r.Candidates)
	}
}

func TestBadInput(t *testing.T) {
	g := Default()
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	for _, a := range []string{
		"", "   ", ",,,;;--", string(bin), "\xff\xfe\xfd", strings.Repeat("a", 10240),
		strings.Repeat("Thôn Nà Lầu xã Tân Văn ", 450), strings.Repeat("x. ", 3000), strings.Repeat("\u0301", 5000),
		"北京市朝阳区", "Москва", "🙂🙂🙂",
	} {
		r := g.Geocode(a)
		if r.Confidence < 0 || r.Confidence > 1 || r.Status == "" || r.Candidates == nil || strings.HasPrefix(r.Reason, "internal error") {
			t.Errorf("%.40q: %+v", a, r)
		}
		if r.Precision == PrecisionNone && r.Reason == "" {
			t.Errorf("%.40q: no answer and no reason", a)
		}
	}
	if r := g.Geocode(strings.Repeat("Thôn Nà Lầu xã Tân Văn ", 450)); r.CommuneCode != "06115" {
		t.Errorf("long repeated address: %s", r.CommuneCode)
	}
}

func TestMapAndPostOffices(t *testing.T) {
	g := Default().Gazetteer()
	b, err := g.CommunesGeoJSON()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 400<<10 {
		t.Errorf("communes GeoJSON is %d KB", len(b)>>10)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Type        string          `json:"type"`
				Coordinates [][][][]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 65 {
		t.Fatalf("%s with %d features", fc.Type, len(fc.Features))
	}
	for _, f := range fc.Features {
		if f.Properties["code"] != f.ID || f.Properties["name"] == "" || f.Geometry.Type != "MultiPolygon" || len(f.Geometry.Coordinates) == 0 {
			t.Errorf("feature %s: %v", f.ID, f.Properties)
		}
	}
	if p, err := g.ProvinceGeoJSON(); err != nil || !json.Valid(p) {
		t.Errorf("province GeoJSON: %v", err)
	}
	for _, po := range g.PostOffices {
		r := g.Reverse(po.Point)
		if !r.InProvince || !contains(po.CommuneCodes, r.CommuneCode) {
			t.Errorf("post office %s at %v reverses to %+v, want one of %v", po.Code, po.Point, r, po.CommuneCodes)
		}
	}
}

func BenchmarkReverse(b *testing.B) {
	g := Default().Gazetteer()
	pts := randomPoints(1000, 5)
	i := 0
	for b.Loop() {
		g.Reverse(pts[i%len(pts)])
		i++
	}
}

func BenchmarkGeocodeWithPin(b *testing.B) {
	g := Default()
	pts := randomPoints(1000, 5)
	i := 0
	for b.Loop() {
		p := pts[i%len(pts)]
		g.GeocodeWith("Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia", Options{Pin: &p})
		i++
	}
}

// TestPolyIndexMatchesBruteForce checks the grid index against plain
// point-in-polygon on random points and on points a metre off the borders.
func TestPolyIndexMatchesBruteForce(t *testing.T) {
	g := Default().Gazetteer()
	pts := randomPoints(3000, 9)
	rng := rand.New(rand.NewPCG(3, 3))
	for k := 0; k < 3000; k++ {
		c := g.Communes[rng.IntN(len(g.Communes))]
		ring := c.poly[0][0]
		v := ring[rng.IntN(len(ring))]
		pts = append(pts, Point{Lat: v[1] + (rng.Float64()-0.5)*2e-5, Lon: v[0] + (rng.Float64()-0.5)*2e-5})
	}
	bad := 0
	for _, p := range pts {
		got := g.communeIx.locate(p.orb())
		var in []int
		for i, c := range g.Communes {
			if c.bound.Contains(p.orb()) && planar.MultiPolygonContains(c.poly, p.orb()) {
				in = append(in, i)
			}
		}
		ok := len(in) == 0 && got == -1
		for _, i := range in {
			ok = ok || i == got
		}
		if !ok {
			bad++
			if bad < 10 {
				t.Errorf("%v: index says %d, polygons %v", p, got, in)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d points disagree", bad, len(pts))
	}
}

func TestCoordinatesAsAddress(t *testing.T) {
	g := Default()
	cases := []struct {
		addr   string
		code   string
		status Status
		reason string
	}{
		{"21.9277, 106.4546", "06115", StatusOK, "pin only"},
		{"(21.9277; 106.4546)", "06115", StatusOK, "pin only"},
		{"106.4546, 21.9277", "", StatusNotFound, "swapped"},
		{"48.85 2.35", "", StatusOutsideArea, "outside Vietnam"},
		{"21.03,105.85", "", StatusOutsideArea, "outside Lạng Sơn"},
	}
	for _, c := range cases {
		r := g.Geocode(c.addr)
		if r.CommuneCode != c.code || r.Status != c.status || !strings.Contains(r.Reason, c.reason) {
			t.Errorf("%q: %s %s %q, want %s %s ~%q", c.addr, r.CommuneCode, r.Status, r.Reason, c.code, c.status, c.reason)
		}
	}
}
