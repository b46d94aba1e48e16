package sim

import (
	"sort"
	"time"

	"github.com/thugom/thugom"
)

// delivery estimates when an order handed over at the depot at t reaches
// its buyer: the first departure serving its province whose cutoff is not
// past, plus its transit.
func delivery(deps []thugom.Departure, province string, t time.Time) (time.Time, bool) {
	a := arrivals(deps, province, t)
	if len(a) == 0 {
		return time.Time{}, false
	}
	return a[0], true
}

// firstTrucks is delivery's arrival and the line-haul arrival after it
// (the next truck to the province when the first is missed; zero when
// there is none).
func firstTrucks(deps []thugom.Departure, province string, t time.Time) (first, second time.Time) {
	a := arrivals(deps, province, t)
	if len(a) == 0 {
		return first, second
	}
	for _, at := range a {
		if at.After(a[0]) {
			return a[0], at
		}
	}
	return a[0], second
}

// arrivals lists, earliest first, when produce handed over at the depot at
// t reaches a buyer in the province: each truck (thugom.Trucks) whose
// cutoff is not past and falls in the next four days, plus its transit.
func arrivals(deps []thugom.Departure, province string, t time.Time) []time.Time {
	day := thugom.Day(t)
	end := day.AddDate(0, 0, 4)
	var out []time.Time
	for _, tr := range thugom.Trucks(deps, province, day, 0, 4) {
		if !tr.Cutoff.Before(t) && tr.Cutoff.Before(end) {
			out = append(out, tr.Arrive)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// reachable says whether produce at the depot at t can still reach its
// buyer by promised.
func reachable(deps []thugom.Departure, province string, t, promised time.Time) bool {
	dl, ok := delivery(deps, province, t)
	return ok && !dl.After(promised)
}
