package routing

import (
	"math"
	"sort"
)

// big stands for an unbounded time; finite so that segment arithmetic never
// produces NaN.
const big = 1e15

// model is the instance compiled into flat arrays for the search.
type model struct {
	in   *Instance
	n    int // stops
	nv   int // vehicles
	dims int
	nloc int

	// per stop
	loc      []int32
	service  []float64
	open     []float64 // envelope of the windows
	close    []float64
	windows  [][]Window // non-nil only for stops with several windows
	demand   []float64  // n*dims
	deadline []float64  // big if none
	maxAge   []float64  // big if none
	penalty  []float64
	pin      []int32   // vehicle index or -1
	frozenOn []int32   // vehicle index or -1
	full     []bool    // needs the full simulation (several windows or max age)
	release  []float64 // release at the depot, -big if none
	delivery []bool
	// mixed: pickups and deliveries both present, so a trip's peak load is
	// tracked at every node (lpre, lsuf) instead of its total.
	mixed      bool
	hasRelease bool
	// soft limits: the hard bound is lifted (close, deadline = big) and
	// lateness past softClose / softDl costs wlc / dlc per time unit, found
	// by simulate (soft stops are full)
	softClose, wlc []float64 // big, 0 if none
	softDl, dlc    []float64
	target         []bool // softDl is the stop's Target (Deadline stays hard)
	soft           bool
	// stability: reference vehicle (-1: none) and predecessor in the
	// reference trip (-1: first of its trip) of each stop
	refV, refPred []int32
	stabV, stabO  float64
	stable        bool
	refOrder      [][]int32 // per vehicle, its reference stops in order
	// Options.Balance and Options.Compactness
	wBalance, wOverlap float64
	refTrip            []int32

	// per vehicle
	veh    []vinfo
	compat []bool // n*nv: stop can go on vehicle
	class  []int32
	// simple: one vehicle class, single trips, no deadlines, ages, pins,
	// skills, several windows or frozen stops (the benchmark case), where
	// the 2-opt* local search applies.
	simple bool

	profiles []mprofile

	// objective weights: cost = penalty*wPen + lateness*wLate +
	// fixed*wFixed + travel
	wPen, wLate, wFixed float64

	neigh [][]int32 // per stop, other stops by increasing travel cost

	// positions (Stop.After, Stop.First): after[b] is the stop b must
	// directly follow, afterFirst, or -1; follower[a] the stop following a
	// (-1: none). Stops with a position are full, so every change of their
	// route goes through simulate, which checks the adjacency.
	after, follower []int32
	hasAfter        bool
}

// afterFirst in model.after: the stop comes first on its vehicle.
const afterFirst int32 = -2

type mprofile struct {
	name string
	dur  []float64
	dist []float64
	cost []float64 // dur or dist, by objective
}

type vinfo struct {
	prof         int
	start, end   int32
	tStart, tEnd float64
	cap          []float64
	// cap0 bounds the load of the first trip after its frozen stops: cap,
	// or more where the load committed before any planning (Resume.Load
	// and the frozen pickups) already exceeds it (see committedLoad)
	cap0         []float64
	fixed        float64
	maxDur       float64 // big if none
	maxTrips     int
	reload       float64
	frozen       []int32
	initLoad     []float64
	loadDeadline float64 // big if none
	resumed      bool    // starts away from its depot: no delivery on trip 0
}

// compile builds the search's model of in, phase by phase; the order matters
// (frozen stops lift the constraints the stop phase set, classes read the
// pins the position phase extended).
func compile(in *Instance) *model {
	m := &model{in: in, n: len(in.Stops), nv: len(in.Vehicles), dims: len(in.Vehicles[0].Capacity), nloc: in.NumLocations}
	pidx := map[string]int{}
	m.compileProfiles(pidx)
	vidx := map[string]int32{}
	for i, v := range in.Vehicles {
		vidx[v.ID] = int32(i)
	}
	sidx := map[string]int32{}
	for i, s := range in.Stops {
		sidx[s.ID] = int32(i)
	}
	m.compileStops(vidx)
	m.compilePositions(sidx)
	m.compileVehicles(pidx, sidx)
	m.compileCompat()
	m.compileClasses()
	m.compileWeights()
	m.compileStability(sidx, vidx)
	m.buildNeighbours()
	m.simple = m.isSimple()
	return m
}

