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
	if tl := targetLateness(sol); math.Abs(tl-sol.TargetLateness) > 1e-6*(1+tl) {
		fail("total target lateness %v, recomputed %v", sol.TargetLateness, tl)
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

// routeCheck is the checker's view of one route: its vehicle, the nodes it
// visits (built by walk) and the problems found so far.
type routeCheck struct {
	in      *Instance
	v       *Vehicle
	rt      *Route
	stopIdx map[string]int
	frozen  map[string]bool
	n       int // locations
	durM    []float64
	distM   []float64
	// where and when the route begins: the vehicle's start, or where it
	// resumes, and the stops it must visit first
	startLoc  int
	tStart    float64
	frozenIDs []string
	skills    map[string]bool // the vehicle's

	nodes      []chkNode
	release    []float64 // per trip: the latest release of its stops
	onlyFrozen bool      // the route visits its frozen stops and nothing else
	errs       []error
}

func (c *routeCheck) failf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// checkRoute checks route rt of vehicle vi (see Check), counting each stop
// it visits in seen and adding its lateness; it returns the recomputed
// distance and the problems found.
func checkRoute(in *Instance, vi int, rt *Route, stopIdx map[string]int, frozen map[string]bool, seen []int, lateness *float64) (float64, []error) {
	c := newRouteCheck(in, vi, rt, stopIdx, frozen)
	v := c.v
	maxTrips := v.MaxTrips
	if maxTrips < 1 {
		maxTrips = 1
	}
	if len(rt.Trips) > maxTrips {
		c.failf("%d trips, at most %d allowed", len(rt.Trips), maxTrips)
	}
	c.walk(seen)
	early, _, ok := c.forward(c.tStart, nil)
	if !ok && !c.onlyFrozen {
		c.failf("a time window cannot be met even leaving at the shift start")
	}
	latest := c.latest(early)
	depart := math.Max(c.tStart, latest[0]-c.travel(c.startLoc, c.nodes[0].loc))
	starts, arrs, _ := c.forward(depart, latest)
	if !near(rt.Start, depart) {
		c.failf("leaves at %v, recomputed %v", rt.Start, depart)
	}
	if !near(rt.End, starts[len(starts)-1]) {
		c.failf("ends at %v, recomputed %v", rt.End, starts[len(starts)-1])
	}
	dist := 0.0
	at := c.startLoc
	for _, nd := range c.nodes {
		dist += c.distM[at*c.n+nd.loc]
		at = nd.loc
	}
	if !near(dist, rt.Distance) {
		c.failf("distance %v, recomputed %v", rt.Distance, dist)
	}
	c.checkTimes(starts, arrs, lateness)
	if !c.onlyFrozen && v.MaxDuration > 0 && rt.End-depart > v.MaxDuration+tol {
		c.failf("duration %v exceeds the maximum %v", rt.End-depart, v.MaxDuration)
	}
	return dist, c.errs
}

func newRouteCheck(in *Instance, vi int, rt *Route, stopIdx map[string]int, frozen map[string]bool) *routeCheck {
	v := &in.Vehicles[vi]
	p := in.Profiles[v.Profile]
	c := &routeCheck{in: in, v: v, rt: rt, stopIdx: stopIdx, frozen: frozen, n: in.NumLocations,
		durM: p.Duration, distM: p.Distance, startLoc: v.Start, tStart: v.Shift.Open, onlyFrozen: true}
	if c.distM == nil {
		c.distM = c.durM
	}
	if v.Resume != nil {
		c.startLoc = v.Resume.Location
		c.tStart = math.Max(v.Resume.Time, v.Shift.Open)
		c.frozenIDs = v.Resume.Frozen
	}
	c.skills = map[string]bool{}
	for _, s := range v.Skills {
		c.skills[s] = true
	}
	return c
}

// walk builds the route's nodes trip by trip, counting each stop in seen
// and checking what does not depend on time: the frozen prefix, positions,
// pins, skills and loads.
func (c *routeCheck) walk(seen []int) {
	v := c.v
	dims := len(v.Capacity)
	nn := 0
	for _, tr := range c.rt.Trips {
		nn += len(tr.Visits) + 1
	}
	c.nodes = make([]chkNode, 0, nn)
	c.release = make([]float64, 0, len(c.rt.Trips))
	// per trip, reused: the load at every point, its peak, the bound of
	// the peak and the load committed before the plan
	buf := make([]float64, 4*dims)
	load, peak, bound, committed := buf[:dims], buf[dims:2*dims], buf[2*dims:3*dims], buf[3*dims:]
	k := 0 // visits so far, over all trips
	for ti, tr := range c.rt.Trips {
		// only a vehicle resumed with a load may first drive back to unload
		unloads := ti == 0 && v.Resume != nil && len(v.Resume.Load) > 0
		if len(tr.Visits) == 0 && !unloads {
			c.failf("trip %d is empty", ti)
		}
		// the load at every point of the trip: deliveries leave on board,
		// pickups come back
		clear(load)
		if ti == 0 && v.Resume != nil {
			copy(load, v.Resume.Load)
		}
		for _, vis := range tr.Visits {
			if si, ok := c.stopIdx[vis.Stop]; ok && c.in.Stops[si].Delivery {
				for j, d := range c.in.Stops[si].Demand {
					load[j] += d
				}
			}
		}
		lead := c.loadBound(ti, tr, bound, committed)
		if lead == 0 {
			copy(peak, load)
		} else {
			for j := range peak {
				peak[j] = math.Inf(-1)
			}
		}
		c.release = append(c.release, math.Inf(-1))
		for vn, vis := range tr.Visits {
			si, ok := c.stopIdx[vis.Stop]
			if !ok {
				c.failf("unknown stop %q", vis.Stop)
				continue
			}
			seen[si]++
			s := &c.in.Stops[si]
			c.checkPlace(tr, vn, s, k)
			k++
			if s.Release > 0 && !c.frozen[s.ID] {
				c.release[ti] = math.Max(c.release[ti], s.Release)
			}
			if s.Delivery && ti == 0 && v.Resume != nil && !c.frozen[s.ID] {
				c.failf("delivery %q on the first trip of a vehicle resumed during the day", s.ID)
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
			c.nodes = append(c.nodes, chkNode{loc: s.Location, stop: si, service: s.Service, trip: ti})
		}
		for j := range peak {
			if peak[j] > bound[j]+1e-6 {
				if bound[j] > v.Capacity[j] {
					c.failf("trip %d carries %v in dimension %d, capacity %v and %v committed on board", ti, peak[j], j, v.Capacity[j], bound[j])
				} else {
					c.failf("trip %d carries %v in dimension %d, capacity %v", ti, peak[j], j, v.Capacity[j])
				}
			}
		}
		srv := v.Reload
		if ti == len(c.rt.Trips)-1 {
			srv = 0
		}
		c.nodes = append(c.nodes, chkNode{loc: v.End, stop: -1, service: srv, trip: ti})
	}
	if k < len(c.frozenIDs) {
		c.failf("only %d visits, frozen prefix has %d", k, len(c.frozenIDs))
	}
}

// loadBound sets bound to the most trip ti may carry and returns the number
// of its leading frozen visits, exempt from it (committed: a buffer as long
// as bound). The first trip of a resumed vehicle carries, up to the end of
// its leading frozen stops, whatever was committed before the plan; from
// there on no more than the capacity, or than the load on board and the
// frozen pickups if that is more.
func (c *routeCheck) loadBound(ti int, tr Trip, bound, committed []float64) int {
	v := c.v
	copy(bound, v.Capacity)
	lead := 0
	if ti == 0 && v.Resume != nil {
		clear(committed)
		copy(committed, v.Resume.Load)
		for _, vis := range tr.Visits {
			si, ok := c.stopIdx[vis.Stop]
			if !ok || !c.frozen[vis.Stop] {
				break
			}
			lead++
			if !c.in.Stops[si].Delivery {
				for j, d := range c.in.Stops[si].Demand {
					committed[j] += d
				}
			}
		}
		for j := range bound {
			bound[j] = math.Max(bound[j], committed[j])
		}
	}
	return lead
}

// checkPlace checks that stop s, visit vn of trip tr and visit k of the
// route, is where it may be: the frozen prefix in its order, then no frozen
// stop, positions (Stop.After, Stop.First), pins and skills.
func (c *routeCheck) checkPlace(tr Trip, vn int, s *Stop, k int) {
	if !c.frozen[s.ID] {
		// positions: directly after its stop on the same trip, or first
		// after the frozen prefix
		if s.After != "" && (vn == 0 || tr.Visits[vn-1].Stop != s.After) {
			c.failf("stop %q is not directly after stop %q", s.ID, s.After)
		}
		if s.First && k != len(c.frozenIDs) {
			c.failf("stop %q is not first on its vehicle (visit %d)", s.ID, k)
		}
	}
	if k < len(c.frozenIDs) {
		if c.frozenIDs[k] != s.ID {
			c.failf("visit %d is %q, frozen prefix wants %q", k, s.ID, c.frozenIDs[k])
		}
		return
	}
	c.onlyFrozen = false
	if c.frozen[s.ID] {
		c.failf("frozen stop %q out of its place", s.ID)
	}
	if s.Vehicle != "" && s.Vehicle != c.v.ID {
		c.failf("stop %q is pinned to vehicle %q", s.ID, s.Vehicle)
	}
	for _, sk := range s.Skills {
		if !c.skills[sk] {
			c.failf("stop %q needs skill %q", s.ID, sk)
		}
	}
}

func (c *routeCheck) travel(a, b int) float64 { return c.durM[a*c.n+b] }

// isFrozen reports whether node nd is a frozen stop: the constraints of
// frozen stops are not enforced.
func (c *routeCheck) isFrozen(nd chkNode) bool {
	return nd.stop >= 0 && c.frozen[c.in.Stops[nd.stop].ID]
}

// windows are the windows node nd must be served in; soft: the close of the
// last window is lifted (lateness is a cost).
func (c *routeCheck) windows(nd chkNode) []Window {
	if nd.stop < 0 || c.isFrozen(nd) {
		return nil
	}
	s := &c.in.Stops[nd.stop]
	if s.WindowLateCost > 0 && len(s.Windows) > 0 {
		w := append([]Window(nil), s.Windows...)
		w[len(w)-1].Close = math.Inf(1)
		return w
	}
	return s.Windows
}

// softClose is the close past which serving node nd is late, +Inf if none.
func (c *routeCheck) softClose(nd chkNode) float64 {
	if nd.stop < 0 || c.isFrozen(nd) || c.in.Stops[nd.stop].WindowLateCost <= 0 {
		return math.Inf(1)
	}
	ws := c.in.Stops[nd.stop].Windows
	return ws[len(ws)-1].Close
}

// softDeadline is the return past which node nd's trip is late for it,
// +Inf if none.
func (c *routeCheck) softDeadline(nd chkNode) float64 {
	if nd.stop < 0 || c.isFrozen(nd) || c.in.Stops[nd.stop].DeadlineLateCost <= 0 {
		return math.Inf(1)
	}
	return c.in.Stops[nd.stop].Deadline
}

// targetLateness sums the visits' TargetLateBy (each checked against
// the schedule in checkTimes).
func targetLateness(sol *Solution) float64 {
	t := 0.0
	for _, r := range sol.Routes {
		for _, tr := range r.Trips {
			for _, v := range tr.Visits {
				t += v.TargetLateBy
			}
		}
	}
	return t
}

// target is the Target node nd's trip aims at, +Inf if none.
func (c *routeCheck) target(nd chkNode) float64 {
	if nd.stop < 0 || c.isFrozen(nd) {
		return math.Inf(1)
	}
	if s := &c.in.Stops[nd.stop]; s.TargetLateCost > 0 && s.Target > 0 && s.DeadlineLateCost <= 0 {
		return s.Target
	}
	return math.Inf(1)
}

// forward is the earliest schedule from a departure time: start of service
// (arrival for the depot) and arrival per node, ok if every window could be
// met. Later trips leave as late as latest allows (if given).
func (c *routeCheck) forward(dep float64, latest []float64) ([]float64, []float64, bool) {
	nodes := c.nodes
	starts := make([]float64, len(nodes))
	arrs := make([]float64, len(nodes))
	t, at, ok := dep, c.startLoc, true
	for i, nd := range nodes {
		if i > 0 && nodes[i-1].stop < 0 && latest != nil {
			t = math.Max(t, latest[i]-c.travel(at, nd.loc))
		}
		if nd.stop >= 0 && (i == 0 || nodes[i-1].stop < 0) {
			// a trip leaves the depot once all its goods are released
			t = math.Max(t, c.release[nd.trip])
		}
		a := t + c.travel(at, nd.loc)
		arrs[i] = a
		st := a
		if ws := c.windows(nd); len(ws) > 0 {
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
		t, at = st+nd.service, nd.loc
	}
	return starts, arrs, ok
}

// latest is the latest schedule returning when the earliest schedule early
// does: per node, the latest start of service (arrival for the depot)
// within its windows, its trip's deadlines, and no later than need be past
// soft limits.
func (c *routeCheck) latest(early []float64) []float64 {
	nodes := c.nodes
	end := early[len(early)-1]
	latest := make([]float64, len(nodes))
	next, nextLoc := end, c.v.End
	for i := len(nodes) - 1; i >= 0; i-- {
		nd := nodes[i]
		if i == len(nodes)-1 {
			latest[i] = end
		} else {
			lt := next - c.travel(nd.loc, nextLoc) - nd.service
			if ws := c.windows(nd); len(ws) > 0 {
				for w := len(ws) - 1; w >= 0; w-- {
					if lt >= ws[w].Open-tol {
						lt = math.Min(lt, ws[w].Close)
						break
					}
				}
			}
			if nd.stop < 0 {
				lt = math.Min(lt, tripDeadline(c.in, c.v, nodes, nd.trip, c.frozen))
				// served no later than need be past soft deadlines
				sd := math.Inf(1)
				for _, o := range nodes {
					if o.trip == nd.trip && o.stop >= 0 {
						sd = math.Min(sd, math.Min(c.softDeadline(o), c.target(o)))
					}
				}
				if !math.IsInf(sd, 1) {
					lt = math.Min(lt, math.Max(sd, early[i]))
				}
			} else if sc := c.softClose(nd); !math.IsInf(sc, 1) {
				lt = math.Min(lt, math.Max(sc, early[i]))
			}
			latest[i] = lt
		}
		next, nextLoc = latest[i], nd.loc
	}
	return latest
}

// checkTimes compares the reported times and lateness of every visit and
// trip with the recomputed schedule (starts, arrs), adds the lateness, and
// checks each trip's limits (unless the route is only its frozen stops).
func (c *routeCheck) checkTimes(starts, arrs []float64, lateness *float64) {
	i := 0
	for ti, tr := range c.rt.Trips {
		tripStart := i
		back := starts[i+len(tr.Visits)]
		for _, vis := range tr.Visits {
			nd := c.nodes[i]
			late := math.Max(0, starts[i]-c.softClose(nd)) + math.Max(0, back-c.softDeadline(nd))
			if !near(vis.LateBy, late) {
				c.failf("stop %q: late by %v, recomputed %v", vis.Stop, vis.LateBy, late)
			}
			*lateness += late
			if tl := math.Max(0, back-c.target(nd)); !near(vis.TargetLateBy, tl) {
				c.failf("stop %q: past its target by %v, recomputed %v", vis.Stop, vis.TargetLateBy, tl)
			}
			if !near(vis.Arrival, arrs[i]) || !near(vis.Start, starts[i]) || !near(vis.Departure, starts[i]+nd.service) {
				c.failf("stop %q: times %v/%v/%v, recomputed %v/%v/%v", vis.Stop, vis.Arrival, vis.Start, vis.Departure, arrs[i], starts[i], starts[i]+nd.service)
			}
			i++
		}
		ret := starts[i]
		if !near(tr.Return, ret) {
			c.failf("trip %d returns at %v, recomputed %v", ti, tr.Return, ret)
		}
		if !c.onlyFrozen {
			c.checkTrip(ti, starts, tripStart, i, ret)
		}
		i++
	}
}

// checkTrip checks the limits of trip ti, whose stops are nodes from..to-1
// and which returns at ret: the shift end, and per stop not frozen its
// windows, its hard handover deadline and its maximum age; the first trip
// of a resumed vehicle also the deadline of the load on board.
func (c *routeCheck) checkTrip(ti int, starts []float64, from, to int, ret float64) {
	v := c.v
	if ret > v.Shift.Close+tol {
		c.failf("trip %d returns at %v after the shift ends at %v", ti, ret, v.Shift.Close)
	}
	for j := from; j < to; j++ {
		nd := c.nodes[j]
		if c.isFrozen(nd) {
			continue
		}
		s := &c.in.Stops[nd.stop]
		if ws := c.windows(nd); len(ws) > 0 {
			inside := false
			for _, w := range ws {
				if starts[j] >= w.Open-tol && starts[j] <= w.Close+tol {
					inside = true
				}
			}
			if !inside {
				c.failf("stop %q: service starts at %v outside its windows", s.ID, starts[j])
			}
		}
		if s.Deadline > 0 && s.DeadlineLateCost <= 0 && ret > s.Deadline+tol {
			c.failf("stop %q: back at the depot at %v after its handover deadline %v", s.ID, ret, s.Deadline)
		}
		if s.MaxAge > 0 && ret-(starts[j]+s.Service) > s.MaxAge+tol {
			c.failf("stop %q: load on board for %v, max age %v", s.ID, ret-(starts[j]+s.Service), s.MaxAge)
		}
	}
	if ti == 0 && v.Resume != nil && v.Resume.LoadDeadline > 0 && ret > v.Resume.LoadDeadline+tol {
		c.failf("first trip back at %v after the on-board load's deadline %v", ret, v.Resume.LoadDeadline)
	}
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
