package geo

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The address test set lives in testdata/addresses: generated.csv comes
// from genAddresses below (seeded; regenerate with
//
//	go test ./geo -run TestGenerateAddresses -update
//
// ) and handwritten.csv is written by hand. Columns: kind, address, want
// (acceptable 2025 codes, space-separated; empty when the answer is a
// district or no commune), want_district (pre-2025 district for obsolete
// names), want_status (outside_area / not_found for bad input), note.

var update = flag.Bool("update", false, "rewrite testdata/addresses/generated.csv")

const testsetDir = "../testdata/addresses"

type addrCase struct {
	kind, address, want, wantDistrict, wantStatus, note string
}

var villageSyllables = strings.Fields("Nà Pác Khuổi Còn Phai Lũng Kéo Pò Cốc Khòn Slằng Hát Nặm Bó Pá Đông Tây Nam Bắc Trung Mới Tân Lập Hợp Tiến Mỏ Pàn Lầu Pục Thâm Kham Riềng Quân Vài Mạ Tẳng Nưa Thàm Phja Khau Cọ Rọ Lạn Mương Chè Đin Nhùng")

var streets = []string{"Trần Đăng Ninh", "Lê Lợi", "Bà Triệu", "Hùng Vương", "Trần Hưng Đạo", "Nguyễn Du", "Lý Thái Tổ",
	"Tô Thị", "Phai Vệ", "Bắc Sơn", "Đinh Tiên Hoàng", "Ngô Quyền", "Hoàng Văn Thụ", "Chi Lăng", "Lê Đại Hành", "Tam Thanh"}

