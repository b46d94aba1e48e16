package jobs

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
)

// Planning policy: how the day's domain state becomes a routing model and
// how the solver's answer becomes what households and dispatchers read.
// Pure functions, table-tested without a database.

// groupKey names the pickup stop an order belongs to: the stop a vehicle is
// already on its way to (frozenID), else the commune drop-off point the
// household brings it to (one hub stop per point and day), else a shared
// village collection point (households opted in, same H3 cell), else the
// household's own.
func groupKey(o store.PlanOrder, frozenID int64) string {
	switch {
	case frozenID != 0:
		return fmt.Sprintf("f%d", frozenID)
	case o.DropOff != nil:
		return fmt.Sprintf("p%d", o.DropOff.Point.ID)
	case o.Household.SharesCollection && o.Household.H3 != "":
		return "c" + o.Household.H3
	}
	return fmt.Sprintf("h%d", o.Order.HouseholdID)
}

// ownVisit reports whether an order is collected at its household's own
// stop (groupKey's last case), the only stop visitParts may split.
func ownVisit(o store.PlanOrder, frozenID int64) bool {
	return frozenID == 0 && o.DropOff == nil && (!o.Household.SharesCollection || o.Household.H3 == "")
}

// partKey is the key of a household's part-th visit of the day (0: its
// first, keyed as before).
func partKey(key string, part int) string {
	if part == 0 {
		return key
	}
	return fmt.Sprintf("%s.%d", key, part)
}

// visitParts splits one household's orders into the visits they need,
// returning each order's visit (0 the first). One stop opens when the last
// of its orders is ready, so an order ready at 10:00 held back the one
// ready at 07:00 that had to be at the depot for the 10:30 truck (the
// week: 108 of 173 orders planned late for their truck in the morning
// plans were on such a stop). An order joins a visit when together they
// keep as many handover deadlines as apart: an order's deadline (none
// today: kept) is kept when the visit, opening at its last readiness,
// served and driven back (backS, the quickest vehicle) is at the depot by
// then. Orders are taken by readiness, each to the first visit it fits.
func visitParts(orders []store.PlanOrder, deps []thugom.Departure, day time.Time, nowS, backS float64) (map[int64]int, error) {
	deadline := make(map[int64]float64, len(orders))
	for _, o := range orders {
		t, _, err := stopTerms([]store.PlanOrder{o}, deps, day, nowS)
		if err != nil {
			return nil, err
		}
		deadline[o.Order.ID] = t.deadline
	}
	kept := func(set []store.PlanOrder) int {
		t, _, _ := stopTerms(set, deps, day, nowS) // its orders' terms passed alone
		back := nowS
		if len(t.windows) > 0 {
			back = math.Max(back, t.windows[0].Open)
		}
		parcels := 0
		for _, o := range set {
			parcels += o.Order.Parcels
		}
		back += serviceTime(parcels) + backS
		n := 0
		for _, o := range set {
			if d := deadline[o.Order.ID]; d <= 0 || back <= d {
				n++
			}
		}
		return n
	}
	open := func(o store.PlanOrder) float64 {
		if o.Order.ReadyFrom == nil {
			return 0
		}
		return float64(thugom.SecondsSince(day, *o.Order.ReadyFrom))
	}
	sorted := append([]store.PlanOrder(nil), orders...)
	sort.SliceStable(sorted, func(i, j int) bool { return open(sorted[i]) < open(sorted[j]) })
	var visits [][]store.PlanOrder
	parts := make(map[int64]int, len(orders))
	for _, o := range sorted {
		alone, placed := kept([]store.PlanOrder{o}), false
		for i, v := range visits {
			if kept(append(append([]store.PlanOrder(nil), v...), o)) >= kept(v)+alone {
				visits[i], parts[o.Order.ID], placed = append(v, o), i, true
				break
			}
		}
		if !placed {
			parts[o.Order.ID] = len(visits)
			visits = append(visits, []store.PlanOrder{o})
		}
	}
	return parts, nil
}

// serviceTime is a stop's service time in seconds: a base plus a little per
// parcel, bounded.
func serviceTime(parcels int) float64 {
	return math.Min(serviceBaseS+servicePerParcelS*float64(parcels), serviceMaxS)
}

// terms are a stop's time constraints in seconds of the day.
type terms struct {
	windows  []routing.Window
	deadline float64 // 0: none today
	maxAge   float64 // 0: none
	urgent   bool    // some order must leave on today's trucks
	carried  bool    // some order waits since an earlier day, or its promise was lost at placement
}

