package routing

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// explain fills the reasons (and, if relax, the smallest relaxation found)
// of every unassigned stop of sol.
//
// The search for relaxations in the plan stops at stopBy (zero: no limit).
func (m *model) explain(st *state, sol *Solution, relax bool, stopBy time.Time) {
	var sc scratch
	for i := range sol.Unassigned {
		ua := &sol.Unassigned[i]
		u := int32(ua.StopIndex)
		if !stopBy.IsZero() && i&15 == 0 && time.Now().After(stopBy) {
			// out of time: the rest get the honest reason
			for j := i; j < len(sol.Unassigned); j++ {
				sol.Unassigned[j].Reasons = append(sol.Unassigned[j].Reasons, Reason{Code: ReasonTimeBudget, Detail: reasonText(ReasonTimeBudget)})
			}
			return
		}
		if a := m.after[u]; a != -1 {
			// the dispatcher's place binds: say so rather than diagnose
			// the stop as if it could go anywhere
			ua.Reasons = append(ua.Reasons, m.positionReason(st, u))
			continue
		}
		codes := map[ReasonCode]string{}
		var best *Relaxation
		consider := func(r *Relaxation) {
			if best == nil || r.Amount < best.Amount || (r.Amount == best.Amount && r.Kind < best.Kind) {
				best = r
			}
		}
		anyCompat := false
		fitsAlone := -1
		for v := 0; v < m.nv; v++ {
			if !m.ok(int(u), v) {
				continue
			}
			anyCompat = true
			var r route
			m.initRoute(&r, v)
			if _, ok := m.insertCost(&r, u, r.nfrozen, math.Inf(1), &sc); ok {
				if fitsAlone < 0 {
					fitsAlone = v
				}
				continue
			}
			code, amount, kind := m.diagnoseAlone(u, v)
			if _, dup := codes[code]; !dup {
				codes[code] = m.in.Vehicles[v].ID
			}
			if kind != "" && amount > 0 {
				consider(&Relaxation{Kind: kind, Amount: amount, Vehicle: m.in.Vehicles[v].ID, Profile: m.in.Vehicles[v].Profile, Depot: m.in.Vehicles[v].Depot})
			}
		}
		switch {
		case !anyCompat:
			ua.Reasons = append(ua.Reasons, Reason{Code: ReasonSkill, Detail: "no vehicle has the required skills"})
		case fitsAlone >= 0 && m.pin[u] >= 0:
			ua.Reasons = append(ua.Reasons, Reason{Code: ReasonPinnedFull, Vehicle: m.in.Vehicles[fitsAlone].ID, Detail: "the pinned vehicle has no room left for it"})
		case fitsAlone >= 0:
			ua.Reasons = append(ua.Reasons, Reason{Code: ReasonFleetFull, Detail: "it fits an empty vehicle but every vehicle is busy with other stops"})
			v := m.in.Vehicles[fitsAlone]
			best = &Relaxation{Kind: RelaxExtraVehicle, Vehicle: v.ID, Profile: v.Profile, Depot: v.Depot}
		default:
			keys := make([]string, 0, len(codes))
			for c := range codes {
				keys = append(keys, string(c))
			}
			sort.Strings(keys)
			for _, c := range keys {
				ua.Reasons = append(ua.Reasons, Reason{Code: ReasonCode(c), Vehicle: codes[ReasonCode(c)], Detail: reasonText(ReasonCode(c))})
			}
		}
		if relax && anyCompat && i < maxRelaxSearch && (stopBy.IsZero() || time.Now().Before(stopBy)) {
			if r := m.relaxInPlan(st, u, &sc); r != nil && (best == nil || best.Kind == RelaxExtraVehicle || r.Amount < best.Amount) {
				best = r
			}
		}
		if relax && best != nil {
			best.Text = relaxText(best)
			ua.Relaxation = best
		}
	}
}

// positionReason says why stop u cannot be served at its place.
func (m *model) positionReason(st *state, u int32) Reason {
	v := m.in.Vehicles[m.pin[u]].ID
	a := m.after[u]
	if a == afterFirst {
		return Reason{Code: ReasonPosition, Vehicle: v, Detail: "it cannot be served first on its vehicle"}
	}
	id := m.in.Stops[a].ID
	if st.where[a] < 0 {
		return Reason{Code: ReasonPosition, Vehicle: v, Detail: fmt.Sprintf("the stop %q it must follow is not planned", id)}
	}
	return Reason{Code: ReasonPosition, Vehicle: v, Detail: fmt.Sprintf("it cannot be served right after stop %q", id)}
}

func reasonText(c ReasonCode) string {
	switch c {
	case ReasonCapacity:
		return "its demand exceeds the vehicle's capacity"
	case ReasonTimeWindow:
		return "no vehicle can reach it within its time windows"
	case ReasonTimeBudget:
		return "the time budget ran out before it was placed"
	case ReasonRelease:
		return "its goods reach the depot too late (release time) for its window or the shift"
	case ReasonDeadline:
		return "its load cannot be back at the depot by the handover deadline"
	case ReasonMaxAge:
		return "its load would stay on board longer than its maximum age"
	case ReasonShift:
		return "serving it does not fit in the vehicle's shift"
	case ReasonFrozen:
		return "it conflicts with the vehicle's frozen stops"
	}
	return string(c)
}

