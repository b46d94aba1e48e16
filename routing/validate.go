package routing

import (
	"errors"
	"fmt"
	"math"
)

// ErrInvalid is wrapped by every error Validate returns.
var ErrInvalid = errors.New("invalid routing instance")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

func badTime(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }

// Validate checks the instance and returns an error naming the first faulty
// item: matrices of the wrong size or with NaN or negative entries, unknown
// profiles or locations, windows closing before they open, capacities <= 0,
// pins or frozen stops naming unknown items, duplicate IDs.
func (in *Instance) Validate() error {
	if in == nil {
		return invalid("nil instance")
	}
	if n := in.NumLocations; n <= 0 {
		return invalid("num_locations is %d, want > 0", n)
	}
	if err := in.validateProfiles(); err != nil {
		return err
	}
	depots := map[string]bool{}
	if err := in.validateDepots(depots); err != nil {
		return err
	}
	if len(in.Vehicles) == 0 {
		return invalid("no vehicle")
	}
	vehicles := map[string]bool{}
	frozen := map[string]string{} // frozen stop -> its vehicle
	for i := range in.Vehicles {
		v := &in.Vehicles[i]
		name := fmt.Sprintf("vehicle %q (index %d)", v.ID, i)
		if v.ID == "" {
			return invalid("vehicle %d: empty id", i)
		}
		if vehicles[v.ID] {
			return invalid("%s: duplicate id", name)
		}
		vehicles[v.ID] = true
		if err := in.validateVehicle(name, v, depots, frozen); err != nil {
			return err
		}
	}
	stops := map[string]bool{}
	for i := range in.Stops {
		s := &in.Stops[i]
		name := fmt.Sprintf("stop %q (index %d)", s.ID, i)
		if s.ID == "" {
			return invalid("stop %d: empty id", i)
		}
		if stops[s.ID] {
			return invalid("%s: duplicate id", name)
		}
		stops[s.ID] = true
		if err := in.validateStop(name, s, vehicles, frozen); err != nil {
			return err
		}
	}
	if err := in.validatePositions(frozen); err != nil {
		return err
	}
	if st := in.Stability; st != nil {
		if badTime(st.VehicleChange) || st.VehicleChange < 0 || badTime(st.OrderChange) || st.OrderChange < 0 {
			return invalid("stability: costs %v (vehicle change) and %v (order change) must be finite and >= 0", st.VehicleChange, st.OrderChange)
		}
		for id, pl := range st.Reference {
			if !vehicles[pl.Vehicle] {
				return invalid("stability: stop %q: reference vehicle %q is not a vehicle of the instance", id, pl.Vehicle)
			}
		}
	}
	for s, v := range frozen {
		if !stops[s] {
			return invalid("vehicle %q: frozen stop %q is not a stop of the instance", v, s)
		}
	}
	return nil
}

// validateProfiles checks that there is a profile and that its matrices
// have a finite, non-negative entry per pair of locations.
func (in *Instance) validateProfiles() error {
	n := in.NumLocations
	if len(in.Profiles) == 0 {
		return invalid("no profile")
	}
	for name, p := range in.Profiles {
		if len(p.Duration) != n*n {
			return invalid("profile %q: duration matrix has %d entries, want %d (%d locations squared)", name, len(p.Duration), n*n, n)
		}
		if p.Distance != nil && len(p.Distance) != n*n {
			return invalid("profile %q: distance matrix has %d entries, want %d (%d locations squared)", name, len(p.Distance), n*n, n)
		}
		for k, x := range p.Duration {
			if badTime(x) || x < 0 {
				return invalid("profile %q: duration from location %d to %d is %v", name, k/n, k%n, x)
			}
		}
		for k, x := range p.Distance {
			if badTime(x) || x < 0 {
				return invalid("profile %q: distance from location %d to %d is %v", name, k/n, k%n, x)
			}
		}
	}
	return nil
}

// validateDepots checks the depots' IDs and locations, adding each ID to
// depots.
func (in *Instance) validateDepots(depots map[string]bool) error {
	n := in.NumLocations
	for i, d := range in.Depots {
		if d.ID == "" {
			return invalid("depot %d: empty id", i)
		}
		if depots[d.ID] {
			return invalid("depot %q: duplicate id", d.ID)
		}
		depots[d.ID] = true
		if d.Location < 0 || d.Location >= n {
			return invalid("depot %q: location %d out of range [0,%d)", d.ID, d.Location, n)
		}
	}
	return nil
}

