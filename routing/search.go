package routing

import (
	"math"
	"sort"
	"time"
)

// rng is a small, fast, deterministic generator (xorshift64*); the search
// draws several numbers per insertion position, so math/rand's overhead
// shows.
type rng struct{ s uint64 }

func newRNG(seed int64, stream int) *rng {
	s := uint64(seed)*0x9E3779B97F4A7C15 + uint64(stream+1)*0xBF58476D1CE4E5B9
	r := &rng{s: s | 1}
	for i := 0; i < 8; i++ {
		r.next()
	}
	return r
}

func (r *rng) next() uint64 {
	r.s ^= r.s >> 12
	r.s ^= r.s << 25
	r.s ^= r.s >> 27
	return r.s * 2685821657736338717
}

// float returns a number in [0,1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn returns a number in [0,n).
func (r *rng) intn(n int) int { return int((r.next() >> 33) % uint64(n)) }

// state is a complete assignment: one route per vehicle plus unassigned
// stops.
type state struct {
	routes     []route
	where      []int32 // route (= vehicle) of each stop, -1 if unassigned
	unassigned []int32
	cost       float64 // objective value
}

func (m *model) newState() *state {
	s := &state{routes: make([]route, m.nv), where: make([]int32, m.n)}
	for i := range s.where {
		s.where[i] = -1
	}
	for v := 0; v < m.nv; v++ {
		m.initRoute(&s.routes[v], v)
		for _, x := range m.veh[v].frozen {
			s.where[x] = int32(v)
		}
	}
	for i := 0; i < m.n; i++ {
		if s.where[i] < 0 {
			s.unassigned = append(s.unassigned, int32(i))
		}
	}
	s.cost = m.stateCost(s)
	return s
}

func (m *model) stateCost(s *state) float64 {
	c := 0.0
	for v := range s.routes {
		r := &s.routes[v]
		if r.nstops > 0 {
			c += r.cost + m.veh[v].fixed*m.wFixed + r.late*m.wLate + r.stab
		}
	}
	for _, u := range s.unassigned {
		c += m.penalty[u] * m.wPen
	}
	if m.wBalance > 0 {
		longest := 0.0
		for v := range s.routes {
			if r := &s.routes[v]; r.nstops > 0 && r.suf[0].D > longest {
				longest = r.suf[0].D
			}
		}
		c += m.wBalance * longest
	}
	if m.wOverlap > 0 {
		c += m.wOverlap * float64(m.overlapPairs(s.where))
	}
	return c
}

func (s *state) copyFrom(o *state) {
	for v := range o.routes {
		s.routes[v].copyFrom(&o.routes[v])
	}
	copy(s.where, o.where)
	s.unassigned = append(s.unassigned[:0], o.unassigned...)
	s.cost = o.cost
}

// search is one worker's simulated-annealing ruin-and-recreate (SISR).
type search struct {
	m   *model
	rnd *rng
	sc  scratch

	cur, work, best *state
	touched         []bool
	touchedList     []int
	removed         []int32
	ruinedRoute     []bool
	candRoute       []bool
	lsMark          []bool
	isRemoved       []bool
	order           []int32
	order2          []int32 // sortRemoved's buffer for positions
	inOrder         []bool
	keys            []float64
	seenClasses     []int32
	depotCost       []float64
	seqBuf          []int32
	ls1, ls2        []int32 // candidate node lists of the rich local search

	report func(*search, int)

	// stopBy, when set, cuts the greedy insertion short (the construction
	// under a time budget): the stops not yet inserted stay unassigned.
	stopBy time.Time

	it              int // iterations done
	budget          int // iteration budget (0: none)
	start, deadline time.Time

	// SISR parameters
	cbar float64
	lmax float64
	t0   float64
	tf   float64
}

// Large instances only try to insert a stop into routes that serve one of
// its nearest neighbours (and into empty vehicles).
const (
	restrictAbove      = 400
	restrictNeighbours = 40
)