// stopTerms computes a stop's window (the intersection of its orders'
// readiness, from now on; the rest of the day when it is over: the produce
// has been ready since), whether it waits since an earlier day, its handover
// deadline (the earliest still ahead today), the age limit of its produce,
// and whether it is urgent. Orders without a stored handover deadline get
// one computed from the departures, returned to be stored.
func stopTerms(orders []store.PlanOrder, deps []thugom.Departure, day time.Time, nowS float64) (terms, []slaWrite, error) {
	sec := func(t time.Time) float64 { return float64(thugom.SecondsSince(day, t)) }
	var t terms
	var writes []slaWrite
	open, shut := 0.0, 86400.0
	deadline, maxAge := math.Inf(1), math.Inf(1)
	for _, o := range orders {
		if o.Order.ReadyFrom != nil {
			open = math.Max(open, sec(*o.Order.ReadyFrom))
		}
		if thugom.BrokenAtPlacement(o.Order.AtRisk, o.Order.AtRiskReason) {
			// Its promise was lost before any plan: every day it waits adds
			// a day for the buyer and for the produce. Ranks like produce
			// left waiting (measured on the week: 94.0 % instead of 93.0 %
			// of such orders collected on their first day, and within
			// promise unchanged, 10,837 vs 10,826).
			t.carried = true
		}
		if o.Order.ReadyUntil != nil {
			shut = math.Min(shut, sec(*o.Order.ReadyUntil))
			if sec(*o.Order.ReadyUntil) <= 0 {
				t.carried = true
			}
		}
		sla, err := thugom.HandoverDeadline(o.Order.PlacedAt, time.Duration(o.Order.PromiseHours)*time.Hour, o.Order.DestinationProvince, deps)
		if err != nil {
			return t, nil, err
		}
		dl := sla.Deadline
		if o.Order.HandoverDeadline != nil {
			dl = *o.Order.HandoverDeadline
		} else {
			writes = append(writes, slaWrite{order: o.Order.ID, deadline: sla.Deadline, atRisk: sla.AtRisk, reason: sla.Reason})
		}
		if d := sec(dl); d < 86400 {
			t.urgent = true
			if d > nowS {
				deadline = math.Min(deadline, d)
			}
		}
		if age, ok := thugom.MaxAge(time.Duration(o.Product.FreshnessHours)*time.Hour, sla); ok && age > 0 {
			maxAge = math.Min(maxAge, age.Seconds())
		}
	}
	open = math.Max(open, nowS)
	if shut <= open {
		// The window is over (a pickup failed, the fleet was full): the
		// produce is ready and waits; any time from now. An hour from
		// now, as it once was, left a window closed before every shift
		// when tomorrow is planned in the evening (the order then waited
		// day after day).
		shut = 86400
	}
	if open > 0 || shut < 86400 {
		t.windows = []routing.Window{{Open: open, Close: shut}}
	}
	if !math.IsInf(deadline, 1) {
		t.deadline = deadline
	}
	if !math.IsInf(maxAge, 1) {
		t.maxAge = maxAge
	}
	return t, writes, nil
}

// deadlineLateCost makes a stop's handover deadline soft: a stop whose
// produce cannot be back in time is still collected, as little late as
// possible, and handed to the next departure (DESIGN: a deadline that
// cannot be met does not make an order disappear). The cost per second
// late grows with the orders it holds; lateness ranks after unserved
// penalties and before travel.
func deadlineLateCost(orders int) float64 { return float64(orders) }

// deadlineImpossible reports whether no vehicle could bring a stop's
// produce back by its handover deadline even going there alone, straight
// from the depot at its earliest: only such deadlines are made soft.
// Making every deadline soft was measured worse: the solver then serves
// every stop, late ones included, and pushes stops that could make their
// truck past it (the simulated day fell from 1,668 to 1,424 orders on time).
func deadlineImpossible(in *routing.Instance, st *routing.Stop) bool {
	if st.Deadline <= 0 || len(in.Vehicles) == 0 {
		return false
	}
	n := in.NumLocations
	open := 0.0
	if len(st.Windows) > 0 {
		open = st.Windows[0].Open
	}
	for _, v := range in.Vehicles {
		prof, ok := in.Profiles[v.Profile]
		if !ok || len(prof.Duration) < n*n {
			return false
		}
		start := math.Max(open, v.Shift.Open+prof.Duration[v.Start*n+st.Location])
		if start+st.Service+prof.Duration[st.Location*n+v.End] <= st.Deadline {
			return false
		}
	}
	return true
}

