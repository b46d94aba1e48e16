package jobs

import (
	"math"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
)

var policyDay = time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)

func at(h, m int) time.Time {
	return policyDay.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

func TestGroupKey(t *testing.T) {
	t.Parallel()
	o := func(hh int64, shares bool, h3 string) store.PlanOrder {
		var po store.PlanOrder
		po.Order.HouseholdID, po.Household.SharesCollection, po.Household.H3 = hh, shares, h3
		return po
	}
	for _, c := range []struct {
		o      store.PlanOrder
		frozen int64
		want   string
	}{
		{o(7, false, "89abc"), 0, "h7"},
		{o(7, true, "89abc"), 0, "c89abc"}, // shared village point
		{o(7, true, ""), 0, "h7"},          // opted in but not placed in a cell
		{o(7, true, "89abc"), 12, "f12"},   // a vehicle is on its way: that stop
	} {
		if got := groupKey(c.o, c.frozen); got != c.want {
			t.Errorf("groupKey(%+v, %d) = %s, want %s", c.o.Household, c.frozen, got, c.want)
		}
	}
}

func TestServiceTime(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		parcels int
		want    float64
	}{{0, 300}, {1, 360}, {10, 900}, {25, 1800}, {1000, 1800}} {
		if got := serviceTime(c.parcels); got != c.want {
			t.Errorf("serviceTime(%d) = %v, want %v", c.parcels, got, c.want)
		}
	}
}

func TestStopPenalty(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		orders                int
		urgent, told, carried bool
		want                  float64
	}{{1, false, false, false, 1000}, {2, false, false, false, 2000}, {1, true, false, false, 3000}, {1, false, true, false, 10000},
		{2, true, true, false, 60000}, {1, true, false, true, 30000}, {1, true, true, true, 30000}} {
		if got := stopPenalty(c.orders, c.urgent, c.told, c.carried); got != c.want {
			t.Errorf("stopPenalty(%d, %v, %v, %v) = %v, want %v", c.orders, c.urgent, c.told, c.carried, got, c.want)
		}
	}
}