func onVehicle(r *Relaxation) string {
	if r.Vehicle == "" {
		return ""
	}
	return " (on vehicle " + r.Vehicle + ")"
}

func relaxText(r *Relaxation) string {
	switch r.Kind {
	case RelaxExtraVehicle:
		s := "fits with one more vehicle"
		if r.Profile != "" {
			s += " of profile " + r.Profile
		}
		if r.Depot != "" {
			s += " at depot " + r.Depot
		}
		return s
	case RelaxWindowEarlier:
		return fmt.Sprintf("fits if its window opens %.4g earlier%s", r.Amount, onVehicle(r))
	case RelaxWindowLater:
		return fmt.Sprintf("fits if its window closes %.4g later%s", r.Amount, onVehicle(r))
	case RelaxDeadline:
		return fmt.Sprintf("fits if its handover deadline is %.4g later%s", r.Amount, onVehicle(r))
	case RelaxMaxAge:
		return fmt.Sprintf("fits if its maximum age is %.4g longer%s", r.Amount, onVehicle(r))
	case RelaxCapacity:
		return fmt.Sprintf("fits a vehicle with %.4g more capacity", r.Amount)
	}
	return string(r.Kind)
}

// diagnoseAlone says why u does not fit vehicle v on its own, and by how
// much the binding constraint would have to move.
func (m *model) diagnoseAlone(u int32, v int) (ReasonCode, float64, RelaxationKind) {
	vi := &m.veh[v]
	if len(vi.frozen) > 0 || vi.initLoad != nil {
		return ReasonFrozen, 0, ""
	}
	for j, d := range m.dem(int(u)) {
		if d > vi.cap[j]+tol {
			return ReasonCapacity, d - vi.cap[j], RelaxCapacity
		}
	}
	pr := &m.profiles[vi.prof]
	l := int(m.loc[u])
	to := pr.dur[int(vi.start)*m.nloc+l]
	back := pr.dur[l*m.nloc+int(vi.end)]
	arr := vi.tStart + to
	st, ok := m.windowStart(u, arr)
	if !ok {
		return ReasonTimeWindow, arr - m.close[u], RelaxWindowLater
	}
	if rel := m.release[u]; rel > vi.tStart {
		// the goods reach the depot too late for the window or the shift
		ra := rel + to
		rs, rok := m.windowStart(u, ra)
		if !rok {
			return ReasonRelease, ra - m.close[u], RelaxWindowLater
		}
		if rs+m.service[u]+back > math.Min(vi.tEnd, m.deadline[u])+tol {
			return ReasonRelease, rs + m.service[u] + back - math.Min(vi.tEnd, m.deadline[u]), ""
		}
		arr, st = ra, rs
	}
	if back > m.maxAge[u]+tol {
		return ReasonMaxAge, back - m.maxAge[u], RelaxMaxAge
	}
	ret := st + m.service[u] + back
	limit := math.Min(vi.tEnd, m.deadline[u])
	if ret > limit+tol {
		if m.deadline[u] < vi.tEnd {
			if st > arr+tol {
				return ReasonDeadline, ret - limit, RelaxWindowEarlier
			}
			return ReasonDeadline, ret - limit, RelaxDeadline
		}
		if st > arr+tol {
			return ReasonShift, ret - limit, RelaxWindowEarlier
		}
		return ReasonShift, ret - limit, ""
	}
	if to+m.service[u]+back > vi.maxDur+tol {
		return ReasonShift, to + m.service[u] + back - vi.maxDur, ""
	}
	return ReasonShift, 0, ""
}

// maxRelaxSearch bounds the number of unassigned stops whose relaxations
// are searched in the plan (each costs a few scans of the plan).
const maxRelaxSearch = 200

// fitsPlan reports whether u can be inserted somewhere in st (existing
// routes, a new trip, or an empty vehicle).
func (m *model) fitsPlan(st *state, u int32, sc *scratch) (int, bool) {
	near := map[int32]bool{}
	if m.n > restrictAbove {
		for _, x := range m.neigh[u] {
			near[st.where[x]] = true
		}
	}
	for v := 0; v < m.nv; v++ {
		if !m.ok(int(u), v) {
			continue
		}
		r := &st.routes[v]
		if m.n > restrictAbove && !r.empty() && !near[int32(v)] {
			continue
		}
		for pos := r.nfrozen; pos < len(r.nodes)-1; pos++ {
			if _, ok := m.insertCost(r, u, pos, math.Inf(1), sc); ok {
				return v, true
			}
		}
		if m.veh[v].maxTrips > 1 && !r.empty() {
			if _, ok := m.newTripCost(r, u, sc); ok {
				return v, true
			}
		}
	}
	return -1, false
}

