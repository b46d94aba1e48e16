package geo

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/uber/h3-go/v4"
)

// Precision says what the point of a Result stands for.
type Precision string

const (
	PrecisionGPSPin   Precision = "gps_pin"  // the household's own phone position
	PrecisionVillage  Precision = "village"  // a learned village centre
	PrecisionCommune  Precision = "commune"  // a point inside the commune
	PrecisionDistrict Precision = "district" // only the old district is known
	PrecisionNone     Precision = "none"     // nothing found: no point
)

// Status says how the geocoder got its answer, or why it has none.
type Status string

const (
	StatusOK          Status = "ok"           // one commune, confidence as given
	StatusAmbiguous   Status = "ambiguous"    // several communes fit: see Candidates
	StatusNotFound    Status = "not_found"    // no Lạng Sơn unit recognised
	StatusOutsideArea Status = "outside_area" // the address or pin is in another province or country
	StatusPinMismatch Status = "pin_mismatch" // the pin lies in another commune than the address names
)

// DefaultResolution is the H3 resolution of Result.Cell (about 0.1 km² cells).
const DefaultResolution = 9

// Result is the answer for one address.
type Result struct {
	Input string `json:"input"`
	// CommuneCode and CommuneName: the 2025 commune (Structure2025).
	CommuneCode string `json:"commune_code"`
	CommuneName string `json:"commune_name"`
	// OldCommuneCode is the 2021-structure commune (StructurePre2025) the
	// address named, if it named one; OldDistrictCode its district (or the
	// district named, or the district of the point).
	OldCommuneCode  string    `json:"old_commune_code"`
	OldDistrictCode string    `json:"old_district_code"`
	Lat             float64   `json:"lat"`
	Lon             float64   `json:"lon"`
	Cell            string    `json:"h3"` // H3 cell of (Lat, Lon); "" without a point
	Precision       Precision `json:"precision"`
	// Confidence in [0,1] that CommuneCode is right. Below 0.8 the answer
	// is a best guess among Candidates.
	Confidence float64 `json:"confidence"`
	// Candidates are the 2025 commune codes that fit, best first.
	Candidates []string `json:"candidates"`
	Status     Status   `json:"status"`
	// Reason explains a status other than ok, and notes on the pin.
	Reason string `json:"reason,omitempty"`
	// Village is the village (thôn, bản, khối...) as written, and VillageKey
	// its key in CommuneCode, for learning village centres. VillageKey is
	// empty when the pin contradicts the address: such a pin must not teach
	// the village's position.
	Village    string     `json:"village,omitempty"`
	VillageKey VillageKey `json:"village_key,omitempty"`
	Parsed     Parsed     `json:"parsed"`
}

// Point returns the result's position.
func (r Result) Point() Point { return Point{Lat: r.Lat, Lon: r.Lon} }

// Options are the optional inputs of GeocodeWith.
type Options struct {
	// Pin is the household's GPS position, if it gave one.
	Pin *Point
	// Villages are the learned village centres; nil for none.
	Villages VillageLookup
	// Resolution of the H3 cell; 0 means the geocoder's resolution.
	Resolution int
}

// Geocoder turns Lạng Sơn addresses into communes, points and H3 cells. It
// is safe for concurrent use.
type Geocoder struct {
	gaz *Gazetteer
	ix  *nameIndex
	res int
	// communeOf2021 is the 2025 code of each 2021 commune when unique.
	tokPool sync.Pool
}

var (
	defaultGeo     *Geocoder
	defaultGeoOnce sync.Once
)

// Default returns the geocoder over the embedded gazetteer, built once per
// process (about 100 ms). It panics only if the embedded data is corrupt,
// which the package tests rule out.
func Default() *Geocoder {
	defaultGeoOnce.Do(func() {
		g, err := LoadGazetteer()
		if err != nil {
			panic("geo: embedded gazetteer: " + err.Error())
		}
		defaultGeo = New(g, DefaultResolution)
	})
	return defaultGeo
}

