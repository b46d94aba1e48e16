package api

import (
	"fmt"
	"html"
	"strconv"
	"strings"
)

// Code 128 (ISO/IEC 15417), written here for the parcel label's waybill:
// code set B for text (ASCII 32-126), code set C for runs of digits (two
// a symbol: a carrier's numeric waybill is half as wide), the modulo-103
// check symbol, and an SVG of the bars with its quiet zones.

// code128Patterns are the widths (bar, space, bar, …; in modules) of the
// symbols 0-105; code128Stop is the stop pattern with its final bar.
var code128Patterns = [106]string{
	"212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
	"221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
	"221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
	"231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
	"231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
	"112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
	"111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
	"114131", "311141", "411131", "211412", "211214", "211232",
}

const code128Stop = "2331112"

// Code 128's special symbols.
const (
	code128CodeC  = 99
	code128CodeB  = 100
	code128StartB = 104
	code128StartC = 105
)

// code128Symbols returns the symbol values encoding text, start to check
// symbol (the stop is implied): set C for a run of at least four digits
// that begins or ends the text, or of six within it, set B otherwise. Text outside ASCII 32-126 is an
// error.
func code128Symbols(text string) ([]int, error) {
	if text == "" {
		return nil, fmt.Errorf("code 128: nothing to encode")
	}
	for i := 0; i < len(text); i++ {
		if text[i] < 32 || text[i] > 126 {
			return nil, fmt.Errorf("code 128: character %q at %d is not printable ASCII", text[i], i)
		}
	}
	digits := func(i int) int {
		n := 0
		for i+n < len(text) && text[i+n] >= '0' && text[i+n] <= '9' {
			n++
		}
		return n
	}
	var out []int
	set := 0 // 'B' or 'C' once started
	for i := 0; i < len(text); {
		n := digits(i)
		useC := n >= 6 || (n >= 4 && (i == 0 || i+n == len(text))) || (n >= 2 && n == len(text))
		// An odd run starting the text starts in C and leaves its last
		// digit to B; elsewhere its first digit stays in B.
		if set == 'C' && n >= 2 || useC && (n%2 == 0 || i == 0) {
			if set != 'C' {
				out = append(out, ifStart(set, code128StartC, code128CodeC))
				set = 'C'
			}
			v, _ := strconv.Atoi(text[i : i+2])
			out = append(out, v)
			i += 2
			continue
		}
		if set != 'B' {
			out = append(out, ifStart(set, code128StartB, code128CodeB))
			set = 'B'
		}
		out = append(out, int(text[i])-32)
		i++
	}
	sum := out[0]
	for i, v := range out[1:] {
		sum += (i + 1) * v
	}
	return append(out, sum%103), nil
}

// ifStart is the start symbol when nothing is encoded yet, the shift to
// the set otherwise.
func ifStart(set, start, code int) int {
	if set == 0 {
		return start
	}
	return code
}

// code128Modules returns the bar widths of text in modules, alternately
// bar and space, start to stop.
func code128Modules(text string) (string, error) {
	syms, err := code128Symbols(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, s := range syms {
		b.WriteString(code128Patterns[s])
	}
	b.WriteString(code128Stop)
	return b.String(), nil
}

// code128Quiet is the quiet zone each side, in modules (the standard's
// minimum is ten).
const code128Quiet = 10

// code128SVG draws text's barcode, moduleW user units a module and height
// high, with its quiet zones (the text itself is printed beside it by the
// page).
func code128SVG(text string, moduleW, height float64) (string, error) {
	mods, err := code128Modules(text)
	if err != nil {
		return "", err
	}
	total := code128Quiet * 2
	for _, c := range mods {
		total += int(c - '0')
	}
	var b strings.Builder
	w := float64(total) * moduleW
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="barcode" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="Mã vạch %s" data-code128="%s" shape-rendering="crispEdges"><rect width="%g" height="%g" fill="#fff"/>`,
		w, height, w, height, html.EscapeString(text), mods, w, height)
	x := code128Quiet
	for i, c := range mods {
		n := int(c - '0')
		if i%2 == 0 {
			fmt.Fprintf(&b, `<rect x="%g" width="%g" height="%g"/>`, float64(x)*moduleW, float64(n)*moduleW, height)
		}
		x += n
	}
	b.WriteString(`</svg>`)
	return b.String(), nil
}