func TestStopTerms(t *testing.T) {
	t.Parallel()
	deps := []thugom.Departure{{ID: 1, Name: "Hà Nội", DepartsAt: 15 * 3600, CutoffAt: 14*3600 + 30*60, TransitHours: 4}}
	order := func(ready, until *time.Time, deadline *time.Time, fresh int) store.PlanOrder {
		var po store.PlanOrder
		po.Order.ID = 1
		po.Order.PlacedAt, po.Order.PromiseHours, po.Order.DestinationProvince = at(0, 0), 24, "01"
		po.Order.ReadyFrom, po.Order.ReadyUntil, po.Order.HandoverDeadline = ready, until, deadline
		po.Product.FreshnessHours = fresh
		return po
	}
	broken := func(po store.PlanOrder, reason string) store.PlanOrder {
		po.Order.AtRisk, po.Order.AtRiskReason = true, reason
		return po
	}
	t8, t10, t9, t1430 := at(8, 0), at(10, 0), at(9, 0), at(14, 30)
	yest8, yest10, yest1430 := t8.AddDate(0, 0, -1), t10.AddDate(0, 0, -1), t1430.AddDate(0, 0, -1)
	cases := []struct {
		name     string
		orders   []store.PlanOrder
		nowS     float64
		window   *routing.Window
		deadline float64
		urgent   bool
		carried  bool
		writes   int
	}{
		{name: "ready window, stored deadline today", orders: []store.PlanOrder{order(&t8, &t10, &t1430, 96)},
			nowS: 7 * 3600, window: &routing.Window{Open: 8 * 3600, Close: 10 * 3600}, deadline: 14.5 * 3600, urgent: true},
		{name: "window starts now when ready earlier", orders: []store.PlanOrder{order(&t8, &t10, &t1430, 96)},
			nowS: 9 * 3600, window: &routing.Window{Open: 9 * 3600, Close: 10 * 3600}, deadline: 14.5 * 3600, urgent: true},
		{name: "a window already over: the rest of the day", orders: []store.PlanOrder{order(&t8, &t9, &t1430, 96)},
			nowS: 9.5 * 3600, window: &routing.Window{Open: 9.5 * 3600, Close: 86400}, deadline: 14.5 * 3600, urgent: true},
		{name: "ready yesterday, planned in the evening before: the whole day, carried", orders: []store.PlanOrder{order(&yest8, &yest10, &yest1430, 96)},
			nowS: 0, window: nil, deadline: 0, urgent: true, carried: true},
		{name: "promise lost at placement: ranks with produce left waiting", orders: []store.PlanOrder{broken(order(&t8, &t10, &t1430, 96), "ready at 14:00 15/09, too late for the 14:30 cutoff")},
			nowS: 7 * 3600, window: &routing.Window{Open: 8 * 3600, Close: 10 * 3600}, deadline: 14.5 * 3600, urgent: true, carried: true},
		{name: "at risk because a plan made it late: not lost at placement", orders: []store.PlanOrder{broken(order(&t8, &t10, &t1430, 96), "late: planned back 20 min after its handover deadline")},
			nowS: 7 * 3600, window: &routing.Window{Open: 8 * 3600, Close: 10 * 3600}, deadline: 14.5 * 3600, urgent: true},
		{name: "two orders: the windows intersect", orders: []store.PlanOrder{order(&t8, &t10, &t1430, 96), order(&t9, nil, &t1430, 96)},
			nowS: 0, window: &routing.Window{Open: 9 * 3600, Close: 10 * 3600}, deadline: 14.5 * 3600, urgent: true},
		{name: "deadline passed: urgent, no deadline to meet", orders: []store.PlanOrder{order(nil, nil, &t1430, 96)},
			nowS: 15 * 3600, window: &routing.Window{Open: 15 * 3600, Close: 86400}, deadline: 0, urgent: true},
		{name: "no stored deadline: computed and returned to store", orders: []store.PlanOrder{order(nil, nil, nil, 96)},
			nowS: 0, window: nil, deadline: 14.5 * 3600, urgent: true, writes: 1},
	}
	for _, c := range cases {
		got, writes, err := stopTerms(c.orders, deps, policyDay, c.nowS)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		switch {
		case c.window == nil && len(got.windows) != 0, c.window != nil && (len(got.windows) != 1 || got.windows[0] != *c.window):
			t.Errorf("%s: windows %v, want %v", c.name, got.windows, c.window)
		case math.Abs(got.deadline-c.deadline) > 1:
			t.Errorf("%s: deadline %v, want %v", c.name, got.deadline, c.deadline)
		case got.urgent != c.urgent:
			t.Errorf("%s: urgent %v", c.name, got.urgent)
		case got.carried != c.carried:
			t.Errorf("%s: carried %v", c.name, got.carried)
		case len(writes) != c.writes:
			t.Errorf("%s: %d deadlines to store, want %d", c.name, len(writes), c.writes)
		}
	}
}

func TestHouseholdWindow(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		eta, prev  time.Time
		start, end time.Time
	}{
		{at(9, 40), time.Time{}, at(9, 15), at(10, 15)},
		{at(9, 0), time.Time{}, at(8, 45), at(9, 45)},
		{at(9, 40), at(9, 0), at(9, 0), at(10, 0)},   // still within the window told: kept
		{at(10, 5), at(9, 0), at(9, 45), at(10, 45)}, // beyond it: a new one
		{at(8, 50), at(9, 0), at(8, 30), at(9, 30)},  // before it: a new one
	} {
		s, e := householdWindow(c.eta, c.prev)
		if !s.Equal(c.start) || !e.Equal(c.end) {
			t.Errorf("householdWindow(%s, %s) = %s–%s, want %s–%s", c.eta.Format("15:04"), c.prev.Format("15:04"),
				s.Format("15:04"), e.Format("15:04"), c.start.Format("15:04"), c.end.Format("15:04"))
		}
	}
}

