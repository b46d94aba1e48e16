package routing

import "math"

// Node markers in a route's node list: stops are >= 0.
const (
	nStart  int32 = -1
	nReload int32 = -2
	nEnd    int32 = -3
)

// tol absorbs floating-point noise in time comparisons.
const tol = 1e-7

// seg is the time-window segment summary of Vidal et al. (2013): minimal
// duration D, time warp TW, earliest E and latest L start of its first node
// that achieve them.
type seg struct {
	D, TW, E, L float64
}

// cat concatenates a and b with travel time t between them.
func cat(a, b seg, t float64) seg {
	delta := a.D - a.TW + t
	wt := b.E - delta - a.L
	if wt < 0 {
		wt = 0
	}
	tw := a.E + delta - b.L
	if tw < 0 {
		tw = 0
	}
	e := b.E - delta
	if a.E > e {
		e = a.E
	}
	l := b.L - delta
	if a.L < l {
		l = a.L
	}
	return seg{D: a.D + b.D + t + wt, TW: a.TW + b.TW + tw, E: e - wt, L: l + tw}
}

// route is the search's view of one vehicle's plan: node list
// [start, stops and reloads..., end] with cached segments and loads.
type route struct {
	v     int
	nodes []int32
	// derived by update
	pre, suf, tsuf []seg   // prefix to p, suffix from p, from p to the end of its trip (stops only)
	trip           []int32 // trip index of each node (a reload belongs to the trip it closes)
	locs           []int32 // location of each node
	tripEnd        []int32 // position of the node closing each trip
	loads          []float64
	cum            []float64 // load picked up so far at each node, per dimension
	tdl            []float64 // per trip: min deadline
	trel           []float64 // per trip: max release of its stops (-big: none)
	// mixed models only, per node and dimension: load leaving the node (an
	// opening depot node: the deliveries of the trip it opens), its running
	// maximum since the trip's opening node, and the maximum from the node
	// to the trip's last stop (0 at closing nodes).
	lat, lpre, lsuf []float64
	cost            float64  // travel cost
	late            float64  // lateness cost (soft models), by simulate
	stab            float64  // stability cost
	sim             *scratch // buffers of update's simulation
	nstops          int
	nfull           int // stops needing the full simulation
	nfrozen         int
}

func (r *route) copyFrom(o *route) {
	r.v = o.v
	r.nodes = append(r.nodes[:0], o.nodes...)
	r.pre = append(r.pre[:0], o.pre...)
	r.suf = append(r.suf[:0], o.suf...)
	r.tsuf = append(r.tsuf[:0], o.tsuf...)
	r.trip = append(r.trip[:0], o.trip...)
	r.locs = append(r.locs[:0], o.locs...)
	r.tripEnd = append(r.tripEnd[:0], o.tripEnd...)
	r.loads = append(r.loads[:0], o.loads...)
	r.cum = append(r.cum[:0], o.cum...)
	r.tdl = append(r.tdl[:0], o.tdl...)
	r.trel = append(r.trel[:0], o.trel...)
	r.lat = append(r.lat[:0], o.lat...)
	r.lpre = append(r.lpre[:0], o.lpre...)
	r.lsuf = append(r.lsuf[:0], o.lsuf...)
	r.cost, r.nstops, r.nfull, r.nfrozen, r.late = o.cost, o.nstops, o.nfull, o.nfrozen, o.late
	r.stab = o.stab
}

func (r *route) ntrips() int { return len(r.tripEnd) }

func (r *route) empty() bool { return r.nstops == 0 }

// nodeLoc returns the location of node p.
func (m *model) nodeLoc(v int, x int32) int {
	switch {
	case x >= 0:
		return int(m.loc[x])
	case x == nStart:
		return int(m.veh[v].start)
	default:
		return int(m.veh[v].end)
	}
}