// validateVehicle checks vehicle v (called name in errors) against the
// depots' IDs, and records its frozen stops in frozen.
func (in *Instance) validateVehicle(name string, v *Vehicle, depots map[string]bool, frozen map[string]string) error {
	n := in.NumLocations
	dims := len(in.Vehicles[0].Capacity)
	if _, ok := in.Profiles[v.Profile]; !ok {
		return invalid("%s: unknown profile %q", name, v.Profile)
	}
	if v.Depot != "" && len(in.Depots) > 0 && !depots[v.Depot] {
		return invalid("%s: unknown depot %q", name, v.Depot)
	}
	if v.Start < 0 || v.Start >= n {
		return invalid("%s: start location %d out of range [0,%d)", name, v.Start, n)
	}
	if v.End < 0 || v.End >= n {
		return invalid("%s: end location %d out of range [0,%d)", name, v.End, n)
	}
	if badTime(v.Shift.Open) || badTime(v.Shift.Close) {
		return invalid("%s: shift %v..%v is not a finite time", name, v.Shift.Open, v.Shift.Close)
	}
	if v.Shift.Close < v.Shift.Open {
		return invalid("%s: shift closes (%v) before it opens (%v)", name, v.Shift.Close, v.Shift.Open)
	}
	if len(v.Capacity) == 0 {
		return invalid("%s: no capacity", name)
	}
	if len(v.Capacity) != dims {
		return invalid("%s: capacity has %d dimensions, vehicle %q has %d", name, len(v.Capacity), in.Vehicles[0].ID, dims)
	}
	for d, c := range v.Capacity {
		if math.IsNaN(c) || c <= 0 {
			return invalid("%s: capacity %d is %v, want > 0", name, d, c)
		}
	}
	for _, x := range []struct {
		what string
		v    float64
	}{{"fixed cost", v.FixedCost}, {"max duration", v.MaxDuration}, {"reload time", v.Reload}} {
		if badTime(x.v) || x.v < 0 {
			return invalid("%s: %s is %v", name, x.what, x.v)
		}
	}
	if v.MaxTrips < 0 {
		return invalid("%s: max trips is %d", name, v.MaxTrips)
	}
	r := v.Resume
	if r == nil {
		return nil
	}
	if r.Location < 0 || r.Location >= n {
		return invalid("%s: resume location %d out of range [0,%d)", name, r.Location, n)
	}
	if badTime(r.Time) || badTime(r.LoadDeadline) || r.LoadDeadline < 0 {
		return invalid("%s: resume time %v or load deadline %v is not a finite time", name, r.Time, r.LoadDeadline)
	}
	if len(r.Load) > dims {
		return invalid("%s: resume load has %d dimensions, capacity %d", name, len(r.Load), dims)
	}
	for d, x := range r.Load {
		if math.IsNaN(x) || x < 0 {
			return invalid("%s: resume load %d is %v", name, d, x)
		}
	}
	for _, s := range r.Frozen {
		if other, dup := frozen[s]; dup {
			return invalid("%s: frozen stop %q already frozen on vehicle %q", name, s, other)
		}
		frozen[s] = v.ID
	}
	return nil
}