func TestDepartureFor(t *testing.T) {
	t.Parallel()
	deps := []thugom.Departure{{ID: 1, CutoffAt: 10 * 3600}, {ID: 2, CutoffAt: 14 * 3600}, {ID: 3, CutoffAt: 12 * 3600}}
	for _, c := range []struct {
		ret  float64
		want int64
	}{{9 * 3600, 1}, {10 * 3600, 1}, {10*3600 + 1, 3}, {13 * 3600, 2}, {15 * 3600, 0}} {
		got := departureFor(deps, c.ret)
		if (got == nil && c.want != 0) || (got != nil && got.ID != c.want) {
			t.Errorf("departureFor(%v) = %+v, want %d", c.ret, got, c.want)
		}
	}
}

func TestExplainAndFix(t *testing.T) {
	t.Parallel()
	u := routing.Unassigned{Reasons: []routing.Reason{{Code: "handover_deadline", Detail: "cannot be back in time"}, {Code: "handover_deadline"}, {Code: "capacity"}},
		Relaxation: &routing.Relaxation{Kind: routing.RelaxDeadline, Amount: 61 * 60, Vehicle: "64"}}
	reason, fix := explain(u)
	if reason != "handover_deadline,capacity: cannot be back in time" {
		t.Errorf("reason %q", reason)
	}
	if fix != "fits if its handover deadline is 61 min later (on vehicle 64)" {
		t.Errorf("fix %q", fix)
	}
	if ReasonCode(reason) != "handover_deadline" {
		t.Errorf("code %q", ReasonCode(reason))
	}
	if _, fix := explain(routing.Unassigned{}); fix != "" {
		t.Errorf("fix without relaxation %q", fix)
	}
	if got := fixText(&routing.Relaxation{Kind: routing.RelaxCapacity, Amount: 12.2}); got != "fits a vehicle with 13 kg more capacity" {
		t.Errorf("capacity fix %q", got)
	}
}

func TestDeadlineImpossible(t *testing.T) {
	t.Parallel()
	// Depot 0, a household 1 hour away (3600 s each way) at location 1.
	in := &routing.Instance{NumLocations: 2,
		Profiles: map[string]routing.Profile{"van": {Duration: []float64{0, 3600, 3600, 0}}},
		Vehicles: []routing.Vehicle{{ID: "1", Profile: "van", Shift: routing.Window{Open: 8 * 3600, Close: 18 * 3600}}}}
	for _, c := range []struct {
		deadline, open float64
		want           bool
	}{
		{0, 0, false},                   // no deadline
		{11 * 3600, 0, false},           // 08:00 + 1 h + 5 min + 1 h = 10:05: in time
		{10 * 3600, 0, true},            // 10:05 > 10:00
		{10.5 * 3600, 9.5 * 3600, true}, // ready at 09:30: back 10:35 > 10:30
		{11 * 3600, 9.5 * 3600, false},  // back 10:35 ≤ 11:00
	} {
		st := &routing.Stop{Location: 1, Service: 300, Deadline: c.deadline}
		if c.open > 0 {
			st.Windows = []routing.Window{{Open: c.open, Close: 18 * 3600}}
		}
		if got := deadlineImpossible(in, st); got != c.want {
			t.Errorf("deadline %v ready %v: impossible %v, want %v", c.deadline/3600, c.open/3600, got, c.want)
		}
	}
}