// nodeSeg is the segment of node p of r (after update has set tdl).
func (m *model) nodeSeg(r *route, p int) seg {
	x := r.nodes[p]
	if x == nStart || x == nReload {
		rel := -big
		if k := int(r.trip[p]); x == nStart {
			rel = r.trel[0]
		} else if k+1 < len(r.trel) {
			rel = r.trel[k+1]
		}
		return m.openSeg(r, p, rel)
	}
	vi := &m.veh[r.v]
	switch {
	case x >= 0:
		return seg{D: m.service[x], E: m.open[x], L: m.close[x]}
	default:
		l := r.tdl[r.trip[p]]
		if vi.tEnd < l {
			l = vi.tEnd
		}
		return seg{E: -big, L: l}
	}
}

// openSeg is the segment of the node p of r that opens a trip (the start or
// a reload) when the trip it opens carries goods released at rel: a reload
// is an arrival bounded by the closed trip's deadline, Reload time at the
// depot, then a departure no earlier than rel.
func (m *model) openSeg(r *route, p int, rel float64) seg {
	vi := &m.veh[r.v]
	if r.nodes[p] == nStart {
		e := vi.tStart
		if rel > e {
			e = rel
		}
		return seg{E: e, L: big}
	}
	l := r.tdl[r.trip[p]]
	if vi.tEnd < l {
		l = vi.tEnd
	}
	s := seg{D: vi.reload, E: -big, L: l}
	if rel > -big {
		s = cat(s, seg{E: rel, L: big}, 0)
	}
	return s
}

func (m *model) stopSeg(u int32) seg {
	return seg{D: m.service[u], E: m.open[u], L: m.close[u]}
}

// initRoute makes an empty route for vehicle v holding its frozen stops.
func (m *model) initRoute(r *route, v int) {
	r.v = v
	r.nodes = append(r.nodes[:0], nStart)
	r.nodes = append(r.nodes, m.veh[v].frozen...)
	r.nodes = append(r.nodes, nEnd)
	m.update(r)
}

// update recomputes the derived data of r from its nodes.
func (m *model) update(r *route) {
	n := len(r.nodes)
	vi := &m.veh[r.v]
	d := m.dims
	cost := m.profiles[vi.prof].cost
	dur := m.profiles[vi.prof].dur
	nl := m.nloc
	if cap(r.trip) < n || cap(r.locs) < n || cap(r.pre) < n || cap(r.suf) < n || cap(r.tsuf) < n {
		r.trip = make([]int32, n, 2*n)
		r.locs = make([]int32, n, 2*n)
		r.pre = make([]seg, n, 2*n)
		r.suf = make([]seg, n, 2*n)
		r.tsuf = make([]seg, n, 2*n)
	}
	r.trip, r.pre, r.suf, r.tsuf, r.locs = r.trip[:n], r.pre[:n], r.suf[:n], r.tsuf[:n], r.locs[:n]
	r.tripEnd = r.tripEnd[:0]
	r.loads = r.loads[:0]
	r.tdl = r.tdl[:0]
	r.trel = r.trel[:0]
	// pass 1: trips, loads, deadlines, cost
	k := int32(0)
	for j := 0; j < d; j++ {
		r.loads = append(r.loads, 0)
	}
	if vi.initLoad != nil {
		copy(r.loads, vi.initLoad)
	}
	r.tdl = append(r.tdl, vi.loadDeadline)
	r.trel = append(r.trel, -big)
	r.nstops, r.nfull, r.nfrozen = 0, 0, 0
	r.cost = 0
	prev := int(vi.start)
	for p, x := range r.nodes {
		r.trip[p] = k
		r.locs[p] = int32(m.nodeLoc(r.v, x))
		if p > 0 {
			l := int(r.locs[p])
			r.cost += cost[prev*nl+l]
			prev = l
		}
		if x >= 0 {
			r.nstops++
			if m.full[x] {
				r.nfull++
			}
			if m.frozenOn[x] >= 0 {
				r.nfrozen++
			}
			dm := m.demand[int(x)*d : int(x)*d+d]
			lo := r.loads[int(k)*d:]
			for j := range dm {
				lo[j] += dm[j]
			}
			if m.deadline[x] < r.tdl[k] {
				r.tdl[k] = m.deadline[x]
			}
			if m.release[x] > r.trel[k] {
				r.trel[k] = m.release[x]
			}
		} else if x == nReload || x == nEnd {
			r.tripEnd = append(r.tripEnd, int32(p))
			if x == nReload {
				k++
				for j := 0; j < d; j++ {
					r.loads = append(r.loads, 0)
				}
				r.tdl = append(r.tdl, big)
				r.trel = append(r.trel, -big)
			}
		}
	}
	if m.simple {
		if cap(r.cum) < n*d {
			r.cum = make([]float64, n*d, 2*n*d)
		}
		r.cum = r.cum[:n*d]
		for j := 0; j < d; j++ {
			r.cum[j] = 0
		}
		for p := 1; p < n; p++ {
			copy(r.cum[p*d:p*d+d], r.cum[(p-1)*d:p*d])
			if x := r.nodes[p]; x >= 0 {
				for j := 0; j < d; j++ {
					r.cum[p*d+j] += m.demand[int(x)*d+j]
				}
			}
		}
	}
	if m.mixed {
		m.updateLoads(r)
	}
	r.stab = m.seqStab(r.v, r.nodes)
	r.late = 0
	if m.soft && r.nfull > 0 {
		if r.sim == nil {
			r.sim = &scratch{}
		}
		m.simulate(r.v, r.nodes, r.sim)
		r.late = r.sim.lateCost
	}
	// pass 2: prefix segments
	r.pre[0] = m.nodeSeg(r, 0)
	for p := 1; p < n; p++ {
		a, b := m.nodeLoc(r.v, r.nodes[p-1]), m.nodeLoc(r.v, r.nodes[p])
		r.pre[p] = cat(r.pre[p-1], m.nodeSeg(r, p), dur[a*nl+b])
	}
	r.suf[n-1] = m.nodeSeg(r, n-1)
	r.tsuf[n-1] = seg{}
	for p := n - 2; p >= 0; p-- {
		a, b := m.nodeLoc(r.v, r.nodes[p]), m.nodeLoc(r.v, r.nodes[p+1])
		s := m.nodeSeg(r, p)
		r.suf[p] = cat(s, r.suf[p+1], dur[a*nl+b])
		if r.nodes[p] >= 0 {
			if r.nodes[p+1] >= 0 {
				r.tsuf[p] = cat(s, r.tsuf[p+1], dur[a*nl+b])
			} else {
				r.tsuf[p] = s
			}
		}
	}
}

