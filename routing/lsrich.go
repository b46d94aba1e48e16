package routing

import "math"

// The local search of rich models (several trips, deliveries and releases,
// deadlines, pins, ...): the same three moves as on simple models (2-opt*
// tail exchange, relocation next to a neighbour, exchange with a
// neighbour's predecessor or successor), each first filtered by its change
// of travel cost and, only when that improves, checked exactly on the two
// new node lists (peak load of every trip, then the full schedule of
// simulate). A tail may hold several trips, so 2-opt* also moves whole
// trips between vehicles. Linear per improving candidate, constant per
// rejected one.

// seqCost is the travel cost of node list seq on vehicle v.
func (m *model) seqCost(v int, seq []int32) float64 {
	vi := &m.veh[v]
	cost := m.profiles[vi.prof].cost
	c := 0.0
	prev := int(vi.start)
	for _, x := range seq[1:] {
		l := m.nodeLoc(v, x)
		c += cost[prev*m.nloc+l]
		prev = l
	}
	return c
}

// normalize drops empty trips from seq in place (a reload right after the
// start or another reload, or right before the end), except the way back
// to unload of a vehicle resumed with a load (keepFirst).
func normalize(seq []int32, keepFirst bool) []int32 {
	out := seq[:1]
	for _, x := range seq[1:] {
		if x == nReload || x == nEnd {
			if last := out[len(out)-1]; last == nReload {
				out = out[:len(out)-1]
			} else if last == nStart && x == nReload && !keepFirst {
				continue
			}
		}
		out = append(out, x)
	}
	return out
}

// seqOK reports whether node list seq is a feasible plan of vehicle v:
// trip count, peak loads, deliveries of resumed vehicles, compatibility of
// every stop, and the schedule.
func (m *model) seqOK(v int, seq []int32, sc *scratch) bool {
	vi := &m.veh[v]
	d := m.dims
	trips := 1
	if len(seq) <= 2 {
		return true
	}
	// peak load per trip: deliveries on board at the start, pickups added
	start := 0
	for p := 1; p < len(seq); p++ {
		x := seq[p]
		if x >= 0 {
			if !m.ok(int(x), v) || (m.delivery[x] && trips == 1 && vi.resumed && m.frozenOn[x] < 0) {
				return false
			}
			continue
		}
		// trip seq[start+1 : p]
		if start == 0 && vi.resumed {
			if !m.firstTripFits(v, seq[1:p]) {
				return false
			}
		} else if !m.mixed {
			// one kind only: the peak is the total
			for j := 0; j < d; j++ {
				load := 0.0
				if start == 0 && vi.initLoad != nil {
					load = vi.initLoad[j]
				}
				for _, y := range seq[start+1 : p] {
					load += m.demand[int(y)*d+j]
				}
				if load > vi.cap[j]+tol {
					return false
				}
			}
		}
		for j := 0; m.mixed && (start != 0 || !vi.resumed) && j < d; j++ {
			load := 0.0
			if start == 0 && vi.initLoad != nil {
				load = vi.initLoad[j]
			}
			for _, y := range seq[start+1 : p] {
				if m.delivery[y] {
					load += m.demand[int(y)*d+j]
				}
			}
			peak := load
			for _, y := range seq[start+1 : p] {
				if m.delivery[y] {
					load -= m.demand[int(y)*d+j]
				} else {
					load += m.demand[int(y)*d+j]
				}
				if load > peak {
					peak = load
				}
			}
			if peak > vi.cap[j]+tol {
				return false
			}
		}
		if x == nReload {
			trips++
			start = p
		}
	}
	if trips > vi.maxTrips {
		return false
	}
	return m.simFeasible(v, seq, sc)
}

// firstTripFits reports whether the stops of the first trip of resumed
// vehicle v fit its capacity: from the end of its leading frozen stops on
// (the commitment made before planning, whatever it carries) the load stays
// within cap0, the capacity or the committed load if higher.
func (m *model) firstTripFits(v int, trip []int32) bool {
	vi := &m.veh[v]
	d := m.dims
	nf := 0
	for nf < len(trip) && m.frozenOn[trip[nf]] >= 0 {
		nf++
	}
	for j := 0; j < d; j++ {
		load := 0.0
		if vi.initLoad != nil {
			load = vi.initLoad[j]
		}
		for _, y := range trip {
			if m.delivery[y] {
				load += m.demand[int(y)*d+j]
			}
		}
		for i, y := range trip {
			if i >= nf && load > vi.cap0[j]+tol {
				return false
			}
			if m.delivery[y] {
				load -= m.demand[int(y)*d+j]
			} else {
				load += m.demand[int(y)*d+j]
			}
		}
		if load > vi.cap0[j]+tol {
			return false
		}
	}
	return true
}

