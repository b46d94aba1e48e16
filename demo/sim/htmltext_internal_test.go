package sim

import (
	"regexp"
	"testing"
)

// Every report text is there in every language, with the same arguments.
func TestReportTexts(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z%]`)
	for key, en := range langEn.text {
		vi, ok := langVi.text[key]
		if !ok {
			t.Errorf("%s: no Vietnamese text", key)
			continue
		}
		if a, b := verbs.FindAllString(en, -1), verbs.FindAllString(vi, -1); len(a) != len(b) {
			t.Errorf("%s: %v in English, %v in Vietnamese", key, a, b)
		}
	}
	for key := range langVi.text {
		if _, ok := langEn.text[key]; !ok {
			t.Errorf("%s: no English text", key)
		}
	}
	for _, c := range lateCauseKeys {
		if _, ok := langEn.text["cause_"+c]; !ok {
			t.Errorf("cause %s: no text", c)
		}
	}
}

// Numbers in the language's way: Vietnamese groups thousands with '.' and
// writes decimals with ','; English is as Go writes them.
func TestReportNumbers(t *testing.T) {
	for _, c := range []struct {
		l    *lang
		got  string
		want string
	}{
		{&langVi, langVi.pct(0.8421), "84,2 %"}, {&langEn, langEn.pct(0.8421), "84.2 %"},
		{&langVi, langVi.int(1234567), "1.234.567"}, {&langVi, langVi.int(-1234), "-1.234"}, {&langVi, langVi.int(999), "999"},
		{&langEn, langEn.int(1234567), "1234567"},
		{&langVi, langVi.num(12345.25), "12.345,25"}, {&langVi, langVi.num(0.00012), "0,00012"}, {&langEn, langEn.num(12345.25), "12345.25"},
		{&langVi, langVi.hours(90), "1,5 giờ"}, {&langEn, langEn.hours(90), "1.5 h"},
		{&langVi, langVi.day("2026-09-16…2026-09-17"), "16/09/2026…17/09/2026"}, {&langEn, langEn.day("2026-09-16"), "2026-09-16"},
		{&langVi, langVi.title(1), "Một ngày thu hoạch"}, {&langVi, langVi.title(7), "7 ngày thu hoạch"},
		{&langEn, langEn.title(1), "A harvest day"}, {&langEn, langEn.title(2), "A harvest of 2 days"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.l.code, c.got, c.want)
		}
	}
	if _, err := ParseLang("fr"); err == nil {
		t.Error("ParseLang(fr): no error")
	}
	if l, err := ParseLang(""); err != nil || l != LangVi {
		t.Errorf(`ParseLang(""): %v, %v; want vi`, l, err)
	}
}