// updateLoads fills the peak-load arrays of r (mixed models).
func (m *model) updateLoads(r *route) {
	n, d := len(r.nodes), m.dims
	vi := &m.veh[r.v]
	if cap(r.lat) < n*d {
		r.lat = make([]float64, n*d, 2*n*d)
		r.lpre = make([]float64, n*d, 2*n*d)
		r.lsuf = make([]float64, n*d, 2*n*d)
	}
	r.lat, r.lpre, r.lsuf = r.lat[:n*d], r.lpre[:n*d], r.lsuf[:n*d]
	// forward: deliveries of each trip leave on board
	for p := 0; p < n; p++ {
		x := r.nodes[p]
		lo, pre := r.lat[p*d:p*d+d], r.lpre[p*d:p*d+d]
		switch {
		case x >= 0:
			dm := m.demand[int(x)*d : int(x)*d+d]
			for j := 0; j < d; j++ {
				if m.delivery[x] {
					lo[j] = r.lat[(p-1)*d+j] - dm[j]
				} else {
					lo[j] = r.lat[(p-1)*d+j] + dm[j]
				}
				pre[j] = math.Max(r.lpre[(p-1)*d+j], lo[j])
			}
		case x == nEnd:
			for j := 0; j < d; j++ {
				lo[j], pre[j] = 0, 0
			}
		default: // start or reload: opens a trip
			for j := 0; j < d; j++ {
				lo[j] = 0
			}
			if x == nStart && vi.initLoad != nil {
				copy(lo, vi.initLoad)
			}
			for q := p + 1; q < n && r.nodes[q] >= 0; q++ {
				if y := r.nodes[q]; m.delivery[y] {
					for j := 0; j < d; j++ {
						lo[j] += m.demand[int(y)*d+j]
					}
				}
			}
			copy(pre, lo)
		}
	}
	// backward: maximum from a node to its trip's last stop
	for p := n - 1; p >= 0; p-- {
		suf := r.lsuf[p*d : p*d+d]
		if r.nodes[p] < 0 || p == n-1 || r.nodes[p+1] < 0 {
			if r.nodes[p] < 0 {
				for j := 0; j < d; j++ {
					suf[j] = 0
				}
				continue
			}
			copy(suf, r.lat[p*d:p*d+d])
			continue
		}
		for j := 0; j < d; j++ {
			suf[j] = math.Max(r.lat[p*d+j], r.lsuf[(p+1)*d+j])
		}
	}
}

