package thugom

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Capable-to-promise: when can produce of a household, ready from a given
// time, reach a buyer in a province. Promise is the one answer; the quotes
// a marketplace asks for, the check at placement and the SLA watch call it.
// It is pure: the caller gives the depot's vehicles (with the drive to the
// household), the timetable, the capacity left in the depot's days and the
// household's recorded visits.

// Defaults of the promise.
const (
	// DefaultConfidence is the share of promises that must be kept (the
	// 97 % on-time bar marketplaces hold carriers to).
	DefaultConfidence = 0.97
	// DefaultRetryGap is the least time between a failed visit and the
	// next one (a vehicle back at the depot, out again).
	DefaultRetryGap = 3 * time.Hour
	// PriorFailureRate and PriorVisits are the prior of the chance a
	// visit fails (10 % of first visits fail across the province), worth
	// that many recorded visits.
	PriorFailureRate = 0.10
	PriorVisits      = 20
	// promiseAttempts bounds the visits a promise counts on.
	promiseAttempts = 6
)

// PromiseVehicle is one vehicle of the depot as a promise needs it: its
// shift (seconds since local midnight) and its drive to the household and
// back, in seconds.
type PromiseVehicle struct {
	ShiftStart, ShiftEnd int
	ThereS, BackS        float64
}

// DayCapacity is what a depot's day has left: the kg its vehicles can
// still take (their capacity times trips, less the orders it must
// already collect). A day not listed has its full capacity.
type DayCapacity struct {
	Day    time.Time // local midnight
	KgLeft float64
}

// PromiseInput is everything a promise depends on.
type PromiseInput struct {
	// At is when the question is asked (the order's placement).
	At time.Time
	// Ready is when the household's produce is ready (zero: at At).
	Ready time.Time
	// Province is the buyer's (a code or a name, see ProvinceKey).
	Province string
	// Policy is the marketplace's promise for the province (0: the
	// default policy's); the reason is given when the promise is later.
	Policy     time.Duration
	Departures []Departure
	Vehicles   []PromiseVehicle
	// ServiceS is a pickup's service time in seconds.
	ServiceS float64
	// Freshness is the product's maximum age from pickup to buyer (0: no
	// limit).
	Freshness time.Duration
	WeightKg  float64
	Capacity  []DayCapacity
	// Failures of Visits are the recorded failed visits here (the
	// household or its village); the prior fills in missing history.
	Failures, Visits int
	// Confidence is the share kept (0: DefaultConfidence); RetryGap the
	// time before a failed visit is tried again (0: DefaultRetryGap).
	Confidence float64
	RetryGap   time.Duration
	// RetryAfter, when set, is the household's wait after a failed visit
	// (jobs.RetryAfter): the next visit is then that wait, the visit and
	// the quickest vehicle's round trip from the depot after the failed
	// one (what the planner leaves for a retry), instead of RetryGap.
	RetryAfter time.Duration
	// Record is the depot's record of keeping its promises (its earlier
	// days' quoted orders) by slack: where it has one, the chance a truck
	// is kept is the record's, with the visits' model as its prior
	// (worth RecordPrior orders), so a depot that keeps its first truck
	// more (or less) often than the model says gets tighter (or looser)
	// promises. Nil: the model alone.
	Record []SlackKept
}

// SlackKept is one line of a depot's record: of the orders promised a
// truck whose cutoff was Slack (rounded down to the half hour) after their
// produce was ready, Aimed were quoted and Kept reached the buyer by
// their promise.
type SlackKept struct {
	Slack       time.Duration
	Aimed, Kept int
}

// RecordPrior is what the visits' model is worth against a depot's
// record, in orders; RecordSpan the slack either side of a truck's whose
// record counts for it.
const (
	RecordPrior = 30
	RecordSpan  = 30 * time.Minute
)

// keptChance is the chance the truck with the cutoff is kept when the
// visits' model gives model: the record of the slacks near the truck's
// (readiness to cutoff), with the model as prior.
func (in PromiseInput) keptChance(ready, cutoff time.Time, model float64) float64 {
	if len(in.Record) == 0 {
		return model
	}
	slack := cutoff.Sub(ready)
	aimed, kept := 0, 0
	for _, r := range in.Record {
		if d := r.Slack - slack.Truncate(30*time.Minute); d >= -RecordSpan && d <= RecordSpan {
			aimed += r.Aimed
			kept += r.Kept
		}
	}
	return (float64(kept) + model*RecordPrior) / float64(aimed+RecordPrior)
}