// Search parameters (SISR's defaults, tuned on Solomon at short budgets).
var (
	tuneT0       = 1.0  // initial temperature, times the average arc cost
	tuneTf       = 0.01 // final temperature, times the average arc cost
	tuneElim     = 0.02 // probability of trying to empty a whole route
	tuneCbar     = 10.0 // average number of stops removed
	tuneLmax     = 10.0 // maximum string length
	tuneBlink    = 0.01 // blink rate of the greedy insertion
	tuneEpochs   = 4    // epochs between which lagging workers adopt the best plan
	tuneNewRoute = 0.05 // probability of opening a new route with the first reinserted stop
	tuneLS       = true // 2-opt* on each new best plan (simple models)
	tuneLSAll    = true // 2-opt* on every candidate, from its changed routes
	tuneSwap     = true // exchanges of two stops in the local search
	tuneRelocate = true // relocations next to a neighbour in the local search
	tuneRichLS   = true // the local search of rich models on candidates
	tuneRichGate = 0.01 // ... within this fraction of the current cost
	// moves between two trips of one vehicle in the rich local search:
	// measured neutral to slightly worse on MTVRPTWR at 3 s (three runs of
	// nine instances each: +2.25 % against +2.06 % average), so off.
	tuneWithin = false
)

func newSearch(m *model, seed int64, stream int) *search {
	s := &search{m: m, rnd: newRNG(seed, stream), cbar: tuneCbar, lmax: tuneLmax}
	s.cur = m.newState()
	s.work = m.newState()
	s.best = m.newState()
	s.touched = make([]bool, m.nv)
	s.ruinedRoute = make([]bool, m.nv)
	s.candRoute = make([]bool, m.nv)
	s.lsMark = make([]bool, m.nv)
	s.isRemoved = make([]bool, m.n)
	s.keys = make([]float64, m.n)
	s.depotCost = make([]float64, m.n)
	for i := 0; i < m.n; i++ {
		best := math.Inf(1)
		for v := range m.veh {
			vi := &m.veh[v]
			pr := &m.profiles[vi.prof]
			l := int(m.loc[i])
			c := pr.cost[int(vi.start)*m.nloc+l] + pr.cost[l*m.nloc+int(vi.end)]
			if c < best {
				best = c
			}
			if v > 64 {
				break
			}
		}
		s.depotCost[i] = best
	}
	return s
}

func (s *search) touch(v int) {
	if !s.touched[v] {
		s.touched[v] = true
		s.touchedList = append(s.touchedList, v)
	}
}

// construct builds the first solution by greedy insertion.
func (s *search) construct() {
	st := s.work
	if s.m.stable {
		s.fromReference(st)
	}
	s.removed = append(s.removed[:0], st.unassigned...)
	st.unassigned = st.unassigned[:0]
	s.recreate(st, 0)
	st.cost = s.m.stateCost(st)
	s.cur.copyFrom(st)
	s.best.copyFrom(st)
	s.touchedList = s.touchedList[:0]
	for i := range s.touched {
		s.touched[i] = false
	}
}

// fromReference starts from the reference plan: each vehicle takes its
// reference stops in their order, trip by trip, skipping any that no longer
// fits (the greedy insertion places them afterwards).
func (s *search) fromReference(st *state) {
	m := s.m
	for v := 0; v < m.nv; v++ {
		r := &st.routes[v]
		lastTrip := int32(-1)
		for _, u := range m.refOrder[v] {
			if st.where[u] >= 0 || !m.ok(int(u), v) {
				continue
			}
			n := len(r.nodes)
			if !r.empty() && m.refTrip[u] != lastTrip {
				if _, ok := m.newTripCost(r, u, &s.sc); ok {
					r.nodes = append(r.nodes[:n-1], nReload, u, nEnd)
					m.update(r)
					st.where[u], lastTrip = int32(v), m.refTrip[u]
					continue
				}
			}
			if _, ok := m.insertCost(r, u, n-2, math.Inf(1), &s.sc); ok {
				r.nodes = append(r.nodes[:n-1], u, nEnd)
				m.update(r)
				st.where[u], lastTrip = int32(v), m.refTrip[u]
			}
		}
	}
	out := st.unassigned[:0]
	for _, u := range st.unassigned {
		if st.where[u] < 0 {
			out = append(out, u)
		}
	}
	st.unassigned = out
}

