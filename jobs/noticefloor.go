package jobs

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

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
	floor := noticeFloor(p.s.deps.WakingHours, p.s.deps.MinNotice, p.day, p.now, askedFor(g.orders, p.now, p.s.deps.MinNotice), told)
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
// is packed and someone home, waiting for us), or whose readiness was given
// less than minNotice ahead of it. A household never needs more notice than
// it gave itself: placed at 10:07 ready from 11:00, it asked for a pickup
// from 11:00 (the readiness windows keep the stop there), with 53 minutes of
// notice it chose. A readiness given minNotice or more ahead — the demo's
// 07:00–10:00 given the evening before — says when the produce can be
// ready, not that the household can act on a window a quarter of an hour
// after its message: it gets the notice. The readiness was given at the
// order's placement, or now when the store learns of the order before its
// placement time (the demo seeds tomorrow's morning orders the evening
// before): the store holds no later time of it (a "ready" answer is ready
// now, a failed visit's retry is the told pickup, failedWindow).
func askedFor(orders []store.PlanOrder, now time.Time, minNotice time.Duration) bool {
	for _, o := range orders {
		r := o.Order.ReadyFrom
		if r == nil {
			return false
		}
		given := o.Order.PlacedAt
		if given.IsZero() || given.After(now) {
			given = now
		}
		if r.After(now) && r.Sub(given) >= minNotice {
			return false
		}
	}
	return len(orders) > 0
}

// The last call: orders that arrive after the evening planning (17:00) are
// planned into tomorrow at its re-plan LastCallAt, half an hour before the
// waking hours end, so their households are told their windows tonight
// instead of at 06:30 — when the notice floor would keep tomorrow's first
// two hours from them. On the harvest week half the orders arrive between
// 18:00 and midnight, 24 h orders that must make the 10:30 truck.

// KindLastCall re-plans tomorrow at LastCallAt.
const KindLastCall = "last_call_planning"

// CauseLastCall is the re-plan cause of the last call.
const CauseLastCall = "last_call"

// lastCallBefore is how long before the waking hours end the last call
// re-plans: its window messages leave before then.
const lastCallBefore = 30 * time.Minute

// LastCallArgs re-plans a day of every depot with orders for it (the
// periodic last call's, for tomorrow: inserted once a day by the leader).
type LastCallArgs struct {
	Day string `json:"day"` // "2006-01-02"
}

// Kind implements river.JobArgs.
func (LastCallArgs) Kind() string { return KindLastCall }

type lastCallWorker struct {
	river.WorkerDefaults[LastCallArgs]
	s *Service
}

func (w *lastCallWorker) Work(ctx context.Context, job *river.Job[LastCallArgs]) error {
	day, err := ParseDay(job.Args.Day)
	if err != nil {
		return river.JobCancel(err)
	}
	_, err = w.s.LastCall(ctx, day)
	return err
}

// LastCallAt is when tomorrow is re-planned for the orders that came in
// since the evening planning, seconds after local midnight: half an hour
// before the waking hours end (20:30 by default); negative when there is no
// evening planning, no notice floor, or the evening planning is later.
func (s *Service) LastCallAt() int {
	at := s.deps.WakingHours.Until - int(lastCallBefore.Seconds())
	if s.deps.EveningAt < 0 || s.deps.MinNotice <= 0 || at <= s.deps.EveningAt {
		return -1
	}
	return at
}

// LastCall enqueues the re-plan of day for every depot with orders for it
// (what the periodic job does; simulations call it directly, or plan the
// depots themselves with CauseLastCall). It returns the depots.
func (s *Service) LastCall(ctx context.Context, day time.Time) ([]int64, error) {
	var depots []int64
	now := s.now()
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if depots, err = store.DepotsWithOrders(ctx, tx, thugom.Day(day).Add(24*time.Hour)); err != nil {
			return err
		}
		for _, d := range depots {
			if _, err := s.client.InsertTx(ctx, tx, ReplanArgs{DepotID: d, Day: DayString(day), Cause: CauseLastCall, RequestedAt: now}, nil); err != nil {
				return fmt.Errorf("enqueue last call: %w", err)
			}
		}
		return nil
	})
	return depots, err
}

// lastCallPeriodicJob runs the last call daily; nil when there is none.
func lastCallPeriodicJob(s *Service) *river.PeriodicJob {
	at := s.LastCallAt()
	if at < 0 {
		return nil
	}
	return river.NewPeriodicJob(DailyAt(at),
		func() (river.JobArgs, *river.InsertOpts) {
			return LastCallArgs{Day: DayString(Tomorrow(s.now()))}, nil
		},
		&river.PeriodicJobOpts{ID: "last_call_planning"})
}

// noticeReady is the earliest a household that placed an order at placed,
// its produce ready from ready (zero: at placement), can be visited for a
// window it was given the notice of — what the promise counts on
// (thugom.Promise's Ready), so that it aims at what the planner may do: the
// readiness itself when the household asked for it (askedFor's rule: ready
// by placement, or given under the minimum notice ahead), else no sooner
// than the notice floor of a plan made at placement (placed at 22:00: told
// at 06:30, visited from 08:45, whatever its 07:00 readiness).
func (s *Service) noticeReady(placed, ready time.Time) time.Time {
	if ready.IsZero() || ready.Before(placed) {
		ready = placed
	}
	n := s.deps.MinNotice
	if n <= 0 || ready.Sub(placed) < n {
		return ready
	}
	day := thugom.Day(ready)
	floor := day.Add(time.Duration(noticeFloor(s.deps.WakingHours, n, day, placed, false, time.Time{})) * time.Second)
	if floor.After(ready) {
		return floor
	}
	return ready
}