// PromiseAnswer is a promise: when the produce reaches the buyer if
// everything goes right, most likely, and with the confidence asked; the
// latest placement that promise holds for; why it is later than the
// policy, in Vietnamese.
type PromiseAnswer struct {
	EarliestBy time.Time `json:"earliest_by"`
	LikelyBy   time.Time `json:"likely_by"`
	PromiseBy  time.Time `json:"promise_by"`
	OrderBy    time.Time `json:"order_by"`
	// Confidence is the chance PromiseBy is kept (at least the one asked
	// unless the visits counted on cannot reach it).
	Confidence float64 `json:"confidence"`
	// FailureRate is the chance a visit fails, as the history says.
	FailureRate float64 `json:"failure_rate"`
	// Deadline is the handover cutoff of the first visit's truck and
	// AtDepot the earliest the produce can be at the depot.
	Deadline time.Time `json:"handover_deadline"`
	AtDepot  time.Time `json:"at_depot"`
	// LaterThanPolicy is set when PromiseBy is after At + the policy;
	// Reason then says why.
	LaterThanPolicy bool   `json:"later_than_policy"`
	Reason          string `json:"reason"`
}

// attempt is one visit the promise counts on.
type attempt struct {
	pickup, atDepot, cutoff, arrive time.Time
	fullDays                        []time.Time // days skipped for lack of capacity
	stale                           bool        // a truck was skipped: the produce would be too old
}

// Promise answers when produce ready from in.Ready reaches the buyer. An
// error (EInvalid) when no departure serves the province or the depot has
// no vehicle, or when no visit is possible within the search horizon.
func Promise(in PromiseInput) (PromiseAnswer, error) {
	if in.Policy <= 0 {
		in.Policy = DefaultPromisePolicy().Promise(in.Province)
	}
	if err := in.check(); err != nil {
		return PromiseAnswer{}, err
	}
	from := in.At
	if in.Ready.After(from) {
		from = in.Ready
	}
	trucks := in.trucks(Day(from)) // the same for every placement probed
	a, err := promiseAt(in, trucks)
	if err != nil {
		return a, err
	}
	// The latest placement keeping this promise: the answer is monotone in
	// At, so search the minute where it moves.
	lo, hi := in.At, a.PromiseBy
	for hi.Sub(lo) > time.Minute {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Minute)
		if !mid.After(lo) {
			break
		}
		probe := in
		probe.At = mid
		b, err := promiseAt(probe, trucks)
		if err == nil && !b.PromiseBy.After(a.PromiseBy) {
			lo = mid
		} else {
			hi = mid
		}
	}
	a.OrderBy = lo
	return a, nil
}

// FailureRate is the chance a visit fails: the recorded failures with the
// prior (a beta posterior's mean).
func FailureRate(failures, visits int) float64 {
	if failures < 0 || visits < 0 || failures > visits {
		failures, visits = 0, 0
	}
	return (float64(failures) + PriorFailureRate*PriorVisits) / float64(visits+PriorVisits)
}

func promiseAt(in PromiseInput, trucks []Truck) (PromiseAnswer, error) {
	var out PromiseAnswer
	conf := in.Confidence
	if conf <= 0 || conf >= 1 {
		conf = DefaultConfidence
	}
	gap := in.retryGap()
	p := FailureRate(in.Failures, in.Visits)
	out.FailureRate = p
	after := in.At
	if in.Ready.After(after) {
		after = in.Ready
	}
	ready := after
	// Visit k happens only when the k-1 before it failed; the produce is
	// delivered by visit k's arrival with chance 1 - p^k, as the model
	// says (the depot's record, where it has one, corrects it: keptChance).
	// Visits are counted until that chance reaches the confidence; the
	// best chance seen is kept when none does.
	var tries []attempt
	kept, best, likely, promise := 0.0, -1.0, -1, -1
	for len(tries) < promiseAttempts && promise < 0 {
		t, ok := in.visit(after, trucks)
		if !ok {
			break
		}
		tries = append(tries, t)
		after = t.pickup.Add(gap)
		k := len(tries) - 1
		c := in.keptChance(ready, t.cutoff, 1-math.Pow(p, float64(k+1)))
		if c > best {
			best = c
		}
		if likely < 0 && c >= 0.5 {
			likely = k
		}
		if c >= conf-1e-12 {
			promise, kept = k, c
		}
	}
	if len(tries) == 0 {
		return out, Errorf(EInvalid, "ready_from", "no vehicle of the depot can collect it and meet a truck to %s within %d days", nonEmpty(in.Province, "the buyer's province"), slaSearchDays)
	}
	first := tries[0]
	out.EarliestBy, out.Deadline, out.AtDepot = first.arrive, first.cutoff, first.atDepot
	if likely < 0 {
		likely = len(tries) - 1
	}
	if promise < 0 {
		promise, kept = len(tries)-1, best
	}
	out.LikelyBy, out.PromiseBy, out.Confidence = tries[likely].arrive, tries[promise].arrive, kept
	policy := in.Policy
	if policy <= 0 {
		policy = DefaultPromisePolicy().Promise(in.Province)
	}
	if out.PromiseBy.After(in.At.Add(policy)) {
		out.LaterThanPolicy = true
		out.Reason = promiseReason(in, first, tries[promise], promise, p, policy)
	}
	return out, nil
}