// richLS runs the moves on the stops of the routes marked in only (nil:
// all) until none improves; it returns whether st changed.
func (s *search) richLS(st *state, only []bool) bool {
	m := s.m
	changed := false
	const k = 12
	for pass := 0; pass < 10; pass++ {
		improved := false
		for u := int32(0); int(u) < m.n; u++ {
			v1 := st.where[u]
			if v1 < 0 || (only != nil && !only[v1]) || m.frozenOn[u] >= 0 {
				continue
			}
			nb := m.neigh[u]
			if len(nb) > k {
				nb = nb[:k]
			}
			for _, w := range nb {
				v2 := st.where[w]
				if v2 < 0 || m.frozenOn[w] >= 0 {
					continue
				}
				r1, r2 := &st.routes[v1], &st.routes[v2]
				i, jw := s.posOf(r1, u), s.posOf(r2, w)
				if v2 == v1 {
					// between two trips of one vehicle
					if tuneWithin && r1.trip[i] != r1.trip[jw] && (s.richMoveWithin(r1, i, jw-1) || s.richMoveWithin(r1, i, jw)) {
						improved, changed = true, true
						break
					}
					continue
				}
				if s.richTwoOptStar(st, r1, r2, i, jw-1) || s.richRelocate(st, r1, r2, i, jw-1) ||
					s.richRelocate(st, r1, r2, i, jw) || s.richSwap(st, r1, r2, i, jw-1) || s.richSwap(st, r1, r2, i, jw+1) {
					improved, changed = true, true
					break
				}
			}
		}
		if !improved {
			break
		}
	}
	if changed {
		st.cost = m.stateCost(st)
	}
	return changed
}

// richApply checks the candidate node lists s.ls1 (for r1) and s.ls2 (for
// r2) and installs them if they are feasible and cheaper.
func (s *search) richApply(st *state, r1, r2 *route) bool {
	return s.richApplyKnown(st, r1, r2, false, false)
}

// richApplyKnown is richApply where ok1 (ok2) says the list of r1 (r2) is
// already known to be feasible.
func (s *search) richApplyKnown(st *state, r1, r2 *route, ok1, ok2 bool) bool {
	m := s.m
	s.ls1 = normalize(s.ls1, m.veh[r1.v].initLoad != nil)
	s.ls2 = normalize(s.ls2, m.veh[r2.v].initLoad != nil)
	c1, c2 := m.seqCost(r1.v, s.ls1), m.seqCost(r2.v, s.ls2)
	delta := c1 + c2 - r1.cost - r2.cost
	if m.stable {
		delta += m.seqStab(r1.v, s.ls1) + m.seqStab(r2.v, s.ls2) - r1.stab - r2.stab
	}
	if len(s.ls1) <= 2 && r1.nstops > 0 {
		delta -= m.veh[r1.v].fixed * m.wFixed
	}
	if len(s.ls2) <= 2 && r2.nstops > 0 {
		delta -= m.veh[r2.v].fixed * m.wFixed
	}
	if m.soft {
		// lateness needs the simulation of both lists
		if delta >= -1e-9 {
			return false
		}
		l1, l2 := 0.0, 0.0
		if !m.seqOK(r1.v, s.ls1, &s.sc) {
			return false
		}
		if len(s.ls1) > 2 {
			l1 = s.sc.lateCost
		}
		if !m.seqOK(r2.v, s.ls2, &s.sc) {
			return false
		}
		if len(s.ls2) > 2 {
			l2 = s.sc.lateCost
		}
		delta += (l1 + l2 - r1.late - r2.late) * m.wLate
		ok1, ok2 = true, true
	}
	if delta >= -1e-9 || (!ok1 && !m.seqOK(r1.v, s.ls1, &s.sc)) || (!ok2 && !m.seqOK(r2.v, s.ls2, &s.sc)) {
		return false
	}
	r1.nodes = append(r1.nodes[:0], s.ls1...)
	r2.nodes = append(r2.nodes[:0], s.ls2...)
	for _, r := range []*route{r1, r2} {
		for _, x := range r.nodes {
			if x >= 0 {
				st.where[x] = int32(r.v)
			}
		}
		m.update(r)
		s.touch(r.v)
	}
	return true
}

func (s *search) arc(v int, a, b int32) float64 {
	pr := &s.m.profiles[s.m.veh[v].prof]
	return pr.cost[int(a)*s.m.nloc+int(b)]
}

// richTwoOptStar: r1[..i] + r2[j+1..] and r2[..j] + r1[i+1..].
func (s *search) richTwoOptStar(st *state, r1, r2 *route, i, j int) bool {
	if i < r1.nfrozen || j < r2.nfrozen || i >= len(r1.nodes)-1 || j >= len(r2.nodes)-1 {
		return false
	}
	a, a1, b, b1 := r1.locs[i], r1.locs[i+1], r2.locs[j], r2.locs[j+1]
	if s.arc(r1.v, a, b1)+s.arc(r2.v, b, a1)-s.arc(r1.v, a, a1)-s.arc(r2.v, b, b1) >= -1e-9 {
		return false
	}
	s.ls1 = append(append(s.ls1[:0], r1.nodes[:i+1]...), r2.nodes[j+1:]...)
	s.ls2 = append(append(s.ls2[:0], r2.nodes[:j+1]...), r1.nodes[i+1:]...)
	return s.richApply(st, r1, r2)
}

