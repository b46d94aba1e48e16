package jobs

import (
	"math"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
)

// Notice households can act on: a window message planned at 23:00 leaves
// at 06:30 (the waking hours), and a window from 06:45 then leaves a
// quarter of an hour to harvest and pack. A stop the household did not ask
// for and was not told is therefore never planned to start sooner than
// Deps.MinNotice after the household can first be told.

// windowLead is how long before the arrival a household's window starts,
// and the quarter hours windows start on (householdWindow).
const windowLead = 15 * time.Minute

// noticeWindows is the stop's windows raised to the notice floor: the
// planner's call for each stop of group g, told the window start the
// household was told (zero: none). Hub stops (the households bring their
// produce) and stops a vehicle is already on its way to keep theirs.
func (p *planner) noticeWindows(windows []routing.Window, g *group, told time.Time) []routing.Window {
	if g.dropoff != nil || g.frozen != nil {
		return windows
	}
	if told.IsZero() {
		told = failedWindow(p.prev, g.household)
	}
	floor := noticeFloor(p.s.deps.WakingHours, p.s.deps.MinNotice, p.day, p.now, askedFor(g.orders, p.now), told)
	return raiseOpen(windows, floor)
}

// failedWindow is the window start a household was told for a pickup of
// the day that failed (zero: none). Its produce was harvested and packed
// for that window and it was texted that a new time follows: the retry
// (RetryAfter, or its "ready" answer) is the same pickup, not one it must
// be given notice of again.
func failedWindow(prev []store.PlanStop, household int64) time.Time {
	for _, st := range prev {
		if st.Kind == thugom.StopPickup && st.Status == thugom.StopFailed && st.HouseholdID != nil && *st.HouseholdID == household {
			return st.WindowStart
		}
	}
	return time.Time{}
}

// noticeFloor is the earliest arrival at a stop, in seconds of the day,
// such that the window told (householdWindow: from windowLead before the
// arrival, on a quarter hour) starts minNotice or more after the household
// can first be told from now (when a window message planned now may leave:
// thugom.WakingHours.SendAt, the next waking instant). Planned at 23:00 with
// the default hours and 2 h, windows then start at 08:30 at the soonest, not
// at 06:45; planned at 17:00 the evening before, the floor is in the evening
// and changes nothing of tomorrow. A household already told its window
// (told; zero: not told) keeps it: the floor is no later than the arrival
// that window was told for. No floor (0) when the household asked for the
// pickup (askedFor) or minNotice is not positive.
func noticeFloor(w thugom.WakingHours, minNotice time.Duration, day, now time.Time, asked bool, told time.Time) float64 {
	if asked || minNotice <= 0 {
		return 0
	}
	start := w.SendAt(now, thugom.SMSPickupWindow, false, time.Time{}).Add(minNotice)
	if q := start.Truncate(windowLead); q.Before(start) {
		start = q.Add(windowLead)
	}
	floor := float64(thugom.SecondsSince(day, start.Add(windowLead)))
	if !told.IsZero() {
		// Its arrival was windowLead or more after the start told.
		floor = math.Min(floor, math.Max(0, float64(thugom.SecondsSince(day, told.Add(windowLead)))))
	}
	return math.Max(0, floor)
}

// raiseOpen opens windows no sooner than floor: a stop without a window gets
// one from floor to the end of the day; a window closing by floor stays open
// to the end of the day (the produce waits, as in stopTerms), or an hour
// past floor when floor is past the day's end (no vehicle reaches it today).
func raiseOpen(windows []routing.Window, floor float64) []routing.Window {
	if floor <= 0 {
		return windows
	}
	if len(windows) == 0 {
		windows = []routing.Window{{Open: 0, Close: 86400}}
	}
	var out []routing.Window
	for _, tw := range windows {
		if tw.Close > floor {
			out = append(out, routing.Window{Open: math.Max(tw.Open, floor), Close: tw.Close})
		}
	}
	if len(out) == 0 {
		out = []routing.Window{{Open: floor, Close: math.Max(86400, floor+windowLen.Seconds())}}
	}
	return out
}

// askedFor reports whether the households of a stop asked for it: every
// order ready by now (a "ready" answer sets its readiness to the moment of
// the answer; a readiness given at placement and already past: the produce
// is packed and someone home, waiting for us). A readiness still ahead — the
// demo's 07:00–10:00 given the evening before — says when the produce can
// be ready, not that the household can act on a window a quarter of an hour
// after its message: it gets the notice.
func askedFor(orders []store.PlanOrder, now time.Time) bool {
	for _, o := range orders {
		if o.Order.ReadyFrom == nil || o.Order.ReadyFrom.After(now) {
			return false
		}
	}
	return len(orders) > 0
}
