package routing

// twoOptStar improves st by exchanging route tails (2-opt*) between routes
// until no improving exchange joins a stop to one of its nearest
// neighbours. It applies to simple models only (see model.simple) and
// returns whether st changed.
func (s *search) twoOptStar(st *state) bool {
	return s.twoOptStarOn(st, nil)
}

// twoOptStarOn is twoOptStar restricted to stops of the routes marked in
// only (nil: all routes).
func (s *search) twoOptStarOn(st *state, only []bool) bool {
	m := s.m
	if !m.simple {
		return false
	}
	changed := false
	const k = 12
	for pass := 0; pass < 10; pass++ {
		improved := false
		for u := int32(0); int(u) < m.n; u++ {
			v1 := st.where[u]
			if v1 < 0 || (only != nil && !only[v1]) {
				continue
			}
			nb := m.neigh[u]
			if len(nb) > k {
				nb = nb[:k]
			}
			for _, w := range nb {
				v2 := st.where[w]
				if v2 < 0 || v2 == v1 {
					continue
				}
				r1, r2 := &st.routes[v1], &st.routes[v2]
				i := s.posOf(r1, u)
				jw := s.posOf(r2, w)
				j := jw - 1 // cut r2 before w
				if m.tryTwoOptStar(r1, r2, i, j) {
					s.applyTwoOptStar(st, int(v1), int(v2), i, j)
					improved, changed = true, true
					break
				}
				if tuneRelocate && r1.nstops > 1 {
					// u moves next to w (before or after)
					if m.tryRelocate(r1, r2, i, jw-1) {
						s.applyRelocate(st, int(v1), int(v2), i, jw-1)
						improved, changed = true, true
						break
					}
					if m.tryRelocate(r1, r2, i, jw) {
						s.applyRelocate(st, int(v1), int(v2), i, jw)
						improved, changed = true, true
						break
					}
				}
				if tuneSwap {
					// u takes the place of w's predecessor or successor
					if p := jw - 1; p > 0 && r2.nodes[p] >= 0 && m.trySwap(r1, r2, i, p) {
						s.applySwap(st, int(v1), int(v2), i, p)
						improved, changed = true, true
						break
					}
					if p := jw + 1; p < len(r2.nodes)-1 && r2.nodes[p] >= 0 && m.trySwap(r1, r2, i, p) {
						s.applySwap(st, int(v1), int(v2), i, p)
						improved, changed = true, true
						break
					}
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

func (s *search) posOf(r *route, u int32) int {
	for p, x := range r.nodes {
		if x == u {
			return p
		}
	}
	return -1
}

// tryTwoOptStar reports whether joining r1[..i] with r2[j+1..] and r2[..j]
// with r1[i+1..] is feasible and shortens the routes.
func (m *model) tryTwoOptStar(r1, r2 *route, i, j int) bool {
	pr := &m.profiles[m.veh[r1.v].prof]
	nl := m.nloc
	a, a1 := int(r1.locs[i]), int(r1.locs[i+1])
	b, b1 := int(r2.locs[j]), int(r2.locs[j+1])
	delta := pr.cost[a*nl+b1] + pr.cost[b*nl+a1] - pr.cost[a*nl+a1] - pr.cost[b*nl+b1]
	if delta >= -1e-9 {
		return false
	}
	d := m.dims
	vi := &m.veh[r1.v]
	n1, n2 := len(r1.nodes), len(r2.nodes)
	for x := 0; x < d; x++ {
		t1, t2 := r1.cum[(n1-1)*d+x], r2.cum[(n2-1)*d+x]
		p1, p2 := r1.cum[i*d+x], r2.cum[j*d+x]
		if p1+t2-p2 > vi.cap[x]+tol || p2+t1-p1 > vi.cap[x]+tol {
			return false
		}
	}
	s1 := cat(r1.pre[i], r2.suf[j+1], pr.dur[a*nl+b1])
	if s1.TW > tol || s1.D > vi.maxDur+tol {
		return false
	}
	s2 := cat(r2.pre[j], r1.suf[i+1], pr.dur[b*nl+a1])
	return s2.TW <= tol && s2.D <= vi.maxDur+tol
}

func (s *search) applyTwoOptStar(st *state, v1, v2, i, j int) {
	r1, r2 := &st.routes[v1], &st.routes[v2]
	s.seqBuf = append(s.seqBuf[:0], r1.nodes[i+1:]...)
	r1.nodes = append(r1.nodes[:i+1], r2.nodes[j+1:]...)
	r2.nodes = append(r2.nodes[:j+1], s.seqBuf...)
	for _, x := range r1.nodes {
		if x >= 0 {
			st.where[x] = int32(v1)
		}
	}
	for _, x := range r2.nodes {
		if x >= 0 {
			st.where[x] = int32(v2)
		}
	}
	s.m.update(r1)
	s.m.update(r2)
	s.touch(v1)
	s.touch(v2)
}

// trySwap reports whether exchanging the stops at r1[i] and r2[j] is
// feasible and shortens the routes.
func (m *model) trySwap(r1, r2 *route, i, j int) bool {
	pr := &m.profiles[m.veh[r1.v].prof]
	nl := m.nloc
	u, w := r1.nodes[i], r2.nodes[j]
	a, lu, b := int(r1.locs[i-1]), int(r1.locs[i]), int(r1.locs[i+1])
	c, lw, e := int(r2.locs[j-1]), int(r2.locs[j]), int(r2.locs[j+1])
	c1 := pr.cost
	delta := c1[a*nl+lw] + c1[lw*nl+b] - c1[a*nl+lu] - c1[lu*nl+b] +
		c1[c*nl+lu] + c1[lu*nl+e] - c1[c*nl+lw] - c1[lw*nl+e]
	if delta >= -1e-9 {
		return false
	}
	d := m.dims
	vi := &m.veh[r1.v]
	n1, n2 := len(r1.nodes), len(r2.nodes)
	for x := 0; x < d; x++ {
		du, dw := m.demand[int(u)*d+x], m.demand[int(w)*d+x]
		if r1.cum[(n1-1)*d+x]-du+dw > vi.cap[x]+tol || r2.cum[(n2-1)*d+x]-dw+du > vi.cap[x]+tol {
			return false
		}
	}
	s1 := cat(cat(r1.pre[i-1], m.stopSeg(w), pr.dur[a*nl+lw]), r1.suf[i+1], pr.dur[lw*nl+b])
	if s1.TW > tol || s1.D > vi.maxDur+tol {
		return false
	}
	s2 := cat(cat(r2.pre[j-1], m.stopSeg(u), pr.dur[c*nl+lu]), r2.suf[j+1], pr.dur[lu*nl+e])
	return s2.TW <= tol && s2.D <= vi.maxDur+tol
}

func (s *search) applySwap(st *state, v1, v2, i, j int) {
	r1, r2 := &st.routes[v1], &st.routes[v2]
	u, w := r1.nodes[i], r2.nodes[j]
	r1.nodes[i], r2.nodes[j] = w, u
	st.where[w], st.where[u] = int32(v1), int32(v2)
	s.m.update(r1)
	s.m.update(r2)
	s.touch(v1)
	s.touch(v2)
}

// tryRelocate reports whether moving the stop r1[i] between r2[p] and
// r2[p+1] is feasible and shortens the routes.
func (m *model) tryRelocate(r1, r2 *route, i, p int) bool {
	pr := &m.profiles[m.veh[r1.v].prof]
	nl := m.nloc
	u := r1.nodes[i]
	a, lu, b := int(r1.locs[i-1]), int(r1.locs[i]), int(r1.locs[i+1])
	c, e := int(r2.locs[p]), int(r2.locs[p+1])
	c1 := pr.cost
	delta := c1[a*nl+b] - c1[a*nl+lu] - c1[lu*nl+b] + c1[c*nl+lu] + c1[lu*nl+e] - c1[c*nl+e]
	if delta >= -1e-9 {
		return false
	}
	d := m.dims
	vi := &m.veh[r1.v]
	n2 := len(r2.nodes)
	for x := 0; x < d; x++ {
		if r2.cum[(n2-1)*d+x]+m.demand[int(u)*d+x] > vi.cap[x]+tol {
			return false
		}
	}
	s1 := cat(r1.pre[i-1], r1.suf[i+1], pr.dur[a*nl+b])
	if s1.TW > tol || s1.D > vi.maxDur+tol {
		return false
	}
	s2 := cat(cat(r2.pre[p], m.stopSeg(u), pr.dur[c*nl+lu]), r2.suf[p+1], pr.dur[lu*nl+e])
	return s2.TW <= tol && s2.D <= vi.maxDur+tol
}

func (s *search) applyRelocate(st *state, v1, v2, i, p int) {
	r1, r2 := &st.routes[v1], &st.routes[v2]
	u := r1.nodes[i]
	r1.nodes = append(r1.nodes[:i], r1.nodes[i+1:]...)
	r2.nodes = append(r2.nodes, 0)
	copy(r2.nodes[p+2:], r2.nodes[p+1:])
	r2.nodes[p+1] = u
	st.where[u] = int32(v2)
	s.m.update(r1)
	s.m.update(r2)
	s.touch(v1)
	s.touch(v2)
}