// richRelocate moves r1[i] between r2[p] and r2[p+1].
func (s *search) richRelocate(st *state, r1, r2 *route, i, p int) bool {
	if p < r2.nfrozen || p >= len(r2.nodes)-1 || !s.m.ok(int(r1.nodes[i]), r2.v) {
		return false
	}
	u := r1.nodes[i]
	lu := r1.locs[i]
	if s.arc(r1.v, r1.locs[i-1], r1.locs[i+1])-s.arc(r1.v, r1.locs[i-1], lu)-s.arc(r1.v, lu, r1.locs[i+1])+
		s.arc(r2.v, r2.locs[p], lu)+s.arc(r2.v, lu, r2.locs[p+1])-s.arc(r2.v, r2.locs[p], r2.locs[p+1]) >= -1e-9 {
		return false
	}
	// O(1) where possible: the insertion into r2 by its segments, the
	// removal from r1 by the old segments around u (its trip's release and
	// deadline only loosen without u)
	m := s.m
	_, ok2 := m.insertCost(r2, u, p, math.Inf(1), &s.sc)
	if !ok2 {
		return false
	}
	ok1 := false
	if r1.nodes[i-1] >= 0 || r1.nodes[i+1] >= 0 {
		vi := &m.veh[r1.v]
		pr := &m.profiles[vi.prof]
		c := cat(r1.pre[i-1], r1.suf[i+1], pr.dur[int(r1.locs[i-1])*m.nloc+int(r1.locs[i+1])])
		ok1 = c.TW <= tol && c.D <= vi.maxDur+tol && r1.nfull == 0
	}
	s.ls1 = append(append(s.ls1[:0], r1.nodes[:i]...), r1.nodes[i+1:]...)
	s.ls2 = append(append(append(s.ls2[:0], r2.nodes[:p+1]...), u), r2.nodes[p+1:]...)
	return s.richApplyKnown(st, r1, r2, ok1, true)
}

// richSwap exchanges the stops r1[i] and r2[j].
func (s *search) richSwap(st *state, r1, r2 *route, i, j int) bool {
	if j <= r2.nfrozen || j >= len(r2.nodes)-1 || r2.nodes[j] < 0 {
		return false
	}
	u, w := r1.nodes[i], r2.nodes[j]
	if !s.m.ok(int(u), r2.v) || !s.m.ok(int(w), r1.v) || s.m.frozenOn[w] >= 0 {
		return false
	}
	lu, lw := r1.locs[i], r2.locs[j]
	if s.arc(r1.v, r1.locs[i-1], lw)+s.arc(r1.v, lw, r1.locs[i+1])-s.arc(r1.v, r1.locs[i-1], lu)-s.arc(r1.v, lu, r1.locs[i+1])+
		s.arc(r2.v, r2.locs[j-1], lu)+s.arc(r2.v, lu, r2.locs[j+1])-s.arc(r2.v, r2.locs[j-1], lw)-s.arc(r2.v, lw, r2.locs[j+1]) >= -1e-9 {
		return false
	}
	s.ls1 = append(s.ls1[:0], r1.nodes...)
	s.ls2 = append(s.ls2[:0], r2.nodes...)
	s.ls1[i], s.ls2[j] = w, u
	return s.richApply(st, r1, r2)
}

// richMoveWithin moves r[i] between r[p] and r[p+1] of the same route (to
// another trip of the vehicle).
func (s *search) richMoveWithin(r *route, i, p int) bool {
	m := s.m
	if p < r.nfrozen || p >= len(r.nodes)-1 || p == i || p == i-1 {
		return false
	}
	u, lu := r.nodes[i], r.locs[i]
	if s.arc(r.v, r.locs[i-1], r.locs[i+1])-s.arc(r.v, r.locs[i-1], lu)-s.arc(r.v, lu, r.locs[i+1])+
		s.arc(r.v, r.locs[p], lu)+s.arc(r.v, lu, r.locs[p+1])-s.arc(r.v, r.locs[p], r.locs[p+1]) >= -1e-9 {
		return false
	}
	s.ls1 = s.ls1[:0]
	for q, x := range r.nodes {
		if q != i {
			s.ls1 = append(s.ls1, x)
		}
		if q == p {
			s.ls1 = append(s.ls1, u)
		}
	}
	s.ls1 = normalize(s.ls1, m.veh[r.v].initLoad != nil)
	delta := m.seqCost(r.v, s.ls1) - r.cost
	if m.stable {
		delta += m.seqStab(r.v, s.ls1) - r.stab
	}
	if delta >= -1e-9 || !m.seqOK(r.v, s.ls1, &s.sc) {
		return false
	}
	if m.soft && delta+(s.sc.lateCost-r.late)*m.wLate >= -1e-9 {
		return false
	}
	r.nodes = append(r.nodes[:0], s.ls1...)
	m.update(r)
	s.touch(r.v)
	return true
}
