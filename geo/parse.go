package geo

import "strings"

// mention is a span of the address that names (or may name) a unit.
type mention struct {
	lvl     level    // level announced by a type word, levelNone if untyped
	typ     unitType // type announced by the type word
	name    string   // folded name
	entries []entry  // units the name stands for (after fuzzy matching too)
	edits   int      // typo edits needed to match (0 exact)
	seg     int      // segment number
	pos     int      // token index where the name starts
	from    int      // raw byte offsets of the name
	to      int
	words   []token // the name's tokens, for the diacritics check
}

// Parsed is an address split into its components. Unit names are given as
// written (without their type word); empty when absent.
type Parsed struct {
	HouseStreet string `json:"house_street,omitempty"`
	Village     string `json:"village,omitempty"`
	Commune     string `json:"commune,omitempty"`
	District    string `json:"district,omitempty"`
	Province    string `json:"province,omitempty"`
}

// parse is the scanner's output.
type parse struct {
	toks     []token
	marked   bool // some word carries diacritics
	mentions []mention
	village  []span // typed village spans (thôn, bản, ...) in order
	loose    []span // runs of unknown words, village or typo candidates
	street   []span
}

type span struct {
	from, to int    // raw byte offsets
	name     string // folded
	seg      int
	pos      int
}

// scanner walks the tokens once: type words set the level of the following
// name, names found in the gazetteer become mentions, the rest are village,
// street or unknown runs.
func (ix *nameIndex) scan(toks []token) parse {
	p := parse{toks: toks}
	for _, t := range toks {
		p.marked = p.marked || t.mk != ""
	}
	seg := -1
	pending := typeWord{}
	var loose []int // token indices of the current unknown run
	flushLoose := func() {
		if len(loose) > 0 {
			p.loose = append(p.loose, spanOf(toks, loose[0], loose[len(loose)-1]+1, seg))
			loose = loose[:0]
		}
	}
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.seg {
			seg++
			flushLoose()
			pending = typeWord{}
		}
		nameLen, entries := ix.longest(toks, i, pending)
		tw, twLen := matchTypeWord(toks, i)
		if pending.level >= levelCommune && twLen > 0 {
			// "xã Tĩnh Bắc": after a type word comes a name, even one
			// that starts like a type word.
			twLen = 0
		}
		if twLen > 0 && nameLen > twLen && tw.level >= levelCommune {
			// "tinh bac giang": the type word and the name after it cover
			// more than the name "Tĩnh Bắc" alone.
			if after, _ := ix.longest(toks, i+twLen, tw); after > 0 && twLen+after > nameLen {
				nameLen = 0
			}
		}
		if twLen > 0 && nameLen <= twLen {
			flushLoose()
			twStart := i
			i += twLen
			if tw.level == levelVillage || tw.level == levelStreet {
				j := ix.nameEnd(toks, i, tw.level)
				if j > i {
					sp := spanOf(toks, i, j, seg)
					sp.from = toks[twStart].start // "Thôn Nà Lầu", "Số 12", as written
					if tw.level == levelVillage {
						p.village = append(p.village, sp)
					} else {
						p.street = append(p.street, sp)
					}
				}
				i = j
				pending = typeWord{}
				continue
			}
			pending = tw
			continue
		}
		if t.seg && t.digit && twLen == 0 && i+1 < len(toks) && !toks[i+1].seg && !toks[i+1].digit && laterSegment(toks, i) {
			// "12 Lê Lợi, ...": a house number opens a street.
			j := i + 1
			for j < len(toks) && !toks[j].seg {
				if tw, n := matchTypeWord(toks, j); n > 0 && tw.level > levelVillage {
					break
				}
				j++
			}
			p.street = append(p.street, spanOf(toks, i, j, seg))
			i = j
			continue
		}
		if pw, ok := postfixTypeWords[t.s]; ok && len(loose) > 0 && !t.seg {
			// "Tan Vna Commune": the unknown words before are a typed name.
			sp := spanOf(toks, loose[0], loose[len(loose)-1]+1, seg)
			loose = loose[:0]
			switch {
			case pw.level == levelVillage:
				p.village = append(p.village, sp)
			case pw.level >= levelCommune:
				p.mentions = append(p.mentions, mention{lvl: pw.level, typ: pw.typ, name: sp.name,
					seg: seg, pos: sp.pos, from: sp.from, to: sp.to, edits: -1})
			}
			i++
			continue
		}
		if nameLen > 0 {
			flushLoose()
			if k := i + nameLen; k < len(toks) && !toks[k].seg && pending.level == levelNone {
				if pw, ok := postfixTypeWords[toks[k].s]; ok {
					pending = pw
				}
			}
			p.mentions = append(p.mentions, mention{
				lvl: pending.level, typ: pending.typ, name: joinToks(toks, i, i+nameLen),
				entries: entries, seg: seg, pos: i, from: toks[i].start, to: toks[i+nameLen-1].end,
				words: toks[i : i+nameLen],
			})
			if k := i + nameLen; k < len(toks) && !toks[k].seg {
				if _, ok := postfixTypeWords[toks[k].s]; ok {
					nameLen++ // skip the postfix type word
				}
			}
			pending = typeWord{}
			i += nameLen
			continue
		}
		if pending.level >= levelCommune {
			// Typed but not an exact name: a typo. Take the words up to the
			// next boundary or type word for fuzzy matching.
			flushLoose()
			j := ix.nameEnd(toks, i, pending.level)
			if j-i > 4 {
				j = i + 4
			}
			p.mentions = append(p.mentions, mention{
				lvl: pending.level, typ: pending.typ, name: joinToks(toks, i, j),
				seg: seg, pos: i, from: toks[i].start, to: toks[j-1].end, edits: -1,
			})
			pending = typeWord{}
			i = j
			continue
		}
		if tw, n, es := ix.gluedTypeWord(toks, i); n > 0 {
			// "TTCao Lộc", "TPLạng Sơn": an abbreviation glued to the name.
			flushLoose()
			p.mentions = append(p.mentions, mention{
				lvl: tw.level, typ: tw.typ, name: joinToks(toks, i, i+n), entries: es,
				seg: seg, pos: i, from: toks[i].start, to: toks[i+n-1].end,
			})
			pending = typeWord{}
			i += n
			continue
		}
		if !t.digit {
			loose = append(loose, i)
		} else {
			flushLoose()
		}
		i++
	}
	flushLoose()
	return p
}

