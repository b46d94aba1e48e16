package api

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCode128Table checks the symbol table against Code 128's own rules:
// 106 distinct symbols of three bars and three spaces, 11 modules each,
// each element 1-4 modules, the bars an even number of modules (the
// symbology's parity), and the stop's 13 modules.
func TestCode128Table(t *testing.T) {
	t.Parallel()
	seen := map[string]int{}
	for v, p := range code128Patterns {
		if len(p) != 6 {
			t.Fatalf("symbol %d: %q is not six elements", v, p)
		}
		sum, bars := 0, 0
		for i, c := range p {
			n := int(c - '0')
			if n < 1 || n > 4 {
				t.Errorf("symbol %d: element %d is %d modules", v, i, n)
			}
			sum += n
			if i%2 == 0 {
				bars += n
			}
		}
		if sum != 11 || bars%2 != 0 {
			t.Errorf("symbol %d %q: %d modules, bars %d", v, p, sum, bars)
		}
		if w, dup := seen[p]; dup {
			t.Errorf("symbols %d and %d are both %q", w, v, p)
		}
		seen[p] = v
	}
	// The well-known ones: space (0), Start B, Start C, Stop.
	for v, want := range map[int]string{0: "212222", code128StartB: "211214", code128StartC: "211232", code128CodeC: "113141", code128CodeB: "114131"} {
		if code128Patterns[v] != want {
			t.Errorf("symbol %d: %q, want %q", v, code128Patterns[v], want)
		}
	}
	if code128Stop != "2331112" {
		t.Errorf("stop %q", code128Stop)
	}
}

// TestCode128Symbols: the symbol values and check symbols, computed by
// hand from the standard (check = start + Σ position × value, mod 103).
func TestCode128Symbols(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text string
		want []int
	}{
		// The standard's example of switching sets: Start B, H, i, Code
		// C, 34, 56, 78, check 29.
		{"Hi345678", []int{104, 40, 73, 99, 34, 56, 78, 29}},
		// A ViettelPost waybill, all digits: Start C and six pairs, check
		// (105 + 18 + 2×55 + 6×1) mod 103 = 33.
		{"185500000001", []int{105, 18, 55, 0, 0, 0, 1, 33}},
		// Three digits inside text stay in B: (104 + 48 + 2×42 + 3×42 +
		// 4×17 + 5×18 + 6×19 + 7×35) mod 103 = 55.
		{"PJJ123C", []int{104, 48, 42, 42, 17, 18, 19, 35, 55}},
		// An odd run starting the text: C for the pairs, B for the last.
		{"12345", []int{105, 12, 34, 100, 21, (105 + 12 + 2*34 + 3*100 + 4*21) % 103}},
		// A VNPost-style waybill: letters, nine digits (the first in B),
		// letters.
		{"EB123456789VN", func() []int {
			s := []int{104, 37, 34, 17, 99, 23, 45, 67, 89, 100, 54, 46}
			sum := s[0]
			for i, v := range s[1:] {
				sum += (i + 1) * v
			}
			return append(s, sum%103)
		}()},
	} {
		got, err := code128Symbols(c.text)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%q: %v (%v), want %v", c.text, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "mã", "a\tb"} {
		if _, err := code128Symbols(bad); err == nil {
			t.Errorf("%q encoded", bad)
		}
	}
}

// decode128 reads text back from bar widths with the table inverted: an
// independent reader of what code128Modules writes (sets B and C), which
// checks the start, the check symbol and the stop.
func decode128(t *testing.T, mods string) string {
	t.Helper()
	if !strings.HasSuffix(mods, code128Stop) || (len(mods)-len(code128Stop))%6 != 0 {
		t.Fatalf("modules %q: no stop, or not whole symbols", mods)
	}
	byPattern := map[string]int{}
	for v, p := range code128Patterns {
		byPattern[p] = v
	}
	var vals []int
	for i := 0; i+6 <= len(mods)-len(code128Stop); i += 6 {
		v, ok := byPattern[mods[i:i+6]]
		if !ok {
			t.Fatalf("unknown symbol %q", mods[i:i+6])
		}
		vals = append(vals, v)
	}
	sum := vals[0]
	for i, v := range vals[1 : len(vals)-1] {
		sum += (i + 1) * v
	}
	if sum%103 != vals[len(vals)-1] {
		t.Fatalf("check symbol %d, want %d", vals[len(vals)-1], sum%103)
	}
	var b strings.Builder
	set := map[int]byte{code128StartB: 'B', code128StartC: 'C'}[vals[0]]
	if set == 0 {
		t.Fatalf("start %d", vals[0])
	}
	for _, v := range vals[1 : len(vals)-1] {
		switch {
		case set == 'B' && v == code128CodeC, set == 'C' && v == code128CodeB:
			set = map[int]byte{code128CodeC: 'C', code128CodeB: 'B'}[v]
		case set == 'B' && v < 95:
			b.WriteByte(byte(v + 32))
		case set == 'C' && v < 100:
			b.WriteString(strconv.Itoa(v/10) + strconv.Itoa(v%10))
		default:
			t.Fatalf("symbol %d in set %c", v, set)
		}
	}
	return b.String()
}

// TestCode128RoundTrip: random waybill-like texts read back as written,
// and never wider in C-eligible runs than in B alone.
func TestCode128RoundTrip(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz-_/ .#"
	for range 2000 {
		n := 1 + r.IntN(24)
		var b strings.Builder
		for range n {
			if r.IntN(3) > 0 {
				b.WriteByte(byte('0' + r.IntN(10)))
			} else {
				b.WriteByte(chars[r.IntN(len(chars))])
			}
		}
		text := b.String()
		mods, err := code128Modules(text)
		if err != nil {
			t.Fatal(err)
		}
		if got := decode128(t, mods); got != text {
			t.Fatalf("%q read back as %q", text, got)
		}
		if syms, _ := code128Symbols(text); len(syms) > len(text)+2 {
			t.Fatalf("%q: %d symbols, more than set B alone (%d)", text, len(syms), len(text)+2)
		}
	}
}

// TestCode128SVG: the bars drawn are the modules' bars, at their places,
// inside the quiet zones.
func TestCode128SVG(t *testing.T) {
	t.Parallel()
	svg, err := code128SVG("185500000001", 2, 50)
	if err != nil {
		t.Fatal(err)
	}
	mods, _ := code128Modules("185500000001")
	rects := regexp.MustCompile(`<rect x="([0-9.]+)" width="([0-9.]+)"`).FindAllStringSubmatch(svg, -1)
	if len(rects) != (len(mods)+1)/2 {
		t.Fatalf("%d bars drawn, %d in the modules", len(rects), (len(mods)+1)/2)
	}
	x := code128Quiet
	for i, c := range mods {
		n := int(c - '0')
		if i%2 == 0 {
			r := rects[i/2]
			if r[1] != strconv.Itoa(2*x) || r[2] != strconv.Itoa(2*n) {
				t.Fatalf("bar %d at %s width %s, want %d width %d", i/2, r[1], r[2], 2*x, 2*n)
			}
		}
		x += n
	}
	if !strings.Contains(svg, `viewBox="0 0 `+strconv.Itoa(2*(x+code128Quiet))+` 50"`) {
		t.Errorf("the quiet zone: %s", svg[:120])
	}
}
