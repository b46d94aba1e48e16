package geo

import "strings"

// unitKind says which table a name entry points into.
type unitKind uint8

const (
	kindCommune2025 unitKind = iota + 1
	kindCommune2021
	kindObsolete
	kindDistrict
	kindProvince      // Lạng Sơn itself
	kindOtherProvince // any other Vietnamese province
)

// level is the administrative level a type word announces.
type level uint8

const (
	levelNone level = iota
	levelStreet
	levelVillage
	levelCommune
	levelDistrict
	levelProvince
)

// unitType is the type a type word names within its level, to tell a xã
// from a phường or a thị trấn of the same name.
type unitType uint8

const (
	typeAny unitType = iota
	typeXa
	typePhuong
	typeThiTran
	typeHuyen
	typeThanhPho
	typeTinh
)

type typeWord struct {
	level level
	typ   unitType
}

// typeWords are the folded type words and their short forms. Single letters
// ("x", "p", "h", "t", "d") are abbreviations written with a dot ("X.").
var typeWords = map[string]typeWord{
	"xa": {levelCommune, typeXa}, "x": {levelCommune, typeXa},
	"phuong": {levelCommune, typePhuong}, "p": {levelCommune, typePhuong},
	"thi tran": {levelCommune, typeThiTran}, "tt": {levelCommune, typeThiTran}, "ttr": {levelCommune, typeThiTran},
	"t tran": {levelCommune, typeThiTran}, "thitran": {levelCommune, typeThiTran}, "t t": {levelCommune, typeThiTran},
	"huyen": {levelDistrict, typeHuyen}, "h": {levelDistrict, typeHuyen},
	"thanh pho": {levelDistrict, typeThanhPho}, "tp": {levelDistrict, typeThanhPho}, "thanhpho": {levelDistrict, typeThanhPho},
	"thi xa": {levelDistrict, typeAny}, "tx": {levelDistrict, typeAny},
	"tinh": {levelProvince, typeTinh}, "t": {levelProvince, typeTinh},
	"thon": {levelVillage, typeAny}, "ban": {levelVillage, typeAny}, "khoi": {levelVillage, typeAny},
	"khoi pho": {levelVillage, typeAny}, "to": {levelVillage, typeAny}, "to dan pho": {levelVillage, typeAny},
	"tdp": {levelVillage, typeAny}, "xom": {levelVillage, typeAny}, "khu": {levelVillage, typeAny},
	"khu pho": {levelVillage, typeAny}, "kp": {levelVillage, typeAny}, "tieu khu": {levelVillage, typeAny},
	"ap":       {levelVillage, typeAny},
	"khoi ban": {levelVillage, typeAny}, "thon ban": {levelVillage, typeAny},
	"so nha": {levelStreet, typeAny}, "sn": {levelStreet, typeAny}, "so": {levelStreet, typeAny},
	"duong": {levelStreet, typeAny}, "d": {levelStreet, typeAny}, "pho": {levelStreet, typeAny},
	"ngo": {levelStreet, typeAny}, "ngach": {levelStreet, typeAny}, "hem": {levelStreet, typeAny},
	"kiet": {levelStreet, typeAny}, "quoc lo": {levelStreet, typeAny}, "ql": {levelStreet, typeAny},
	"tinh lo": {levelStreet, typeAny}, "km": {levelStreet, typeAny},
	// Words that carry no unit: the country, "address:", "(cũ)" for a unit
	// that no longer exists, "nay là" (now).
	"dia chi": {levelNone, typeAny}, "viet nam": {levelNone, typeAny}, "vietnam": {levelNone, typeAny},
	"vn": {levelNone, typeAny}, "cu": {levelNone, typeAny}, "nay la": {levelNone, typeAny},
	"nay thuoc": {levelNone, typeAny}, "thuoc": {levelNone, typeAny}, "truoc day": {levelNone, typeAny},
}

// postfixTypeWords are English type words, written after the name
// ("Tan Van Commune, Binh Gia District").
var postfixTypeWords = map[string]typeWord{
	"commune": {levelCommune, typeXa}, "ward": {levelCommune, typePhuong}, "town": {levelCommune, typeThiTran},
	"township": {levelCommune, typeThiTran}, "district": {levelDistrict, typeHuyen}, "city": {levelDistrict, typeThanhPho},
	"province": {levelProvince, typeTinh}, "village": {levelVillage, typeAny}, "hamlet": {levelVillage, typeAny},
}

const maxTypeWordTokens = 3

