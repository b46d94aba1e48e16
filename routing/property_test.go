package routing

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomInstance builds a rich random instance: two profiles, two depots,
// two capacity dimensions, several trips, handover deadlines, max ages,
// multiple windows, skills, pins and (if resume) vehicles re-planned from
// the middle of the day with frozen stops.
func randomInstance(seed uint64, nStops int, resume bool) *Instance {
	rnd := rand.New(rand.NewPCG(seed, 7))
	nloc := nStops + 2
	xs := make([]float64, nloc)
	ys := make([]float64, nloc)
	for i := range xs {
		xs[i], ys[i] = rnd.Float64()*100, rnd.Float64()*100
	}
	bike := make([]float64, nloc*nloc)
	van := make([]float64, nloc*nloc)
	dist := make([]float64, nloc*nloc)
	for i := 0; i < nloc; i++ {
		for j := 0; j < nloc; j++ {
			d := math.Hypot(xs[i]-xs[j], ys[i]-ys[j])
			dist[i*nloc+j] = d
			bike[i*nloc+j] = d * 1.2
			van[i*nloc+j] = d
		}
	}
	in := &Instance{Name: fmt.Sprintf("rand%d", seed), NumLocations: nloc,
		Profiles:  map[string]Profile{"motorbike": {Duration: bike, Distance: dist}, "van": {Duration: van, Distance: dist}},
		Depots:    []Depot{{ID: "A", Location: 0}, {ID: "B", Location: 1}},
		Objective: Objective(rnd.IntN(2)),
	}
	nv := 2 + rnd.IntN(4)
	for v := 0; v < nv; v++ {
		d := v % 2
		veh := Vehicle{ID: fmt.Sprintf("v%d", v), Profile: "motorbike", Depot: in.Depots[d].ID, Start: d, End: d,
			Shift: Window{Open: 0, Close: 600 + rnd.Float64()*400}, Capacity: []float64{40 + rnd.Float64()*60, 8},
			MaxTrips: 1 + rnd.IntN(3), Reload: rnd.Float64() * 20, FixedCost: float64(rnd.IntN(3)) * 50}
		if v%3 == 2 {
			veh.Profile = "van"
			veh.Skills = []string{"cold"}
			veh.Capacity = []float64{200, 30}
		}
		if rnd.IntN(3) == 0 {
			veh.MaxDuration = 400 + rnd.Float64()*300
		}
		in.Vehicles = append(in.Vehicles, veh)
	}
	for i := 0; i < nStops; i++ {
		s := Stop{ID: fmt.Sprintf("s%d", i), Location: i + 2, Demand: []float64{1 + rnd.Float64()*20, float64(1 + rnd.IntN(3))},
			Service: rnd.Float64() * 15}
		switch rnd.IntN(4) {
		case 0:
		case 1:
			o := rnd.Float64() * 500
			s.Windows = []Window{{Open: o, Close: o + 30 + rnd.Float64()*200}}
		case 2:
			o := rnd.Float64() * 300
			s.Windows = []Window{{Open: o, Close: o + 40}, {Open: o + 200, Close: o + 300}}
		case 3:
			s.Windows = []Window{{Open: 0, Close: 900}}
		}
		if rnd.IntN(3) == 0 {
			s.Deadline = 300 + rnd.Float64()*600
		}
		if rnd.IntN(5) == 0 {
			s.MaxAge = 100 + rnd.Float64()*200
		}
		if rnd.IntN(10) == 0 {
			s.Skills = []string{"cold"}
		}
		if rnd.IntN(12) == 0 {
			s.Vehicle = in.Vehicles[rnd.IntN(nv)].ID
		}
		if rnd.IntN(4) == 0 {
			s.Penalty = 1 + float64(rnd.IntN(5))
		}
		if rnd.IntN(40) == 0 {
			s.Demand[0] = 500 // too heavy for anyone
		}
		in.Stops = append(in.Stops, s)
	}
	if resume {
		// vehicle 0 is in the middle of its day with two frozen stops
		v := &in.Vehicles[0]
		var frozen []string
		for i := range in.Stops {
			s := &in.Stops[i]
			if s.Vehicle == "" && len(s.Skills) == 0 && s.Demand[0] < 100 && len(frozen) < 2 {
				frozen = append(frozen, s.ID)
			}
		}
		v.Resume = &Resume{Location: 5, Time: 120, Load: []float64{5, 1}, Frozen: frozen}
	}
	return in
}

