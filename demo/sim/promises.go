package sim

import (
	"time"
)

// PromiseFigures are the week's promises measured as issue 22's targets
// are, on the same outcomes as the orders CSV (every order placed, less
// the cancelled): kept of all and of the keepable (not flagged at
// placement), the flags' honesty, how long the promises are against the
// 24 h / 48 h policy for the same orders, how tight they are against the
// timetable (EarliestPossible, SecondTruck of OrderOutcome), and the
// week's freshness, notice and wall time.
type PromiseFigures struct {
	Mode   string `json:"mode"`
	Orders int    `json:"orders"` // placed − cancelled
	Quoted int    `json:"quoted"` // placed with a quote
	// QuoteRefused counts the orders whose quote was refused (placed with
	// the policy promise), by "code:field" of the core's answer.
	QuoteRefused      map[string]int `json:"quote_refused,omitempty"`
	WithinPromiseRate float64        `json:"within_promise_of_all_rate"`
	// Flagged orders were told lost at placement; Keepable are the others.
	Flagged                  int     `json:"flagged_at_placement"`
	Keepable                 int     `json:"keepable"`
	WithinKeepableRate       float64 `json:"within_promise_of_keepable_rate"`
	FlaggedWithinPromise     int     `json:"flagged_within_original_promise"`
	FlaggedWithinPromiseRate float64 `json:"flagged_within_original_promise_rate"`
	FlaggedByKeepable        int     `json:"flagged_by_keepable_by"`
	FlaggedByKeepableRate    float64 `json:"flagged_by_keepable_by_rate"`
	// Promise length (promise_by − placed_at), hours; the policy's median
	// for the same orders.
	PromiseHoursP50       float64 `json:"promise_hours_p50"`
	PromiseHoursP90       float64 `json:"promise_hours_p90"`
	PolicyPromiseHoursP50 float64 `json:"policy_promise_hours_p50"`
	// BySecondTruckRate: promise_by no later than the second line-haul
	// arrival after the earliest possible one.
	BySecondTruckRate float64 `json:"promise_by_second_truck_rate"`
	// EarlierThanPossible counts quotes (earliest_by or promise_by)
	// before the earliest arrival physically possible: must be 0.
	EarlierThanPossible int `json:"quotes_earlier_than_possible"`
	// DeliveredFirstTruckRate and DeliveredSecondTruckRate: arrived on
	// the earliest possible truck, and by the one after it.
	DeliveredFirstTruckRate  float64        `json:"delivered_first_truck_rate"`
	DeliveredSecondTruckRate float64        `json:"delivered_second_truck_rate"`
	LateBy                   map[string]int `json:"late_by_cause,omitempty"`
	AgeP95Min                float64        `json:"age_at_handover_p95_min"`
	WindowNotice12hRate      float64        `json:"window_notice_12h_rate"`
	WallSeconds              float64        `json:"wall_seconds"`
}

// outcome is order o's outcome before it is counted: its promises and the
// timetable's earliest arrivals.
func (w *week) outcome(o weekOrderRow, i int) OrderOutcome {
	oc := OrderOutcome{ID: o.id, Depot: o.depot, Day: i + 1, Placed: o.placed, Promised: o.promisedBy, Ready: o.ready, Impossible: w.impossible[o.id],
		Dest: o.dest, Source: PromisesPolicy, Flagged: o.flagged, PolicyBy: w.policyBy[o.id]}
	given := o.placed
	if rd, ok := w.readyAt[o.id]; ok {
		oc.ReadyAtPlacement = &rd
		if rd.After(given) {
			given = rd
		}
	}
	deps := w.depotDeps[o.depot]
	oc.EarliestPossible, oc.SecondTruck = firstTrucks(deps, o.dest, given)
	if o.quoted {
		oc.Source = PromisesQuoted
		oc.QuotedEarliest, oc.QuotedLikely = deref(o.qEarliest), deref(o.qLikely)
	}
	if o.keepableBy != nil {
		oc.KeepableBy = *o.keepableBy
	}
	return oc
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// promiseFigures computes the week's PromiseFigures from its outcomes and
// its (finished) total.
func (w *week) promiseFigures(rep *WeekReport) PromiseFigures {
	f := PromiseFigures{Mode: w.opt.Promises, LateBy: rep.Total.LateBy, AgeP95Min: rep.Total.AgeP95, WindowNotice12hRate: rep.Total.WindowNotice12hRate,
		WithinPromiseRate: rep.Total.WithinPromiseRate}
	if len(w.refused) > 0 {
		f.QuoteRefused = w.refused
	}
	var hours, policy []float64
	var within, bySecond, first, second int
	for _, o := range rep.Orders {
		if o.Outcome == "cancelled" {
			continue
		}
		f.Orders++
		kept := o.Outcome == "within_promise"
		if kept {
			within++
		}
		if o.Source == PromisesQuoted {
			f.Quoted++
			if o.QuotedEarliest.Before(o.EarliestPossible) || o.Promised.Before(o.EarliestPossible) {
				f.EarlierThanPossible++
			}
		}
		hours = append(hours, o.Promised.Sub(o.Placed).Hours())
		policy = append(policy, o.PolicyBy.Sub(o.Placed).Hours())
		if !o.SecondTruck.IsZero() && !o.Promised.After(o.SecondTruck) {
			bySecond++
		}
		collected := !o.Delivered.IsZero()
		if collected && !o.EarliestPossible.IsZero() && !o.Delivered.After(o.EarliestPossible) {
			first++
		}
		if collected && !o.SecondTruck.IsZero() && !o.Delivered.After(o.SecondTruck) {
			second++
		}
		if !o.Flagged {
			continue
		}
		f.Flagged++
		if kept {
			f.FlaggedWithinPromise++
		}
		if collected && !o.KeepableBy.IsZero() && !o.Delivered.After(o.KeepableBy) {
			f.FlaggedByKeepable++
		}
	}
	f.Keepable = f.Orders - f.Flagged
	rate := func(n, of int) float64 {
		if of == 0 {
			return 0
		}
		return round(float64(n)/float64(of), 4)
	}
	f.WithinKeepableRate = rate(within-f.FlaggedWithinPromise, f.Keepable)
	f.FlaggedWithinPromiseRate = rate(f.FlaggedWithinPromise, f.Flagged)
	f.FlaggedByKeepableRate = rate(f.FlaggedByKeepable, f.Flagged)
	f.BySecondTruckRate = rate(bySecond, f.Orders)
	f.DeliveredFirstTruckRate, f.DeliveredSecondTruckRate = rate(first, f.Orders), rate(second, f.Orders)
	f.PromiseHoursP50, f.PromiseHoursP90 = quantile(hours, 0.5), quantile(hours, 0.9)
	f.PolicyPromiseHoursP50 = quantile(policy, 0.5)
	return f
}
