package fakecarrier

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/thugom/thugom"
)

// The last mile's model over many parcels (fixed seed), scheduled by the
// timetable in the evening (19:30: the round ends at 21:00), before the
// round (06:30) and in the afternoon (14:00): no delivery before its
// scheduled time nor outside a round (08:00–21:00); the statuses in their
// order, from the handover on; about FailShare of first attempts fail and
// are delivered on a later day; the median delay after the attempt's
// earliest time near 40 min; the evening's parcels that a round cannot
// take are delivered the next morning.
func TestLastMileModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	day := time.Date(2026, 9, 16, 0, 0, 0, 0, thugom.Local)
	handed := day.Add(10 * time.Hour)
	scheduled := []time.Time{day.Add(19*time.Hour + 30*time.Minute), day.Add(24*time.Hour + 6*time.Hour + 30*time.Minute), day.Add(14 * time.Hour)}
	failed, nextDay, n := 0, 0, 6000
	var delays []time.Duration
	for i := range n {
		at := scheduled[i%3]
		plan := lastMile(handed, at, vtpSteps, rng, DefaultFailShare)
		last := plan[len(plan)-1]
		if last.status != vtpSteps.delivered || plan[0].status != vtpSteps.arrived || !plan[0].at.Equal(at.Add(-2*time.Hour)) {
			t.Fatalf("plan %+v", plan)
		}
		for j := 1; j < len(plan); j++ {
			if plan[j].at.Before(plan[j-1].at) {
				t.Fatalf("statuses out of order: %+v", plan)
			}
		}
		if last.at.Before(at) {
			t.Fatalf("delivered at %s, before its scheduled %s", last.at, at)
		}
		local := last.at.In(thugom.Local)
		if h := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute; h < 8*time.Hour || h > 21*time.Hour {
			t.Fatalf("delivered at %s, outside the rounds", last.at)
		}
		if len(plan) == 5 {
			failed++
			if plan[2].status != vtpSteps.failed || thugom.Day(plan[4].at).Equal(thugom.Day(plan[2].at)) {
				t.Fatalf("failed plan %+v", plan)
			}
			continue
		}
		from := at
		if i%3 == 1 {
			from = day.Add(32 * time.Hour) // 08:00 of the 17th
		}
		if i%3 == 0 && !thugom.Day(last.at).Equal(day) {
			nextDay++
			continue
		}
		delays = append(delays, last.at.Sub(from))
	}
	if share := float64(failed) / float64(n); share < 0.045 || share > 0.075 {
		t.Errorf("failed first attempts %.3f, want about %.2f", share, DefaultFailShare)
	}
	// From 19:30, a delay over 90 min (about 16 %) misses the round.
	if share := float64(nextDay) / float64(n/3); share < 0.10 || share > 0.22 {
		t.Errorf("evening parcels delivered the next day %.3f, want about 0.16", share)
	}
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	if med := delays[len(delays)/2]; med < 35*time.Minute || med > 45*time.Minute {
		t.Errorf("median delay %s, want about 40 min", med)
	}
	// VNPost tells no arrival nor round: failed and delivered only.
	plan := lastMile(handed, scheduled[2], vnpSteps, rng, 1)
	if len(plan) != 2 || plan[0].status != vnpSteps.failed || plan[1].status != vnpSteps.delivered {
		t.Errorf("vnpost plan %+v", plan)
	}
	// A transit shorter than the office's lead: at the office from the
	// handover, not before it.
	if plan := lastMile(handed, handed.Add(time.Hour), vtpSteps, rng, 0); !plan[0].at.Equal(handed) {
		t.Errorf("arrived %s, before the handover %s", plan[0].at, handed)
	}
}

// The timetable's arrival: of the trucks that serve the province and
// whose cutoff is not past at the handover (an overnight truck's cutoff
// the evening before), the earliest arrival; none when no truck serves it.
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
		{"01", at(16, 10, 30), at(16, 18, 0)}, // at the cutoff: still on it
		{"01", at(16, 10, 31), at(17, 18, 0)}, // missed 10:30: the 11:00 of the 17th arrives before the 02:00 truck (22:00)
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

// A hand-over told while a webhook is being posted (thugom's sender and
// the courier's flush meet) may queue a hook due before the one in
// flight: the flush takes off the hook it sent, so the new one is sent
// too and none twice. The webhook endpoint tells the second hand-over
// while it answers the first post.
func TestFlushMeetsHandover(t *testing.T) {
	t.Parallel()
	hand := time.Date(2026, 9, 15, 9, 0, 0, 0, thugom.Local)
	var c *Courier
	var mu sync.Mutex // the endpoint's goroutine and the test's
	var posts []string
	told := false
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		posts = append(posts, string(b))
		if !told {
			told = true
			// Handed over earlier than the first parcel's hooks: its
			// first hook goes ahead of the one being posted.
			if err := c.handedOver(Order{Waybill: "EARLY", Reference: "R-EARLY"}, hand.Add(-3*time.Hour)); err != nil {
				t.Error(err)
			}
		}
	}))
	defer srv.Close()
	c = newCourier(srv.URL, srv.Client(), 1, vnpSteps, func(o Order, code int, _ string, at time.Time) ([]byte, error) {
		return []byte(fmt.Sprintf("%s %d %s", o.Waybill, code, at.Format(time.RFC3339))), nil
	})
	c.FailShare = 0
	c.Arrival = func(_ Order, handed time.Time) (time.Time, bool) { return handed.Add(6 * time.Hour), true }
	if err := c.handedOver(Order{Waybill: "LATE", Reference: "R-LATE"}, hand); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Flush(context.Background(), hand.AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	if p := c.Pending(); len(p) != 0 {
		t.Errorf("%d hooks still pending", len(p))
	}
	seen := map[string]int{}
	for _, h := range c.Sent() {
		seen[h.Waybill+" "+fmt.Sprint(h.Code)]++
	}
	for _, bill := range []string{"EARLY", "LATE"} {
		if seen[bill+" "+fmt.Sprint(vnpSteps.delivered.code)] != 1 {
			t.Errorf("%s delivered %d times in %v", bill, seen[bill+" "+fmt.Sprint(vnpSteps.delivered.code)], seen)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posts) != len(c.Sent()) {
		t.Errorf("%d posts for %d hooks sent (one twice?)", len(posts), len(c.Sent()))
	}
}
