package fakecarrier

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/thugom/thugom"
)

// The last mile's model over many parcels (fixed seed): every delivery in
// a round (08:00–19:30) after the arrival, the next day's when sorted
// after 17:00; about FailShare of first attempts fail and are delivered
// the next day; the median delay after the round starts near 2 h 30.
func TestLastMileModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	arrive := time.Date(2026, 9, 16, 18, 0, 0, 0, thugom.Local)
	early := time.Date(2026, 9, 16, 5, 30, 0, 0, thugom.Local)
	failed, n := 0, 4000
	var delays []time.Duration
	for i := range n {
		at := arrive
		if i%2 == 0 {
			at = early
		}
		plan := lastMile(at, vtpSteps, rng, DefaultFailShare)
		last := plan[len(plan)-1]
		if last.status != vtpSteps.delivered || plan[0].status != vtpSteps.arrived || !plan[0].at.Equal(at) {
			t.Fatalf("plan %+v", plan)
		}
		day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, thugom.Local)
		if at.Equal(arrive) {
			day = day.AddDate(0, 0, 1) // sorted at 19:00: the next day's round
		}
		if len(plan) == 5 {
			failed++
			if plan[2].status != vtpSteps.failed {
				t.Fatalf("failed plan %+v", plan)
			}
			day = day.AddDate(0, 0, 1)
		}
		d := last.at.Sub(day)
		if d < 8*time.Hour || d > 19*time.Hour+30*time.Minute {
			t.Fatalf("delivered at %s (arrival %s)", last.at, at)
		}
		delays = append(delays, last.at.Sub(plan[len(plan)-2].at))
	}
	if share := float64(failed) / float64(n); share < 0.045 || share > 0.075 {
		t.Errorf("failed first attempts %.3f, want about %.2f", share, DefaultFailShare)
	}
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	if med := delays[n/2]; med < 2*time.Hour || med > 3*time.Hour {
		t.Errorf("median delay %s, want about 2h30", med)
	}
	// VNPost tells no arrival nor round: failed and delivered only.
	plan := lastMile(arrive, vnpSteps, rng, 1)
	if len(plan) != 2 || plan[0].status != vnpSteps.failed || plan[1].status != vnpSteps.delivered {
		t.Errorf("vnpost plan %+v", plan)
	}
}

// The timetable's arrival: the first truck whose cutoff is after the
// handover and that serves the province (an overnight truck's cutoff the
// evening before), plus its transit; none when no truck serves it.
func TestTimetable(t *testing.T) {
	deps := []thugom.Departure{
		{DepartsAt: 11 * 3600, CutoffAt: 10*3600 + 30*60, TransitHours: 7, Destinations: []string{"01"}},
		{DepartsAt: 2 * 3600, CutoffAt: 22 * 3600, TransitHours: 20},
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, 9, d, h, m, 0, 0, thugom.Local) }
	for _, c := range []struct {
		province string
		handed   time.Time
		want     time.Time
	}{
		{"01", at(16, 10, 0), at(16, 18, 0)},
		{"01", at(16, 10, 30), at(17, 22, 0)}, // missed 10:30: the 02:00 of the 17th (cutoff 22:00 the 16th)
		{"79", at(16, 9, 0), at(17, 22, 0)},
		{"79", at(16, 23, 0), at(18, 22, 0)},
	} {
		got, ok := Timetable(deps, c.province, c.handed)
		if !ok || !got.Equal(c.want) {
			t.Errorf("%s handed over %s: %s %v, want %s", c.province, c.handed, got, ok, c.want)
		}
	}
	if _, ok := Timetable(deps[:1], "79", at(16, 9, 0)); ok {
		t.Error("a province no truck serves has an arrival")
	}
}