// relaxInPlan searches, by bisection, the smallest shift of u's window
// opening, window closing, handover deadline or maximum age that lets u into
// the final plan st.
func (m *model) relaxInPlan(st *state, u int32, sc *scratch) *Relaxation {
	if m.windows[u] != nil {
		return nil // several windows: no single shift to suggest
	}
	horizon := 0.0
	for _, v := range m.veh {
		horizon = math.Max(horizon, v.tEnd-v.tStart)
	}
	if horizon <= 0 || horizon >= big {
		return nil
	}
	type knob struct {
		kind  RelaxationKind
		field *float64
		sign  float64
		ok    bool
	}
	knobs := []knob{
		{RelaxWindowEarlier, &m.open[u], -1, m.open[u] > -big},
		{RelaxWindowLater, &m.close[u], 1, m.close[u] < big},
		{RelaxDeadline, &m.deadline[u], 1, m.deadline[u] < big},
		{RelaxMaxAge, &m.maxAge[u], 1, m.maxAge[u] < big},
	}
	var best *Relaxation
	for _, k := range knobs {
		if !k.ok {
			continue
		}
		orig := *k.field
		try := func(x float64) (int, bool) {
			*k.field = orig + k.sign*x
			if k.kind == RelaxWindowEarlier && *k.field > m.close[u] {
				*k.field = m.close[u]
			}
			v, ok := m.fitsPlan(st, u, sc)
			*k.field = orig
			return v, ok
		}
		if _, ok := try(horizon); !ok {
			continue
		}
		lo, hi := 0.0, horizon
		for it := 0; it < 20 && hi-lo > 1e-3*math.Max(1, horizon/1000); it++ {
			mid := (lo + hi) / 2
			if _, ok := try(mid); ok {
				hi = mid
			} else {
				lo = mid
			}
		}
		if best == nil || hi < best.Amount {
			v, _ := try(hi)
			r := &Relaxation{Kind: k.kind, Amount: hi}
			if v >= 0 {
				r.Vehicle, r.Profile, r.Depot = m.in.Vehicles[v].ID, m.in.Vehicles[v].Profile, m.in.Vehicles[v].Depot
			}
			best = r
		}
	}
	return best
}

// explainLate gives every late stop of sol its cause: its own window or
// deadline when even served first by an empty vehicle it would be late
// (with the relaxation that makes it on time), otherwise the fleet: on time
// alone, late because the vehicles serve other stops first.
func (m *model) explainLate(sol *Solution) {
	for i := range sol.Late {
		lt := &sol.Late[i]
		u := lt.StopIndex
		bestW, bestD, bestV := math.Inf(1), math.Inf(1), -1
		for v := 0; v < m.nv; v++ {
			if !m.ok(u, v) {
				continue
			}
			vi := &m.veh[v]
			pr := &m.profiles[vi.prof]
			l := int(m.loc[u])
			arr := math.Max(vi.tStart, m.release[u]) + pr.dur[int(vi.start)*m.nloc+l]
			st, _ := m.windowStart(int32(u), arr)
			w := math.Max(0, st-m.softClose[u])
			ret := st + m.service[u] + pr.dur[l*m.nloc+int(vi.end)]
			d := math.Max(0, ret-m.softDl[u])
			if w+d < bestW+bestD {
				bestW, bestD, bestV = w, d, v
			}
		}
		if bestV < 0 {
			continue
		}
		veh := &m.in.Vehicles[bestV]
		switch {
		case bestW > tol:
			lt.Reasons = append(lt.Reasons, Reason{Code: ReasonTimeWindow, Vehicle: veh.ID,
				Detail: fmt.Sprintf("even served first by vehicle %s it starts %.4g after its window closes", veh.ID, bestW)})
			lt.Relaxation = &Relaxation{Kind: RelaxWindowLater, Amount: bestW, Vehicle: veh.ID, Profile: veh.Profile, Depot: veh.Depot,
				Text: fmt.Sprintf("on time if its window closes %.4g later", bestW)}
		case bestD > tol:
			lt.Reasons = append(lt.Reasons, Reason{Code: ReasonDeadline, Vehicle: veh.ID,
				Detail: fmt.Sprintf("even served first by vehicle %s its load is back %.4g after the handover deadline", veh.ID, bestD)})
			lt.Relaxation = &Relaxation{Kind: RelaxDeadline, Amount: bestD, Vehicle: veh.ID, Profile: veh.Profile, Depot: veh.Depot,
				Text: fmt.Sprintf("on time if its handover deadline is %.4g later", bestD)}
		default:
			lt.Reasons = append(lt.Reasons, Reason{Code: ReasonFleetFull, Vehicle: lt.Vehicle,
				Detail: fmt.Sprintf("on time alone on vehicle %s; late because the vehicles serve other stops first", veh.ID)})
			lt.Relaxation = &Relaxation{Kind: RelaxExtraVehicle, Vehicle: veh.ID, Profile: veh.Profile, Depot: veh.Depot,
				Text: fmt.Sprintf("on time with one more vehicle of profile %s at depot %s", veh.Profile, veh.Depot)}
		}
	}
}
