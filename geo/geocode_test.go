package geo

import (
	"strings"
	"testing"
)

func TestGazetteerCounts(t *testing.T) {
	g, err := LoadGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Communes) != 65 || len(g.OldCommunes) != 200 || len(g.Districts) != 11 || len(g.Obsolete) != 35 || len(g.PostOffices) != 15 {
		t.Fatalf("counts: %d communes, %d old, %d districts, %d obsolete, %d post offices",
			len(g.Communes), len(g.OldCommunes), len(g.Districts), len(g.Obsolete), len(g.PostOffices))
	}
	pop := 0
	for _, c := range g.Communes {
		pop += c.Population
		if rv := g.Reverse(c.Label); rv.CommuneCode != c.Code || !rv.Inside {
			t.Errorf("label point of %s reverses to %+v", c.Code, rv)
		}
	}
	if pop != 840434 {
		t.Errorf("population %d, want 840434", pop)
	}
}

func TestGeocodeExamples(t *testing.T) {
	g := Default()
	cases := []struct {
		addr, code, old string
		minConf         float64
	}{
		{"Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia, tỉnh Lạng Sơn", "06115", "06121", 0.9},
		{"thon na lau xa tan van huyen binh gia lang son", "06115", "06121", 0.9},
		{"Xã Chi Lăng, huyện Tràng Định", "06040", "06034", 0.85},
		{"P. Chi Lăng, TP Lạng Sơn", "05983", "05983", 0.85},
		{"TT Đồng Mỏ, H. Chi Lăng", "06463", "06463", 0.85},
		{"Số 12 đường Lê Lợi, phường Vĩnh Trại, TP.Lạng Sơn", "05977", "05977", 0.85},
		{"Bản Khòn Nà, X.Tân Thanh, H.Văn Lãng, T.Lạng Sơn", "06172", "06166", 0.85},
		{"Tan Vna, Binh Gai, Lang Son", "06115", "06121", 0.5},
	}
	for _, c := range cases {
		r := g.Geocode(c.addr)
		if r.CommuneCode != c.code || r.OldCommuneCode != c.old || r.Confidence < c.minConf || r.Cell == "" {
			t.Errorf("%q: got %s/%s conf %.2f cell %q (%s), want %s/%s ≥ %.2f",
				c.addr, r.CommuneCode, r.OldCommuneCode, r.Confidence, r.Cell, r.Reason, c.code, c.old, c.minConf)
		}
	}
	for _, addr := range []string{"Chi Lăng", "xã Chi Lăng, Lạng Sơn"} {
		if r := g.Geocode(addr); r.Confidence >= 0.8 || len(r.Candidates) < 2 {
			t.Errorf("%q: ambiguous name answered with confidence %.2f, candidates %v", addr, r.Confidence, r.Candidates)
		}
	}
	for _, addr := range []string{"", "\x00\xff\xfe", "123 Nguyễn Trãi, Thanh Xuân, Hà Nội"} {
		if r := g.Geocode(addr); r.CommuneCode != "" || r.Precision != PrecisionNone || r.Reason == "" {
			t.Errorf("%q: got %+v, want no answer with a reason", addr, r)
		}
	}
}

func TestParse(t *testing.T) {
	g := Default()
	got := g.Parse("Số 12 đường Lê Lợi, phường Vĩnh Trại, TP.Lạng Sơn")
	want := Parsed{HouseStreet: "Số 12 đường Lê Lợi", Commune: "Vĩnh Trại", District: "Lạng Sơn"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	got = g.Parse("Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia, tỉnh Lạng Sơn")
	want = Parsed{Village: "Thôn Nà Lầu", Commune: "Tân Văn", District: "Bình Gia", Province: "Lạng Sơn"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestCommuneDistrictMismatch(t *testing.T) {
	g := Default()
	r := g.Geocode("xã Tân Văn, huyện Cao Lộc")
	if r.CommuneCode != "06115" || r.Confidence > 0.5 || r.Status != StatusAmbiguous || !strings.Contains(r.Reason, "not in the district") {
		t.Errorf("commune outside the district named: %s %.2f %s %q", r.CommuneCode, r.Confidence, r.Status, r.Reason)
	}
	// A street named like a district is not a district.
	if r := g.Geocode("Số 139 đường Bắc Sơn, phường Kỳ Lừa"); r.CommuneCode != "06187" || r.Confidence < 0.9 {
		t.Errorf("street named Bắc Sơn: %s %.2f %q", r.CommuneCode, r.Confidence, r.Reason)
	}
}