// insertCost evaluates inserting stop u between nodes pos and pos+1 of r.
// It returns the change of travel cost and whether the result is feasible;
// when the cost change is not below bound it returns early with false.
// The caller has checked compatibility.
func (m *model) insertCost(r *route, u int32, pos int, bound float64, sc *scratch) (float64, bool) {
	vi := &m.veh[r.v]
	pr := &m.profiles[vi.prof]
	nl := m.nloc
	lu := int(m.loc[u])
	a, b := int(r.locs[pos]), int(r.locs[pos+1])
	delta := pr.cost[a*nl+lu] + pr.cost[lu*nl+b] - pr.cost[a*nl+b]
	if m.stable {
		pred := r.nodes[pos]
		if pred < 0 {
			pred = -1
		}
		delta += m.stabCost(u, r.v, pred)
		if y := r.nodes[pos+1]; y >= 0 {
			delta += m.stabCost(y, r.v, u) - m.stabCost(y, r.v, pred)
		}
	}
	if delta >= bound {
		return delta, false
	}
	k := r.trip[pos+1]
	d := m.dims
	dm := m.demand[int(u)*d : int(u)*d+d]
	if m.delivery[u] && k == 0 && vi.resumed {
		return delta, false
	}
	cp := vi.cap
	if k == 0 {
		cp = vi.cap0
	}
	if m.mixed {
		for j := range dm {
			if m.delivery[u] {
				if r.lpre[pos*d+j]+dm[j] > cp[j]+tol {
					return delta, false
				}
			} else if math.Max(r.lat[pos*d+j], r.lsuf[(pos+1)*d+j])+dm[j] > cp[j]+tol {
				return delta, false
			}
		}
	} else {
		lo := r.loads[int(k)*d : int(k)*d+d]
		for j := range dm {
			if lo[j]+dm[j] > cp[j]+tol {
				return delta, false
			}
		}
	}
	var s seg
	if m.release[u] > r.trel[k]+tol {
		// u delays its trip's departure: re-concatenate the trip's prefix
		// from its opening node (linear in the trip's length)
		o := 0
		if k > 0 {
			o = int(r.tripEnd[k-1])
		}
		s = m.openSeg(r, o, m.release[u])
		if o > 0 {
			s = cat(r.pre[o-1], s, pr.dur[int(r.locs[o-1])*nl+int(r.locs[o])])
		}
		for q := o + 1; q <= pos; q++ {
			s = cat(s, m.nodeSeg(r, q), pr.dur[int(r.locs[q-1])*nl+int(r.locs[q])])
		}
		s = cat(s, seg{D: m.service[u], E: m.open[u], L: m.close[u]}, pr.dur[a*nl+lu])
	} else {
		s = cat(r.pre[pos], seg{D: m.service[u], E: m.open[u], L: m.close[u]}, pr.dur[a*nl+lu])
	}
	if s.TW > tol {
		return delta, false
	}
	if dl := m.deadline[u]; dl < r.tdl[k] && dl < vi.tEnd {
		// u tightens its trip's return: rebuild the tail with the new bound
		te := int(r.tripEnd[k])
		last := lu
		if pos+1 < te {
			s = cat(s, r.tsuf[pos+1], pr.dur[lu*nl+b])
			last = int(r.locs[te-1])
		}
		es := m.nodeSeg(r, te)
		es.L = dl
		s = cat(s, es, pr.dur[last*nl+int(vi.end)])
		if te < len(r.nodes)-1 {
			s = cat(s, r.suf[te+1], pr.dur[int(vi.end)*nl+int(r.locs[te+1])])
		}
	} else {
		s = cat(s, r.suf[pos+1], pr.dur[lu*nl+b])
	}
	if s.TW > tol || s.D > vi.maxDur+tol {
		return delta, false
	}
	if r.nfull > 0 || m.full[u] {
		sc.seq = append(sc.seq[:0], r.nodes[:pos+1]...)
		sc.seq = append(sc.seq, u)
		sc.seq = append(sc.seq, r.nodes[pos+1:]...)
		if !m.simFeasible(r.v, sc.seq, sc) {
			return delta, false
		}
		if m.soft {
			delta += (sc.lateCost - r.late) * m.wLate
			if delta >= bound {
				return delta, false
			}
		}
	}
	return delta, true
}