// retryTarget is the return a stop's trip aims at (routing.Stop.Target)
// so that a failed visit can still be tried again before its handover
// deadline: the deadline less the household's half hour (RetryAfter), a
// visit and the quickest round trip from the depot. The stops with the
// least slack so go early in their routes (issue 22).
func retryTarget(in *routing.Instance, st *routing.Stop) float64 {
	n := in.NumLocations
	trip := math.Inf(1)
	for _, v := range in.Vehicles {
		prof, ok := in.Profiles[v.Profile]
		if !ok || len(prof.Duration) < n*n {
			return 0
		}
		trip = math.Min(trip, prof.Duration[v.End*n+st.Location]+prof.Duration[st.Location*n+v.End])
	}
	if math.IsInf(trip, 1) {
		return 0
	}
	return st.Deadline - RetryAfter.Seconds() - st.Service - trip
}

// targetLateCost is what each second past a stop's retry target costs: a
// tenth of a second late for its deadline, per order (a missed target is a
// risk, a missed deadline a broken promise).
func targetLateCost(orders int) float64 { return 0.1 * float64(orders) }

// Stability of re-plans, in seconds of travel: moving a stop to another
// vehicle costs half an hour of driving, changing its place on its vehicle
// five minutes (drivers have loaded their bikes, households were told).
const (
	vehicleChangeCost = 1800
	orderChangeCost   = 300
)

// A driver's phone position counts for a re-plan while it is this fresh,
// and only away from the depot (a vehicle at the depot starts there anyway).
const (
	positionFresh = 30 * time.Minute
	atDepotM      = 300
)

// phoneResume reports whether a phone position taken at posS (seconds of
// the day) tells where a vehicle is better than its last reported step
// (leftS, when it left its last stop): newer than that, not in the future
// beyond a minute of clock skew, and fresh.
func phoneResume(posS, leftS, nowS float64) bool {
	return posS > leftS && posS <= nowS+60 && nowS-posS <= positionFresh.Seconds()
}

// lateReason is what a dispatcher reads on an order planned late.
func lateReason(lateBy float64) string {
	return fmt.Sprintf("late: planned back %d min after its handover deadline (next departure)", int(math.Ceil(lateBy/60)))
}

// stopPenalty is what leaving a stop out costs: per order, three times for
// produce due on today's trucks, ten times more for a household already
// told its window or whose produce waits since an earlier day (a newcomer
// — a retry, a new order — never takes its place: produce left out once
// is not left out again while it rots).
func stopPenalty(orders int, urgent, told, carried bool) float64 {
	p := 1000 * float64(orders)
	if urgent {
		p *= 3
	}
	if told || carried {
		p *= 10
	}
	return p
}

// keepableFactor multiplies the penalty of a stop whose handover deadline
// some vehicle can still meet today: leaving it out breaks a promise that
// could be kept, while a stop whose deadline is already out of reach
// (deadlineImpossible) is late whenever it comes. At the penalty of three
// orders' worth, the morning plans left keepable stops for the 10:30 truck
// out (fleet_full: 99 of the week's 296 orders collected after the 10:30
// truck they needed) while vehicles spent the morning on stops already
// lost for it, as little late as possible.
const keepableFactor = 10

// householdWindow is the pickup window told to a household: the one told
// before when the new arrival still falls in it, else an hour around the
// arrival on quarter hours (09:40 → 09:15–10:15).
func householdWindow(eta, prev time.Time) (time.Time, time.Time) {
	if !prev.IsZero() && !eta.Before(prev) && eta.Before(prev.Add(windowLen)) {
		return prev, prev.Add(windowLen)
	}
	start := eta.Add(-15 * time.Minute).Truncate(15 * time.Minute)
	return start, start.Add(windowLen)
}

// departureFor is the departure a trip back at ret (seconds of the day)
// makes: thugom.TripDeparture, the rule the console's trips read too.
var departureFor = thugom.TripDeparture

// explain turns the solver's reasons into a dispatcher's reason and fix.
func explain(u routing.Unassigned) (string, string) {
	var codes []string
	seen := map[string]bool{}
	detail := ""
	for _, r := range u.Reasons {
		if !seen[string(r.Code)] {
			seen[string(r.Code)] = true
			codes = append(codes, string(r.Code))
		}
		if detail == "" {
			detail = r.Detail
		}
	}
	if len(codes) == 0 {
		codes = []string{"unknown"}
	}
	reason := strings.Join(codes, ",")
	if detail != "" {
		reason += ": " + detail
	}
	return reason, fixText(u.Relaxation)
}