// The retry target of a stop is its deadline less the half hour a household
// gets, the visit and the quickest vehicle's round trip.
func TestRetryTarget(t *testing.T) {
	t.Parallel()
	// Depot 0, a household at location 1: an hour each way by van, 20 min
	// by motorbike.
	in := &routing.Instance{NumLocations: 2,
		Profiles: map[string]routing.Profile{"van": {Duration: []float64{0, 3600, 3600, 0}}, "motorbike": {Duration: []float64{0, 1200, 1200, 0}}},
		Vehicles: []routing.Vehicle{{ID: "1", Profile: "van"}}}
	st := &routing.Stop{Location: 1, Service: 300, Deadline: 10.5 * 3600}
	if got, want := retryTarget(in, st), 10.5*3600-1800-300-7200; got != want {
		t.Errorf("van only: target %v, want %v", got, want)
	}
	in.Vehicles = append(in.Vehicles, routing.Vehicle{ID: "2", Profile: "motorbike"})
	if got, want := retryTarget(in, st), 10.5*3600-1800-300-2400; got != want {
		t.Errorf("with a motorbike: target %v, want %v (the quickest round trip)", got, want)
	}
	in.Vehicles = nil
	if got := retryTarget(in, st); got != 0 {
		t.Errorf("no vehicle: target %v, want none", got)
	}
	if targetLateCost(3) >= deadlineLateCost(3) {
		t.Error("a missed target must cost less than a missed deadline")
	}
}

func TestPhoneResume(t *testing.T) {
	t.Parallel()
	now := 10 * 3600.0
	for _, c := range []struct {
		pos, left float64
		want      bool
	}{
		{now - 120, now - 600, true},  // newer than the last stop, fresh
		{now - 600, now - 120, false}, // older than the last report
		{now - 3600, 0, false},        // stale
		{now + 30, 0, true},           // a little clock skew
		{now + 600, 0, false},         // the future
	} {
		if got := phoneResume(c.pos, c.left, now); got != c.want {
			t.Errorf("phoneResume(%v, %v) = %v, want %v", c.pos-now, c.left-now, got, c.want)
		}
	}
}

// visitParts gives a household a second visit only for what would make
// a deadline that could be kept lost: a later order joins the first visit
// while the truck stays within reach, and an order that no visit could
// bring back in time does not split one that can.
func TestVisitParts(t *testing.T) {
	t.Parallel()
	deps := []thugom.Departure{{ID: 1, DepartsAt: 11 * 3600, CutoffAt: 10*3600 + 30*60, TransitHours: 7}, {ID: 2, DepartsAt: 16*3600 + 30*60, CutoffAt: 16 * 3600, TransitHours: 14}}
	order := func(id int64, h, m int, deadline time.Time) store.PlanOrder {
		var po store.PlanOrder
		ready := at(h, m)
		po.Order.ID, po.Order.Parcels = id, 1
		po.Order.PlacedAt, po.Order.PromiseHours, po.Order.DestinationProvince = at(0, 0), 24, "01"
		po.Order.ReadyFrom, po.Order.HandoverDeadline = &ready, &deadline
		return po
	}
	morning, afternoon := at(10, 30), at(16, 0)
	const back = 20 * 60 // 20 min back to the depot
	for _, c := range []struct {
		name   string
		orders []store.PlanOrder
		want   map[int64]int
	}{
		{"ready later than the truck allows: its own visit", []store.PlanOrder{order(2, 10, 20, afternoon), order(1, 7, 0, morning)}, map[int64]int{1: 0, 2: 1}},
		{"ready in time for both: one visit", []store.PlanOrder{order(1, 7, 0, morning), order(2, 9, 0, afternoon)}, map[int64]int{1: 0, 2: 0}},
		{"no truck this morning either way: one visit", []store.PlanOrder{order(1, 10, 15, morning), order(2, 10, 20, afternoon)}, map[int64]int{1: 0, 2: 0}},
		{"three orders, the late one apart", []store.PlanOrder{order(1, 7, 0, morning), order(2, 8, 0, morning), order(3, 10, 25, afternoon)}, map[int64]int{1: 0, 2: 0, 3: 1}},
	} {
		got, err := visitParts(c.orders, deps, policyDay, 6*3600, back)
		if err != nil {
			t.Fatal(err)
		}
		for id, part := range c.want {
			if got[id] != part {
				t.Errorf("%s: order %d in visit %d, want %d (%v)", c.name, id, got[id], part, got)
			}
		}
	}
}