func solveChecked(t *testing.T, in *Instance, opts Options) *Solution {
	t.Helper()
	sol, err := Solve(context.Background(), in, opts)
	if err != nil {
		t.Fatalf("%s: solve: %v", in.Name, err)
	}
	if err := Check(in, sol); err != nil {
		t.Fatalf("%s: check: %v", in.Name, err)
	}
	for _, u := range sol.Unassigned {
		if len(u.Reasons) == 0 {
			t.Fatalf("%s: stop %s unassigned without a reason", in.Name, u.Stop)
		}
	}
	return sol
}

func TestRandomInstancesFeasible(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 30; seed++ {
		in := randomInstance(seed, 10+int(seed%4)*10, seed%3 == 0)
		sol := solveChecked(t, in, Options{Iterations: 300, Seed: int64(seed), Workers: 1 + int(seed%2)})
		// the heavy stops can never be served
		for _, s := range in.Stops {
			if s.Demand[0] >= 500 {
				found := false
				for _, u := range sol.Unassigned {
					if u.Stop == s.ID {
						found = true
						if u.Reasons[0].Code != ReasonCapacity && u.Reasons[0].Code != ReasonSkill {
							t.Errorf("%s: heavy stop %s: reason %v, want capacity", in.Name, s.ID, u.Reasons)
						}
					}
				}
				if !found {
					t.Errorf("%s: heavy stop %s was planned", in.Name, s.ID)
				}
			}
		}
		if in.Vehicles[0].Resume != nil {
			r := sol.Routes[0]
			fr := in.Vehicles[0].Resume.Frozen
			if len(r.Trips) == 0 || len(r.Trips[0].Visits) < len(fr) {
				t.Fatalf("%s: frozen prefix lost", in.Name)
			}
			for i, id := range fr {
				if r.Trips[0].Visits[i].Stop != id {
					t.Errorf("%s: visit %d is %s, frozen %s", in.Name, i, r.Trips[0].Visits[i].Stop, id)
				}
			}
		}
	}
}

func TestDeterministicForSeed(t *testing.T) {
	t.Parallel()
	in := randomInstance(42, 40, true)
	a := solveChecked(t, in, Options{Iterations: 400, Seed: 3, Workers: 2})
	b := solveChecked(t, in, Options{Iterations: 400, Seed: 3, Workers: 2})
	a.Elapsed, b.Elapsed = 0, 0
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs with the same seed and budget differ: %v vs %v", a.Distance, b.Distance)
	}
}

func TestMultiTripUsed(t *testing.T) {
	t.Parallel()
	// one vehicle, capacity for 3 stops per trip, 9 stops: needs 3 trips
	n := 10
	dm := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			dm[i*n+j] = math.Abs(float64(i - j))
		}
	}
	in := &Instance{NumLocations: n, Profiles: map[string]Profile{"van": {Duration: dm}},
		Vehicles: []Vehicle{{ID: "v", Profile: "van", Shift: Window{0, 1000}, Capacity: []float64{3}, MaxTrips: 3, Reload: 5}}}
	for i := 1; i < n; i++ {
		in.Stops = append(in.Stops, Stop{ID: fmt.Sprint(i), Location: i, Demand: []float64{1}, Deadline: 900})
	}
	sol := solveChecked(t, in, Options{Iterations: 500, Seed: 1})
	if len(sol.Unassigned) != 0 || len(sol.Routes[0].Trips) != 3 {
		t.Fatalf("got %d trips and %d unassigned, want 3 trips and none", len(sol.Routes[0].Trips), len(sol.Unassigned))
	}
	// with one trip only, 6 stops stay out, explained by capacity
	in.Vehicles[0].MaxTrips = 1
	sol = solveChecked(t, in, Options{Iterations: 500, Seed: 1})
	if len(sol.Unassigned) != 6 {
		t.Fatalf("got %d unassigned, want 6", len(sol.Unassigned))
	}
}