// validateStop checks stop s (called name in errors) against the
// vehicles' IDs and the frozen stops.
func (in *Instance) validateStop(name string, s *Stop, vehicles map[string]bool, frozen map[string]string) error {
	n := in.NumLocations
	dims := len(in.Vehicles[0].Capacity)
	if s.Location < 0 || s.Location >= n {
		return invalid("%s: location %d out of range [0,%d)", name, s.Location, n)
	}
	if len(s.Demand) > dims {
		return invalid("%s: demand has %d dimensions, vehicles have %d", name, len(s.Demand), dims)
	}
	for d, x := range s.Demand {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return invalid("%s: demand %d is %v", name, d, x)
		}
	}
	for _, x := range []struct {
		what string
		v    float64
	}{{"service time", s.Service}, {"penalty", s.Penalty}, {"deadline", s.Deadline}, {"max age", s.MaxAge}, {"release time", s.Release},
		{"deadline late cost", s.DeadlineLateCost}, {"window late cost", s.WindowLateCost}, {"target", s.Target}, {"target late cost", s.TargetLateCost}} {
		if badTime(x.v) || x.v < 0 {
			return invalid("%s: %s is %v", name, x.what, x.v)
		}
	}
	for w, tw := range s.Windows {
		if badTime(tw.Open) || badTime(tw.Close) {
			return invalid("%s: window %d (%v..%v) is not a finite time", name, w, tw.Open, tw.Close)
		}
		if tw.Close < tw.Open {
			return invalid("%s: window %d closes (%v) before it opens (%v)", name, w, tw.Close, tw.Open)
		}
		if w > 0 && tw.Open <= s.Windows[w-1].Close {
			return invalid("%s: window %d (%v..%v) overlaps or precedes window %d", name, w, tw.Open, tw.Close, w-1)
		}
	}
	if s.DeadlineLateCost > 0 && s.Deadline == 0 {
		return invalid("%s: deadline late cost %v without a deadline", name, s.DeadlineLateCost)
	}
	if s.TargetLateCost > 0 && s.Target == 0 {
		return invalid("%s: target late cost %v without a target", name, s.TargetLateCost)
	}
	if s.TargetLateCost > 0 && s.DeadlineLateCost > 0 {
		return invalid("%s: a target and a soft deadline (one soft return per stop)", name)
	}
	if s.WindowLateCost > 0 && len(s.Windows) == 0 {
		return invalid("%s: window late cost %v without a window", name, s.WindowLateCost)
	}
	if s.Vehicle != "" && !vehicles[s.Vehicle] {
		return invalid("%s: pinned to unknown vehicle %q", name, s.Vehicle)
	}
	if v, ok := frozen[s.ID]; ok && s.Vehicle != "" && s.Vehicle != v {
		return invalid("%s: pinned to vehicle %q but frozen on vehicle %q", name, s.Vehicle, v)
	}
	return nil
}

// validatePositions checks Stop.After and Stop.First: a known stop other
// than itself, a pin, a predecessor that may go on the same vehicle, at
// most one stop after each stop and one first stop per vehicle, no cycle.
func (in *Instance) validatePositions(frozen map[string]string) error {
	idx := map[string]int{}
	for i, s := range in.Stops {
		idx[s.ID] = i
	}
	follows := map[string]string{}
	first := map[string]string{}
	for i, s := range in.Stops {
		if s.After == "" && !s.First {
			continue
		}
		if _, ok := frozen[s.ID]; ok {
			continue // frozen: its place is fixed already
		}
		name := fmt.Sprintf("stop %q (index %d)", s.ID, i)
		if s.Vehicle == "" {
			return invalid("%s: a position (after or first) needs a pinned vehicle", name)
		}
		if s.First {
			if s.After != "" {
				return invalid("%s: both first and after %q", name, s.After)
			}
			if other, dup := first[s.Vehicle]; dup {
				return invalid("%s: stop %q is already first on vehicle %q", name, other, s.Vehicle)
			}
			first[s.Vehicle] = s.ID
			continue
		}
		a, ok := idx[s.After]
		if !ok {
			return invalid("%s: after unknown stop %q", name, s.After)
		}
		if s.After == s.ID {
			return invalid("%s: after itself", name)
		}
		if pv := in.Stops[a].Vehicle; pv != "" && pv != s.Vehicle {
			return invalid("%s: after stop %q pinned to another vehicle %q", name, s.After, pv)
		}
		if fv, ok := frozen[s.After]; ok && fv != s.Vehicle {
			return invalid("%s: after stop %q frozen on another vehicle %q", name, s.After, fv)
		}
		if other, dup := follows[s.After]; dup {
			return invalid("%s: stop %q already follows %q", name, other, s.After)
		}
		follows[s.After] = s.ID
	}
	// no cycle: walk each chain back at most len(Stops) steps
	for id := range follows {
		x, steps := id, 0
		for {
			s := in.Stops[idx[x]]
			if _, ok := frozen[x]; ok || s.After == "" {
				break
			}
			x = s.After
			if steps++; steps > len(in.Stops) {
				return invalid("stop %q: its after chain is a cycle", id)
			}
		}
	}
	return nil
}