// recreate inserts s.removed into st greedily (with blinks of rate blink).
func (s *search) recreate(st *state, blink float64) {
	m := s.m
	s.sortRemoved()
	blinkT := uint64(blink * (1 << 63) * 2)
	// sometimes open a new route with the first stop (the greedy rarely
	// does on its own, yet distance-optimal plans often use more vehicles)
	forceNew := blink > 0 && s.rnd.float() < tuneNewRoute
	for oi, u := range s.order {
		if !s.stopBy.IsZero() && oi&15 == 15 && time.Now().After(s.stopBy) {
			st.unassigned = append(st.unassigned, s.order[oi:]...)
			break
		}
		bestDelta := math.Inf(1)
		bestV, bestPos := -1, -1
		bestNew := false
		s.seenClasses = s.seenClasses[:0]
		restrict := m.n > restrictAbove && m.pin[u] < 0
		if restrict {
			nb := m.neigh[u]
			if len(nb) > restrictNeighbours {
				nb = nb[:restrictNeighbours]
			}
			for _, x := range nb {
				if v := st.where[x]; v >= 0 {
					s.candRoute[v] = true
				}
			}
		}
		for v := 0; v < m.nv; v++ {
			if !m.ok(int(u), v) {
				continue
			}
			r := &st.routes[v]
			if restrict && !s.candRoute[v] && !r.empty() {
				continue
			}
			if forceNew && oi == 0 && !r.empty() {
				continue
			}
			fixed := 0.0
			if r.empty() && r.nfrozen == 0 {
				// identical empty vehicles: try the first one only
				c := m.class[v]
				seen := false
				for _, cc := range s.seenClasses {
					if cc == c {
						seen = true
						break
					}
				}
				if seen {
					continue
				}
				s.seenClasses = append(s.seenClasses, c)
				fixed = m.veh[v].fixed * m.wFixed
			}
			first := r.nfrozen
			for pos := first; pos < len(r.nodes)-1; pos++ {
				if blinkT > 0 && s.rnd.next() < blinkT {
					continue
				}
				d, ok := m.insertCost(r, u, pos, bestDelta-fixed, &s.sc)
				if ok {
					bestDelta, bestV, bestPos, bestNew = d+fixed, v, pos, false
				}
			}
			if m.veh[v].maxTrips > 1 && (!r.empty() || m.veh[v].initLoad != nil) && r.ntrips() < m.veh[v].maxTrips {
				d, ok := m.newTripCost(r, u, &s.sc)
				if ok && d+fixed < bestDelta {
					bestDelta, bestV, bestPos, bestNew = d+fixed, v, -1, true
				}
				// or a trip of its own ahead of any trip
				for o := 0; o < len(r.nodes)-1; o++ {
					if x := r.nodes[o]; x != nStart && x != nReload {
						continue
					}
					d, ok := m.newTripBefore(r, u, o, &s.sc)
					if ok && d < bestDelta {
						bestDelta, bestV, bestPos, bestNew = d, v, o, true
					}
				}
			}
		}
		if restrict {
			for _, x := range m.neigh[u] {
				if v := st.where[x]; v >= 0 {
					s.candRoute[v] = false
				}
			}
		}
		if bestV < 0 {
			st.unassigned = append(st.unassigned, u)
			continue
		}
		r := &st.routes[bestV]
		switch {
		case bestNew && bestPos < 0:
			n := len(r.nodes)
			r.nodes = append(r.nodes[:n-1], nReload, u, nEnd)
		case bestNew:
			r.nodes = append(r.nodes, 0, 0)
			copy(r.nodes[bestPos+3:], r.nodes[bestPos+1:])
			r.nodes[bestPos+1], r.nodes[bestPos+2] = u, nReload
		default:
			r.nodes = append(r.nodes, 0)
			copy(r.nodes[bestPos+2:], r.nodes[bestPos+1:])
			r.nodes[bestPos+1] = u
		}
		m.update(r)
		st.where[u] = int32(bestV)
		s.touch(bestV)
	}
}