// retryGap is the least time between a failed visit and the next.
func (in PromiseInput) retryGap() time.Duration {
	if in.RetryAfter <= 0 || len(in.Vehicles) == 0 {
		return nonZero(in.RetryGap, DefaultRetryGap)
	}
	trip := math.Inf(1)
	for _, v := range in.Vehicles {
		trip = math.Min(trip, v.ThereS+v.BackS)
	}
	return in.RetryAfter + time.Duration((trip+in.ServiceS)*float64(time.Second))
}

func (in PromiseInput) check() error {
	if in.At.IsZero() {
		return Errorf(EInvalid, "at", "the time of the question is required")
	}
	if len(in.Vehicles) == 0 {
		return Errorf(EInvalid, "depot", "the depot has no active vehicle")
	}
	served := false
	for _, d := range in.Departures {
		if err := validDeparture(d); err != nil {
			return err
		}
		served = served || serves(d, in.Province)
	}
	if !served {
		return Errorf(EInvalid, "destination_province", "no line-haul departure of the depot serves %s", nonEmpty(in.Province, "the buyer's province"))
	}
	return nil
}

// visit is the earliest visit after a time: the vehicle back at the depot
// first with the produce, on a day with capacity, and the first truck it
// makes whose arrival keeps the produce fresh.
func (in PromiseInput) visit(after time.Time, trucks []Truck) (attempt, bool) {
	var t attempt
	day0 := Day(after)
	for d := 0; d <= slaSearchDays; d++ {
		day := day0.AddDate(0, 0, d)
		if !in.roomOn(day) {
			t.fullDays = append(t.fullDays, day)
			continue
		}
		best, ok := attempt{}, false
		for _, v := range in.Vehicles {
			c, stale, found := in.visitWith(v, day, after, trucks)
			t.stale = t.stale || stale
			if found && (!ok || c.arrive.Before(best.arrive) || (c.arrive.Equal(best.arrive) && c.atDepot.Before(best.atDepot))) {
				best, ok = c, true
			}
		}
		if ok {
			best.fullDays, best.stale = t.fullDays, t.stale
			return best, true
		}
	}
	return t, false
}

// visitWith is one vehicle's visit on one day: out at its shift's start,
// at the household when the produce is ready, back within its shift, then
// the earliest truck whose cutoff it makes and whose arrival the produce's
// freshness allows (the pickup moved later, still before the cutoff, when
// that keeps it fresh). stale reports a truck skipped for freshness.
func (in PromiseInput) visitWith(v PromiseVehicle, day, after time.Time, trucks []Truck) (attempt, bool, bool) {
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	pickup := day.Add(sec(float64(v.ShiftStart) + v.ThereS))
	if after.After(pickup) {
		pickup = after
	}
	shiftEnd := day.Add(sec(float64(v.ShiftEnd)))
	tail := sec(in.ServiceS + v.BackS)
	if pickup.Add(tail).After(shiftEnd) {
		return attempt{}, false, false
	}
	stale := false
	back := pickup.Add(tail)
	first := sort.Search(len(trucks), func(i int) bool { return !trucks[i].Cutoff.Before(back) })
	for _, c := range trucks[first:] {
		if c.Cutoff.After(back.Add(48 * time.Hour)) {
			break // another day's visit
		}
		p := pickup
		if in.Freshness > 0 && c.Arrive.Sub(p) > in.Freshness {
			p = c.Arrive.Add(-in.Freshness) // wait: collect later, fresher
			if p.Add(tail).After(c.Cutoff) || p.Add(tail).After(shiftEnd) {
				stale = true
				continue
			}
		}
		return attempt{pickup: p, atDepot: p.Add(tail), cutoff: c.Cutoff, arrive: c.Arrive}, stale, true
	}
	return attempt{}, stale, false
}

