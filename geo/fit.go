package geo

import (
	"fmt"
	"math"
	"sort"
)

// RouteObservation is one completed route as driven: the stops in the
// order visited (depot first and last if it returned) and the odometer and
// clock totals. ServiceSeconds is the time spent at stops, subtracted from
// the driven time.
type RouteObservation struct {
	ID             string
	Profile        string
	Stops          []Point
	DrivenMeters   float64
	DrivenSeconds  float64
	ServiceSeconds float64
}

// FitResult is the fitted model per profile with its error on the data.
type FitResult struct {
	Detour   float64            `json:"detour"`    // one factor for all profiles (the roads are the same)
	Profiles map[string]Profile `json:"profiles"`  // fitted speed per profile
	Routes   int                `json:"routes"`    // routes used
	Skipped  int                `json:"skipped"`   // routes rejected as implausible
	MAPE     map[string]float64 `json:"mape"`      // mean absolute % error of the route time, per profile
	Before   map[string]float64 `json:"mape_base"` // the same with the base profiles
}

// FitTravel fits the detour factor (driven distance / great-circle distance,
// a ratio estimator over all routes) and each profile's speed (driven
// distance / driving time) from completed routes. Routes with an
// implausible detour (< 1 or > 4) or speed (< 3 or > 90 km/h) are skipped.
// base gives the profiles to start from and report against.
func FitTravel(obs []RouteObservation, base map[string]Profile) (FitResult, error) {
	type row struct {
		o  RouteObservation
		gc float64 // great-circle meters along the stops
		dt float64 // driving seconds
	}
	var rows []row
	res := FitResult{Profiles: map[string]Profile{}, MAPE: map[string]float64{}, Before: map[string]float64{}}
	for _, o := range obs {
		gc := 0.0
		ok := len(o.Stops) >= 2
		for i := 1; i < len(o.Stops) && ok; i++ {
			ok = validPoint(o.Stops[i]) && validPoint(o.Stops[i-1])
			gc += haversineKm(o.Stops[i-1], o.Stops[i]) * 1000
		}
		dt := o.DrivenSeconds - o.ServiceSeconds
		if !ok || gc < 100 || dt <= 0 || o.DrivenMeters <= 0 {
			res.Skipped++
			continue
		}
		det, kmh := o.DrivenMeters/gc, o.DrivenMeters/dt*3.6
		if det < 1 || det > 4 || kmh < 3 || kmh > 90 {
			res.Skipped++
			continue
		}
		rows = append(rows, row{o, gc, dt})
	}
	if len(rows) == 0 {
		return res, fmt.Errorf("fit travel: no usable route among %d", len(obs))
	}
	sumD, sumG := 0.0, 0.0
	perDist, perTime := map[string]float64{}, map[string]float64{}
	for _, r := range rows {
		sumD += r.o.DrivenMeters
		sumG += r.gc
		perDist[r.o.Profile] += r.o.DrivenMeters
		perTime[r.o.Profile] += r.dt
	}
	res.Detour = sumD / sumG
	res.Routes = len(rows)
	names := make([]string, 0, len(perDist))
	for n := range perDist {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		res.Profiles[n] = Profile{Name: n, Detour: res.Detour, SpeedKmh: perDist[n] / perTime[n] * 3.6}
	}
	mape := func(p map[string]Profile) map[string]float64 {
		errs, cnt := map[string]float64{}, map[string]int{}
		for _, r := range rows {
			pr, ok := p[r.o.Profile]
			if !ok || pr.SpeedKmh <= 0 {
				continue
			}
			pred := r.gc * pr.Detour / (pr.SpeedKmh / 3.6)
			errs[r.o.Profile] += math.Abs(pred-r.dt) / r.dt
			cnt[r.o.Profile]++
		}
		for k := range errs {
			errs[k] = errs[k] / float64(cnt[k]) * 100
		}
		return errs
	}
	res.MAPE = mape(res.Profiles)
	if base != nil {
		res.Before = mape(base)
	}
	return res, nil
}