// compileProfiles flattens the travel profiles, in the order of their names,
// and records the index of each name in pidx.
func (m *model) compileProfiles(pidx map[string]int) {
	in := m.in
	names := make([]string, 0, len(in.Profiles))
	for k := range in.Profiles {
		names = append(names, k)
	}
	sort.Strings(names)
	for i, k := range names {
		p := in.Profiles[k]
		mp := mprofile{name: k, dur: p.Duration, dist: p.Distance}
		if mp.dist == nil {
			mp.dist = mp.dur
		}
		mp.cost = mp.dur
		if in.Objective == MinimizeDistance {
			mp.cost = mp.dist
		}
		m.profiles = append(m.profiles, mp)
		pidx[k] = i
	}
}

// compileStops fills the per-stop arrays: windows, demand, deadlines, ages,
// soft limits, penalties and pins (vidx: vehicle index by ID).
func (m *model) compileStops(vidx map[string]int32) {
	n, d := m.n, m.dims
	m.loc = make([]int32, n)
	m.service = make([]float64, n)
	m.open = make([]float64, n)
	m.close = make([]float64, n)
	m.windows = make([][]Window, n)
	m.demand = make([]float64, n*d)
	m.deadline = make([]float64, n)
	m.maxAge = make([]float64, n)
	m.penalty = make([]float64, n)
	m.pin = make([]int32, n)
	m.frozenOn = make([]int32, n)
	m.full = make([]bool, n)
	m.release = make([]float64, n)
	m.softClose, m.wlc = make([]float64, n), make([]float64, n)
	m.softDl, m.dlc = make([]float64, n), make([]float64, n)
	m.target = make([]bool, n)
	m.delivery = make([]bool, n)
	hasPickup, hasDelivery := false, false
	for i, s := range m.in.Stops {
		m.release[i] = -big
		if s.Release > 0 {
			m.release[i] = s.Release
			m.hasRelease = true
		}
		m.delivery[i] = s.Delivery
		nonzero := false
		for _, x := range s.Demand {
			if x > 0 {
				nonzero = true
			}
		}
		if nonzero && s.Delivery {
			hasDelivery = true
		} else if nonzero {
			hasPickup = true
		}
		m.loc[i] = int32(s.Location)
		m.service[i] = s.Service
		m.open[i], m.close[i] = -big, big
		if len(s.Windows) > 0 {
			m.open[i] = s.Windows[0].Open
			m.close[i] = s.Windows[len(s.Windows)-1].Close
		}
		if len(s.Windows) > 1 {
			m.windows[i] = s.Windows
			m.full[i] = true
		}
		copy(m.demand[i*d:], s.Demand)
		m.deadline[i] = big
		if s.Deadline > 0 {
			m.deadline[i] = s.Deadline
		}
		m.maxAge[i] = big
		if s.MaxAge > 0 {
			m.maxAge[i] = s.MaxAge
			m.full[i] = true
		}
		m.compileSoft(i, &s)
		m.penalty[i] = s.Penalty
		if m.penalty[i] == 0 {
			m.penalty[i] = 1
		}
		m.pin[i] = -1
		if s.Vehicle != "" {
			m.pin[i] = vidx[s.Vehicle]
		}
		m.frozenOn[i] = -1
	}
	m.mixed = hasPickup && hasDelivery
}

// compileSoft lifts the hard close of stop i's last window and its deadline
// where lateness past them is a cost instead (after compileStops set them).
func (m *model) compileSoft(i int, s *Stop) {
	m.softClose[i], m.softDl[i] = big, big
	if s.WindowLateCost > 0 && len(s.Windows) > 0 {
		m.softClose[i], m.wlc[i] = m.close[i], s.WindowLateCost
		m.close[i] = big
		if m.windows[i] != nil {
			w := append([]Window(nil), m.windows[i]...)
			w[len(w)-1].Close = big
			m.windows[i] = w
		}
		m.full[i], m.soft = true, true
	}
	if s.DeadlineLateCost > 0 && s.Deadline > 0 {
		m.softDl[i], m.dlc[i] = s.Deadline, s.DeadlineLateCost
		m.deadline[i] = big
		m.full[i], m.soft = true, true
	} else if s.TargetLateCost > 0 && s.Target > 0 {
		m.softDl[i], m.dlc[i], m.target[i] = s.Target, s.TargetLateCost, true
		m.full[i], m.soft = true, true
	}
}