// newTripCost evaluates u as a new last trip of the non-empty route r.
func (m *model) newTripCost(r *route, u int32, sc *scratch) (float64, bool) {
	vi := &m.veh[r.v]
	// an empty route takes a new trip only from a vehicle resumed with a
	// load: it first drives back to unload
	if r.ntrips() >= vi.maxTrips || (r.empty() && vi.initLoad == nil) {
		return 0, false
	}
	pr := &m.profiles[vi.prof]
	nl := m.nloc
	lu, le := int(m.loc[u]), int(vi.end)
	delta := pr.cost[le*nl+lu] + pr.cost[lu*nl+le] + m.stabCost(u, r.v, -1)
	dm := m.dem(int(u))
	for j := range dm {
		if dm[j] > vi.cap[j]+tol {
			return delta, false
		}
	}
	n := len(r.nodes)
	last := m.nodeLoc(r.v, r.nodes[n-2])
	rs := m.nodeSeg(r, n-1)
	rs.D = vi.reload
	if rel := m.release[u]; rel > -big {
		rs = cat(rs, seg{E: rel, L: big}, 0)
	}
	s := cat(r.pre[n-2], rs, pr.dur[last*nl+le])
	s = cat(s, m.stopSeg(u), pr.dur[le*nl+lu])
	l := vi.tEnd
	if m.deadline[u] < l {
		l = m.deadline[u]
	}
	s = cat(s, seg{E: -big, L: l}, pr.dur[lu*nl+le])
	if s.TW > tol || s.D > vi.maxDur+tol {
		return delta, false
	}
	if r.nfull > 0 || m.full[u] {
		sc.seq = append(sc.seq[:0], r.nodes[:n-1]...)
		sc.seq = append(sc.seq, nReload, u, nEnd)
		if !m.simFeasible(r.v, sc.seq, sc) {
			return delta, false
		}
		if m.soft {
			delta += (sc.lateCost - r.late) * m.wLate
		}
	}
	return delta, true
}

// newTripBefore evaluates u as a new trip of its own opened at node o of
// the non-empty route r (the start or a reload), ahead of the trip o opened:
// the nodes become ..., o, u, reload, (that trip), ... It is O(1) with the
// segments.
func (m *model) newTripBefore(r *route, u int32, o int, sc *scratch) (float64, bool) {
	vi := &m.veh[r.v]
	if r.ntrips() >= vi.maxTrips || r.empty() || o >= len(r.nodes)-1 {
		return 0, false
	}
	if o == 0 && (vi.resumed || r.nfrozen > 0) {
		return 0, false
	}
	pr := &m.profiles[vi.prof]
	nl := m.nloc
	lo, lu, le, ln := int(r.locs[o]), int(m.loc[u]), int(vi.end), int(r.locs[o+1])
	delta := pr.cost[lo*nl+lu] + pr.cost[lu*nl+le] + pr.cost[le*nl+ln] - pr.cost[lo*nl+ln] + m.stabCost(u, r.v, -1)
	dm := m.dem(int(u))
	for j := range dm {
		if dm[j] > vi.cap[j]+tol {
			return delta, false
		}
	}
	s := m.openSeg(r, o, m.release[u])
	if o > 0 {
		s = cat(r.pre[o-1], s, pr.dur[int(r.locs[o-1])*nl+lo])
	}
	s = cat(s, m.stopSeg(u), pr.dur[lo*nl+lu])
	if s.TW > tol {
		return delta, false
	}
	l := vi.tEnd
	if m.deadline[u] < l {
		l = m.deadline[u]
	}
	rs := seg{D: vi.reload, E: -big, L: l}
	k := int(r.trip[o+1])
	if rel := r.trel[k]; rel > -big {
		rs = cat(rs, seg{E: rel, L: big}, 0)
	}
	s = cat(s, rs, pr.dur[lu*nl+le])
	s = cat(s, r.suf[o+1], pr.dur[le*nl+ln])
	if s.TW > tol || s.D > vi.maxDur+tol {
		return delta, false
	}
	if r.nfull > 0 || m.full[u] {
		sc.seq = append(sc.seq[:0], r.nodes[:o+1]...)
		sc.seq = append(sc.seq, u, nReload)
		sc.seq = append(sc.seq, r.nodes[o+1:]...)
		if !m.simFeasible(r.v, sc.seq, sc) {
			return delta, false
		}
		if m.soft {
			delta += (sc.lateCost - r.late) * m.wLate
		}
	}
	return delta, true
}

