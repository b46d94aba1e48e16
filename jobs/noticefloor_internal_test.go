package jobs

import (
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
)

func TestNoticeFloor(t *testing.T) {
	t.Parallel()
	w := thugom.DefaultWakingHours
	eve := policyDay.Add(-time.Hour) // 23:00 the evening before
	for _, c := range []struct {
		name   string
		now    time.Time
		notice time.Duration
		asked  bool
		told   time.Time     // the window start told (zero: none)
		want   time.Duration // earliest arrival after the day's midnight; 0: none
		tell   time.Time     // when the household is first told (zero: not checked)
	}{
		{"planned at 17:00 the evening before (the harvest week): no floor", policyDay.Add(-7 * time.Hour), 2 * time.Hour, false, time.Time{}, 0, time.Time{}},
		{"planned at 20:30: the evening still gives the notice", policyDay.Add(-3*time.Hour - 30*time.Minute), 2 * time.Hour, false, time.Time{}, 0, time.Time{}},
		{"planned at night: told at 06:30, window from 08:30", eve, 2 * time.Hour, false, time.Time{}, 8*time.Hour + 45*time.Minute, at(6, 30)},
		{"planned at 03:00", at(3, 0), 2 * time.Hour, false, time.Time{}, 8*time.Hour + 45*time.Minute, at(6, 30)},
		{"planned at 06:30 sharp", at(6, 30), 2 * time.Hour, false, time.Time{}, 8*time.Hour + 45*time.Minute, at(6, 30)},
		{"in the day: told now, window on the next quarter hour", at(10, 7), 2 * time.Hour, false, time.Time{}, 12*time.Hour + 30*time.Minute, at(10, 7)},
		{"in the day on a quarter hour", at(10, 0), 2 * time.Hour, false, time.Time{}, 12*time.Hour + 15*time.Minute, at(10, 0)},
		{"a shorter notice", eve, 30 * time.Minute, false, time.Time{}, 7*time.Hour + 15*time.Minute, at(6, 30)},
		{"after the waking hours: told tomorrow, nothing today", at(21, 30), 2 * time.Hour, false, time.Time{}, 24*time.Hour + 8*time.Hour + 45*time.Minute, at(30, 30)},
		{"the household asked", eve, 2 * time.Hour, true, time.Time{}, 0, time.Time{}},
		{"told 07:00–08:00 the evening before: keeps it", at(6, 0), 2 * time.Hour, false, at(7, 0), 7*time.Hour + 15*time.Minute, time.Time{}},
		{"told 10:00–11:00: the notice floor is sooner", eve, 2 * time.Hour, false, at(10, 0), 8*time.Hour + 45*time.Minute, time.Time{}},
		{"asked and told", at(10, 7), 2 * time.Hour, true, at(7, 0), 0, time.Time{}},
		{"no minimum notice", eve, 0, false, time.Time{}, 0, time.Time{}},
		{"a negative notice is none", eve, -time.Hour, false, time.Time{}, 0, time.Time{}},
	} {
		got := noticeFloor(w, c.notice, policyDay, c.now, c.asked, c.told)
		if got != c.want.Seconds() {
			t.Errorf("%s: floor %v, want %v", c.name, time.Duration(got)*time.Second, c.want)
			continue
		}
		if c.tell.IsZero() {
			continue
		}
		// The window told from the earliest arrival gives the notice.
		start, _ := householdWindow(policyDay.Add(time.Duration(got)*time.Second), time.Time{})
		if start.Before(c.tell.Add(c.notice)) || start.Sub(c.tell) >= c.notice+windowLead {
			t.Errorf("%s: window from %s for a message at %s, want %v of notice (less than %v more)", c.name, start.Format("01-02 15:04"), c.tell.Format("01-02 15:04"), c.notice, windowLead)
		}
	}
}

