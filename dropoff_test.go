package thugom_test

import (
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
)

func TestDropOffBy(t *testing.T) {
	day := time.Date(2026, 9, 16, 0, 0, 0, 0, thugom.Local)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	opens, closes := 7*3600, 17*3600
	for _, c := range []struct {
		name       string
		now, ready time.Time
		want       time.Time
		ok         bool
	}{
		{"the evening before: opening + 30 min", at(-4, 0), time.Time{}, at(7, 30), true},
		{"now + 30 min, on the quarter", at(9, 5), time.Time{}, at(9, 45), true},
		{"ready later", at(8, 0), at(10, 0), at(10, 30), true},
		{"too late", at(16, 40), time.Time{}, at(17, 15), false},
	} {
		got, ok := thugom.DropOffBy(day, c.now, c.ready, opens, closes)
		if !got.Equal(c.want) || ok != c.ok {
			t.Errorf("%s: %s %v, want %s %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestRenderDropOffSMS(t *testing.T) {
	by := time.Date(2026, 9, 16, 10, 30, 0, 0, thugom.Local)
	msg, err := thugom.RenderSMS(thugom.SMSData{Kind: thugom.SMSDropOff, Depot: "Bưu cục Bắc Sơn", DepotPhone: "02053812345",
		Orders: 2, WeightKg: 12, Place: "Điểm BĐVH xã Vũ Lễ", By: by})
	if err != nil {
		t.Fatal(err)
	}
	want := "Thugom: mang 2 don (12 kg) den Diem BDVH xa Vu Le truoc 10:30 ngay 16/09 (Buu cuc Bac Son). Hoan: 2. Huy: 0. Hoi: 02053812345"
	if msg != want {
		t.Fatalf("got  %q\nwant %q", msg, want)
	}
	// A long place and depot still fit one segment.
	msg, err = thugom.RenderSMS(thugom.SMSData{Kind: thugom.SMSDropOff, Depot: strings.Repeat("Bưu cục rất dài ", 8), Orders: 12, WeightKg: 123.5,
		Place: "Điểm BĐVH phường Đông Kinh", By: by, DepotPhone: "02053812345"})
	if l, ok := thugom.GSM7Len(msg); err != nil || !ok || l > thugom.SMSMaxLen {
		t.Fatalf("%q (%d): %v", msg, l, err)
	}
	if _, err := thugom.RenderSMS(thugom.SMSData{Kind: thugom.SMSDropOff, Depot: "X", Orders: 1}); thugom.ErrorCode(err) != thugom.EInvalid {
		t.Fatalf("a drop-off SMS without place and time: %v", err)
	}
}