// compilePositions records Stop.After and Stop.First of the stops that are
// not frozen (sidx: stop index by ID); a stop's predecessor inherits its pin.
func (m *model) compilePositions(sidx map[string]int32) {
	in := m.in
	frozenID := map[string]bool{}
	for _, v := range in.Vehicles {
		if v.Resume != nil {
			for _, id := range v.Resume.Frozen {
				frozenID[id] = true
			}
		}
	}
	m.after, m.follower = make([]int32, m.n), make([]int32, m.n)
	for i := range m.after {
		m.after[i], m.follower[i] = -1, -1
	}
	for i, s := range in.Stops {
		if frozenID[s.ID] || (s.After == "" && !s.First) {
			continue
		}
		m.hasAfter = true
		m.full[i] = true
		if s.First {
			m.after[i] = afterFirst
			continue
		}
		a := sidx[s.After]
		m.after[i], m.follower[a] = a, int32(i)
		if m.pin[a] < 0 {
			m.pin[a] = m.pin[i] // the pair stays on one vehicle
		}
	}
}

// compileVehicles fills m.veh (pidx: profile index by name, sidx: stop index
// by ID); a resumed vehicle's frozen stops lose their own constraints.
func (m *model) compileVehicles(pidx map[string]int, sidx map[string]int32) {
	in, d := m.in, m.dims
	m.veh = make([]vinfo, m.nv)
	for i, v := range in.Vehicles {
		vi := vinfo{prof: pidx[v.Profile], start: int32(v.Start), end: int32(v.End), tStart: v.Shift.Open, tEnd: v.Shift.Close,
			cap: v.Capacity, fixed: v.FixedCost, maxDur: big, maxTrips: v.MaxTrips, reload: v.Reload, loadDeadline: big}
		if v.MaxDuration > 0 {
			vi.maxDur = v.MaxDuration
		}
		if vi.maxTrips < 1 {
			vi.maxTrips = 1
		}
		if r := v.Resume; r != nil {
			vi.resumed = true
			vi.start = int32(r.Location)
			vi.tStart = math.Max(r.Time, v.Shift.Open)
			if len(r.Load) > 0 {
				vi.initLoad = make([]float64, d)
				copy(vi.initLoad, r.Load)
			}
			if r.LoadDeadline > 0 {
				vi.loadDeadline = r.LoadDeadline
			}
			for _, id := range r.Frozen {
				s := sidx[id]
				vi.frozen = append(vi.frozen, s)
				m.frozenOn[s] = int32(i)
				m.unconstrain(s)
			}
		}
		vi.cap0 = vi.cap
		if c := committedLoad(in, &v); c != nil {
			vi.cap0 = make([]float64, d)
			for j := range vi.cap0 {
				vi.cap0[j] = math.Max(vi.cap[j], c[j])
			}
		}
		m.veh[i] = vi
	}
}

// unconstrain lifts the constraints of frozen stop s: frozen stops are
// commitments, their own windows and deadlines are not enforced.
func (m *model) unconstrain(s int32) {
	m.open[s], m.close[s] = -big, big
	m.windows[s] = nil
	m.deadline[s] = big
	m.maxAge[s] = big
	m.full[s] = false
	m.release[s] = -big
	m.softClose[s], m.softDl[s], m.wlc[s], m.dlc[s] = big, big, 0, 0
}

// compileCompat fills m.compat: the vehicles each stop may go on, by
// skills, pins and frozen stops.
func (m *model) compileCompat() {
	in := m.in
	m.compat = make([]bool, m.n*m.nv)
	vskills := make([]map[string]bool, m.nv)
	for j, v := range in.Vehicles {
		vskills[j] = map[string]bool{}
		for _, s := range v.Skills {
			vskills[j][s] = true
		}
	}
	for i, s := range in.Stops {
		for j := range in.Vehicles {
			ok := true
			for _, sk := range s.Skills {
				if !vskills[j][sk] {
					ok = false
					break
				}
			}
			if m.pin[i] >= 0 && m.pin[i] != int32(j) {
				ok = false
			}
			if m.frozenOn[i] >= 0 {
				ok = m.frozenOn[i] == int32(j)
			}
			m.compat[i*m.nv+j] = ok
		}
	}
}