// Truck is one line-haul truck on one day: the latest the produce must be
// at the depot to ride it, when it leaves and when it reaches the buyer's
// province, and its departure's id.
type Truck struct {
	Cutoff, Departs, Arrive time.Time
	DepartureID             int64
}

// Trucks lists the trucks serving the province that leave on the days
// first..last from day0 (local midnight; negative days are before it),
// by cutoff (an overnight truck's cutoff is the evening before it
// leaves). The one expansion of the timetable the promise, and whoever
// needs the trucks after a time, read.
func Trucks(departures []Departure, province string, day0 time.Time, first, last int) []Truck {
	var deps []Departure
	for _, dep := range departures {
		if serves(dep, province) {
			deps = append(deps, dep)
		}
	}
	return expandTrucks(deps, day0, first, last)
}

// expandTrucks is Trucks of every departure given.
func expandTrucks(deps []Departure, day0 time.Time, first, last int) []Truck {
	out := make([]Truck, 0, len(deps)*max(0, last-first+1))
	for d := first; d <= last; d++ {
		day := day0.AddDate(0, 0, d)
		for _, dep := range deps {
			departs := day.Add(time.Duration(dep.DepartsAt) * time.Second)
			cutoff := day.Add(time.Duration(dep.CutoffAt) * time.Second)
			if dep.CutoffAt > dep.DepartsAt {
				cutoff = cutoff.AddDate(0, 0, -1)
			}
			out = append(out, Truck{Cutoff: cutoff, Departs: departs, Arrive: departs.Add(time.Duration(dep.TransitHours * float64(time.Hour))), DepartureID: dep.ID})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Cutoff.Equal(out[j].Cutoff) {
			return out[i].Cutoff.Before(out[j].Cutoff)
		}
		return out[i].Arrive.Before(out[j].Arrive)
	})
	return out
}

// trucks lists the departures serving the province from the day before
// day0 to the end of the search, by cutoff.
func (in PromiseInput) trucks(day0 time.Time) []Truck {
	return Trucks(in.Departures, in.Province, day0, -1, slaSearchDays+6)
}

// roomOn reports whether the depot's day can still take the order.
func (in PromiseInput) roomOn(day time.Time) bool {
	for _, c := range in.Capacity {
		if Day(c.Day).Equal(day) {
			return c.KgLeft >= in.WeightKg
		}
	}
	return true
}

// promiseReason says in Vietnamese, briefly, why the promise is later than
// the policy: readiness or distance past the truck's cutoff, a full depot
// day, freshness, or the chance of a failed visit.
func promiseReason(in PromiseInput, first, kept attempt, retries int, p float64, policy time.Duration) string {
	hm := func(t time.Time) string { return t.In(Local).Format("15:04 02/01") }
	var parts []string
	for _, d := range first.fullDays {
		parts = append(parts, "bưu cục đã hết chỗ ngày "+d.In(Local).Format("02/01"))
	}
	if first.stale {
		parts = append(parts, "hàng tươi không chờ được chuyến xe sớm hơn")
	}
	if first.arrive.After(in.At.Add(policy)) {
		parts = append(parts, fmt.Sprintf("hàng về bưu cục sớm nhất %s, kịp chuyến hạn nhận %s, giao sớm nhất %s",
			hm(first.atDepot), hm(first.cutoff), hm(first.arrive)))
	}
	if retries > 0 {
		parts = append(parts, fmt.Sprintf("tính cả khả năng lấy hàng không thành (%.0f%%), lần lấy lại giao %s", p*100, hm(kept.arrive)))
	}
	return fmt.Sprintf("Quá hạn %g giờ: %s.", policy.Hours(), strings.Join(parts, "; "))
}

// QuoteTTL is how long a quote holds: an order placed with it later gets
// a promise of its own.
const QuoteTTL = 30 * time.Minute

// Quote is a promise given to a marketplace before its order: placed with
// the quote's id before ExpiresAt, the order gets its PromiseBy.
type Quote struct {
	ID                  int64
	CarrierID           int64
	HouseholdID         int64
	DepotID             int64
	ProductID           int64
	ProductCode         string
	DestinationProvince string
	WeightKg            float64
	AskedAt             time.Time
	ReadyFrom           *time.Time
	PromiseAnswer
	ExpiresAt time.Time
	OrderID   *int64
}

// KnownProvince reports whether a code or name is one of the 34 provinces
// (2025).
func KnownProvince(name string) bool {
	k := ProvinceKey(name)
	for _, v := range provinceCodes {
		if v == k {
			return true
		}
	}
	return false
}