// New returns a geocoder over g producing H3 cells at resolution res (0–15).
func New(g *Gazetteer, res int) *Geocoder {
	if res < 0 || res > 15 {
		res = DefaultResolution
	}
	gc := &Geocoder{gaz: g, ix: buildNameIndex(g), res: res}
	gc.tokPool.New = func() any { b := make([]token, 0, 32); return &b }
	return gc
}

// Gazetteer returns the geocoder's gazetteer.
func (g *Geocoder) Gazetteer() *Gazetteer { return g.gaz }

// Resolution returns the default H3 resolution.
func (g *Geocoder) Resolution() int { return g.res }

// Geocode geocodes one address written as people write it.
func (g *Geocoder) Geocode(address string) Result { return g.GeocodeWith(address, Options{}) }

// interp is one reading of the commune mention.
type interp struct {
	kind     unitKind
	idx      int
	newCodes []string // 2025 successors
	district string
	score    float64
}

// Parse splits an address into components without resolving them.
func (g *Geocoder) Parse(address string) Parsed {
	bp := g.tokPool.Get().(*[]token)
	defer g.tokPool.Put(bp)
	toks := tokenize(address, *bp)
	*bp = toks[:0]
	p := g.ix.scan(toks)
	g.fuzzyFill(&p)
	a := g.assign(&p)
	return a.parsed(address, &p)
}

// assignment is the role each mention plays.
type assignment struct {
	commune       *mention
	districts     []*mention
	province      *mention
	other         *mention // another province named
	otherTyped    bool
	villageSpan   *span
	communeByType bool
	// moreCommunes are further commune mentions ("xã Hồng Thái, nay là xã
	// Tân Văn"): the reading they share with the first one wins.
	moreCommunes []*mention
	// unresolved: a commune or district type word was followed by no name
	// the gazetteer knows, even with typos.
	unresolved bool
}

func (a *assignment) parsed(addr string, p *parse) Parsed {
	var out Parsed
	raw := func(from, to int) string {
		if from < 0 || to > len(addr) || from >= to {
			return ""
		}
		return strings.TrimSpace(addr[from:to])
	}
	if a.commune != nil {
		out.Commune = raw(a.commune.from, a.commune.to)
	}
	if len(a.districts) > 0 {
		out.District = raw(a.districts[0].from, a.districts[0].to)
	}
	if a.province != nil {
		out.Province = raw(a.province.from, a.province.to)
	} else if a.other != nil {
		out.Province = raw(a.other.from, a.other.to)
	}
	if a.villageSpan != nil {
		out.Village = raw(a.villageSpan.from, a.villageSpan.to)
	}
	if len(p.street) > 0 {
		out.HouseStreet = raw(p.street[0].from, p.street[0].to)
	}
	return out
}

func hasKind(m *mention, k unitKind) bool {
	for _, e := range m.entries {
		if e.kind == k {
			return true
		}
	}
	return false
}

func hasCommuneLevel(m *mention) bool {
	for _, e := range m.entries {
		if e.level() == levelCommune {
			return true
		}
	}
	return false
}