func typeOf(t string) unitType {
	switch t {
	case "Xã":
		return typeXa
	case "Phường":
		return typePhuong
	case "Thị trấn":
		return typeThiTran
	case "Huyện":
		return typeHuyen
	case "Thành phố":
		return typeThanhPho
	}
	return typeAny
}

// entry is one unit a folded name can stand for.
type entry struct {
	kind unitKind
	idx  int // index into the table of kind
	typ  unitType
	// marked holds the name's words with their marks (token.marked), to
	// check the diacritics an address was written with.
	marked []string
}

// marksAgree reports whether the words of a mention written with marks
// carry the same marks as the entry's name; words without marks agree
// with anything.
func (e entry) marksAgree(toks []token) bool { return e.marksFactor(toks, false) == 1 }

// marksFactor weighs a reading by the diacritics the address was written
// with: 1 when they fit, 0.3 when a word carries other marks than the
// name's ("Tân Thanh" for Tân Thành), 0.6 when a bare word stands for a
// marked one in an address typed with diacritics (bare on purpose, or
// typed carelessly).
func (e entry) marksFactor(toks []token, addrMarked bool) float64 {
	if len(toks) != len(e.marked) {
		return 1 // joined or aliased spelling: no word-by-word check
	}
	f := 1.0
	for i, t := range toks {
		switch {
		case t.mk != "" && t.mk != e.marked[i]:
			return 0.3
		case t.mk == "" && addrMarked && e.marked[i] != t.s:
			f = 0.6
		}
	}
	return f
}

func (e entry) level() level {
	switch e.kind {
	case kindCommune2025, kindCommune2021, kindObsolete:
		return levelCommune
	case kindDistrict:
		return levelDistrict
	}
	return levelProvince
}

// otherProvinces are the names of the other provinces and centrally-run
// cities (63 before 2025, which include the 34 after), folded.
var otherProvinces = []string{
	"ha noi", "ho chi minh", "hai phong", "da nang", "can tho", "ha giang", "cao bang", "bac kan",
	"tuyen quang", "lao cai", "dien bien", "lai chau", "son la", "yen bai", "hoa binh", "thai nguyen",
	"phu tho", "vinh phuc", "bac giang", "bac ninh", "quang ninh", "hai duong", "hung yen",
	"thai binh", "ha nam", "nam dinh", "ninh binh", "thanh hoa", "nghe an", "ha tinh", "quang binh",
	"quang tri", "thua thien hue", "hue", "quang nam", "quang ngai", "binh dinh", "phu yen", "khanh hoa",
	"ninh thuan", "binh thuan", "kon tum", "gia lai", "dak lak", "dac lac", "dak nong", "lam dong",
	"binh phuoc", "tay ninh", "binh duong", "dong nai", "ba ria vung tau", "vung tau", "long an",
	"tien giang", "ben tre", "tra vinh", "vinh long", "dong thap", "an giang", "kien giang",
	"hau giang", "soc trang", "bac lieu", "ca mau", "sai gon", "hcm", "tphcm", "hn",
}

// nameIndex maps folded names (with spaces) to the units they stand for, and
// keeps the space-free keys for fuzzy matching.
type nameIndex struct {
	exact    map[string][]entry
	maxToks  int
	fuzzKeys []fuzzKey
}

type fuzzKey struct {
	key     string // folded, no spaces
	name    string // folded, with spaces
	entries []entry
}