// compileClasses fills m.class: identical vehicles are interchangeable when
// empty; a vehicle with frozen stops, a load on board or pinned stops is a
// class of its own.
func (m *model) compileClasses() {
	in := m.in
	m.class = make([]int32, m.nv)
	type key struct {
		prof                      int
		start, end                int32
		tStart, tEnd, fixed, maxD float64
		trips                     int
		reload                    float64
		caps, skills              string
	}
	classes := map[key]int32{}
	for j, v := range in.Vehicles {
		vi := m.veh[j]
		if len(vi.frozen) > 0 || vi.initLoad != nil {
			m.class[j] = int32(len(classes)) + 1<<20 + int32(j) // unique
			continue
		}
		sk := append([]string(nil), v.Skills...)
		sort.Strings(sk)
		k := key{vi.prof, vi.start, vi.end, vi.tStart, vi.tEnd, vi.fixed, vi.maxDur, vi.maxTrips, vi.reload, fmtFloats(vi.cap), fmtStrings(sk)}
		c, ok := classes[k]
		if !ok {
			c = int32(len(classes))
			classes[k] = c
		}
		m.class[j] = c
	}
	// pinned vehicles must not be treated as interchangeable
	for i := range in.Stops {
		if p := m.pin[i]; p >= 0 {
			m.class[p] = 1<<24 + p
		}
	}
}

// compileWeights sets the objective weights so that each term outranks the
// next: unassigned penalty, lateness, fixed costs, travel.
func (m *model) compileWeights() {
	maxArc := 0.0
	for _, p := range m.profiles {
		for _, x := range p.cost {
			if x > maxArc {
				maxArc = x
			}
		}
	}
	travelBound := (maxArc+1)*float64(m.n+2*m.nv) + 1
	sumFixed := 0.0
	for _, v := range m.veh {
		sumFixed += v.fixed
	}
	m.wFixed = 1
	if sumFixed > 0 {
		m.wFixed = travelBound
	}
	m.wLate = sumFixed*m.wFixed + travelBound
	m.wPen = m.wLate
	if m.soft {
		// a stop served, however late, outranks lateness
		span := 0.0
		for _, v := range m.veh {
			span = math.Max(span, math.Min(v.tEnd, v.tStart+1e7)-v.tStart)
		}
		lateBound := 0.0
		for i := 0; i < m.n; i++ {
			lateBound += (m.wlc[i] + m.dlc[i]) * span
		}
		m.wPen = (lateBound + 1) * m.wLate
	}
}

// isSimple reports whether the model is the benchmark case of model.simple.
func (m *model) isSimple() bool {
	simple := true
	for j := range m.veh {
		if m.class[j] != m.class[0] || m.veh[j].maxTrips > 1 || len(m.veh[j].frozen) > 0 || m.veh[j].initLoad != nil {
			simple = false
		}
	}
	for i := 0; i < m.n; i++ {
		if m.full[i] || m.deadline[i] < big || m.pin[i] >= 0 || len(m.in.Stops[i].Skills) > 0 || m.release[i] > -big || m.delivery[i] {
			simple = false
		}
	}
	if m.stable {
		simple = false // the simple local search ignores stability
	}
	return simple
}

func fmtFloats(x []float64) string {
	b := make([]byte, 0, 8*len(x))
	for _, f := range x {
		u := math.Float64bits(f)
		for k := 0; k < 8; k++ {
			b = append(b, byte(u>>(8*k)))
		}
	}
	return string(b)
}

func fmtStrings(x []string) string {
	s := ""
	for _, y := range x {
		s += y + "\x00"
	}
	return s
}

// maxNeighbours bounds the neighbour lists of large instances.
const maxNeighbours = 100

func (m *model) buildNeighbours() {
	n := m.n
	k := n - 1
	if k > maxNeighbours {
		k = maxNeighbours
	}
	if k < 0 {
		k = 0
	}
	cost := m.profiles[m.veh[0].prof].cost
	nl := m.nloc
	m.neigh = make([][]int32, n)
	backing := make([]int32, n*k)
	keys := make([]float64, n)
	h := make([]int32, 0, k+1)      // max-heap on keys of the k best so far
	less := func(a, b int32) bool { // a is farther than b
		if keys[a] != keys[b] {
			return keys[a] > keys[b]
		}
		return a > b
	}
	for i := 0; i < n; i++ {
		li := int(m.loc[i])
		h = h[:0]
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			lj := int(m.loc[j])
			keys[j] = cost[li*nl+lj] + cost[lj*nl+li]
			jj := int32(j)
			if len(h) < k {
				h = append(h, jj)
				// sift up
				c := len(h) - 1
				for c > 0 {
					p := (c - 1) / 2
					if !less(h[c], h[p]) {
						break
					}
					h[c], h[p] = h[p], h[c]
					c = p
				}
				continue
			}
			if k == 0 || !less(h[0], jj) {
				continue
			}
			h[0] = jj
			// sift down
			c := 0
			for {
				l, r, big := 2*c+1, 2*c+2, c
				if l < len(h) && less(h[l], h[big]) {
					big = l
				}
				if r < len(h) && less(h[r], h[big]) {
					big = r
				}
				if big == c {
					break
				}
				h[c], h[big] = h[big], h[c]
				c = big
			}
		}
		nb := backing[i*k : i*k+len(h) : i*k+len(h)]
		copy(nb, h)
		sort.Slice(nb, func(a, b int) bool { return less(nb[b], nb[a]) })
		m.neigh[i] = nb
	}
}

