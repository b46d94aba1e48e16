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

// secondTruck is the line-haul arrival after delivery's: the next truck
// to the province when the first is missed (zero when there is none).
func secondTruck(deps []thugom.Departure, province string, t time.Time) time.Time {
	a := arrivals(deps, province, t)
	for _, at := range a {
		if at.After(a[0]) {
			return at
		}
	}
	return time.Time{}
}

// arrivals lists, earliest first, when produce handed over at the depot at
// t reaches a buyer in the province: each departure serving it in the next
// four days whose cutoff is not past, plus its transit.
func arrivals(deps []thugom.Departure, province string, t time.Time) []time.Time {
	var out []time.Time
	day := thugom.Day(t)
	for k := 0; k < 4; k++ {
		d := day.AddDate(0, 0, k)
		for _, dep := range deps {
			if !dep.Serves(province) {
				continue
			}
			cutoff := d.Add(time.Duration(dep.CutoffAt) * time.Second)
			if cutoff.Before(t) {
				continue
			}
			departs := d.Add(time.Duration(dep.DepartsAt) * time.Second)
			if dep.DepartsAt < dep.CutoffAt {
				departs = departs.Add(24 * time.Hour)
			}
			out = append(out, departs.Add(time.Duration(dep.TransitHours*float64(time.Hour))))
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
