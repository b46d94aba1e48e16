package sim

import (
	"time"

	"github.com/thugom/thugom"
)

// delivery estimates when an order handed over at the depot at t reaches
// its buyer: the first departure serving its province whose cutoff is not
// past, plus its transit.
func delivery(deps []thugom.Departure, province string, t time.Time) (time.Time, bool) {
	var best time.Time
	day := thugom.Day(t)
	for k := 0; k < 4; k++ {
		d := day.AddDate(0, 0, k)
		for _, dep := range deps {
			if !serves(dep, province) {
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
			at := departs.Add(time.Duration(dep.TransitHours * float64(time.Hour)))
			if best.IsZero() || at.Before(best) {
				best = at
			}
		}
		if !best.IsZero() {
			return best, true
		}
	}
	return best, false
}

// reachable says whether produce at the depot at t can still reach its
// buyer by promised.
func reachable(deps []thugom.Departure, province string, t, promised time.Time) bool {
	dl, ok := delivery(deps, province, t)
	return ok && !dl.After(promised)
}

func serves(dep thugom.Departure, province string) bool {
	if len(dep.Destinations) == 0 {
		return true
	}
	k := thugom.ProvinceKey(province)
	for _, d := range dep.Destinations {
		if d == province || thugom.ProvinceKey(d) == k {
			return true
		}
	}
	return false
}