// sortRemoved orders s.removed into s.order: by penalty, then by one of
// SISR's orders (random, demand, far, close).
func (s *search) sortRemoved() {
	m := s.m
	s.order = append(s.order[:0], s.removed...)
	w := s.rnd.intn(11)
	for _, u := range s.order {
		var k float64
		switch {
		case w < 4:
			k = s.rnd.float()
		case w < 8:
			sum := 0.0
			for _, x := range m.dem(int(u)) {
				sum += x
			}
			k = -sum
		case w < 10:
			k = -s.depotCost[u]
		default:
			k = s.depotCost[u]
		}
		s.keys[u] = k
	}
	sort.Sort((*removedOrder)(s))
	if m.hasAfter {
		s.orderPositions()
	}
}

// orderPositions moves each stop with Stop.After right behind the stop it
// follows when both are to be inserted, so the pair is inserted together
// (the follower can only go right after its predecessor).
func (s *search) orderPositions() {
	m := s.m
	if s.inOrder == nil {
		s.inOrder = make([]bool, m.n)
	}
	for _, u := range s.order {
		s.inOrder[u] = true
	}
	out := s.order2[:0]
	for _, u := range s.order {
		if a := m.after[u]; a >= 0 && s.inOrder[a] {
			continue // emitted behind a
		}
		out = append(out, u)
		for x := m.follower[u]; x >= 0 && s.inOrder[x]; x = m.follower[x] {
			out = append(out, x)
		}
	}
	for _, u := range s.order {
		s.inOrder[u] = false
	}
	s.order2 = s.order
	s.order = out
}

// ruin removes strings of stops around a random seed stop (SISR's adjacent
// string removal) from st and leaves them, with the stops already
// unassigned, in s.removed.
func (s *search) ruin(st *state) {
	m := s.m
	s.removed = s.removed[:0]
	if lim := int(2 * s.cbar); len(st.unassigned) > lim {
		// oversubscribed: retry a random sample of the unassigned stops
		for i := 0; i < lim; i++ {
			j := i + s.rnd.intn(len(st.unassigned)-i)
			st.unassigned[i], st.unassigned[j] = st.unassigned[j], st.unassigned[i]
		}
		s.removed = append(s.removed, st.unassigned[:lim]...)
		st.unassigned = append(st.unassigned[:0], st.unassigned[lim:]...)
	} else {
		s.removed = append(s.removed, st.unassigned...)
		st.unassigned = st.unassigned[:0]
	}
	used, nst := 0, 0
	for v := range st.routes {
		r := &st.routes[v]
		if k := r.nstops - r.nfrozen; k > 0 {
			used++
			nst += k
		}
	}
	if nst == 0 {
		return
	}
	avg := float64(nst) / float64(used)
	lsMax := math.Min(s.lmax, avg)
	ksMax := 4*s.cbar/(1+lsMax) - 1
	ks := int(1 + s.rnd.float()*ksMax)
	if ks < 1 {
		ks = 1
	}
	for v := range s.ruinedRoute {
		s.ruinedRoute[v] = false
	}
	var seed int32 = -1
	if used >= 2 && s.rnd.float() < tuneElim {
		// try to empty a whole route: the smallest, or a random one
		pick := -1
		if s.rnd.float() < 0.5 {
			for v := range st.routes {
				r := &st.routes[v]
				if k := r.nstops - r.nfrozen; k > 0 && (pick < 0 || k < st.routes[pick].nstops-st.routes[pick].nfrozen) {
					pick = v
				}
			}
		} else {
			k := s.rnd.intn(used)
			for v := range st.routes {
				r := &st.routes[v]
				if r.nstops-r.nfrozen > 0 {
					if k == 0 {
						pick = v
						break
					}
					k--
				}
			}
		}
		r := &st.routes[pick]
		for _, x := range r.nodes {
			if x >= 0 && m.frozenOn[x] < 0 {
				s.markRemoved(x)
				seed = x
			}
		}
		s.rebuild(st, pick)
		s.ruinedRoute[pick] = true
	}
	// seed: a random assigned, unfrozen stop
	for tries := 0; tries < 100 && seed < 0; tries++ {
		u := int32(s.rnd.intn(m.n))
		if st.where[u] >= 0 && m.frozenOn[u] < 0 {
			seed = u
			break
		}
	}
	if seed < 0 {
		for _, u := range s.removed {
			s.isRemoved[u] = false
		}
		return
	}
	ruined := 0
	nb := m.neigh[seed]
	for i := -1; i < len(nb) && ruined < ks; i++ {
		c := seed
		if i >= 0 {
			c = nb[i]
		}
		v := st.where[c]
		if v < 0 || s.ruinedRoute[v] || s.isRemoved[c] || m.frozenOn[c] >= 0 {
			continue
		}
		s.ruinedRoute[v] = true
		ruined++
		s.removeString(st, int(v), c, lsMax)
	}
	for _, u := range s.removed {
		s.isRemoved[u] = false
	}
}

