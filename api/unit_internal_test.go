package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFormatting(t *testing.T) {
	t.Parallel()
	for in, want := range map[int64]string{0: "0 đ", 999: "999 đ", 1000: "1.000 đ", 1250000: "1.250.000 đ"} {
		if got := fmtVND(in); got != want {
			t.Errorf("fmtVND(%d) = %q, want %q", in, got, want)
		}
	}
	if got := fmtKg(7.5); got != "7,5" {
		t.Errorf("fmtKg(7.5) = %q", got)
	}
	if got := packagingText(map[string]any{"boxes": 3.0, "nets": 12.0}); got != "3 thùng, 12 lưới xốp" {
		t.Errorf("packagingText = %q", got)
	}
	if got := icsEscape("a,b;c\\d\ne"); got != `a\,b\;c\\d\ne` {
		t.Errorf("icsEscape = %q", got)
	}
}

func TestCSVTimes(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"2026-11-23T05:00:00+07:00", "2026-11-23 05:00", "2026-11-23 05:00:00", "23/11/2026 05:00"} {
		got, err := parseCSVTime(v)
		if err != nil || !got.Equal(time.Date(2026, 11, 22, 22, 0, 0, 0, time.UTC)) {
			t.Errorf("parseCSVTime(%q) = %v, %v", v, got, err)
		}
	}
	for _, v := range []string{"tomorrow", "2026-13-01 05:00", "05:00"} {
		if _, err := parseCSVTime(v); err == nil {
			t.Errorf("parseCSVTime(%q) accepted", v)
		}
	}
}

func TestConditionalAndEncoding(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("If-None-Match", `"x", W/"abc"`)
	if !notModified(r, `"abc"`) || notModified(r, `"abd"`) {
		t.Error("If-None-Match matching")
	}
	r.Header.Set("Accept-Encoding", "br, gzip;q=0")
	if acceptsGzip(r) {
		t.Error("gzip;q=0 accepted")
	}
	r.Header.Set("Accept-Encoding", "deflate, gzip")
	if !acceptsGzip(r) {
		t.Error("gzip refused")
	}
}

func TestHouseholdLinks(t *testing.T) {
	t.Parallel()
	secret := []byte("0123456789abcdef0123")
	now := time.Unix(1_800_000_000, 0)
	l := SignHouseholdLink(secret, 7, now.Add(time.Hour))
	if id, err := VerifyHouseholdLink(secret, l, now); err != nil || id != 7 {
		t.Fatalf("verify: %d %v", id, err)
	}
	p, m, _ := strings.Cut(l, ".")
	other := SignHouseholdLink(secret, 8, now.Add(time.Hour))
	op, _, _ := strings.Cut(other, ".")
	for _, bad := range []string{"", ".", l + "x", op + "." + m, p + "." + m[:len(m)-1], "a.b.c", strings.Repeat("A", 300), p} {
		if _, err := VerifyHouseholdLink(secret, bad, now); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	if _, err := VerifyHouseholdLink(secret, l, now.Add(2*time.Hour)); !errors.Is(err, errLinkExpired) {
		t.Errorf("expired link: %v", err)
	}
}

func FuzzVerifyHouseholdLink(f *testing.F) {
	secret := []byte("0123456789abcdef0123")
	f.Add(SignHouseholdLink(secret, 42, time.Unix(2_000_000_000, 0)))
	f.Add("abc.def")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = VerifyHouseholdLink(secret, s, time.Unix(1_800_000_000, 0)) // must not panic
	})
}

func FuzzParseOrdersCSV(f *testing.F) {
	f.Add("marketplace,marketplace_order_id,phone,address,product,weight_kg\npostmart,A1,0912345678,\"Lạng Sơn\",na,12\n")
	f.Add("marketplace,phone\n\"unterminated\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		_, _, _ = parseOrdersCSV(strings.NewReader(s)) // must not panic
	})
}
