package geo

import (
	"math"
	"sort"
	"strings"
)

// VillageKey identifies a village (thôn, bản, khối...) within a 2025
// commune: "06115|na lau". Villages have no public coordinates; the service
// learns their centres from pinned households and stores them by this key.
type VillageKey string

// MakeVillageKey builds the key of a village named as written (with or
// without its type word, diacritics, case) in the 2025 commune code.
// "Thôn Nà Lầu" and "thon na lau" give the same key. A numbered village
// keeps its class ("Khối 05" → "khoi 5", "Tổ dân phố 5" → "to 5");
// "Thôn Một"/"Thôn 1" are not unified.
func MakeVillageKey(communeCode, village string) VillageKey {
	toks := tokenize(village, nil)
	// Drop leading type words ("thôn", "bản", "khối phố"...), but keep
	// their class before a bare number: "Khối 5" and "Tổ 5" of one ward
	// are two places.
	class := ""
	for len(toks) > 0 {
		tw, n := matchTypeWord(toks, 0)
		if n == 0 || tw.level != levelVillage || n >= len(toks) {
			break
		}
		class = villageClass(joinToks(toks, 0, n))
		toks = toks[n:]
	}
	var b strings.Builder
	b.WriteString(strings.TrimSpace(communeCode))
	b.WriteByte('|')
	if len(toks) == 1 && toks[0].digit && class != "" {
		b.WriteString(class)
		b.WriteByte(' ')
	}
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		s := t.s
		if t.digit {
			if s = strings.TrimLeft(s, "0"); s == "" { // "Thôn 03" = "Thôn 3"
				s = "0"
			}
		}
		b.WriteString(s)
	}
	return VillageKey(b.String())
}

// villageClass maps a village type word to its class: thôn-like (rural),
// khối-like (urban block) or tổ (residential group).
func villageClass(tw string) string {
	switch tw {
	case "khoi", "khoi pho", "khu", "khu pho", "kp", "tieu khu":
		return "khoi"
	case "to", "to dan pho", "tdp":
		return "to"
	}
	return "thon"
}

// CommuneCode returns the commune part of the key.
func (k VillageKey) CommuneCode() string {
	c, _, _ := strings.Cut(string(k), "|")
	return c
}

// VillageLookup returns the learned centre of a village.
type VillageLookup interface {
	Village(key VillageKey) (Point, bool)
}

// VillageSet is an in-memory VillageLookup.
type VillageSet map[VillageKey]Point

// Village implements VillageLookup.
func (s VillageSet) Village(k VillageKey) (Point, bool) {
	p, ok := s[k]
	return p, ok
}

// MinVillagePins is how many agreeing pins a village needs before its centre
// is used.
const MinVillagePins = 3

// VillageOutlierKm: pins farther than this from the median are dropped (a
// household pinned from town, a phone with a stale fix).
const VillageOutlierKm = 3.0

// RobustCentre returns a robust centre of the pins naming one village: the
// coordinate-wise median, then the mean of the pins within VillageOutlierKm
// of it, then once more the median of those. It returns the number of pins
// kept; ok is false when fewer than MinVillagePins agree.
func RobustCentre(pins []Point) (centre Point, kept int, ok bool) {
	pts := make([]Point, 0, len(pins))
	for _, p := range pins {
		if validPoint(p) && !(p.Lat == 0 && p.Lon == 0) {
			pts = append(pts, p)
		}
	}
	if len(pts) == 0 {
		return Point{}, 0, false
	}
	c := medianPoint(pts)
	for iter := 0; iter < 2; iter++ {
		in := pts[:0:0]
		for _, p := range pts {
			if haversineKm(c, p) <= VillageOutlierKm {
				in = append(in, p)
			}
		}
		if len(in) == 0 {
			break
		}
		c = medianPoint(in)
		kept = len(in)
	}
	return c, kept, kept >= MinVillagePins
}

func medianPoint(pts []Point) Point {
	lats := make([]float64, len(pts))
	lons := make([]float64, len(pts))
	for i, p := range pts {
		lats[i], lons[i] = p.Lat, p.Lon
	}
	return Point{Lat: median(lats), Lon: median(lons)}
}

func median(x []float64) float64 {
	sort.Float64s(x)
	n := len(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

// haversineKm is the great-circle distance in km.
func haversineKm(a, b Point) float64 {
	const r = earthRadiusM / 1000
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla, dlo := la2-la1, (b.Lon-a.Lon)*math.Pi/180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// applyVillage upgrades a commune answer to village precision when the
// village's centre is learned, and uses learned villages to pick among
// candidates.
func (g *Geocoder) applyVillage(r *Result, vl VillageLookup) {
	if vl == nil || r.Village == "" {
		return
	}
	var hit string
	var hitP Point
	n := 0
	for _, c := range r.Candidates {
		if p, ok := vl.Village(MakeVillageKey(c, r.Village)); ok {
			if n == 0 {
				hit, hitP = c, p
			}
			n++
		}
	}
	if n == 0 {
		return
	}
	if hit != r.CommuneCode {
		if n > 1 {
			return // the village is known in several candidates: no help
		}
		c, _ := g.gaz.Commune(hit)
		r.CommuneCode, r.CommuneName = c.Code, c.Name
		r.OldCommuneCode = ""
		r.Confidence = round3(max(r.Confidence, 0.75))
		r.Reason = "picked among the candidates by a learned village"
	} else if n == 1 && r.Status == StatusAmbiguous {
		r.Confidence = round3(max(r.Confidence, 0.75))
	}
	r.Lat, r.Lon = hitP.Lat, hitP.Lon
	r.Precision = PrecisionVillage
	r.OldDistrictCode = g.gaz.districtAt(hitP.orb())
}

// villageAnywhere answers an address that names only a village ("Thôn Nà
// Lầu") when exactly one commune has learned a village of that name.
func (g *Geocoder) villageAnywhere(r *Result, vl VillageLookup) {
	var hit string
	var at Point
	for _, c := range g.gaz.Communes {
		if p, ok := vl.Village(MakeVillageKey(c.Code, r.Village)); ok {
			if hit != "" {
				return // known in two communes: no answer
			}
			hit, at = c.Code, p
		}
	}
	if hit == "" {
		return
	}
	c, _ := g.gaz.Commune(hit)
	r.CommuneCode, r.CommuneName = c.Code, c.Name
	r.Lat, r.Lon = at.Lat, at.Lon
	r.Precision = PrecisionVillage
	r.OldDistrictCode = g.gaz.districtAt(at.orb())
	r.Candidates = []string{c.Code}
	r.Confidence = 0.6
	r.Status = StatusAmbiguous
	r.Reason = "only a village is named; it is known in one commune"
}