// removeString removes from route v a string of stops containing c.
func (s *search) removeString(st *state, v int, c int32, lsMax float64) {
	m := s.m
	r := &st.routes[v]
	// free stops of the route in order
	s.seqBuf = s.seqBuf[:0]
	ci := -1
	for _, x := range r.nodes {
		if x >= 0 && m.frozenOn[x] < 0 {
			if x == c {
				ci = len(s.seqBuf)
			}
			s.seqBuf = append(s.seqBuf, x)
		}
	}
	t := len(s.seqBuf)
	ltMax := math.Min(float64(t), lsMax)
	l := int(1 + s.rnd.float()*ltMax)
	if l > t {
		l = t
	}
	if s.rnd.float() < 0.5 || l == t {
		// string
		lo := ci - l + 1
		if lo < 0 {
			lo = 0
		}
		hi := ci
		if hi > t-l {
			hi = t - l
		}
		a := lo + s.rnd.intn(hi-lo+1)
		for _, x := range s.seqBuf[a : a+l] {
			s.markRemoved(x)
		}
	} else {
		// split string: l removed around m kept
		mm := 1
		for l+mm < t && s.rnd.float() < 0.5 {
			mm++
		}
		L := l + mm
		lo := ci - L + 1
		if lo < 0 {
			lo = 0
		}
		hi := ci
		if hi > t-L {
			hi = t - L
		}
		a := lo + s.rnd.intn(hi-lo+1)
		keep := a + s.rnd.intn(L-mm+1)
		for i := a; i < a+L; i++ {
			if i >= keep && i < keep+mm {
				continue
			}
			s.markRemoved(s.seqBuf[i])
		}
	}
	s.rebuild(st, v)
	if r.nfull > 0 && !m.routeFeasible(r, &s.sc) {
		// removing stops changed the departure and broke an age limit:
		// take out every free stop of the route
		for _, x := range r.nodes {
			if x >= 0 && m.frozenOn[x] < 0 {
				s.markRemoved(x)
			}
		}
		s.rebuild(st, v)
	}
}

func (s *search) markRemoved(x int32) {
	if !s.isRemoved[x] {
		s.isRemoved[x] = true
		s.removed = append(s.removed, x)
	}
}

// rebuild drops the removed stops and empty trips from route v.
func (s *search) rebuild(st *state, v int) {
	r := &st.routes[v]
	if s.m.hasAfter {
		// a stop whose predecessor leaves goes with it (in route order,
		// so a whole chain goes)
		for _, x := range r.nodes {
			if x >= 0 && !s.isRemoved[x] {
				if a := s.m.after[x]; a >= 0 && s.isRemoved[a] {
					s.markRemoved(x)
				}
			}
		}
	}
	out := r.nodes[:0]
	for _, x := range r.nodes {
		if x >= 0 && s.isRemoved[x] {
			st.where[x] = -1
			continue
		}
		if x == nReload || x == nEnd {
			// an empty trip: drop the reload before it (but a vehicle
			// resumed with a load on board keeps its way back to unload)
			if last := out[len(out)-1]; last == nReload || last == nStart {
				if last == nReload {
					out = out[:len(out)-1]
				} else if x == nReload && s.m.veh[v].initLoad == nil {
					continue
				}
			}
		}
		out = append(out, x)
	}
	r.nodes = out
	s.m.update(r)
	s.touch(v)
}

