package routing

import (
	"errors"
	"fmt"
	"math"
)

// Check verifies sol against in independently of the solver's incremental
// evaluation: every stop is served once or unassigned with a reason, pins,
// skills and frozen prefixes hold, every trip respects capacities (the first
// trip of a resumed vehicle from its last frozen stop on, and up to the load
// on board plus the frozen pickups if that is more), and the
// schedule, recomputed from the visiting order, matches the reported times
// and respects windows, handover deadlines, maximum ages, shifts and
// maximum durations. It returns all problems found, joined.
//
// The schedule rule: a vehicle leaves its start as late as possible without
// returning later than the earliest possible return, then serves every stop
// as early as possible (waiting for windows to open). Between two trips the
// vehicle spends Reload at its End and leaves again as late as that
// schedule allows.
func Check(in *Instance, sol *Solution) error {
	if err := in.Validate(); err != nil {
		return err
	}
	if sol == nil {
		return errors.New("check: nil solution")
	}
	var errs []error
	fail := func(format string, args ...any) {
		if len(errs) < 20 {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	stopIdx := map[string]int{}
	for i, s := range in.Stops {
		stopIdx[s.ID] = i
	}
	vehIdx := map[string]int{}
	for i, v := range in.Vehicles {
		vehIdx[v.ID] = i
	}
	seen := make([]int, len(in.Stops))
	frozenSet := map[string]bool{}
	for _, v := range in.Vehicles {
		if v.Resume != nil {
			for _, f := range v.Resume.Frozen {
				frozenSet[f] = true
			}
		}
	}
	usedVeh := map[string]bool{}
	dist, used, lateness := 0.0, 0, 0.0
	for ri := range sol.Routes {
		rt := &sol.Routes[ri]
		vi, ok := vehIdx[rt.Vehicle]
		if !ok {
			fail("route %d: unknown vehicle %q", ri, rt.Vehicle)
			continue
		}
		if usedVeh[rt.Vehicle] {
			fail("vehicle %q: has two routes", rt.Vehicle)
			continue
		}
		usedVeh[rt.Vehicle] = true
		if len(rt.Trips) == 0 {
			if v := in.Vehicles[vi]; v.Resume != nil && len(v.Resume.Frozen) > 0 {
				fail("vehicle %q: frozen stops not planned", v.ID)
			}
			continue
		}
		used++
		d, errsR := checkRoute(in, vi, rt, stopIdx, frozenSet, seen, &lateness)
		dist += d
		for _, e := range errsR {
			fail("vehicle %q: %v", rt.Vehicle, e)
		}
	}
	for _, v := range in.Vehicles {
		if !usedVeh[v.ID] && v.Resume != nil && len(v.Resume.Frozen) > 0 {
			fail("vehicle %q: frozen stops not planned", v.ID)
		}
	}
	for _, ua := range sol.Unassigned {
		i, ok := stopIdx[ua.Stop]
		if !ok {
			fail("unassigned: unknown stop %q", ua.Stop)
			continue
		}
		seen[i]++
		if len(ua.Reasons) == 0 {
			fail("unassigned stop %q: no reason", ua.Stop)
		}
		if frozenSet[ua.Stop] {
			fail("unassigned stop %q: it is frozen", ua.Stop)
		}
	}
	for i, c := range seen {
		if c != 1 {
			fail("stop %q: planned or unassigned %d times, want once", in.Stops[i].ID, c)
		}
	}
	if math.Abs(dist-sol.Distance) > 1e-6*(1+dist) {
		fail("total distance %v, recomputed %v", sol.Distance, dist)
	}
	if math.Abs(lateness-sol.Lateness) > 1e-6*(1+lateness) {
		fail("total lateness %v, recomputed %v", sol.Lateness, lateness)
	}
	if st := in.Stability; st != nil && st.VehicleChange+st.OrderChange > 0 {
		moved := 0
		for _, rt := range sol.Routes {
			for _, tr := range rt.Trips {
				for _, vis := range tr.Visits {
					if pl, ok := st.Reference[vis.Stop]; ok && pl.Vehicle != rt.Vehicle {
						moved++
					}
				}
			}
		}
		if moved != sol.VehicleChanges {
			fail("%d stops changed vehicle, recomputed %d", sol.VehicleChanges, moved)
		}
	}
	if used != sol.VehiclesUsed {
		fail("vehicles used %d, recomputed %d", sol.VehiclesUsed, used)
	}
	return errors.Join(errs...)
}

// chkNode is one node of a route as the checker sees it.
type chkNode struct {
	loc     int
	stop    int // -1 for the depot (between trips, or the end)
	service float64
	trip    int
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*(1+math.Abs(a)+math.Abs(b)) }

func checkRoute(in *Instance, vi int, rt *Route, stopIdx map[string]int, frozen map[string]bool, seen []int, lateness *float64) (float64, []error) {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	v := &in.Vehicles[vi]
	p := in.Profiles[v.Profile]
	n := in.NumLocations
	durM, distM := p.Duration, p.Distance
	if distM == nil {
		distM = durM
	}
	maxTrips := v.MaxTrips
	if maxTrips < 1 {
		maxTrips = 1
	}
	if len(rt.Trips) > maxTrips {
		fail("%d trips, at most %d allowed", len(rt.Trips), maxTrips)
	}
	startLoc, tStart := v.Start, v.Shift.Open
	var frozenIDs []string
	if v.Resume != nil {
		startLoc = v.Resume.Location
		tStart = math.Max(v.Resume.Time, v.Shift.Open)
		frozenIDs = v.Resume.Frozen
	}
	skills := map[string]bool{}
	for _, s := range v.Skills {
		skills[s] = true
	}
	dims := len(v.Capacity)
	var nodes []chkNode
	var release []float64 // per trip: the latest release of its stops
	onlyFrozen := true
	k := 0
	for ti, tr := range rt.Trips {
		if len(tr.Visits) == 0 && !(ti == 0 && v.Resume != nil && len(v.Resume.Load) > 0) {
			// only a vehicle resumed with a load may first drive back to
			// unload
			fail("trip %d is empty", ti)
		}
		// the load at every point of the trip: deliveries leave on board,
		// pickups come back
		load := make([]float64, dims)
		if ti == 0 && v.Resume != nil {
			copy(load, v.Resume.Load)
		}
		for _, vis := range tr.Visits {
			if si, ok := stopIdx[vis.Stop]; ok && in.Stops[si].Delivery {
				for j, d := range in.Stops[si].Demand {
					load[j] += d
				}
			}
		}
		// The first trip of a resumed vehicle carries, up to the end of its
		// leading frozen stops, whatever was committed before the plan; from
		// there on no more than the capacity, or than the load on board and
		// the frozen pickups if that is more.
		bound := append([]float64(nil), v.Capacity...)
		lead := 0 // leading frozen visits, exempt
		if ti == 0 && v.Resume != nil {
			c := make([]float64, dims)
			copy(c, v.Resume.Load)
			for _, vis := range tr.Visits {
				si, ok := stopIdx[vis.Stop]
				if !ok || !frozen[vis.Stop] {
					break
				}
				lead++
				if !in.Stops[si].Delivery {
					for j, d := range in.Stops[si].Demand {
						c[j] += d
					}
				}
			}
			for j := range bound {
				bound[j] = math.Max(bound[j], c[j])
			}
		}
		peak := make([]float64, dims)
		if lead == 0 {
			copy(peak, load)
		} else {
			for j := range peak {
				peak[j] = math.Inf(-1)
			}
		}
		release = append(release, math.Inf(-1))
		for vn, vis := range tr.Visits {
			si, ok := stopIdx[vis.Stop]
			if !ok {
				fail("unknown stop %q", vis.Stop)
				continue
			}
			seen[si]++
			s := &in.Stops[si]
			if !frozen[s.ID] {
				// positions: directly after its stop on the same trip, or
				// first after the frozen prefix
				if s.After != "" && (vn == 0 || tr.Visits[vn-1].Stop != s.After) {
					fail("stop %q is not directly after stop %q", s.ID, s.After)
				}
				if s.First && k != len(frozenIDs) {
					fail("stop %q is not first on its vehicle (visit %d)", s.ID, k)
				}
			}
			if k < len(frozenIDs) {
				if frozenIDs[k] != s.ID {
					fail("visit %d is %q, frozen prefix wants %q", k, s.ID, frozenIDs[k])
				}
			} else {
				onlyFrozen = false
				if frozen[s.ID] {
					fail("frozen stop %q out of its place", s.ID)
				}
				if s.Vehicle != "" && s.Vehicle != v.ID {
					fail("stop %q is pinned to vehicle %q", s.ID, s.Vehicle)
				}
				for _, sk := range s.Skills {
					if !skills[sk] {
						fail("stop %q needs skill %q", s.ID, sk)
					}
				}
			}
			k++
			if s.Release > 0 && !frozen[s.ID] {
				release[ti] = math.Max(release[ti], s.Release)
			}
			if s.Delivery && ti == 0 && v.Resume != nil && !frozen[s.ID] {
				fail("delivery %q on the first trip of a vehicle resumed during the day", s.ID)
			}
			for j, d := range s.Demand {
				if s.Delivery {
					load[j] -= d
				} else {
					load[j] += d
				}
			}
			if vn+1 >= lead {
				for j := range peak {
					peak[j] = math.Max(peak[j], load[j])
				}
			}
			nodes = append(nodes, chkNode{loc: s.Location, stop: si, service: s.Service, trip: ti})
		}
		for j := range peak {
			if peak[j] > bound[j]+1e-6 {
				if bound[j] > v.Capacity[j] {
					fail("trip %d carries %v in dimension %d, capacity %v and %v committed on board", ti, peak[j], j, v.Capacity[j], bound[j])
				} else {
					fail("trip %d carries %v in dimension %d, capacity %v", ti, peak[j], j, v.Capacity[j])
				}
			}
		}
		srv := v.Reload
		if ti == len(rt.Trips)-1 {
			srv = 0
		}
		nodes = append(nodes, chkNode{loc: v.End, stop: -1, service: srv, trip: ti})
	}
	if k < len(frozenIDs) {
		fail("only %d visits, frozen prefix has %d", k, len(frozenIDs))
	}
	// The constraints of frozen stops are not enforced.
	isFrozen := func(c chkNode) bool { return c.stop >= 0 && frozen[in.Stops[c.stop].ID] }
	// soft: the close of the last window is lifted (lateness is a cost)
	windows := func(c chkNode) []Window {
		if c.stop < 0 || isFrozen(c) {
			return nil
		}
		s := &in.Stops[c.stop]
		if s.WindowLateCost > 0 && len(s.Windows) > 0 {
			w := append([]Window(nil), s.Windows...)
			w[len(w)-1].Close = math.Inf(1)
			return w
		}
		return s.Windows
	}
	softClose := func(c chkNode) float64 {
		if c.stop < 0 || isFrozen(c) || in.Stops[c.stop].WindowLateCost <= 0 {
			return math.Inf(1)
		}
		ws := in.Stops[c.stop].Windows
		return ws[len(ws)-1].Close
	}
	softDeadline := func(c chkNode) float64 {
		if c.stop < 0 || isFrozen(c) || in.Stops[c.stop].DeadlineLateCost <= 0 {
			return math.Inf(1)
		}
		return in.Stops[c.stop].Deadline
	}
	travel := func(a, b int) float64 { return durM[a*n+b] }
	// earliest schedule from a departure time: start of service (arrival for
	// the depot) per node, ok if every window could be met
	// Later trips leave as late as latest allows (if given).
	forward := func(dep float64, latest []float64) ([]float64, []float64, bool) {
		starts := make([]float64, len(nodes))
		arrs := make([]float64, len(nodes))
		t, at, ok := dep, startLoc, true
		for i, c := range nodes {
			if i > 0 && nodes[i-1].stop < 0 && latest != nil {
				t = math.Max(t, latest[i]-travel(at, c.loc))
			}
			if c.stop >= 0 && (i == 0 || nodes[i-1].stop < 0) {
				// a trip leaves the depot once all its goods are released
				t = math.Max(t, release[c.trip])
			}
			a := t + travel(at, c.loc)
			arrs[i] = a
			st := a
			if ws := windows(c); len(ws) > 0 {
				found := false
				for _, w := range ws {
					if a <= w.Close+tol {
						st = math.Max(a, w.Open)
						found = true
						break
					}
				}
				if !found {
					ok = false
				}
			}
			starts[i] = st
			t, at = st+c.service, c.loc
		}
		return starts, arrs, ok
	}
	early, _, ok := forward(tStart, nil)
	if !ok && !onlyFrozen {
		fail("a time window cannot be met even leaving at the shift start")
	}
	end := early[len(early)-1]
	// latest schedule returning at end
	latest := make([]float64, len(nodes))
	next, nextLoc := end, v.End
	for i := len(nodes) - 1; i >= 0; i-- {
		c := nodes[i]
		if i == len(nodes)-1 {
			latest[i] = end
		} else {
			lt := next - travel(c.loc, nextLoc) - c.service
			if ws := windows(c); len(ws) > 0 {
				for w := len(ws) - 1; w >= 0; w-- {
					if lt >= ws[w].Open-tol {
						lt = math.Min(lt, ws[w].Close)
						break
					}
				}
			}
			if c.stop < 0 {
				lt = math.Min(lt, tripDeadline(in, v, nodes, c.trip, frozen))
				// served no later than need be past soft deadlines
				sd := math.Inf(1)
				for _, o := range nodes {
					if o.trip == c.trip && o.stop >= 0 {
						sd = math.Min(sd, softDeadline(o))
					}
				}
				if !math.IsInf(sd, 1) {
					lt = math.Min(lt, math.Max(sd, early[i]))
				}
			} else if sc := softClose(c); !math.IsInf(sc, 1) {
				lt = math.Min(lt, math.Max(sc, early[i]))
			}
			latest[i] = lt
		}
		next, nextLoc = latest[i], c.loc
	}
	depart := math.Max(tStart, latest[0]-travel(startLoc, nodes[0].loc))
	starts, arrs, _ := forward(depart, latest)
	if !near(rt.Start, depart) {
		fail("leaves at %v, recomputed %v", rt.Start, depart)
	}
	if !near(rt.End, starts[len(starts)-1]) {
		fail("ends at %v, recomputed %v", rt.End, starts[len(starts)-1])
	}
	// compare reported times and check the constraints
	i := 0
	tripStart := 0
	dist := 0.0
	at := startLoc
	for _, c := range nodes {
		dist += distM[at*n+c.loc]
		at = c.loc
	}
	if !near(dist, rt.Distance) {
		fail("distance %v, recomputed %v", rt.Distance, dist)
	}
	for ti, tr := range rt.Trips {
		back := starts[i+len(tr.Visits)]
		for _, vis := range tr.Visits {
			c := nodes[i]
			late := math.Max(0, starts[i]-softClose(c)) + math.Max(0, back-softDeadline(c))
			if !near(vis.LateBy, late) {
				fail("stop %q: late by %v, recomputed %v", vis.Stop, vis.LateBy, late)
			}
			*lateness += late
			if !near(vis.Arrival, arrs[i]) || !near(vis.Start, starts[i]) || !near(vis.Departure, starts[i]+nodes[i].service) {
				fail("stop %q: times %v/%v/%v, recomputed %v/%v/%v", vis.Stop, vis.Arrival, vis.Start, vis.Departure, arrs[i], starts[i], starts[i]+nodes[i].service)
			}
			i++
		}
		ret := starts[i]
		if !near(tr.Return, ret) {
			fail("trip %d returns at %v, recomputed %v", ti, tr.Return, ret)
		}
		if !onlyFrozen {
			if ret > v.Shift.Close+tol {
				fail("trip %d returns at %v after the shift ends at %v", ti, ret, v.Shift.Close)
			}
			for j := tripStart; j < i; j++ {
				c := nodes[j]
				if isFrozen(c) {
					continue
				}
				s := &in.Stops[c.stop]
				if ws := windows(c); len(ws) > 0 {
					inside := false
					for _, w := range ws {
						if starts[j] >= w.Open-tol && starts[j] <= w.Close+tol {
							inside = true
						}
					}
					if !inside {
						fail("stop %q: service starts at %v outside its windows", s.ID, starts[j])
					}
				}
				if s.Deadline > 0 && s.DeadlineLateCost <= 0 && ret > s.Deadline+tol {
					fail("stop %q: back at the depot at %v after its handover deadline %v", s.ID, ret, s.Deadline)
				}
				if s.MaxAge > 0 && ret-(starts[j]+s.Service) > s.MaxAge+tol {
					fail("stop %q: load on board for %v, max age %v", s.ID, ret-(starts[j]+s.Service), s.MaxAge)
				}
			}
			if ti == 0 && v.Resume != nil && v.Resume.LoadDeadline > 0 && ret > v.Resume.LoadDeadline+tol {
				fail("first trip back at %v after the on-board load's deadline %v", ret, v.Resume.LoadDeadline)
			}
		}
		i++
		tripStart = i
	}
	if !onlyFrozen && v.MaxDuration > 0 && rt.End-depart > v.MaxDuration+tol {
		fail("duration %v exceeds the maximum %v", rt.End-depart, v.MaxDuration)
	}
	return dist, errs
}

// tripDeadline is the latest return of trip ti: the shift end and the
// deadlines of its non-frozen stops.
func tripDeadline(in *Instance, v *Vehicle, nodes []chkNode, ti int, frozen map[string]bool) float64 {
	d := v.Shift.Close
	if ti == 0 && v.Resume != nil && v.Resume.LoadDeadline > 0 {
		d = math.Min(d, v.Resume.LoadDeadline)
	}
	for _, c := range nodes {
		if c.trip == ti && c.stop >= 0 {
			s := &in.Stops[c.stop]
			if s.Deadline > 0 && s.DeadlineLateCost <= 0 && !frozen[s.ID] {
				d = math.Min(d, s.Deadline)
			}
		}
	}
	return d
}