// nameEnd returns the end of a name starting at i: the next segment start,
// type word of a higher level, or gazetteer name (after the first word).
func (ix *nameIndex) nameEnd(toks []token, i int, lvl level) int {
	j := i
	for j < len(toks) {
		if j > i && toks[j].seg {
			break
		}
		if j > i {
			// A type word ends the name only if a name follows it in the
			// segment: "Khuất Xá", "Tằm Xá" end in "xá".
			if tw, n := matchTypeWord(toks, j); n > 0 && tw.level > levelVillage && j+n < len(toks) && !toks[j+n].seg {
				// ...and not by another type word: "Phai Xả Xã Na Dương".
				if _, n2 := matchTypeWord(toks, j+n); n2 == 0 {
					break
				}
			}
			// A known name after the first word ends it too: "xã Tân Vna
			// Lạng Sơn", "thôn Nà Lầu Tân Văn"; but streets are named after
			// places and people: "đường Bắc Sơn".
			if lvl != levelStreet {
				if n, _ := ix.longest(toks, j, typeWord{}); n > 0 {
					break
				}
			}
		}
		j++
		if j-i >= 8 {
			break
		}
	}
	return j
}

// longest finds the longest gazetteer name starting at token i that fits the
// pending type word, returning its length in tokens.
func (ix *nameIndex) longest(toks []token, i int, pending typeWord) (int, []entry) {
	if pending.level == levelVillage || pending.level == levelStreet {
		return 0, nil
	}
	var buf [64]byte
	for n := min(ix.maxToks, len(toks)-i); n >= 1; n-- {
		if n > 1 && toks[i+n-1].seg {
			continue
		}
		k := buf[:0]
		seg := false
		for j := i; j < i+n; j++ {
			if j > i {
				if toks[j].seg {
					seg = true
					break
				}
				k = append(k, ' ')
			}
			k = append(k, toks[j].s...)
		}
		if seg {
			continue
		}
		es, ok := ix.exact[string(k)]
		if !ok {
			continue
		}
		if pending.level != levelNone {
			keep := false
			for _, e := range es {
				if e.level() == pending.level || pending.level == levelDistrict && e.level() == levelProvince {
					keep = true
				}
			}
			if !keep {
				continue
			}
		}
		return n, es
	}
	return 0, nil
}

// matchTypeWord matches a (possibly multi-word) type word at token i.
func matchTypeWord(toks []token, i int) (typeWord, int) {
	var buf [32]byte
	for n := min(maxTypeWordTokens, len(toks)-i); n >= 1; n-- {
		k := buf[:0]
		ok := true
		for j := i; j < i+n; j++ {
			if j > i {
				if toks[j].seg {
					ok = false
					break
				}
				k = append(k, ' ')
			}
			k = append(k, toks[j].s...)
		}
		if !ok {
			continue
		}
		if tw, found := typeWords[string(k)]; found {
			// A bare letter is an abbreviation only with its dot or when a
			// name follows ("X. Tân Văn", "x Tân Văn"); never at the end.
			if len(k) == 1 && (i+n >= len(toks) || toks[i+n].seg) {
				continue
			}
			return tw, n
		}
	}
	return typeWord{}, 0
}

func joinToks(toks []token, i, j int) string {
	if j-i == 1 {
		return toks[i].s
	}
	var b strings.Builder
	for k := i; k < j; k++ {
		if k > i {
			b.WriteByte(' ')
		}
		b.WriteString(toks[k].s)
	}
	return b.String()
}

func spanOf(toks []token, i, j, seg int) span {
	return span{from: toks[i].start, to: toks[j-1].end, name: joinToks(toks, i, j), seg: seg, pos: i}
}

// laterSegment reports whether another segment follows token i's.
func laterSegment(toks []token, i int) bool {
	for j := i + 1; j < len(toks); j++ {
		if toks[j].seg {
			return true
		}
	}
	return false
}

// gluedPrefixes are the abbreviations people glue to the next word.
var gluedPrefixes = []string{"tt", "tp", "x", "p", "h"}

// gluedTypeWord matches an abbreviation glued to the first word of a name
// at token i ("ttcao" "loc"), returning its type word, the tokens the name
// covers and its entries.
func (ix *nameIndex) gluedTypeWord(toks []token, i int) (typeWord, int, []entry) {
	t := toks[i].s
	for _, pre := range gluedPrefixes {
		rest, ok := strings.CutPrefix(t, pre)
		if !ok || len(rest) < 2 {
			continue
		}
		tw := typeWords[pre]
		key := rest
		for n := 1; n <= ix.maxToks && i+n <= len(toks); n++ {
			if n > 1 {
				if toks[i+n-1].seg {
					break
				}
				key += " " + toks[i+n-1].s
			}
			if es, ok := ix.exact[key]; ok {
				for _, e := range es {
					if e.level() == tw.level || tw.level == levelDistrict && e.level() == levelProvince {
						return tw, n, es
					}
				}
			}
		}
	}
	return typeWord{}, 0, nil
}