// iterate runs one ruin-and-recreate step at temperature temp and reports
// whether the best solution improved.
func (s *search) iterate(temp float64) bool {
	m := s.m
	s.touchedList = s.touchedList[:0]
	s.ruin(s.work)
	s.recreate(s.work, tuneBlink)
	if tuneLSAll && m.simple {
		// 2-opt* from the stops of the changed routes
		copy(s.lsMark, s.touched)
		s.twoOptStarOn(s.work, s.lsMark)
	} else if tuneRichLS && !m.simple {
		// only on candidates close to acceptance: the moves are checked by
		// simulation, far dearer than on simple models
		// and only once every stop is placed: until then the iterations go
		// to placing stops (on the 5000-stop province day at 10 s the local
		// search on every candidate left 79 stops out; with this gate 1 and
		// 8 in two runs, at load 16-19)
		if c := m.stateCost(s.work); len(s.work.unassigned) == 0 && c < s.cur.cost*(1+tuneRichGate) {
			copy(s.lsMark, s.touched)
			s.richLS(s.work, s.lsMark)
		}
	}
	s.work.cost = m.stateCost(s.work)
	accept := s.work.cost < s.cur.cost-temp*math.Log(s.rnd.float()+1e-300)
	if accept {
		for _, u := range s.removed {
			s.cur.where[u] = s.work.where[u]
		}
		for _, v := range s.touchedList {
			s.cur.routes[v].copyFrom(&s.work.routes[v])
			for _, x := range s.cur.routes[v].nodes {
				if x >= 0 {
					s.cur.where[x] = int32(v)
				}
			}
		}
		s.cur.unassigned = append(s.cur.unassigned[:0], s.work.unassigned...)
		s.cur.cost = s.work.cost
	} else {
		for _, u := range s.removed {
			s.work.where[u] = s.cur.where[u]
		}
		for _, v := range s.touchedList {
			s.work.routes[v].copyFrom(&s.cur.routes[v])
			for _, x := range s.work.routes[v].nodes {
				if x >= 0 {
					s.work.where[x] = int32(v)
				}
			}
		}
		s.work.unassigned = append(s.work.unassigned[:0], s.cur.unassigned...)
		s.work.cost = s.cur.cost
	}
	for _, v := range s.touchedList {
		s.touched[v] = false
	}
	if accept && s.cur.cost < s.best.cost-1e-9 {
		if tuneLS && m.simple {
			// intensify around the new best with 2-opt*
			s.touchedList = s.touchedList[:0]
			if s.twoOptStar(s.work) {
				for _, v := range s.touchedList {
					s.cur.routes[v].copyFrom(&s.work.routes[v])
				}
				copy(s.cur.where, s.work.where)
				s.cur.cost = s.work.cost
			}
			for _, v := range s.touchedList {
				s.touched[v] = false
			}
		}
		s.best.copyFrom(s.cur)
		return true
	}
	return false
}

// removedOrder sorts s.order by penalty (descending) then s.keys; a named
// type so that sorting does not allocate.
type removedOrder search

func (o *removedOrder) Len() int      { return len(o.order) }
func (o *removedOrder) Swap(i, j int) { o.order[i], o.order[j] = o.order[j], o.order[i] }
func (o *removedOrder) Less(i, j int) bool {
	a, b := o.order[i], o.order[j]
	pa, pb := o.m.penalty[a], o.m.penalty[b]
	if pa != pb {
		return pa > pb
	}
	if o.keys[a] != o.keys[b] {
		return o.keys[a] < o.keys[b]
	}
	return a < b
}

// overlapK is the number of nearest stops of the overlap measure.
const overlapK = 5

// overlapPairs counts the pairs (stop, one of its overlapK nearest stops)
// on different vehicles, among assigned stops.
func (m *model) overlapPairs(where []int32) int {
	k := 0
	for u := 0; u < m.n; u++ {
		v := where[u]
		if v < 0 {
			continue
		}
		nb := m.neigh[u]
		if len(nb) > overlapK {
			nb = nb[:overlapK]
		}
		for _, w := range nb {
			if x := where[w]; x >= 0 && x != v {
				k++
			}
		}
	}
	return k
}
