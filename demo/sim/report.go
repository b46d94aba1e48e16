package sim

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// Account is what a day (or the week) gives, measured on every order
// placed: Placed = WithinPromise + Late + NeverCollected + Cancelled.
type Account struct {
	Day            string `json:"day,omitempty"`
	Rainy          bool   `json:"rainy,omitempty"`
	Placed         int    `json:"placed"`
	Cancelled      int    `json:"cancelled"`
	WithinPromise  int    `json:"within_promise"`
	Late           int    `json:"late"`
	NeverCollected int    `json:"never_collected"`
	// NeverCollectedBy counts the never collected orders by final status.
	NeverCollectedBy map[string]int `json:"never_collected_by_status,omitempty"`
	// LateBy counts the late orders by cause: promise_unreachable (no plan
	// could meet it: the produce is ready too late for the line-haul its
	// promise needs, even fetched at once by the fastest vehicle, judged
	// on the readiness given at placement), after_failed_pickup,
	// household_later (postponed, or ready later than first said),
	// later_day (collected on a day after its own),
	// same_day (collected on its day, after the cutoff it needed).
	LateBy map[string]int `json:"late_by_cause,omitempty"`
	// WithinPromiseRate is WithinPromise / (Placed − Cancelled).
	WithinPromiseRate float64 `json:"within_promise_rate"`
	// Unreachable counts the orders no plan could have kept within their
	// promise (late_by_cause's promise_unreachable), and
	// WithinReachableRate is WithinPromise / (Placed − Cancelled −
	// Unreachable): how well planning did with what it could do. The
	// honest rate is WithinPromiseRate; 1 − Unreachable / (Placed −
	// Cancelled) is the best any plan could give on this network.
	Unreachable int `json:"promise_unreachable"`
	// NoDeparture of those had no line-haul truck at all that reaches the
	// buyer within the promise, even handed over the minute the order was
	// placed: only the network (its trucks and their hours) could keep them.
	NoDeparture         int     `json:"promise_unreachable_no_departure"`
	WithinReachableRate float64 `json:"within_promise_of_reachable_rate"`
	BestPossibleRate    float64 `json:"within_promise_best_possible_rate"`
	// Lateness of late orders at the buyer (estimated delivery by the
	// line-haul departure the handover makes, less the promise), minutes.
	LateMinutesP50 float64 `json:"late_minutes_p50"`
	LateMinutesP95 float64 `json:"late_minutes_p95"`
	LateMinutesMax float64 `json:"late_minutes_max"`
	LateHistogram  []int   `json:"late_histogram"` // by LateBins
	// Produce age at handover, from the time the household said it is
	// ready (ready_from, or placement when later) to the handover at the
	// depot, minutes.
	AgeP50 float64 `json:"age_at_handover_p50_min"`
	AgeP95 float64 `json:"age_at_handover_p95_min"`
	AgeMax float64 `json:"age_at_handover_max_min"`
	// AgeHistogram by AgeBins (hours).
	AgeHistogram []int `json:"age_histogram"`
	// Orders placed at risk (their promise impossible whatever the plan)
	// and of those, collected on their first possible day (their own day,
	// or the day the household postponed them to).
	ImpossibleAtPlacement int     `json:"impossible_at_placement"`
	ImpossibleFirstDay    int     `json:"impossible_collected_first_day"`
	ImpossibleFirstDayRt  float64 `json:"impossible_collected_first_day_rate"`
	// Notice: orders known by 17:00 the day before their pickup day, and
	// of those, the ones whose household had its window ≥ 12 h ahead.
	KnownBy17           int     `json:"known_by_17"`
	WindowNotice12h     int     `json:"window_notice_12h"`
	WindowNotice12hRate float64 `json:"window_notice_12h_rate"`
	NoticeP50Hours      float64 `json:"notice_p50_hours"`
	// NightSMS are the messages due to leave between 21:00 and 06:30 (week
	// total only), NightSMSNonUrgent those that could have waited (no
	// pickup before 07:30 the next morning): the target is none.
	NightSMS          int     `json:"night_sms,omitempty"`
	NightSMSNonUrgent int     `json:"night_sms_non_urgent"`
	Postponed         int     `json:"postponed"`
	PickupFailures    int     `json:"pickup_failures"`
	Breakdowns        int     `json:"breakdowns"`
	Replans           int     `json:"replans"`
	BorrowedVehicles  int     `json:"borrowed_vehicles"` // from a neighbouring depot, used (borrow.go)
	PlannedLate       int     `json:"planned_late"`
	KgCollected       float64 `json:"kg_collected"`
	KM                float64 `json:"km"`
	Litres            float64 `json:"litres"`
	KMPerKg           float64 `json:"km_per_kg"`
	LitresPerKg       float64 `json:"litres_per_kg"`
	VehiclesUsed      int     `json:"vehicles_used"`
	DriverHours       float64 `json:"driver_hours"`
	SMS               int     `json:"sms"`
	PlanSeconds       float64 `json:"plan_seconds"`
	// WallSeconds is the wall time the simulation took for the day.
	WallSeconds float64 `json:"wall_seconds"`
	// DropOffs counts the households that agreed to bring their produce to
	// their commune's drop-off point (demo/sim/dropoff.go).
	DropOffs int `json:"drop_offs"`
}