func TestHandoverDeadlineSplitsTrips(t *testing.T) {
	t.Parallel()
	// two stops far apart with early deadlines: a single trip cannot bring
	// both back in time, two trips can
	n := 3
	dm := []float64{0, 10, 10, 10, 0, 20, 10, 20, 0}
	in := &Instance{NumLocations: n, Profiles: map[string]Profile{"bike": {Duration: dm}},
		Vehicles: []Vehicle{{ID: "v", Profile: "bike", Shift: Window{0, 100}, Capacity: []float64{10}, MaxTrips: 2}},
		Stops: []Stop{
			{ID: "a", Location: 1, Demand: []float64{1}, Deadline: 20},
			{ID: "b", Location: 2, Demand: []float64{1}, Deadline: 41},
		}}
	sol := solveChecked(t, in, Options{Iterations: 100, Seed: 1})
	if len(sol.Unassigned) != 0 || len(sol.Routes[0].Trips) != 2 {
		t.Fatalf("got %d trips, %d unassigned; want 2 trips", len(sol.Routes[0].Trips), len(sol.Unassigned))
	}
	// one trip only: b stays out for its deadline, with the relaxation
	in.Vehicles[0].MaxTrips = 1
	sol = solveChecked(t, in, Options{Iterations: 100, Seed: 1})
	if len(sol.Unassigned) != 1 {
		t.Fatalf("got %d unassigned, want 1", len(sol.Unassigned))
	}
}

func TestNothingFits(t *testing.T) {
	t.Parallel()
	n := 3
	dm := []float64{0, 50, 50, 50, 0, 50, 50, 50, 0}
	in := &Instance{NumLocations: n, Profiles: map[string]Profile{"bike": {Duration: dm}},
		Depots:   []Depot{{ID: "D", Location: 0}},
		Vehicles: []Vehicle{{ID: "v", Profile: "bike", Depot: "D", Shift: Window{0, 200}, Capacity: []float64{10}}},
		Stops: []Stop{
			{ID: "late", Location: 1, Windows: []Window{{0, 20}}},
			{ID: "heavy", Location: 2, Demand: []float64{11}},
			{ID: "skill", Location: 2, Skills: []string{"cold"}},
			{ID: "deadline", Location: 1, Deadline: 60},
			{ID: "age", Location: 1, MaxAge: 30},
		}}
	sol := solveChecked(t, in, Options{Iterations: 50, Seed: 1})
	want := map[string]ReasonCode{"late": ReasonTimeWindow, "heavy": ReasonCapacity, "skill": ReasonSkill, "deadline": ReasonDeadline, "age": ReasonMaxAge}
	if len(sol.Unassigned) != len(want) {
		t.Fatalf("got %d unassigned, want %d", len(sol.Unassigned), len(want))
	}
	for _, u := range sol.Unassigned {
		if u.Reasons[0].Code != want[u.Stop] {
			t.Errorf("stop %s: reason %v, want %s", u.Stop, u.Reasons, want[u.Stop])
		}
	}
	for _, u := range sol.Unassigned {
		if u.Stop == "late" && (u.Relaxation == nil || u.Relaxation.Kind != RelaxWindowLater || math.Abs(u.Relaxation.Amount-30) > 1e-9) {
			t.Errorf("late: relaxation %+v, want window closes 30 later", u.Relaxation)
		}
		if u.Stop == "deadline" && (u.Relaxation == nil || u.Relaxation.Kind != RelaxDeadline || math.Abs(u.Relaxation.Amount-40) > 1e-9) {
			t.Errorf("deadline: relaxation %+v, want deadline 40 later", u.Relaxation)
		}
	}
}

func TestFleetFullExplainsExtraVehicle(t *testing.T) {
	t.Parallel()
	n := 3
	dm := []float64{0, 10, 10, 10, 0, 100, 10, 100, 0}
	in := &Instance{NumLocations: n, Profiles: map[string]Profile{"van": {Duration: dm}},
		Depots:   []Depot{{ID: "D", Location: 0}},
		Vehicles: []Vehicle{{ID: "v", Profile: "van", Depot: "D", Shift: Window{0, 100}, Capacity: []float64{10}}},
		Stops: []Stop{
			{ID: "a", Location: 1, Windows: []Window{{10, 20}}, Penalty: 2},
			{ID: "b", Location: 2, Windows: []Window{{10, 20}}},
		}}
	sol := solveChecked(t, in, Options{Iterations: 50, Seed: 1})
	if len(sol.Unassigned) != 1 || sol.Unassigned[0].Stop != "b" {
		t.Fatalf("unassigned %+v, want b (lower penalty)", sol.Unassigned)
	}
	u := sol.Unassigned[0]
	if u.Reasons[0].Code != ReasonFleetFull || u.Relaxation == nil || u.Relaxation.Kind != RelaxExtraVehicle || u.Relaxation.Depot != "D" {
		t.Fatalf("got %+v %+v, want fleet_full and one more vehicle at D", u.Reasons, u.Relaxation)
	}
}