var otherAddrs = []string{
	"Số 5 Trần Phú, Ba Đình, Hà Nội", "12 Nguyễn Huệ, Quận 1, TP Hồ Chí Minh", "Thôn Nà Sải, xã Hoà An, tỉnh Cao Bằng",
	"Xã Tân Sơn, huyện Lục Ngạn, tỉnh Bắc Giang", "phuong Hong Gai, TP Ha Long, Quang Ninh", "Thôn 3, xã Quảng Lâm, huyện Đầm Hà, Quảng Ninh",
	"45 Le Duan, Da Nang", "Bản Hon, xã Bản Hon, huyện Tam Đường, tỉnh Lai Châu", "TP Thái Nguyên, Thái Nguyên",
	"khu 5, thị trấn Chũ, Bắc Giang", "Xóm 2, xã Đại Từ, tỉnh Thái Nguyên", "Số 8 Lý Thường Kiệt, Hoàn Kiếm, HN",
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// stripMarks removes diacritics the way people type without them.
func stripMarks(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		case r == 'Đ':
			b.WriteRune('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// oldTones moves the tone mark to the old position (Hòa → Hoà, Thủy → Thuỷ)
// or back, whichever the name has.
func oldTones(s string) string {
	r := strings.NewReplacer("òa", "oà", "óa", "oá", "ỏa", "oả", "õa", "oã", "ọa", "oạ",
		"ủy", "uỷ", "ùy", "uỳ", "úy", "uý", "ũy", "uỹ", "ụy", "uỵ",
		"oà", "òa", "oá", "óa", "oả", "ỏa", "oã", "õa", "oạ", "ọa",
		"uỷ", "ủy", "uỳ", "ùy", "uý", "úy", "uỹ", "ũy", "uỵ", "ụy")
	return r.Replace(s)
}

// typo applies one keyboard slip to a name of at least 5 letters: a
// dropped, doubled, swapped or replaced letter (diacritics kept where the
// letter is).
func typo(rng *rand.Rand, s string) string {
	rs := []rune(s)
	var letters []int
	for i, r := range rs {
		if unicode.IsLetter(r) {
			letters = append(letters, i)
		}
	}
	if len(letters) < 5 {
		return s
	}
	i := letters[1+rng.IntN(len(letters)-1)]
	switch rng.IntN(4) {
	case 0:
		return string(append(rs[:i:i], rs[i+1:]...))
	case 1:
		return string(append(rs[:i+1:i+1], rs[i:]...))
	case 2:
		if i+1 < len(rs) && unicode.IsLetter(rs[i+1]) {
			rs[i], rs[i+1] = rs[i+1], rs[i]
			return string(rs)
		}
		return string(append(rs[:i:i], rs[i+1:]...))
	default:
		near := map[rune]string{'a': "sq", 'n': "mb", 'm': "n", 'h': "gj", 'o': "ip", 'i': "uo", 'g': "hf", 't': "ry", 'c': "vx", 'u': "yi", 'e': "rw", 'l': "k", 's': "ad", 'y': "tu", 'r': "et", 'd': "sf", 'b': "vn", 'k': "lj"}
		if alt, ok := near[unicode.ToLower(rs[i])]; ok {
			rs[i] = []rune(alt)[rng.IntN(len([]rune(alt)))]
		} else {
			rs[i] = 'a'
		}
		return string(rs)
	}
}

func village(rng *rand.Rand, ward bool) string {
	if ward {
		return pick(rng, []string{"Khối", "Khối", "Tổ", "Khu"}) + " " + fmt.Sprint(1+rng.IntN(12))
	}
	if rng.IntN(6) == 0 {
		return pick(rng, []string{"Thôn", "Thôn", "Khu"}) + " " + fmt.Sprint(1+rng.IntN(9))
	}
	return pick(rng, []string{"Thôn", "Thôn", "Bản", "Thôn", "Xóm"}) + " " + pick(rng, villageSyllables) + " " + strings.ToLower(pick(rng, villageSyllables))
}

// genAddresses builds the generated test set. Truth comes from the
// gazetteer: the 2025 commune for 2025-style addresses, the successor(s) of
// the 2021 commune for old ones, the district for obsolete names.
func genAddresses(g *Gazetteer) []addrCase {
	rng := rand.New(rand.NewPCG(20250701, 4))
	var out []addrCase
	add := func(kind, addr, want, note string) {
		out = append(out, addrCase{kind: kind, address: addr, want: want, note: note})
	}
	prov := func() string {
		return pick(rng, []string{", tỉnh Lạng Sơn", ", Lạng Sơn", ", tỉnh Lạng Sơn", ""})
	}
	newStyle := func(c Commune) string {
		ward := c.Type == "Phường"
		pre := village(rng, ward)
		if ward && rng.IntN(2) == 0 {
			pre = fmt.Sprintf("Số %d đường %s", 1+rng.IntN(200), pick(rng, streets))
		}
		if rng.IntN(5) == 0 {
			return fmt.Sprintf("%s %s%s", c.Type, c.Name, prov())
		}
		return fmt.Sprintf("%s, %s %s%s", pre, strings.ToLower(c.Type[:1])+c.Type[1:], c.Name, prov())
	}
	oldStyle := func(o OldCommune) string {
		d, _ := g.District(o.DistrictCode)
		typ := o.Type
		name := o.Name
		if strings.HasPrefix(name, "NT ") {
			name = "Nông trường " + strings.TrimPrefix(name, "NT ")
		}
		pre := village(rng, typ != "Xã")
		if rng.IntN(5) == 0 {
			pre = ""
		}
		s := fmt.Sprintf("%s %s, %s %s%s", strings.ToLower(typ[:1])+typ[1:], name, strings.ToLower(d.Type[:1])+d.Type[1:], d.Name, prov())
		if pre != "" {
			s = pre + ", " + s
		}
		return s
	}
	want21 := func(o OldCommune) string { return strings.Join(o.NewCodes, " ") }

	// clean: the 2025 structure, with diacritics and type words.
	for _, c := range g.Communes {
		for k := 0; k < 3; k++ {
			add("clean", newStyle(c), c.Code, "2025 "+c.FullName)
		}
	}
	// old_units: the 2021 structure with the district, with diacritics.
	for _, o := range g.OldCommunes {
		add("old_units", oldStyle(o), want21(o), "2021 "+o.FullName+", "+o.DistrictName)
	}
	// no_diacritics, abbreviations, typos, format: drawn from both structures.
	draw := func() (string, string, string) {
		if rng.IntN(2) == 0 {
			c := pick(rng, g.Communes)
			return newStyle(c), c.Code, "2025 " + c.FullName
		}
		o := pick(rng, g.OldCommunes)
		return oldStyle(o), want21(o), "2021 " + o.FullName + ", " + o.DistrictName
	}
	for k := 0; k < 150; k++ {
		a, w, n := draw()
		if rng.IntN(3) == 0 {
			a = strings.ToLower(a)
		}
		add("no_diacritics", stripMarks(a), w, n)
	}
	abbrev := []struct{ from, to []string }{
		{[]string{"xã "}, []string{"X. ", "x.", "X ", "xa "}},
		{[]string{"phường "}, []string{"P. ", "P.", "p "}},
		{[]string{"thị trấn "}, []string{"TT ", "TT.", "tt. ", "T.Trấn "}},
		{[]string{"huyện "}, []string{"H. ", "H.", "h "}},
		{[]string{"thành phố Lạng Sơn"}, []string{"TP Lạng Sơn", "TP. LS", "TP.Lạng Sơn", "tp LS", "TPLS"}},
		{[]string{"tỉnh Lạng Sơn"}, []string{"T. Lạng Sơn", "LS", "Lang Son", "T.LS"}},
		{[]string{"Thôn "}, []string{"Th. ", "thon ", "Th "}},
	}
	for k := 0; k < 150; k++ {
		a, w, n := draw()
		for _, ab := range abbrev {
			if rng.IntN(4) == 0 {
				continue
			}
			for _, f := range ab.from {
				a = strings.Replace(a, f, pick(rng, ab.to), 1)
			}
		}
		if rng.IntN(3) == 0 {
			a = stripMarks(a)
		}
		add("abbreviations", a, w, n)
	}
	for k := 0; k < 150; k++ {
		var a, w, n, name string
		if rng.IntN(2) == 0 {
			c := pick(rng, g.Communes)
			a, w, n, name = newStyle(c), c.Code, "2025 "+c.FullName, c.Name
		} else {
			o := pick(rng, g.OldCommunes)
			a, w, n, name = oldStyle(o), want21(o), "2021 "+o.FullName+", "+o.DistrictName, o.Name
			if rng.IntN(3) == 0 {
				d, _ := g.District(o.DistrictCode)
				name = d.Name
			}
		}
		t := typo(rng, name)
		if t == name {
			continue
		}
		a = strings.Replace(a, name, t, 1)
		if rng.IntN(3) == 0 {
			a = stripMarks(a)
		}
		add("typos", a, w, n+" (typo "+t+")")
	}
	// no_type_words: names only, as in a hurried SMS.
	for k := 0; k < 100; k++ {
		var a, w, n string
		if k%2 == 0 {
			c := pick(rng, g.Communes)
			a, w, n = fmt.Sprintf("%s, %s%s", strings.SplitN(village(rng, c.Type == "Phường"), " ", 2)[1], c.Name, prov()), c.Code, "2025 "+c.FullName
		} else {
			o := pick(rng, g.OldCommunes)
			d, _ := g.District(o.DistrictCode)
			name := strings.TrimPrefix(o.Name, "NT ")
			a, w, n = fmt.Sprintf("%s, %s, %s%s", strings.SplitN(village(rng, o.Type != "Xã"), " ", 2)[1], name, d.Name, prov()), want21(o), "2021 "+o.FullName+", "+o.DistrictName
		}
		switch rng.IntN(3) {
		case 0:
			a = stripMarks(a)
		case 1:
			a = strings.ToLower(stripMarks(strings.ReplaceAll(a, ",", "")))
			a = strings.Replace(a, "lang son", pick(rng, []string{"ls", "lang son", "lson"}), 1)
		}
		add("no_type_words", a, w, n)
	}
	for k := 0; k < 120; k++ {
		a, w, n := draw()
		switch k % 8 {
		case 0:
			a = strings.ToUpper(a)
		case 1:
			a = norm.NFD.String(a)
		case 2:
			a = oldTones(a)
		case 3:
			a = strings.ReplaceAll(a, ", ", pick(rng, []string{" - ", ",", " ,  ", "; ", " "}))
		case 4:
			a = "  " + strings.ReplaceAll(a, " ", "  ") + ". "
		case 5:
			a += pick(rng, []string{", Việt Nam", ", VN", " 240000", ", Viet Nam."})
		case 6:
			// English word order and type words.
			en := strings.NewReplacer("xã ", "", "phường ", "", "thị trấn ", "", "huyện ", "", "tỉnh ", "", "thành phố ", "")
			parts := strings.Split(a, ", ")
			for i, p := range parts {
				switch {
				case strings.HasPrefix(p, "xã "):
					parts[i] = en.Replace(p) + " Commune"
				case strings.HasPrefix(p, "phường "):
					parts[i] = en.Replace(p) + " Ward"
				case strings.HasPrefix(p, "thị trấn "):
					parts[i] = en.Replace(p) + " Town"
				case strings.HasPrefix(p, "huyện "):
					parts[i] = en.Replace(p) + " District"
				case strings.HasPrefix(p, "thành phố "):
					parts[i] = en.Replace(p) + " City"
				case strings.HasPrefix(p, "tỉnh "):
					parts[i] = en.Replace(p) + " Province"
				}
			}
			a = stripMarks(strings.Join(parts, ", "))
		case 7:
			a = strings.ToLower(stripMarks(strings.ReplaceAll(a, ",", "")))
		}
		add("format", a, w, n)
	}
	// obsolete: names that ceased in 2020, resolved to their district.
	for _, o := range g.Obsolete {
		d, _ := g.District(o.DistrictCode)
		a := fmt.Sprintf("%s, %s %s, %s %s, Lạng Sơn", village(rng, false), strings.ToLower(o.Type), o.Name, strings.ToLower(d.Type), d.Name)
		if rng.IntN(3) == 0 {
			a = stripMarks(a)
		}
		out = append(out, addrCase{kind: "obsolete", address: a, wantDistrict: o.DistrictCode, note: o.FullName})
	}
	// ambiguous: a name alone (or with a type word several units of that
	// type share) that stands for several 2025 communes; truth is one of
	// them, so a confident answer must be the right one.
	type reading struct{ typ, code string }
	readings := map[string][]reading{} // folded name -> readings
	for _, c := range g.Communes {
		readings[Fold(c.Name)] = append(readings[Fold(c.Name)], reading{c.Type, c.Code})
	}
	for _, o := range g.OldCommunes {
		for _, n := range o.NewCodes {
			readings[Fold(o.Name)] = append(readings[Fold(o.Name)], reading{o.Type, n})
		}
	}
	var names []string
	for n, rs := range readings {
		codes := map[string]bool{}
		for _, r := range rs {
			codes[r.code] = true
		}
		if len(codes) > 1 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		rs := readings[n]
		seen := map[string]bool{}
		for _, r := range rs {
			if seen[r.code] {
				continue
			}
			seen[r.code] = true
			// A type word only when units of that type still disagree.
			typeCodes := map[string]bool{}
			for _, x := range rs {
				if x.typ == r.typ {
					typeCodes[x.code] = true
				}
			}
			a := strings.ToUpper(n[:1]) + n[1:]
			if len(typeCodes) > 1 && rng.IntN(2) == 0 {
				a = stripMarks(strings.ToLower(r.typ)) + " " + a
			}
			if rng.IntN(2) == 0 {
				a = "Thôn Nà Lầu, " + a
			}
			if rng.IntN(2) == 0 {
				a += ", Lạng Sơn"
			}
			all := map[string]bool{}
			for _, x := range rs {
				all[x.code] = true
			}
			shared := make([]string, 0, len(all))
			for c := range all {
				shared = append(shared, c)
			}
			sort.Strings(shared)
			add("ambiguous", a, r.code, "name shared by "+strings.Join(shared, " "))
		}
	}
	for _, a := range otherAddrs {
		out = append(out, addrCase{kind: "outside", address: a, wantStatus: string(StatusOutsideArea)})
	}
	return out
}

func writeCases(path string, cases []addrCase) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	rows := [][]string{{"kind", "address", "want", "want_district", "want_status", "note"}}
	for _, c := range cases {
		rows = append(rows, []string{c.kind, c.address, c.want, c.wantDistrict, c.wantStatus, c.note})
	}
	if err := csv.NewWriter(f).WriteAll(rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readCases(t testing.TB, path string) []addrCase {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []addrCase
	for _, rec := range recs[1:] {
		if len(rec) < 6 {
			t.Fatalf("%s: short record %q", path, rec)
		}
		out = append(out, addrCase{rec[0], rec[1], rec[2], rec[3], rec[4], rec[5]})
	}
	return out
}

func TestGenerateAddresses(t *testing.T) {
	g, err := LoadGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	cases := genAddresses(g)
	path := filepath.Join(testsetDir, "generated.csv")
	if *update {
		if err := writeCases(path, cases); err != nil {
			t.Fatal(err)
		}
	}
	// The committed file must be what the generator makes.
	got := readCases(t, path)
	if len(got) != len(cases) {
		t.Fatalf("%s has %d cases, the generator makes %d: run with -update", path, len(got), len(cases))
	}
	for i := range got {
		if got[i] != cases[i] {
			t.Fatalf("%s line %d differs from the generator: run with -update", path, i+2)
		}
	}
}

var households = flag.String("households", "", "write 110,000 generated addresses, one per line, to this file (for timing thugom geocode)")

// TestWriteHouseholds writes a province-sized input for timing the CLI:
//
//	go test ./geo -run TestWriteHouseholds -households /tmp/households.txt
func TestWriteHouseholds(t *testing.T) {
	if *households == "" {
		t.Skip("no -households file")
	}
	g, err := LoadGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	cases := genAddresses(g)
	rng := rand.New(rand.NewPCG(110000, 1))
	var b strings.Builder
	for i := 0; i < 110000; i++ {
		c := cases[rng.IntN(len(cases))]
		b.WriteString(strings.NewReplacer("\n", " ", "\r", " ").Replace(c.address))
		b.WriteByte('\n')
	}
	if err := os.WriteFile(*households, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