// LateBins are the lateness histogram's upper bounds in minutes (the last
// bin is everything above).
var LateBins = []int{30, 60, 120, 240, 480, 1440}

// AgeBins are the age histogram's upper bounds in hours.
var AgeBins = []int{2, 4, 6, 8, 10, 12, 24, 48}

// LateOrder is where a late or never-collected order was, for the map.
type LateOrder struct {
	Lon, Lat   float64
	LateMin    float64 // 0 when never collected
	Never      bool
	DayIndex   int
	HouseholdV string `json:"-"`
}

// WeekReport is a harvest week's account.
type WeekReport struct {
	Seed       uint64    `json:"seed"`
	Households int       `json:"households"`
	Depots     int       `json:"depots"`
	Days       []Account `json:"days"`
	Total      Account   `json:"total"`
	// After is what the days after the week took (no new orders: the
	// week's last orders still to collect, up to DrainDays): its km,
	// vehicles, SMS and failures count in Total; its orders count on their
	// own days.
	After *Account `json:"after_week,omitempty"`
	// Promises are the week's promise figures (issue 22's targets).
	Promises PromiseFigures `json:"promises"`
	Budgets  string         `json:"planning_budgets"`
	// WhatIf says how the run's network differs from the scenario's
	// (empty: it does not).
	WhatIf     string      `json:"what_if,omitempty"`
	LateOrders []LateOrder `json:"-"` // for the HTML map
	// Orders are every order's outcome, for WriteOrdersCSV.
	Orders  []OrderOutcome `json:"-"`
	Depot   []orb.Point    `json:"-"`
	Elapsed float64        `json:"elapsed_seconds"`
	// Carriers are the carriers' side (carriers.go): shipments, messages
	// and webhooks counted on both sides, and the promise on facts.
	Carriers *CarrierFigures `json:"carriers,omitempty"`
}

// finish rounds and derives the account's rates and quantiles.
func (a *Account) finish(lates, ages, notices []float64) {
	a.Unreachable = a.LateBy["promise_unreachable"]
	if n := a.Placed - a.Cancelled; n > 0 {
		a.WithinPromiseRate = round(float64(a.WithinPromise)/float64(n), 4)
		a.BestPossibleRate = round(1-float64(a.Unreachable)/float64(n), 4)
	}
	if n := a.Placed - a.Cancelled - a.Unreachable; n > 0 {
		a.WithinReachableRate = round(float64(a.WithinPromise)/float64(n), 4)
	}
	if a.ImpossibleAtPlacement > 0 {
		a.ImpossibleFirstDayRt = round(float64(a.ImpossibleFirstDay)/float64(a.ImpossibleAtPlacement), 4)
	}
	if a.KnownBy17 > 0 {
		a.WindowNotice12hRate = round(float64(a.WindowNotice12h)/float64(a.KnownBy17), 4)
	}
	a.LateMinutesP50, a.LateMinutesP95, a.LateMinutesMax = quantile(lates, 0.5), quantile(lates, 0.95), quantile(lates, 1)
	a.AgeP50, a.AgeP95, a.AgeMax = quantile(ages, 0.5), quantile(ages, 0.95), quantile(ages, 1)
	a.NoticeP50Hours = round(quantile(notices, 0.5), 1)
	if a.KgCollected > 0 {
		a.KMPerKg = round(a.KM/a.KgCollected, 4)
		a.LitresPerKg = round(a.Litres/a.KgCollected, 5)
	}
	a.KgCollected = round(a.KgCollected, 1)
	a.KM = round(a.KM, 1)
	a.Litres = round(a.Litres, 1)
	a.DriverHours = round(a.DriverHours, 1)
	a.WallSeconds = round(a.WallSeconds, 1)
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// quantile is the nearest-rank q-quantile of xs (0 when empty), rounded to
// a tenth.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	k := int(math.Ceil(q*float64(len(s)))) - 1
	k = max(0, min(k, len(s)-1))
	return round(s[k], 1)
}

func bin(x float64, bounds []int) int {
	for k, b := range bounds {
		if x <= float64(b) {
			return k
		}
	}
	return len(bounds)
}