func onlyKinds(m *mention, ks ...unitKind) bool {
	if len(m.entries) == 0 {
		return false
	}
	for _, e := range m.entries {
		found := false
		for _, k := range ks {
			if e.kind == k {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// fuzzyFill matches typed names with typos, and untyped whole segments of
// unknown words, against the gazetteer within the typo budget.
func (g *Geocoder) fuzzyFill(p *parse) {
	for i := range p.mentions {
		m := &p.mentions[i]
		if m.entries != nil {
			continue
		}
		want := func(e entry) bool {
			return e.level() == m.lvl || m.lvl == levelDistrict && e.kind == kindProvince
		}
		words := strings.Fields(m.name)
		// The span may run on past the name ("tan vna lang son"): try the
		// longest prefix first; then without a stray first word ("xã xaa
		// Văn Quan").
	search:
		for pass := 0; pass < 2; pass++ { // exact names first, then typos
			for skip := 0; skip <= 1 && skip < len(words); skip++ {
				for n := len(words); n > skip; n-- {
					var hits []fuzzKey
					d := skip
					if pass == 0 {
						if es, ok := g.ix.exact[strings.Join(words[skip:n], " ")]; ok {
							hits = []fuzzKey{{entries: es}}
						}
					} else {
						hits, d = g.ix.fuzzy(strings.Join(words[skip:n], ""), true, want)
						d = max(d, skip)
					}
					if len(hits) == 0 {
						continue
					}
					for _, h := range hits {
						for _, e := range h.entries {
							if want(e) {
								m.entries = append(m.entries, e)
							}
						}
					}
					if len(m.entries) > 0 {
						m.name, m.edits = strings.Join(words[skip:n], " "), d
						break search
					}
				}
			}
		}
	}
	// Untyped segments that are entirely unknown words may be misspelt
	// units ("Tan Vna, Binh Gai").
	added := false
	anyEntry := func(entry) bool { return true }
	addMention := func(sp span, hits []fuzzKey, d int) {
		m := mention{name: sp.name, seg: sp.seg, pos: sp.pos, from: sp.from, to: sp.to, edits: d}
		for _, h := range hits {
			m.entries = append(m.entries, h.entries...)
		}
		p.mentions = append(p.mentions, m)
		added = true
	}
	for i := range p.loose {
		sp := &p.loose[i]
		words := strings.Fields(sp.name)
		if len(words) > 8 {
			continue
		}
		if hits, d := g.ix.fuzzy(strings.Join(words, ""), false, anyEntry); len(hits) > 0 {
			addMention(*sp, hits, d)
			continue
		}
		if tail, hits, d := g.fuzzyTail(p, sp, 1); len(hits) > 0 {
			addMention(tail, hits, d)
		}
	}
	// A typed village that ran into a misspelt commune: "thôn Nà Lầu Tân Vna".
	for i := range p.village {
		if tail, hits, d := g.fuzzyTail(p, &p.village[i], 2); len(hits) > 0 {
			addMention(tail, hits, d)
		}
	}
	if added {
		sort.SliceStable(p.mentions, func(i, j int) bool { return p.mentions[i].pos < p.mentions[j].pos })
	}
}

// fuzzyTail tries the last two or three words of a run for a misspelt
// name, keeping at least keep words in the run; on a hit the run is cut
// before the name and the name's span returned.
func (g *Geocoder) fuzzyTail(p *parse, sp *span, keep int) (span, []fuzzKey, int) {
	words := strings.Fields(sp.name)
	for n := min(3, len(words)-keep); n >= 2; n-- {
		hits, d := g.ix.fuzzy(strings.Join(words[len(words)-n:], ""), false, func(entry) bool { return true })
		if len(hits) == 0 {
			continue
		}
		start := sp.pos + len(words) - n
		tail := span{name: strings.Join(words[len(words)-n:], " "), seg: sp.seg, pos: start,
			from: p.toks[start].start, to: sp.to}
		sp.name = strings.Join(words[:len(words)-n], " ")
		sp.to = p.toks[start-1].end
		return tail, hits, d
	}
	return span{}, nil, 0
}

// assign decides which mention is the commune, the district, the province.
func (g *Geocoder) assign(p *parse) assignment {
	var a assignment
	var untyped []*mention
	for i := range p.mentions {
		m := &p.mentions[i]
		if len(m.entries) == 0 {
			// A type word followed by no known name: the text is garbled
			// there, and what else was read is less sure.
			a.unresolved = a.unresolved || m.lvl == levelCommune || m.lvl == levelDistrict
			continue
		}
		switch m.lvl {
		case levelProvince:
			if hasKind(m, kindProvince) {
				if a.province != nil && a.province.lvl == levelNone && hasKind(a.province, kindDistrict) {
					a.districts = append(a.districts, a.province)
				}
				a.province = m
			} else if hasKind(m, kindOtherProvince) {
				a.other, a.otherTyped = m, true
			}
		case levelDistrict:
			if hasKind(m, kindDistrict) || hasKind(m, kindProvince) {
				a.districts = append(a.districts, m)
			} else if hasKind(m, kindOtherProvince) {
				a.other, a.otherTyped = m, true
			}
		case levelCommune:
			if a.commune == nil {
				a.commune, a.communeByType = m, true
			} else {
				a.moreCommunes = append(a.moreCommunes, m)
			}
		default:
			switch {
			case hasKind(m, kindProvince):
				// Untyped "Lạng Sơn" is the province; the city needs "TP",
				// or a second "Lạng Sơn" after it ("Chi Lăng, Lạng Sơn, T. Lạng Sơn").
				if a.province != nil && a.province.lvl == levelNone && hasKind(a.province, kindDistrict) {
					a.districts = append(a.districts, a.province)
				}
				a.province = m
			case onlyKinds(m, kindOtherProvince):
				a.other = m
			default:
				untyped = append(untyped, m)
			}
		}
	}
	// Untyped names: the order is village < commune < district < province.
	if a.commune != nil {
		// The district follows the commune, or precedes it in another
		// segment when the address is written from the province down.
		for _, m := range untyped {
			if (m.pos > a.commune.pos || m.seg != a.commune.seg) && hasKind(m, kindDistrict) && len(a.districts) == 0 {
				a.districts = append(a.districts, m)
			}
		}
	} else if n := len(untyped); n > 0 {
		last := untyped[n-1]
		if n > 1 && hasKind(last, kindDistrict) && len(a.districts) == 0 {
			a.districts = append(a.districts, last)
			a.commune = untyped[n-2]
		} else {
			a.commune = last
		}
		if !hasCommuneLevel(a.commune) && hasKind(a.commune, kindDistrict) && len(a.districts) == 0 {
			a.districts = append(a.districts, a.commune)
			a.commune = nil
		}
		// Written from the district down: "Cao Lộc, Tân Thành, Bản Nà Thâm".
		for _, m := range untyped[:n-1] {
			if a.commune != nil && len(a.districts) == 0 && m != a.commune && m.seg != a.commune.seg && hasKind(m, kindDistrict) {
				a.districts = append(a.districts, m)
			}
		}
	}
	// Village: the first typed village, else an unknown run before the commune.
	if len(p.village) > 0 {
		a.villageSpan = &p.village[0]
	} else if a.commune != nil {
		for i := range p.loose {
			sp := &p.loose[i]
			if sp.pos < a.commune.pos && !isFuzzMention(p, sp) {
				a.villageSpan = sp
				break
			}
		}
	}
	return a
}

func isFuzzMention(p *parse, sp *span) bool {
	for i := range p.mentions {
		if p.mentions[i].pos == sp.pos && p.mentions[i].edits > 0 {
			return true
		}
	}
	return false
}

// districtSet returns the district codes the district mentions name.
func (g *Geocoder) districtSet(a *assignment) map[string]bool {
	if len(a.districts) == 0 {
		return nil
	}
	ds := map[string]bool{}
	for _, m := range a.districts {
		for _, e := range m.entries {
			switch e.kind {
			case kindDistrict:
				ds[g.gaz.Districts[e.idx].Code] = true
			case kindProvince:
				if m.lvl == levelDistrict { // "TP Lạng Sơn"
					ds["178"] = true
				}
			}
		}
	}
	return ds
}

// GeocodeWith geocodes an address with an optional pin and learned villages.
func (g *Geocoder) GeocodeWith(address string, opt Options) (r Result) {
	defer func() {
		if e := recover(); e != nil { // never let bad input take down a worker
			r = Result{Input: address, Precision: PrecisionNone, Status: StatusNotFound,
				Reason: fmt.Sprintf("internal error: %v", e), Candidates: []string{}}
		}
	}()
	res := opt.Resolution
	if res <= 0 || res > 15 {
		res = g.res
	}
	r = Result{Input: address, Precision: PrecisionNone, Status: StatusNotFound, Candidates: []string{}}

	if opt.Pin == nil {
		// "21.8537, 106.7615" typed or pasted as the address: a pin.
		if p, ok := parseLatLon(address); ok {
			opt.Pin = &p
		}
	}
	bp := g.tokPool.Get().(*[]token)
	toks := tokenize(address, *bp)
	defer func() {
		*bp = toks[:0]
		g.tokPool.Put(bp)
	}()
	p := g.ix.scan(toks)
	g.fuzzyFill(&p)
	a := g.assign(&p)
	r.Parsed = a.parsed(address, &p)
	r.Village = r.Parsed.Village

	g.resolveText(&r, &a, &p)
	switch {
	case r.Status == StatusOK || r.Status == StatusAmbiguous:
		g.applyVillage(&r, opt.Villages)
	case r.Status == StatusNotFound && r.Village != "" && opt.Villages != nil:
		g.villageAnywhere(&r, opt.Villages)
	}
	if opt.Pin != nil {
		g.applyPin(&r, *opt.Pin)
	}
	if r.Precision != PrecisionNone {
		if c, err := h3.LatLngToCell(h3.NewLatLng(r.Lat, r.Lon), res); err == nil {
			r.Cell = c.String()
		}
	}
	if r.CommuneCode != "" && r.Village != "" && r.Status != StatusPinMismatch {
		r.VillageKey = MakeVillageKey(r.CommuneCode, r.Village)
	}
	return r
}

// resolveText fills r from the address text alone: the commune mention's
// readings (communeEntries, readings), backed by the other communes named,
// tallied by 2025 commune, answered with commune or district precision.
func (g *Geocoder) resolveText(r *Result, a *assignment, p *parse) {
	if len(strings.TrimSpace(r.Input)) == 0 {
		r.Reason = "empty address"
		return
	}
	if a.other != nil && a.province == nil && (a.otherTyped || a.commune == nil && len(a.districts) == 0 ||
		a.commune != nil && a.other.pos > a.commune.pos && len(a.districts) == 0) {
		r.Status = StatusOutsideArea
		r.Reason = "address is in another province (" + a.other.name + "), outside the service area"
		return
	}
	ds := g.districtSet(a)
	if a.commune == nil {
		if len(ds) == 0 {
			r.Reason = "no Lạng Sơn commune or district recognised"
			return
		}
		g.districtOnly(r, ds, 0.5, "only the district is known")
		return
	}
	entries, fuzzyEdits := g.communeEntries(a.commune)
	ins, districtFits := g.readings(a, p, ds, entries, fuzzyEdits)
	if len(ins) == 0 {
		if len(ds) > 0 {
			g.districtOnly(r, ds, 0.4, "commune not recognised; only the district is known")
			return
		}
		r.Reason = "no Lạng Sơn commune recognised"
		return
	}
	g.backByOtherCommunes(a, ins)
	t := tally{score: map[string]float64{}, old: map[string]*interp{}}
	t.add(ins)
	codes := t.sorted(make([]string, 0, len(t.score)))
	if t.bestDistrict != nil && (len(codes) == 0 || t.bestDistrict.score > t.score[codes[0]]) {
		// Only an obsolete name or a district: district precision.
		d := map[string]bool{t.bestDistrict.district: true}
		conf := 0.55
		if len(codes) > 0 || ds != nil && !districtFits {
			conf = 0.35
		}
		g.districtOnly(r, d, conf, "the address names a unit that no longer exists or a district; resolved to its district")
		return
	}
	if len(codes) == 0 {
		r.Reason = "no Lạng Sơn commune recognised"
		return
	}
	mismatch := ds != nil && !districtFits
	conf, codes := t.confidence(a, codes, mismatch)
	g.communeAnswer(r, codes, t.old[codes[0]], ds, mismatch, conf)
}

// communeEntries are the units the commune mention m may name: its own
// entries, then the names one edit away that compete with them, fuzzyEdits
// from the text.
func (g *Geocoder) communeEntries(m *mention) (entries []entry, fuzzyEdits int) {
	entries = m.entries
	if m.edits != 0 || len(m.words) == 0 {
		return entries, 0
	}
	// Written with diacritics that fit none of the units of that name
	// ("Bắ Sơn" is not Ba Sơn): a typo is as likely, so the names one
	// edit away compete.
	agree := false
	for _, e := range m.entries {
		agree = agree || e.marksAgree(m.words)
	}
	if agree {
		return entries, 0
	}
	want := func(e entry) bool { return e.level() == levelCommune || e.kind == kindDistrict }
	hits, d := g.ix.fuzzyNeighbours(strings.ReplaceAll(m.name, " ", ""), m.lvl != levelNone, want)
	for _, h := range hits {
		for _, e := range h.entries {
			if want(e) {
				entries = append(entries, e)
			}
		}
	}
	return entries, d
}

// readings scores each of the entries (from communeEntries: past the
// mention's own, fuzzyEdits away from its text) as a reading of the
// address, against the districts named (ds, nil if none); districtFits:
// some reading lies in a district named.
func (g *Geocoder) readings(a *assignment, p *parse, ds map[string]bool, entries []entry, fuzzyEdits int) (ins []interp, districtFits bool) {
	m := a.commune
	for k, e := range entries {
		edits := max(m.edits, 0)
		if k >= len(m.entries) {
			edits = fuzzyEdits
		}
		in, fits, ok := g.reading(a, e, ds)
		if !ok {
			continue
		}
		districtFits = districtFits || fits
		if m.lvl == levelCommune && m.typ != typeAny && e.typ != m.typ {
			// "xã" named but the unit is a phường or thị trấn: a weak reading.
			in.score *= 0.2
		}
		if len(p.street) > 0 && (e.typ == typePhuong || e.typ == typeThiTran) {
			// House numbers and streets belong to wards and towns.
			in.score *= 1.5
		}
		if edits > 0 {
			in.score *= 1 - 0.1*float64(edits)
		} else {
			// Written with other diacritics: "Tân Thanh" is not "Tân Thành".
			in.score *= e.marksFactor(m.words, p.marked)
		}
		ins = append(ins, in)
	}
	return ins, districtFits
}

// reading is entry e read as the unit of the address, scored by its kind
// and by the districts named (ds); fits: it lies in one of them; false if e
// is no reading (a district where the type word named a commune).
func (g *Geocoder) reading(a *assignment, e entry, ds map[string]bool) (in interp, fits, ok bool) {
	in = interp{kind: e.kind, idx: e.idx, score: 1}
	// inDistrict weighs a reading in district code by the districts named.
	inDistrict := func(code string) {
		if ds != nil {
			if ds[code] {
				in.score *= 1.2
				fits = true
			} else {
				in.score *= 0.01
			}
		}
	}
	switch e.kind {
	case kindCommune2025:
		c := &g.gaz.Communes[e.idx]
		in.newCodes = []string{c.Code}
		if ds != nil {
			for _, d := range c.OldDistricts {
				fits = fits || ds[d]
			}
			if !fits {
				in.score *= 0.01
			}
		} else {
			// Without a district the address is most likely written in
			// the 2025 structure, which has no districts.
			in.score *= 2
		}
	case kindCommune2021:
		o := &g.gaz.OldCommunes[e.idx]
		in.newCodes, in.district = o.NewCodes, o.DistrictCode
		inDistrict(o.DistrictCode)
	case kindObsolete:
		o := &g.gaz.Obsolete[e.idx]
		in.district = o.DistrictCode
		in.score = 0.6
		inDistrict(o.DistrictCode)
	case kindDistrict:
		if a.communeByType {
			return in, false, false
		}
		in.district = g.gaz.Districts[e.idx].Code
		in.score = 0.5
	default:
		return in, false, false
	}
	return in, fits, true
}

// backByOtherCommunes multiplies the score of the readings that another
// commune named in the address shares.
func (g *Geocoder) backByOtherCommunes(a *assignment, ins []interp) {
	for _, mm := range a.moreCommunes {
		also := map[string]bool{}
		for _, e := range mm.entries {
			switch e.kind {
			case kindCommune2025:
				also[g.gaz.Communes[e.idx].Code] = true
			case kindCommune2021:
				for _, c := range g.gaz.OldCommunes[e.idx].NewCodes {
					also[c] = true
				}
			}
		}
		for i := range ins {
			for _, c := range ins[i].newCodes {
				if also[c] {
					ins[i].score *= 8
					break
				}
			}
		}
	}
}

// tally is the readings of an address aggregated by 2025 commune. (The
// codes, best first, are kept apart: they become the result's candidates,
// and a tally that holds nothing the result keeps stays on the stack.)
type tally struct {
	score map[string]float64 // the best share of a reading, per 2025 commune code
	old   map[string]*interp // the 2021 commune reading that gave the score, if one did
	// readings without a 2025 commune (obsolete units, districts): their
	// total score and the best of them
	districtMass float64
	bestDistrict *interp
}

// add tallies the readings ins by 2025 commune: a reading's score is
// shared among its successors.
func (t *tally) add(ins []interp) {
	for i := range ins {
		in := &ins[i]
		if len(in.newCodes) == 0 {
			t.districtMass += in.score
			if t.bestDistrict == nil || in.score > t.bestDistrict.score {
				t.bestDistrict = in
			}
			continue
		}
		share := in.score / float64(len(in.newCodes))
		for k, c := range in.newCodes {
			s := share
			if k == 0 {
				s += 1e-6 // the first successor holds the seat; break ties toward it
			}
			if s > t.score[c] {
				t.score[c] = s
				if in.kind == kindCommune2021 {
					t.old[c] = in
				} else {
					delete(t.old, c)
				}
			}
		}
	}
}

// sorted appends the codes of t.score to codes, best first.
func (t *tally) sorted(codes []string) []string {
	for c := range t.score {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if t.score[codes[i]] != t.score[codes[j]] {
			return t.score[codes[i]] > t.score[codes[j]]
		}
		return codes[i] < codes[j]
	})
	return codes
}

// confidence is the confidence in codes[0], the best commune of t
// (mismatch: it is not in the district named), and the codes without the
// readings far below the best, which are noise, not candidates.
func (t *tally) confidence(a *assignment, codes []string, mismatch bool) (float64, []string) {
	best := codes[0]
	sum := t.districtMass
	for _, c := range codes {
		sum += t.score[c]
	}
	kept := codes[:0]
	for _, c := range codes {
		if t.score[c] >= 0.1*t.score[best] {
			kept = append(kept, c)
		}
	}
	codes = kept
	base := 0.95
	if !a.communeByType {
		base = 0.9
	}
	if a.commune.edits > 0 {
		base -= 0.07 * float64(a.commune.edits)
	}
	conf := base * t.score[best] / sum
	if in := t.old[best]; in != nil && len(in.newCodes) > 1 {
		conf = min(conf, 0.5) // the old commune was split between two
	}
	if a.unresolved {
		conf = min(conf, 0.6)
	}
	if mismatch {
		conf = min(conf, 0.5)
	}
	return conf, codes
}

// communeAnswer fills r with commune precision: the best of the candidate
// codes, the old commune it was read from (old, nil if none) or the
// district, and the status (ambiguous if the commune is not in the district
// named, mismatch, or conf is low).
func (g *Geocoder) communeAnswer(r *Result, codes []string, old *interp, ds map[string]bool, mismatch bool, conf float64) {
	best := codes[0]
	c, _ := g.gaz.Commune(best)
	r.CommuneCode, r.CommuneName = c.Code, c.Name
	r.Lat, r.Lon = c.Label.Lat, c.Label.Lon
	r.Precision = PrecisionCommune
	r.Confidence = round3(conf)
	r.Candidates = codes
	switch {
	case old != nil:
		o := &g.gaz.OldCommunes[old.idx]
		r.OldCommuneCode, r.OldDistrictCode = o.Code, o.DistrictCode
		if len(o.NewCodes) == 1 {
			// The proxy point of the old commune is nearer the household
			// than the label point of the merged 2025 commune.
			r.Lat, r.Lon = o.Approx.Lat, o.Approx.Lon
		}
	case len(ds) == 1 && !mismatch:
		for d := range ds {
			r.OldDistrictCode = d
		}
	case len(c.OldDistricts) == 1:
		r.OldDistrictCode = c.OldDistricts[0]
	}
	if r.OldDistrictCode == "" {
		r.OldDistrictCode = g.gaz.districtAt(Point{r.Lat, r.Lon}.orb())
	}
	r.Status = StatusOK
	switch {
	case mismatch:
		r.Status = StatusAmbiguous
		r.Reason = "the commune named is not in the district named; best guess given with the candidates"
	case conf < 0.8:
		r.Status = StatusAmbiguous
		r.Reason = "the name fits several communes; best guess given with the candidates"
	}
}

// districtOnly answers with district precision: the point is the district
// seat's and the commune the one holding it.
func (g *Geocoder) districtOnly(r *Result, ds map[string]bool, conf float64, why string) {
	codes := make([]string, 0, len(ds))
	for d := range ds {
		codes = append(codes, d)
	}
	sort.Strings(codes)
	d, ok := g.gaz.District(codes[0])
	if !ok {
		r.Reason = why
		return
	}
	// The district seat (its thị trấn) is the best guess: the town, the
	// post office, most of the people.
	at := d.Label
	if seat, ok := g.gaz.OldCommune(d.Seat); ok {
		at = seat.Approx
	}
	rv := g.gaz.Reverse(at)
	r.OldDistrictCode = d.Code
	r.Lat, r.Lon = at.Lat, at.Lon
	r.CommuneCode, r.CommuneName = rv.CommuneCode, rv.CommuneName
	r.Precision = PrecisionDistrict
	if len(codes) > 1 {
		conf /= 2
	}
	r.Confidence = round3(min(conf, 0.6))
	for _, c := range g.gaz.Communes {
		for _, od := range c.OldDistricts {
			if ds[od] {
				r.Candidates = append(r.Candidates, c.Code)
				break
			}
		}
	}
	// best guess first
	for i, c := range r.Candidates {
		if c == r.CommuneCode {
			r.Candidates[0], r.Candidates[i] = r.Candidates[i], r.Candidates[0]
		}
	}
	r.Status = StatusAmbiguous
	r.Reason = why
}

func round3(x float64) float64 {
	return float64(int(x*1000+0.5)) / 1000
}

// parseLatLon reads an address that is only a coordinate pair ("21.85,
// 106.76", "21.85 106.76", "(21.85; 106.76)"), in the order written.
func parseLatLon(s string) (Point, bool) {
	s = strings.Trim(strings.TrimSpace(s), "()[]")
	if len(s) > 64 {
		return Point{}, false
	}
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' })
	if len(f) != 2 {
		return Point{}, false
	}
	lat, err1 := strconv.ParseFloat(f[0], 64)
	lon, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || !strings.Contains(f[0], ".") || !strings.Contains(f[1], ".") {
		return Point{}, false
	}
	return Point{Lat: lat, Lon: lon}, true
}
