package routing

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

func smallInstance() *Instance {
	n := 3
	dm := []float64{0, 1, 2, 1, 0, 1, 2, 1, 0}
	return &Instance{NumLocations: n, Profiles: map[string]Profile{"van": {Duration: dm}},
		Depots:   []Depot{{ID: "D", Location: 0}},
		Vehicles: []Vehicle{{ID: "v1", Profile: "van", Depot: "D", Shift: Window{0, 100}, Capacity: []float64{10}}},
		Stops: []Stop{
			{ID: "a", Location: 1, Demand: []float64{1}, Windows: []Window{{0, 50}}},
			{ID: "b", Location: 2, Demand: []float64{1}},
		}}
}

func TestValidateBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(in *Instance)
		want   string
	}{
		{"matrix size", func(in *Instance) { in.Profiles["van"] = Profile{Duration: []float64{0, 1}} }, `profile "van": duration matrix has 2 entries, want 9`},
		{"distance size", func(in *Instance) {
			in.Profiles["van"] = Profile{Duration: in.Profiles["van"].Duration, Distance: []float64{1}}
		}, `distance matrix has 1 entries`},
		{"NaN time", func(in *Instance) { in.Profiles["van"].Duration[4] = math.NaN() }, `duration from location 1 to 1 is NaN`},
		{"negative time", func(in *Instance) { in.Profiles["van"].Duration[5] = -1 }, `duration from location 1 to 2 is -1`},
		{"window", func(in *Instance) { in.Stops[0].Windows = []Window{{10, 5}} }, `stop "a" (index 0): window 0 closes (5) before it opens (10)`},
		{"window overlap", func(in *Instance) { in.Stops[0].Windows = []Window{{0, 10}, {5, 20}} }, `window 1 (5..20) overlaps`},
		{"capacity 0", func(in *Instance) { in.Vehicles[0].Capacity = []float64{0} }, `vehicle "v1" (index 0): capacity 0 is 0, want > 0`},
		{"no capacity", func(in *Instance) { in.Vehicles[0].Capacity = nil }, `vehicle "v1" (index 0): no capacity`},
		{"pin", func(in *Instance) { in.Stops[1].Vehicle = "ghost" }, `stop "b" (index 1): pinned to unknown vehicle "ghost"`},
		{"profile", func(in *Instance) { in.Vehicles[0].Profile = "truck" }, `unknown profile "truck"`},
		{"location", func(in *Instance) { in.Stops[0].Location = 7 }, `stop "a" (index 0): location 7 out of range`},
		{"duplicate stop", func(in *Instance) { in.Stops[1].ID = "a" }, `stop "a" (index 1): duplicate id`},
		{"shift", func(in *Instance) { in.Vehicles[0].Shift = Window{10, 0} }, `shift closes`},
		{"demand dims", func(in *Instance) { in.Stops[0].Demand = []float64{1, 2} }, `demand has 2 dimensions`},
		{"NaN service", func(in *Instance) { in.Stops[0].Service = math.NaN() }, `service time is NaN`},
		{"frozen unknown", func(in *Instance) { in.Vehicles[0].Resume = &Resume{Frozen: []string{"zz"}} }, `frozen stop "zz" is not a stop`},
		{"no vehicle", func(in *Instance) { in.Vehicles = nil }, `no vehicle`},
		{"no locations", func(in *Instance) { in.NumLocations = 0 }, `num_locations is 0`},
		{"inf window", func(in *Instance) { in.Stops[0].Windows = []Window{{0, math.Inf(1)}} }, `not a finite time`},
	}
	for _, c := range cases {
		in := smallInstance()
		c.mutate(in)
		_, err := Solve(context.Background(), in, Options{Iterations: 10})
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to contain %q and wrap ErrInvalid", c.name, err, c.want)
		}
	}
	if err := (*Instance)(nil).Validate(); err == nil {
		t.Error("nil instance: no error")
	}
}

func TestSmallInstance(t *testing.T) {
	t.Parallel()
	sol := solveChecked(t, smallInstance(), Options{Iterations: 20})
	if len(sol.Unassigned) != 0 || sol.VehiclesUsed != 1 || math.Abs(sol.Distance-4) > 1e-9 {
		t.Fatalf("got %d unassigned, %d vehicles, distance %v; want 0, 1, 4", len(sol.Unassigned), sol.VehiclesUsed, sol.Distance)
	}
}

func TestNoStops(t *testing.T) {
	t.Parallel()
	in := smallInstance()
	in.Stops = nil
	sol := solveChecked(t, in, Options{Iterations: 10, Workers: 2})
	if sol.VehiclesUsed != 0 || len(sol.Unassigned) != 0 {
		t.Fatalf("got %d vehicles, %d unassigned", sol.VehiclesUsed, len(sol.Unassigned))
	}
}
