package api

import (
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// TestCountsOfTheDayShown: tomorrow's view counts only tomorrow's orders
// at risk; today's keeps those still open past their deadline; a pickup
// reported far outside its window is early or late, not on time.
func TestCountsOfTheDayShown(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, thugom.Local)
	now, tomorrow := today.Add(20*time.Hour), today.AddDate(0, 0, 1)
	at := func(d time.Time, h int) *time.Time { x := d.Add(time.Duration(h) * time.Hour); return &x }
	item := func(due *time.Time) store.SLAItem { return store.SLAItem{HandoverDeadline: due} }
	for _, c := range []struct {
		name string
		it   store.SLAItem
		day  time.Time
		want bool
	}{
		{"today's in today's view", item(at(today, 16)), today, true},
		{"today's not in tomorrow's view", item(at(today, 16)), tomorrow, false},
		{"tomorrow's in tomorrow's view", item(at(tomorrow, 16)), tomorrow, true},
		{"tomorrow's not in today's view", item(at(tomorrow, 16)), today, false},
		{"yesterday's still open in today's view", item(at(today, -8)), today, true},
		{"promise without a deadline", store.SLAItem{PromisedBy: *at(tomorrow, 10)}, tomorrow, true},
	} {
		if got := ofDay(c.it, c.day, now); got != c.want {
			t.Errorf("%s: ofDay = %v, want %v", c.name, got, c.want)
		}
	}
	w0, w1 := *at(today, 7), *at(today, 8)
	stop := func(status string, rep *time.Time) stopOut {
		return stopOut{Kind: thugom.StopPickup, Status: status, WindowStart: w0, WindowEnd: w1, ReportedAt: rep}
	}
	early := today.Add(2*time.Hour + 28*time.Minute) // 02:28 for a 07:00 window
	in := today.Add(7*time.Hour + 30*time.Minute)
	got := timingOf([]routeOut{{Stops: []stopOut{stop(thugom.StopPickedUp, &early), stop(thugom.StopPickedUp, &in),
		stop(thugom.StopDone, at(today, 11)), stop(thugom.StopFailed, &in), stop(thugom.StopPlanned, nil)}}})
	if want := (pickupTiming{InWindow: 1, Early: 1, Late: 1}); got != want {
		t.Fatalf("timingOf = %+v, want %+v", got, want)
	}
}
