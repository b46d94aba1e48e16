package geo

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// confident is the confidence from which an answer counts as confident.
const confident = 0.8

type kindStats struct {
	n, right, confWrong int
	confRight           int // right with confidence ≥ confident
	wrong               []string
}

// scoreCases geocodes the cases and tallies per kind.
func scoreCases(g *Geocoder, cases []addrCase) map[string]*kindStats {
	stats := map[string]*kindStats{}
	for _, c := range cases {
		s := stats[c.kind]
		if s == nil {
			s = &kindStats{}
			stats[c.kind] = s
		}
		s.n++
		r := g.Geocode(c.address)
		var ok bool
		switch {
		case c.wantStatus != "":
			ok = string(r.Status) == c.wantStatus
		case c.wantDistrict != "":
			ok = r.Precision == PrecisionDistrict && r.OldDistrictCode == c.wantDistrict
		default:
			ok = contains(strings.Fields(c.want), r.CommuneCode)
		}
		if ok {
			s.right++
			if r.Confidence >= confident {
				s.confRight++
			}
			continue
		}
		if r.Confidence >= confident {
			s.confWrong++
		}
		s.wrong = append(s.wrong, fmt.Sprintf("%q want %s%s%s got %s %s conf %.2f %v (%s)", c.address, c.want, c.wantDistrict,
			c.wantStatus, r.CommuneCode, r.Precision, r.Confidence, r.Candidates, r.Status))
	}
	return stats
}

var noisyKinds = []string{"no_diacritics", "abbreviations", "typos", "old_units", "format", "no_type_words"}

func TestAccuracy(t *testing.T) {
	g := Default()
	var cases []addrCase
	for _, f := range []string{"generated.csv", "handwritten.csv"} {
		cases = append(cases, readCases(t, filepath.Join(testsetDir, f))...)
	}
	if len(cases) < 500 {
		t.Fatalf("only %d test addresses", len(cases))
	}
	stats := scoreCases(g, cases)
	kinds := make([]string, 0, len(stats))
	for k := range stats {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	noisyN, noisyRight := 0, 0
	for _, k := range kinds {
		s := stats[k]
		t.Logf("%-14s %4d addresses  %6.2f%% right  %6.2f%% right with confidence ≥ %.1f  %d confident wrong",
			k, s.n, 100*float64(s.right)/float64(s.n), 100*float64(s.confRight)/float64(s.n), confident, s.confWrong)
		if testing.Verbose() {
			for _, w := range s.wrong {
				t.Logf("    %s", w)
			}
		}
		if contains(noisyKinds, k) {
			noisyN += s.n
			noisyRight += s.right
		}
	}
	t.Logf("noisy overall  %4d addresses  %6.2f%% right", noisyN, 100*float64(noisyRight)/float64(noisyN))
	if s := stats["clean"]; float64(s.right) < 0.99*float64(s.n) {
		t.Errorf("clean: %d/%d right, want ≥ 99%%", s.right, s.n)
	}
	if float64(noisyRight) < 0.97*float64(noisyN) {
		t.Errorf("noisy: %d/%d right, want ≥ 97%%", noisyRight, noisyN)
	}
	if s := stats["ambiguous"]; s.confWrong > 0 {
		t.Errorf("ambiguous: %d confident wrong answers", s.confWrong)
	}
	for _, k := range []string{"obsolete", "outside", "bad"} {
		if s := stats[k]; s.right < s.n {
			t.Errorf("%s: %d/%d right", k, s.right, s.n)
		}
	}
}

// BenchmarkGeocode geocodes the test set round-robin on one core.
func BenchmarkGeocode(b *testing.B) {
	g := Default()
	var addrs []string
	for _, f := range []string{"generated.csv", "handwritten.csv"} {
		for _, c := range readCases(b, filepath.Join(testsetDir, f)) {
			addrs = append(addrs, c.address)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		g.Geocode(addrs[i%len(addrs)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "addr/s")
}
