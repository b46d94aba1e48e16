package geo

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var fuzzSeeds = []string{
	"", " ", "Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia, tỉnh Lạng Sơn", "thon na lau xa tan van huyen binh gia ls",
	"X.Tân Văn - H.Bình Gia - T.LS", "TP.Lạng Sơn", "P. Chi Lăng", "Xã Hoà Bình", "Xã Hòa Bình", "Thuỷ", "Thủy",
	"12/3 Lê Lợi, Vĩnh Trại", "Tan Van Commune, Binh Gia District", "\xff\xfe\x00", "x.", "h", "tt.", "xa xa xa", //nolint:dupword // "xa xa xa" repeats the type word on purpose
	"thị trấn NT Thái Bình", "\u0301\u0300a", "ĐÌNH LẬP", "đ", "Số 5 đường Bắc Sơn, Hoàng Văn Thụ, TP Lạng Sơn",
	"Chi Lăng (cũ), nay là xã Chi Lăng", "Yên Bình, Yên Bái", "tinh bac giang", "1", "a.b.c.d", "lang son city",
}

// FuzzFold: folding never panics, is idempotent, gives lower-case ASCII
// letters, digits and single spaces, and ignores the Unicode form.
func FuzzFold(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Fold(s)
		if Fold(out) != out {
			t.Fatalf("not idempotent: %q → %q → %q", s, out, Fold(out))
		}
		if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
			t.Fatalf("spacing: %q → %q", s, out)
		}
		for _, r := range out {
			if plain := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == ' '; !plain {
				t.Fatalf("%q → %q holds %q", s, out, r)
			}
		}
		if utf8.ValidString(s) {
			if a, b := Fold(norm.NFC.String(s)), Fold(norm.NFD.String(s)); a != b {
				t.Fatalf("NFC %q and NFD %q differ for %q", a, b, s)
			}
		}
	})
}

// FuzzGeocode: parsing and geocoding never panic and keep the Result's
// invariants on any input.
func FuzzGeocode(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	g := Default()
	gaz := g.Gazetteer()
	f.Fuzz(func(t *testing.T, s string) {
		g.Parse(s)
		r := g.Geocode(s)
		if strings.HasPrefix(r.Reason, "internal error") {
			t.Fatalf("%q: recovered panic: %s", s, r.Reason)
		}
		if r.Confidence < 0 || r.Confidence > 1 {
			t.Fatalf("%q: confidence %v", s, r.Confidence)
		}
		if r.Status == "" || r.Candidates == nil {
			t.Fatalf("%q: empty status or nil candidates: %+v", s, r)
		}
		if r.Precision == PrecisionNone {
			if r.CommuneCode != "" || r.Cell != "" || r.Reason == "" {
				t.Fatalf("%q: no precision but %+v", s, r)
			}
			return
		}
		if _, ok := gaz.Commune(r.CommuneCode); !ok {
			t.Fatalf("%q: unknown commune %q", s, r.CommuneCode)
		}
		if r.Cell == "" || !gaz.InServiceArea(r.Point()) {
			t.Fatalf("%q: point %v, cell %q", s, r.Point(), r.Cell)
		}
		for _, c := range r.Candidates {
			if _, ok := gaz.Commune(c); !ok {
				t.Fatalf("%q: unknown candidate %q", s, c)
			}
		}
		if r.OldCommuneCode != "" {
			if _, ok := gaz.OldCommune(r.OldCommuneCode); !ok {
				t.Fatalf("%q: unknown old commune %q", s, r.OldCommuneCode)
			}
		}
	})
}