// fixText says a relaxation in the service's units: the routing package knows
// only numbers, while plans here count time in seconds and capacity in kg
// (the first dimension), so a dispatcher reads minutes and kilograms.
func fixText(r *routing.Relaxation) string {
	if r == nil {
		return ""
	}
	minutes := int(math.Ceil(r.Amount / 60))
	on := ""
	if r.Vehicle != "" {
		on = " (on vehicle " + r.Vehicle + ")"
	}
	switch r.Kind {
	case routing.RelaxWindowEarlier:
		return fmt.Sprintf("fits if its window opens %d min earlier%s", minutes, on)
	case routing.RelaxWindowLater:
		return fmt.Sprintf("fits if its window closes %d min later%s", minutes, on)
	case routing.RelaxDeadline:
		return fmt.Sprintf("fits if its handover deadline is %d min later%s", minutes, on)
	case routing.RelaxMaxAge:
		return fmt.Sprintf("fits if its produce may wait %d min longer%s", minutes, on)
	case routing.RelaxCapacity:
		return fmt.Sprintf("fits a vehicle with %.0f kg more capacity", math.Ceil(r.Amount))
	}
	return r.Text
}

// ReasonCode returns the first reason code of an unassigned reason text.
func ReasonCode(reason string) string {
	code, _, _ := strings.Cut(reason, ":")
	code, _, _ = strings.Cut(code, ",")
	return code
}

// referenceOf is where the day's open stops are in the plan drivers and
// households know, by the key of the group that continues each: its
// vehicle, its trip among the vehicle's remaining trips, its position in
// the trip. Stops of vehicles that stopped running have no place to keep.
func referenceOf(prev []store.PlanStop, stopGroup map[string]*group, active map[int64]bool) map[string]routing.Placement {
	keyOf := map[int64]string{}
	for k, g := range stopGroup {
		switch {
		case g.frozen != nil:
			keyOf[g.frozen.ID] = k
		case g.prev != nil:
			keyOf[g.prev.ID] = k
		}
	}
	ref := map[string]routing.Placement{}
	type slot struct{ trip, pos int }
	last := map[int64]slot{} // vehicle → the last open trip seen and its next position
	tripOf := map[int64]int{}
	for _, st := range prev { // by vehicle and sequence
		if st.Kind != thugom.StopPickup || !thugom.StopOpen(st.Status) || !active[st.VehicleID] {
			continue
		}
		sl, seen := last[st.VehicleID]
		if !seen {
			sl = slot{trip: 0}
			tripOf[st.VehicleID] = st.Trip
		} else if st.Trip != tripOf[st.VehicleID] {
			sl = slot{trip: sl.trip + 1}
			tripOf[st.VehicleID] = st.Trip
		}
		if k, ok := keyOf[st.ID]; ok {
			ref[k] = routing.Placement{Vehicle: fmt.Sprint(st.VehicleID), Trip: sl.trip, Position: sl.pos}
		}
		sl.pos++
		last[st.VehicleID] = sl
	}
	return ref
}

// hubWindow is a drop-off point's stop window, in seconds of the day: from
// when the last of its households has brought its produce (the time each
// was told, else its readiness plus thugom.DropOffTravel; now when none
// says) to the point's closing; an hour from now when that is past. The
// opening does not follow the clock: re-plans keep the window its
// households were told (a vehicle cannot be there before now anyway).
func hubWindow(orders []store.PlanOrder, day time.Time, nowS float64, closesAt int) routing.Window {
	sec := func(t time.Time) float64 { return float64(thugom.SecondsSince(day, t)) }
	open := math.Inf(-1)
	for _, o := range orders {
		switch {
		case o.DropOff != nil && o.DropOff.By != nil:
			open = math.Max(open, sec(*o.DropOff.By))
		case o.Order.ReadyFrom != nil:
			open = math.Max(open, sec(*o.Order.ReadyFrom)+thugom.DropOffTravel.Seconds())
		}
	}
	if math.IsInf(open, -1) {
		open = nowS
	}
	shut := float64(closesAt)
	if from := math.Max(open, nowS); shut <= from {
		open, shut = from, from+windowLen.Seconds()
	}
	return routing.Window{Open: open, Close: shut}
}