// scratch holds per-worker buffers so that the hot loop does not allocate.
type scratch struct {
	seq    []int32
	times  []float64
	latest []float64
	tdl    []float64
	deps   []float64 // departure from each node (pass 3 of simulate)
	rel    []float64 // release of the trip each opening node opens
	sdl    []float64 // earliest soft deadline of the trip each closing node closes
	// lateness of the last simulate: per node past the soft close (lw) and
	// the soft deadline (ld), and its cost
	lw, ld   []float64
	lateCost float64
}

// windowStart is the earliest start of service of stop s at or after t, or
// false if every window has closed.
func (m *model) windowStart(s int32, t float64) (float64, bool) {
	if w := m.windows[s]; w != nil {
		for _, x := range w {
			if t <= x.Close+tol {
				if t < x.Open {
					return x.Open, true
				}
				return t, true
			}
		}
		return t, false
	}
	if t > m.close[s]+tol {
		return t, false
	}
	if t < m.open[s] {
		return m.open[s], true
	}
	return t, true
}

// latestStart is the latest start of service of stop s at or before t.
func (m *model) latestStart(s int32, t float64) (float64, bool) {
	if w := m.windows[s]; w != nil {
		for i := len(w) - 1; i >= 0; i-- {
			if t >= w[i].Open-tol {
				if t > w[i].Close {
					return w[i].Close, true
				}
				return t, true
			}
		}
		return t, false
	}
	if t < m.open[s]-tol {
		return t, false
	}
	if t > m.close[s] {
		return m.close[s], true
	}
	return t, true
}

// simulate schedules seq (a full node list of vehicle v) the way the plan is
// reported: leave as late as possible without returning later than the
// earliest possible return, then serve every stop as early as possible; each
// later trip also leaves as late as that allows. It
// fills sc.times with the start of service (or arrival for depot nodes) and
// returns the departure from the start and whether every constraint holds.
func (m *model) simulate(v int, seq []int32, sc *scratch) (float64, bool) {
	vi := &m.veh[v]
	sc.size(len(seq))
	sc.lateCost = 0
	if m.hasAfter && !m.placesHold(seq) {
		return vi.tStart, false
	}
	m.tripBounds(vi, seq, sc)
	if !m.earliest(v, seq, sc) {
		return vi.tStart, false
	}
	depart := m.latestDeparture(v, seq, sc)
	ok := m.schedule(v, seq, sc, depart)
	return depart, ok
}

// size makes the buffers of simulate n long, growing them if need be.
func (sc *scratch) size(n int) {
	if cap(sc.times) < n {
		sc.times = make([]float64, n, 2*n)
		sc.latest = make([]float64, n, 2*n)
		sc.tdl = make([]float64, n, 2*n)
		sc.deps = make([]float64, n, 2*n)
	}
	sc.deps = sc.deps[:n]
	sc.times, sc.latest, sc.tdl = sc.times[:n], sc.latest[:n], sc.tdl[:n]
	if cap(sc.rel) < n {
		sc.rel = make([]float64, n, 2*n)
		sc.sdl = make([]float64, n, 2*n)
		sc.lw = make([]float64, n, 2*n)
		sc.ld = make([]float64, n, 2*n)
	}
	sc.rel, sc.sdl, sc.lw, sc.ld = sc.rel[:n], sc.sdl[:n], sc.lw[:n], sc.ld[:n]
}

