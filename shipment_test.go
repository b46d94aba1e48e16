package thugom_test

import (
	"testing"
	"time"

	"github.com/thugom/thugom"
)

// estimateTimetable: an overnight truck to Hà Nội by code (cutoff 23:00
// the evening before, leaves 01:00, 4 h), an afternoon truck to every
// province ("*": cutoff 13:00, leaves 14:00, 30 h).
var estimateTimetable = []thugom.Departure{
	{ID: 1, CutoffAt: hm(23, 0), DepartsAt: hm(1, 0), TransitHours: 4, Destinations: []string{"01"}},
	{ID: 2, CutoffAt: hm(13, 0), DepartsAt: hm(14, 0), TransitHours: 30, Destinations: []string{"*"}},
}

func TestEstimatedDelivery(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	at := func(d, h, m int) time.Time {
		return day.AddDate(0, 0, d).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	for _, c := range []struct {
		name     string
		province string
		atDepot  time.Time
		want     time.Time // zero: none
	}{
		// The overnight truck leaving the 16th 01:00 closes the 15th
		// 23:00: at the depot at 15:00, the parcel is in Hà Nội the
		// 16th 05:00 (migration 00855's SQL gave the 15th 05:00, a day
		// early, from the 16th's truck; and nothing for a province by
		// name).
		{"overnight, province by name", "Thành phố Hà Nội", at(0, 15, 0), at(1, 5, 0)},
		{"overnight, province by code", "01", at(0, 22, 59), at(1, 5, 0)},
		{"at the cutoff still makes it", "ha noi", at(0, 23, 0), at(1, 5, 0)},
		{"after the overnight cutoff: the next truck, the star one", "Hà Nội", at(0, 23, 30), at(1, 14+30, 0)},
		{"the star serves a province no truck names", "Cà Mau", at(0, 12, 0), at(0, 14+30, 0)},
		{"after the star's cutoff: the next day's", "Tỉnh Cà Mau", at(0, 13, 1), at(1, 14+30, 0)},
		// After midnight the overnight truck of the night before is gone;
		// the first cutoff made is the star's (the promise rides it too).
		{"early morning: the first cutoff after it", "01", at(0, 0, 30), at(0, 14+30, 0)},
	} {
		got, ok := thugom.EstimatedDelivery(estimateTimetable, c.province, c.atDepot)
		if !ok || !got.Equal(c.want) {
			t.Errorf("%s: %s at %s: got %s (%v), want %s", c.name, c.province, c.atDepot, got, ok, c.want)
		}
	}
	// No truck serves the province: no estimate.
	only := estimateTimetable[:1]
	if got, ok := thugom.EstimatedDelivery(only, "Cà Mau", at(0, 9, 0)); ok {
		t.Errorf("a province no truck serves got %s", got)
	}
	// The estimate is the promise's truck: the first of thugom.Trucks
	// whose cutoff the parcel makes.
	for h := range 48 {
		a := at(0, h, 17)
		tr := thugom.Trucks(estimateTimetable, "Hà Nội", thugom.Day(a), -1, 8)
		var want time.Time
		for _, x := range tr {
			if !x.Cutoff.Before(a) {
				want = x.Arrive
				break
			}
		}
		if got, _ := thugom.EstimatedDelivery(estimateTimetable, "Hà Nội", a); !got.Equal(want) {
			t.Errorf("at %s: %s, the trucks' first %s", a, got, want)
		}
	}
}
