package geo

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldTable maps a precomposed Latin letter to its lower-case ASCII base
// ('ộ' → 'o', 'Đ' → 'd'). Built once from the Unicode decompositions, so
// both tone-mark placements (Hòa/Hoà, Thủy/Thuỷ) and NFC or NFD input fold
// to the same string.
var foldTable = func() map[rune]byte {
	t := map[rune]byte{'đ': 'd', 'Đ': 'd', 'ð': 'd', 'Ð': 'd', 'ø': 'o', 'Ø': 'o', 'ł': 'l', 'Ł': 'l', 'ı': 'i'}
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			d := norm.NFD.String(string(r))
			b, _ := utf8.DecodeRuneInString(d)
			b = unicode.ToLower(b)
			if b < utf8.RuneSelf && (b >= 'a' && b <= 'z') {
				t[r] = byte(b)
			}
		}
	}
	add(0x00C0, 0x024F)
	add(0x1E00, 0x1EFF)
	// Full-width ASCII letters and digits.
	for r := rune(0xFF10); r <= 0xFF19; r++ {
		t[r] = byte('0' + r - 0xFF10)
	}
	for r := rune(0xFF21); r <= 0xFF3A; r++ {
		t[r] = byte('a' + r - 0xFF21)
	}
	for r := rune(0xFF41); r <= 0xFF5A; r++ {
		t[r] = byte('a' + r - 0xFF41)
	}
	return t
}()

// Vietnamese marks, kept apart from the base letters so that names written
// with diacritics can be told apart (Tân Thanh ≠ Tân Thành) whatever the
// tone-mark placement. A quality mark stays on its letter; the tone goes to
// the end of the syllable.
const (
	qualCircumflex = '^'
	qualBreve      = '('
	qualHorn       = '+'
	qualStroke     = '-' // đ
)

func markOf(r rune) (quality, tone byte) {
	switch r {
	case 0x0302:
		return qualCircumflex, 0
	case 0x0306:
		return qualBreve, 0
	case 0x031B:
		return qualHorn, 0
	case 0x0301:
		return 0, '1'
	case 0x0300:
		return 0, '2'
	case 0x0309:
		return 0, '3'
	case 0x0303:
		return 0, '4'
	case 0x0323:
		return 0, '5'
	}
	return 0, 0
}

// markTable maps a precomposed letter to its quality mark and tone.
var markTable = func() map[rune][2]byte {
	t := map[rune][2]byte{'đ': {qualStroke, 0}, 'Đ': {qualStroke, 0}}
	for r := range foldTable {
		var m [2]byte
		for _, c := range norm.NFD.String(string(r)) {
			q, tn := markOf(c)
			if q != 0 {
				m[0] = q
			}
			if tn != 0 {
				m[1] = tn
			}
		}
		if m != [2]byte{} {
			t[r] = m
		}
	}
	return t
}()

// Fold normalises Vietnamese text for matching: NFC or NFD input, diacritics
// removed, đ→d, lower case, every run of other characters (punctuation,
// spaces, symbols, invalid bytes) turned into one space, trimmed.
// "Xã  Hoà-Bình" → "xa hoa binh".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // suppress leading space
	for _, r := range s {
		c := foldRune(r)
		switch c {
		case 0:
			// combining mark: drop without breaking the word
		case ' ':
			if !space {
				b.WriteByte(' ')
				space = true
			}
		default:
			b.WriteByte(c)
			space = false
		}
	}
	out := b.String()
	return strings.TrimSuffix(out, " ")
}

// foldRune returns the folded ASCII byte for r, ' ' for a separator, or 0 for
// a combining mark (dropped).
func foldRune(r rune) byte {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return byte(r)
	case r >= 'A' && r <= 'Z':
		return byte(r) + 'a' - 'A'
	case r < utf8.RuneSelf:
		return ' '
	case r >= 0x0300 && r <= 0x036F:
		return 0
	}
	if c, ok := foldTable[r]; ok {
		return c
	}
	if unicode.Is(unicode.Mn, r) {
		return 0
	}
	return ' '
}

// token is one word of an address after folding.
type token struct {
	s string
	// dot: the raw word was followed by '.' ("X.", "TP.").
	dot bool
	// seg: the token starts a segment (start, or after , ; - / | ( ) newline).
	seg bool
	// digit: the token holds a digit (house number, "thôn 3").
	digit bool
	// start, end are the byte offsets of the raw word in the input.
	start, end int
	// mk is the word with its marks ("thanh" + tone: "thanh2", "văn":
	// "va(n"); empty when the word was written without any mark.
	mk string
}

// marked returns the word with marks, or the plain word.
func (t token) marked() string {
	if t.mk != "" {
		return t.mk
	}
	return t.s
}

// maxAddressBytes bounds the work on absurd input; a real address is < 200 bytes.
const maxAddressBytes = 1024

// tokenize splits a raw address into folded tokens, recording dots and
// segment boundaries (commas, dashes...). Letters followed directly by a
// dot and a letter ("TP.Lạng Sơn", "X.Tân Văn") split at the dot.
func tokenize(s string, buf []token) []token {
	if len(s) > maxAddressBytes {
		s = s[:maxAddressBytes]
	}
	toks := buf[:0]
	var w, mk []byte
	var tone byte
	marks := false
	seg := true
	digit := false
	start, end := 0, 0
	flush := func(dot bool) {
		if len(w) > 0 {
			t := token{s: string(w), dot: dot, seg: seg, digit: digit, start: start, end: end}
			if marks {
				if tone != 0 {
					mk = append(mk, tone)
				}
				t.mk = string(mk)
			}
			toks = append(toks, t)
			w, seg, digit = w[:0], false, false
		}
		mk, tone, marks = mk[:0], 0, false
	}
	prevLower := false
	for i, r := range s {
		// "XãTân Văn", "thônKhuổi": a capital after a small letter starts
		// a new word.
		upper := unicode.IsUpper(r)
		if upper && prevLower && len(w) > 0 {
			flush(false)
		}
		prevLower = unicode.IsLower(r)
		switch r {
		case '.':
			flush(true)
			continue
		case ',', ';', '-', '–', '—', '/', '|', '(', ')', '\n', '\r', '\t', ':', '_':
			flush(false)
			seg = true
			continue
		}
		c := foldRune(r)
		switch c {
		case 0:
			if len(w) > 0 {
				end = i + utf8.RuneLen(r)
				if q, tn := markOf(r); q != 0 || tn != 0 {
					marks = true
					if q != 0 {
						mk = append(mk, q)
					}
					if tn != 0 {
						tone = tn
					}
				}
			}
		case ' ':
			flush(false)
		default:
			if c >= '0' && c <= '9' {
				digit = true
			}
			if len(w) == 0 {
				start = i
			}
			w = append(w, c)
			mk = append(mk, c)
			if r >= utf8.RuneSelf {
				if m, ok := markTable[r]; ok {
					marks = true
					if m[0] != 0 {
						mk = append(mk, m[0])
					}
					if m[1] != 0 {
						tone = m[1]
					}
				}
			}
			end = i + utf8.RuneLen(r)
		}
	}
	flush(false)
	return toks
}