func (m *model) ok(stop, v int) bool { return m.compat[stop*m.nv+v] }

// committedLoad is the load, per dimension, vehicle v carries when its
// frozen stops are done: the load on board (Resume.Load) and the frozen
// pickups (frozen deliveries leave on board and are dropped on the way;
// nil: v is not resumed). Frozen stops are commitments, so that load may
// exceed the capacity (the driver took more than planned, or a load on
// board clamped to the capacity plus the stop en route): the plan keeps
// it, and from there on the first trip carries no more than
// max(capacity, committed load). Up to the last frozen stop the load is not
// bounded. Check applies the same rule.
func committedLoad(in *Instance, v *Vehicle) []float64 {
	r := v.Resume
	if r == nil {
		return nil
	}
	load := make([]float64, len(v.Capacity))
	copy(load, r.Load)
	frozen := make(map[string]bool, len(r.Frozen))
	for _, id := range r.Frozen {
		frozen[id] = true
	}
	for i := range in.Stops {
		if s := &in.Stops[i]; frozen[s.ID] && !s.Delivery {
			for j, x := range s.Demand {
				load[j] += x
			}
		}
	}
	return load
}

func (m *model) dem(stop int) []float64 { return m.demand[stop*m.dims : stop*m.dims+m.dims] }

func (m *model) compileStability(sidx map[string]int32, vidx map[string]int32) {
	st := m.in.Stability
	if st == nil || len(st.Reference) == 0 || (st.VehicleChange == 0 && st.OrderChange == 0) {
		return
	}
	m.stable, m.stabV, m.stabO = true, st.VehicleChange, st.OrderChange
	m.refV, m.refPred = make([]int32, m.n), make([]int32, m.n)
	type placed struct {
		stop      int32
		trip, pos int
	}
	byVeh := map[int32][]placed{}
	for i := range m.refV {
		m.refV[i], m.refPred[i] = -1, -1
	}
	for id, pl := range st.Reference {
		s, ok := sidx[id]
		if !ok {
			continue // done or failed since
		}
		v := vidx[pl.Vehicle]
		m.refV[s] = v
		byVeh[v] = append(byVeh[v], placed{s, pl.Trip, pl.Position})
	}
	m.refOrder = make([][]int32, m.nv)
	m.refTrip = make([]int32, m.n)
	for v, ps := range byVeh {
		sort.Slice(ps, func(a, b int) bool {
			if ps[a].trip != ps[b].trip {
				return ps[a].trip < ps[b].trip
			}
			return ps[a].pos < ps[b].pos
		})
		for _, p := range ps {
			m.refOrder[v] = append(m.refOrder[v], p.stop)
			m.refTrip[p.stop] = int32(p.trip)
		}
		for k := 1; k < len(ps); k++ {
			if ps[k].trip == ps[k-1].trip {
				m.refPred[ps[k].stop] = ps[k-1].stop
			}
		}
	}
}

// stabCost is the stability cost of stop x on vehicle v after pred (-1:
// first of its trip).
func (m *model) stabCost(x int32, v int, pred int32) float64 {
	if !m.stable || m.refV[x] < 0 {
		return 0
	}
	if m.refV[x] != int32(v) {
		return m.stabV
	}
	if m.refPred[x] != pred {
		return m.stabO
	}
	return 0
}

// seqStab is the stability cost of node list seq on vehicle v.
func (m *model) seqStab(v int, seq []int32) float64 {
	if !m.stable {
		return 0
	}
	c := 0.0
	for p := 1; p < len(seq); p++ {
		if x := seq[p]; x >= 0 {
			pred := seq[p-1]
			if pred < 0 {
				pred = -1
			}
			c += m.stabCost(x, v, pred)
		}
	}
	return c
}