// tripBounds stores, for each trip of seq, its deadline (sc.tdl) and its
// earliest soft deadline (sc.sdl) at the node closing it, and the latest
// release of its stops (sc.rel) at the node opening it.
func (m *model) tripBounds(vi *vinfo, seq []int32, sc *scratch) {
	n := len(seq)
	rel, sdl, tdl := sc.rel[:n], sc.sdl[:n], sc.tdl[:n] // (lengths the compiler can see)
	open := 0
	rel[0] = -big
	dl := vi.loadDeadline
	soft := big // earliest soft deadline of the trip
	for p := 1; p < n; p++ {
		x := seq[p]
		if x >= 0 {
			if m.deadline[x] < dl {
				dl = m.deadline[x]
			}
			if m.softDl[x] < soft {
				soft = m.softDl[x]
			}
			if m.release[x] > rel[open] {
				rel[open] = m.release[x]
			}
		} else {
			open = p
			rel[p] = -big
			if vi.tEnd < dl {
				dl = vi.tEnd
			}
			tdl[p] = dl
			sdl[p] = soft
			dl, soft = big, big
		}
	}
}

// earliest is pass 1 of simulate: the earliest schedule of seq from the
// shift start, into sc.times and sc.deps; false if a window or a trip
// deadline cannot be met.
func (m *model) earliest(v int, seq []int32, sc *scratch) bool {
	vi := &m.veh[v]
	pr := &m.profiles[vi.prof]
	nl := m.nloc
	n := len(seq)
	times, deps, rel, tdl := sc.times[:n], sc.deps[:n], sc.rel[:n], sc.tdl[:n]
	ok := true
	t := math.Max(vi.tStart, rel[0])
	times[0] = t
	deps[0] = t
	prev := int(vi.start)
	for p := 1; p < n; p++ {
		x := seq[p]
		l := m.nodeLoc(v, x)
		arr := t + pr.dur[prev*nl+l]
		prev = l
		if x >= 0 {
			st, in := m.windowStart(x, arr)
			if !in {
				ok = false
			}
			times[p] = st
			t = st + m.service[x]
		} else {
			if arr > tdl[p]+tol {
				ok = false
			}
			times[p] = arr
			t = arr
			if x == nReload {
				t += vi.reload
				if rel[p] > t {
					t = rel[p]
				}
			}
		}
		deps[p] = t
	}
	return ok
}

// latestDeparture is pass 2 of simulate: the latest schedule of seq that
// still returns at the earliest return (sc.times[n-1], from earliest), into
// sc.latest, and the departure from the start it allows.
func (m *model) latestDeparture(v int, seq []int32, sc *scratch) float64 {
	vi := &m.veh[v]
	pr := &m.profiles[vi.prof]
	nl := m.nloc
	n := len(seq)
	times, latest, rel, sdl, tdl := sc.times[:n], sc.latest[:n], sc.rel[:n], sc.sdl[:n], sc.tdl[:n]
	latest[n-1] = times[n-1]
	for p := n - 2; p >= 1; p-- {
		x := seq[p]
		l, ln := m.nodeLoc(v, x), m.nodeLoc(v, seq[p+1])
		dep := latest[p+1] - pr.dur[l*nl+ln]
		if x >= 0 {
			st, _ := m.latestStart(x, dep-m.service[x])
			if m.wlc[x] > 0 {
				// no later than need be past a soft close
				st = math.Min(st, math.Max(m.softClose[x], times[p]))
			}
			latest[p] = st
		} else {
			a := dep
			if x == nReload {
				a -= vi.reload
			}
			if tdl[p] < a {
				a = tdl[p]
			}
			if sdl[p] < big {
				a = math.Min(a, math.Max(sdl[p], times[p]))
			}
			latest[p] = a
		}
	}
	depart := math.Max(vi.tStart, rel[0])
	if n > 2 {
		if d := latest[1] - pr.dur[int(vi.start)*nl+m.nodeLoc(v, seq[1])]; d > depart {
			depart = d
		}
	}
	return depart
}