func TestCancelledContextReturnsPlan(t *testing.T) {
	t.Parallel()
	in := randomInstance(5, 30, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sol, err := Solve(ctx, in, Options{Iterations: 1 << 30, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(in, sol); err != nil {
		t.Fatal(err)
	}
}

func TestCheckCatchesBrokenPlans(t *testing.T) {
	t.Parallel()
	in := randomInstance(9, 30, false)
	sol := solveChecked(t, in, Options{Iterations: 200, Seed: 1})
	var ri int
	for ri = range sol.Routes {
		if len(sol.Routes[ri].Trips) > 0 && len(sol.Routes[ri].Trips[0].Visits) > 1 {
			break
		}
	}
	cases := map[string]func(s *Solution){
		"dropped stop": func(s *Solution) {
			t := &s.Routes[ri].Trips[0]
			t.Visits = t.Visits[1:]
		},
		"wrong time": func(s *Solution) { s.Routes[ri].Trips[0].Visits[0].Start += 1 },
		"duplicate": func(s *Solution) {
			t := &s.Routes[ri].Trips[0]
			t.Visits = append(t.Visits, t.Visits[0])
		},
		"unknown vehicle": func(s *Solution) { s.Routes[ri].Vehicle = "nobody" },
		"wrong distance":  func(s *Solution) { s.Distance += 1 },
		"no reason": func(s *Solution) {
			s.Unassigned = append(s.Unassigned, Unassigned{Stop: s.Routes[ri].Trips[0].Visits[0].Stop})
		},
	}
	for name, breakIt := range cases {
		s2 := cloneSolution(sol)
		breakIt(s2)
		if err := Check(in, s2); err == nil {
			t.Errorf("%s: Check accepted a broken plan", name)
		}
	}
}

func cloneSolution(s *Solution) *Solution {
	c := *s
	c.Routes = make([]Route, len(s.Routes))
	for i, r := range s.Routes {
		c.Routes[i] = r
		c.Routes[i].Trips = make([]Trip, len(r.Trips))
		for j, t := range r.Trips {
			c.Routes[i].Trips[j] = t
			c.Routes[i].Trips[j].Visits = append([]Visit(nil), t.Visits...)
		}
	}
	c.Unassigned = append([]Unassigned(nil), s.Unassigned...)
	return &c
}

func TestRelaxationInPlan(t *testing.T) {
	t.Parallel()
	// a line: depot 0, a at 10, b at 20. a (higher penalty) is served at 10
	// and takes 10; b, due by 25, is reached at 30 after a: it fits if its
	// window closes 5 later.
	n := 3
	dm := []float64{0, 10, 20, 10, 0, 10, 20, 10, 0}
	in := &Instance{NumLocations: n, Profiles: map[string]Profile{"van": {Duration: dm}},
		Depots:   []Depot{{ID: "D", Location: 0}},
		Vehicles: []Vehicle{{ID: "v", Profile: "van", Depot: "D", Shift: Window{0, 100}, Capacity: []float64{10}}},
		Stops: []Stop{
			{ID: "a", Location: 1, Service: 10, Windows: []Window{{10, 10}}, Penalty: 2},
			{ID: "b", Location: 2, Windows: []Window{{0, 25}}},
		}}
	sol := solveChecked(t, in, Options{Iterations: 50, Seed: 1})
	if len(sol.Unassigned) != 1 || sol.Unassigned[0].Stop != "b" {
		t.Fatalf("unassigned %+v, want b", sol.Unassigned)
	}
	r := sol.Unassigned[0].Relaxation
	if r == nil || r.Kind != RelaxWindowLater || math.Abs(r.Amount-5) > 0.01 || r.Vehicle != "v" {
		t.Fatalf("relaxation %+v, want window closes 5 later on v", r)
	}
}