func buildNameIndex(g *Gazetteer) *nameIndex {
	ix := &nameIndex{exact: map[string][]entry{}}
	add := func(name string, e entry) {
		k := Fold(name)
		if k == "" {
			return
		}
		for _, t := range tokenize(name, nil) {
			e.marked = append(e.marked, t.marked())
		}
		ix.exact[k] = append(ix.exact[k], e)
		if n := strings.Count(k, " ") + 1; n > ix.maxToks {
			ix.maxToks = n
		}
	}
	for i, c := range g.Communes {
		add(c.Name, entry{kind: kindCommune2025, idx: i, typ: typeOf(c.Type)})
	}
	for i, o := range g.OldCommunes {
		add(o.Name, entry{kind: kindCommune2021, idx: i, typ: typeOf(o.Type)})
		if rest, ok := strings.CutPrefix(o.Name, "NT "); ok {
			// Thị trấn Nông trường Thái Bình
			add("Nông trường "+rest, entry{kind: kindCommune2021, idx: i, typ: typeOf(o.Type)})
			add(rest, entry{kind: kindCommune2021, idx: i, typ: typeOf(o.Type)})
		}
	}
	for i, o := range g.Obsolete {
		add(o.Name, entry{kind: kindObsolete, idx: i, typ: typeOf(o.Type)})
	}
	for i, d := range g.Districts {
		add(d.Name, entry{kind: kindDistrict, idx: i, typ: typeOf(d.Type)})
	}
	add("Lạng Sơn", entry{kind: kindProvince, typ: typeTinh})
	add("LS", entry{kind: kindProvince, typ: typeTinh})
	add("Lang Son", entry{kind: kindProvince, typ: typeTinh})
	for i, p := range otherProvinces {
		add(p, entry{kind: kindOtherProvince, idx: i, typ: typeTinh})
	}
	for k, es := range ix.exact {
		ix.fuzzKeys = append(ix.fuzzKeys, fuzzKey{key: strings.ReplaceAll(k, " ", ""), name: k, entries: es})
	}
	// Joined spellings ("tanvan", "tpls") match exactly too.
	for _, fk := range ix.fuzzKeys {
		if fk.key != fk.name && len(fk.key) >= 5 {
			if _, ok := ix.exact[fk.key]; !ok {
				ix.exact[fk.key] = fk.entries
			}
		}
	}
	ix.exact["tpls"] = []entry{{kind: kindDistrict, idx: g.districtIdx["178"], typ: typeThanhPho}}
	sortFuzz(ix.fuzzKeys)
	return ix
}

func sortFuzz(k []fuzzKey) {
	// deterministic order so ties resolve the same way every run
	for i := 1; i < len(k); i++ {
		for j := i; j > 0 && k[j].name < k[j-1].name; j-- {
			k[j], k[j-1] = k[j-1], k[j]
		}
	}
}

// maxEdits is the typo budget for a key of n letters.
func maxEdits(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 5:
		return -1 // one edit, only after a type word
	case n < 9:
		return 1
	}
	return 2
}

func budget(n int, typed bool) int {
	switch b := maxEdits(n); {
	case b >= 0:
		return b
	case typed:
		return 1
	}
	return 0
}

// fuzzy returns the names within the typo budget of the space-free key q,
// keeping only those at the smallest distance found.
func (ix *nameIndex) fuzzy(q string, typed bool, want func(entry) bool) (hits []fuzzKey, dist int) {
	budget := budget(len(q), typed)
	if budget == 0 || len(q) > 40 {
		return nil, 0
	}
	// Names with the same first letter first: a slip there is rarer. Only
	// after a type word, or for long names, may the first letter differ:
	// otherwise too many names are one edit apart.
	for pass := 0; pass < 2 && len(hits) == 0; pass++ {
		if pass == 1 && !typed && (budget < 2 || len(q) < 6) {
			break
		}
		best := budget + 1
		for _, fk := range ix.fuzzKeys {
			if abs(len(fk.key)-len(q)) > budget || maxEdits(len(fk.key)) == 0 || (fk.key[0] == q[0]) != (pass == 0) {
				continue
			}
			d := osa(q, fk.key, best)
			if d > budget || d > best {
				continue
			}
			ok := false
			for _, e := range fk.entries {
				if want(e) {
					ok = true
					break
				}
			}
			if !ok {
				continue
			}
			if d < best {
				best, hits = d, hits[:0]
			}
			hits = append(hits, fk)
		}
		dist = best
	}
	return hits, dist
}

// fuzzyNeighbours returns the names one or two edits from q (q itself
// excluded), at the smallest such distance.
func (ix *nameIndex) fuzzyNeighbours(q string, typed bool, want func(entry) bool) (hits []fuzzKey, dist int) {
	budget := budget(len(q), typed)
	best := budget + 1
	for _, fk := range ix.fuzzKeys {
		if fk.key == q || abs(len(fk.key)-len(q)) > budget || fk.key[0] != q[0] || maxEdits(len(fk.key)) == 0 {
			continue
		}
		d := osa(q, fk.key, best)
		if d == 0 || d > budget || d > best {
			continue
		}
		ok := false
		for _, e := range fk.entries {
			ok = ok || want(e)
		}
		if !ok {
			continue
		}
		if d < best {
			best, hits = d, hits[:0]
		}
		hits = append(hits, fk)
	}
	return hits, best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// osa is the optimal-string-alignment distance (Levenshtein plus adjacent
// transposition) between a and b, giving up early above limit.
func osa(a, b string, limit int) int {
	if len(a) > 64 || len(b) > 64 {
		return limit + 1
	}
	var rows [3][65]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