// schedule is pass 3 of simulate: the earliest schedule of seq from depart,
// each later trip leaving as late as sc.latest allows, into sc.times and
// sc.deps, with the lateness (sc.lw, sc.ld, sc.lateCost); false if a
// window, a trip deadline, a maximum age or the maximum duration is broken.
func (m *model) schedule(v int, seq []int32, sc *scratch, depart float64) bool {
	vi := &m.veh[v]
	pr := &m.profiles[vi.prof]
	nl := m.nloc
	n := len(seq)
	times, latest, rel, sdl, tdl := sc.times[:n], sc.latest[:n], sc.rel[:n], sc.sdl[:n], sc.tdl[:n]
	deps, lw, ld := sc.deps[:n], sc.lw[:n], sc.ld[:n]
	ok := true
	late := sc.lateCost
	t := depart
	times[0] = t
	deps[0] = t
	prev := int(vi.start)
	ageBound := big // min over the trip's stops of departure + max age
	first := 1      // first node of the current trip
	for p := 1; p < n; p++ {
		x := seq[p]
		l := m.nodeLoc(v, x)
		arr := t + pr.dur[prev*nl+l]
		prev = l
		if x >= 0 {
			st, in := m.windowStart(x, arr)
			if !in {
				ok = false
			}
			times[p] = st
			t = st + m.service[x]
			deps[p] = t
			lw[p], ld[p] = 0, 0
			if st > m.softClose[x] {
				lw[p] = st - m.softClose[x]
				late += m.wlc[x] * lw[p]
			}
			if m.maxAge[x] < big {
				if b := t + m.maxAge[x]; b < ageBound {
					ageBound = b
				}
			}
		} else {
			if arr > tdl[p]+tol || arr > ageBound+tol {
				ok = false
			}
			ageBound = big
			if sdl[p] < arr {
				for q := first; q < p; q++ {
					if y := seq[q]; arr > m.softDl[y] {
						ld[q] = arr - m.softDl[y]
						late += m.dlc[y] * ld[q]
					}
				}
			}
			first = p + 1
			times[p] = arr
			t = arr
			if x == nReload {
				t += vi.reload
				if rel[p] > t {
					t = rel[p]
				}
				// the next trip leaves as late as possible too
				if d := latest[p+1] - pr.dur[l*nl+m.nodeLoc(v, seq[p+1])]; d > t {
					t = d
				}
			}
			deps[p] = t
		}
	}
	sc.lateCost = late
	if times[n-1]-depart > vi.maxDur+tol {
		ok = false
	}
	return ok
}

// placesHold reports whether every stop of seq with a position
// (Stop.After, Stop.First) is at its place.
func (m *model) placesHold(seq []int32) bool {
	for p := 1; p < len(seq); p++ {
		x := seq[p]
		if x < 0 {
			continue
		}
		switch a := m.after[x]; {
		case a >= 0:
			if seq[p-1] != a {
				return false
			}
		case a == afterFirst:
			// only frozen stops (and a way back to unload) before it
			for q := p - 1; q >= 1; q-- {
				if y := seq[q]; y >= 0 && m.frozenOn[y] < 0 {
					return false
				}
			}
		}
	}
	return true
}

func (m *model) simFeasible(v int, seq []int32, sc *scratch) bool {
	_, ok := m.simulate(v, seq, sc)
	return ok
}

// routeFeasible checks r as a whole (used for removals, which never break
// time windows but may change ages and departures).
func (m *model) routeFeasible(r *route, sc *scratch) bool {
	vi := &m.veh[r.v]
	if r.suf[0].TW > tol || r.suf[0].D > vi.maxDur+tol {
		return false
	}
	if r.nfull > 0 {
		return m.simFeasible(r.v, r.nodes, sc)
	}
	return true
}
