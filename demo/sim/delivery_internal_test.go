package sim

import (
	"testing"
	"time"

	"github.com/thugom/thugom"
)

// The timetable's earliest and second arrivals count a "*" departure (it
// serves every province, as thugom's SLA rule says), and roll over the
// cutoff.
func TestArrivalsServeEveryProvince(t *testing.T) {
	t.Parallel()
	deps := []thugom.Departure{
		{CutoffAt: 17 * 3600, DepartsAt: 17*3600 + 1800, TransitHours: 0.5, Destinations: []string{"*"}},
		{CutoffAt: 17 * 3600, DepartsAt: 17*3600 + 1800, TransitHours: 1, Destinations: []string{"79"}},
	}
	day := time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	at, ok := delivery(deps, "01", day.Add(10*time.Hour))
	if want := day.Add(18 * time.Hour); !ok || !at.Equal(want) {
		t.Fatalf("earliest %s (%v), want %s by the \"*\" truck", at, ok, want)
	}
	if _, got := firstTrucks(deps, "01", day.Add(10*time.Hour)); !got.Equal(day.Add(42 * time.Hour)) {
		want := day.Add(42 * time.Hour)
		t.Fatalf("second truck %s, want %s (the next day's)", got, want)
	}
	if _, got := firstTrucks(deps, "79", day.Add(10*time.Hour)); !got.Equal(day.Add(18*time.Hour + 30*time.Minute)) {
		want := day.Add(18*time.Hour + 30*time.Minute)
		t.Fatalf("second truck to 79 %s, want %s", got, want)
	}
	if at, _ := delivery(deps, "01", day.Add(17*time.Hour+time.Minute)); !at.Equal(day.Add(42 * time.Hour)) {
		t.Fatalf("after the cutoff: %s, want the next day's truck", at)
	}
}