func TestRaiseOpen(t *testing.T) {
	t.Parallel()
	const floor = 31500.0 // 08:45
	for _, c := range []struct {
		name  string
		in    []routing.Window
		floor float64
		want  []routing.Window
	}{
		{"no floor keeps the windows", []routing.Window{{Open: 0, Close: 40000}}, 0, []routing.Window{{Open: 0, Close: 40000}}},
		{"no floor, no window", nil, 0, nil},
		{"no window: from the floor to the day's end", nil, floor, []routing.Window{{Open: floor, Close: 86400}}},
		{"a window open sooner opens at the floor", []routing.Window{{Open: 25200, Close: 40000}}, floor, []routing.Window{{Open: floor, Close: 40000}}},
		{"a window opening later is kept", []routing.Window{{Open: 36000, Close: 50000}}, floor, []routing.Window{{Open: 36000, Close: 50000}}},
		{"a window over by the floor: the rest of the day", []routing.Window{{Open: 0, Close: 30000}}, floor, []routing.Window{{Open: floor, Close: 86400}}},
		{"only the windows still open", []routing.Window{{Open: 0, Close: 30000}, {Open: 40000, Close: 50000}}, floor, []routing.Window{{Open: 40000, Close: 50000}}},
		{"a floor past the day's end: an hour then", nil, 90000, []routing.Window{{Open: 90000, Close: 93600}}},
	} {
		got := raiseOpen(c.in, c.floor)
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
}

func TestAskedFor(t *testing.T) {
	t.Parallel()
	now := at(9, 0)
	answered, ready10, ready1030 := at(8, 40), at(10, 0), at(10, 30)
	o := func(placed time.Time, r *time.Time) store.PlanOrder {
		var po store.PlanOrder
		po.Order.PlacedAt, po.Order.ReadyFrom = placed, r
		return po
	}
	eve := policyDay.Add(-4 * time.Hour) // 20:00 the evening before
	for _, c := range []struct {
		name   string
		orders []store.PlanOrder
		want   bool
	}{
		{"a ready answer (ready since the answer)", []store.PlanOrder{o(eve, &answered)}, true},
		{"ready at 10:00 said the evening before: still owed notice", []store.PlanOrder{o(eve, &ready10)}, false},
		{"placed at 08:30 ready at 10:00: the 1 h 30 it gave itself", []store.PlanOrder{o(at(8, 30), &ready10)}, true},
		{"placed at 08:30 ready at 10:30: 2 h ahead, owed notice", []store.PlanOrder{o(at(8, 30), &ready1030)}, false},
		{"placed at 08:31 ready at 10:30: under 2 h", []store.PlanOrder{o(at(8, 31), &ready1030)}, true},
		{"placed after now (the demo's seeding): given now", []store.PlanOrder{o(at(9, 30), &ready10), o(at(10, 0), &ready1030)}, true},
		{"placed after now, ready 2 h after now", []store.PlanOrder{o(at(9, 30), &[]time.Time{at(11, 0)}[0])}, false},
		{"no readiness", []store.PlanOrder{o(eve, nil)}, false},
		{"a shared stop where one household did not say", []store.PlanOrder{o(eve, &answered), o(eve, nil)}, false},
		{"a shared stop where one household is owed notice", []store.PlanOrder{o(at(8, 30), &ready10), o(eve, &ready10)}, false},
		{"no order", nil, false},
	} {
		if got := askedFor(c.orders, now, 2*time.Hour); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// A household whose pickup of the day failed was told that window: the
// retry is the same pickup, so noticeWindows finds its told window there.
func TestFailedWindow(t *testing.T) {
	t.Parallel()
	hh, other := int64(7), int64(8)
	stop := func(h int64, kind, status string, ws time.Time) store.PlanStop {
		var st store.PlanStop
		st.HouseholdID, st.Kind, st.Status, st.WindowStart = &h, kind, status, ws
		return st
	}
	prev := []store.PlanStop{
		stop(other, thugom.StopPickup, thugom.StopFailed, at(8, 0)),
		stop(hh, thugom.StopPickup, thugom.StopPickedUp, at(9, 0)),
		stop(hh, thugom.StopPickup, thugom.StopFailed, at(10, 0)),
	}
	if got := failedWindow(prev, hh); !got.Equal(at(10, 0)) {
		t.Errorf("failed window %v, want 10:00", got)
	}
	if got := failedWindow(prev[1:2], hh); !got.IsZero() {
		t.Errorf("a pickup done is no failed window: %v", got)
	}
	if got := failedWindow(nil, hh); !got.IsZero() {
		t.Errorf("no stop: %v", got)
	}
	// Told 10:00–11:00, failed, retried from 11:30 at 11:00: no floor
	// holds the retry back.
	if f := noticeFloor(thugom.DefaultWakingHours, 2*time.Hour, policyDay, at(11, 0), false, failedWindow(prev, hh)); f > at(11, 0).Sub(policyDay).Seconds() {
		t.Errorf("retry floored to %v", time.Duration(f)*time.Second)
	}
}

// The promise counts on the visit the notice floor allows: an order placed
// at 22:00 ready from 07:00 is visited from 08:45 (told at 06:30), one
// placed at 19:00 from its readiness (told tonight), one that asked (ready
// within the notice it gave itself) from its readiness.
func TestNoticeReady(t *testing.T) {
	t.Parallel()
	s := &Service{deps: Deps{MinNotice: 2 * time.Hour, WakingHours: thugom.DefaultWakingHours}}
	eve := func(h, m int) time.Time {
		return policyDay.Add(-24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	for _, c := range []struct {
		name          string
		placed, ready time.Time
		want          time.Time
	}{
		{"placed at 22:00 for 07:00", eve(22, 0), at(7, 0), at(8, 45)},
		{"placed at 22:00 for 09:30", eve(22, 0), at(9, 30), at(9, 30)},
		{"placed at 19:00 for 07:00", eve(19, 0), at(7, 0), at(7, 0)},
		{"placed at 05:45 for 07:00: asked", at(5, 45), at(7, 0), at(7, 0)},
		{"placed at 10:07 for 11:00: asked", at(10, 7), at(11, 0), at(11, 0)},
		{"placed at 10:00 for 12:30: the floor is sooner", at(10, 0), at(12, 30), at(12, 30)},
		{"no readiness: at placement", at(10, 0), time.Time{}, at(10, 0)},
	} {
		if got := s.noticeReady(c.placed, c.ready); !got.Equal(c.want) {
			t.Errorf("%s: %s, want %s", c.name, got.Format("01-02 15:04"), c.want.Format("01-02 15:04"))
		}
	}
	s.deps.MinNotice = -1
	if got := s.noticeReady(eve(22, 0), at(7, 0)); !got.Equal(at(7, 0)) {
		t.Errorf("no floor: %s", got.Format("15:04"))
	}
}
