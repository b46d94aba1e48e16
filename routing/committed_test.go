package routing

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// A vehicle resumed during the day whose load on board and frozen stops
// alone exceed its capacity (the driver took more than planned): the plan
// keeps the commitment, Check accepts it, and nothing the plan adds to the
// first trip raises its peak further. These random instances (with and
// without deliveries) were rejected by Check for a frozen first trip over
// capacity.
func TestCommittedOverload(t *testing.T) {
	t.Parallel()
	cases := []struct {
		seed   uint64
		nstops int
	}{{6, 35}, {42, 45}, {221, 15}, {238, 25}, {277, 15}}
	for _, c := range cases {
		for _, rich := range []bool{false, true} {
			t.Run(fmt.Sprintf("seed%d-n%d-rich%v", c.seed, c.nstops, rich), func(t *testing.T) {
				t.Parallel()
				in := randomInstance(c.seed, c.nstops, true)
				if rich {
					richen(in, c.seed)
				}
				v := &in.Vehicles[0]
				if p := committedLoad(in, v); p[0] <= v.Capacity[0] {
					t.Fatalf("committed peak %v within capacity %v: the case lost its point", p, v.Capacity)
				}
				sol := solveChecked(t, in, Options{Iterations: 300, Seed: int64(c.seed), Workers: 1})
				// the first trip is over capacity: it holds only the frozen stops
				if tr := sol.Routes[0].Trips[0]; len(tr.Visits) != len(v.Resume.Frozen) {
					t.Fatalf("first trip %+v, want the %d frozen stops only", tr.Visits, len(v.Resume.Frozen))
				}
			})
		}
	}
}

// Hand-made cases on a line, capacity 10, 6 on board: Check accepts the
// plan, and rejects it with the named stops moved onto the first trip.
func TestCommittedOverloadLine(t *testing.T) {
	t.Parallel()
	f := Stop{ID: "f", Location: 2, Demand: []float64{6}}
	fd := Stop{ID: "fd", Location: 2, Demand: []float64{6}, Delivery: true}
	p := Stop{ID: "p", Location: 1, Demand: []float64{1}}
	q := Stop{ID: "q", Location: 1, Demand: []float64{5}}
	d := Stop{ID: "d", Location: 3, Demand: []float64{4}, Delivery: true}
	cases := []struct {
		name  string
		stops []Stop // the first is frozen
		first int    // visits of the first trip the solver may plan, at most
		move  []string
		want  string
	}{
		// 12 committed: nothing more on the first trip
		{"frozen pickup", []Stop{f, p}, 1, []string{"p"}, "trip 0 carries 13 in dimension 0, capacity 10 and 12 committed"},
		{"frozen pickup, mixed", []Stop{f, p, d}, 1, []string{"p"}, "trip 0 carries 13 in dimension 0, capacity 10 and 12 committed"},
		// 12 at the start, 6 once the frozen delivery is dropped: from
		// there on the capacity holds (the 12 of the start do not make
		// room for pickups)
		{"frozen delivery", []Stop{fd, p, q}, 3, []string{"p", "q"}, "trip 0 carries 12 in dimension 0, capacity 10"},
	}
	for _, c := range cases {
		in := line(4, 10)
		in.Vehicles[0].Resume = &Resume{Location: 3, Time: 0, Load: []float64{6}, Frozen: []string{c.stops[0].ID}}
		in.Stops = c.stops
		sol := solveChecked(t, in, Options{Iterations: 200, Seed: 1})
		if len(sol.Unassigned) > 0 {
			t.Fatalf("%s: unassigned %v", c.name, sol.Unassigned)
		}
		tr := sol.Routes[0].Trips
		if len(tr[0].Visits) > c.first || tr[0].Visits[0].Stop != c.stops[0].ID {
			t.Fatalf("%s: first trip %+v, want the frozen stop first and at most %d visits", c.name, tr[0].Visits, c.first)
		}
		bad := cloneSolution(sol)
		bt := bad.Routes[0].Trips
		for _, id := range c.move {
			for ti := 1; ti < len(bt); ti++ {
				for vi, v := range bt[ti].Visits {
					if v.Stop == id {
						bt[0].Visits = append(bt[0].Visits, v)
						bt[ti].Visits = append(bt[ti].Visits[:vi:vi], bt[ti].Visits[vi+1:]...)
						break
					}
				}
			}
		}
		if err := Check(in, bad); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: Check with %v moved onto the first trip: %v, want %q", c.name, c.move, err, c.want)
		}
	}
}

// Many random instances, with and without a resumed vehicle and with and
// without deliveries: Check accepts every plan.
func TestRandomSweepFeasible(t *testing.T) {
	t.Parallel()
	sizes := []int{15, 25, 35, 45}
	for seed := uint64(1); seed <= 60; seed++ {
		for _, resume := range []bool{false, true} {
			in := randomInstance(seed, sizes[seed%4], resume)
			if seed%2 == 0 {
				richen(in, seed)
			}
			solveChecked(t, in, Options{Iterations: 300, Seed: int64(seed), Workers: 1})
		}
	}
}

// loadOnBoard gives vehicle 0 of a resumed random instance a random load
// on board (up to its capacity, so that with its frozen stops the first
// trip is often over capacity); variant 1 adds deliveries (richen),
// variant 2 also makes some frozen stops deliveries and resumes vehicle 1
// with a load and no frozen stops.
func loadOnBoard(in *Instance, seed uint64, variant int) {
	rnd := rand.New(rand.NewPCG(seed, uint64(99+variant)))
	v := &in.Vehicles[0]
	v.Resume.Load = []float64{rnd.Float64() * v.Capacity[0], float64(rnd.IntN(int(v.Capacity[1])))}
	if variant >= 1 {
		richen(in, seed)
	}
	if variant == 2 {
		for i := range in.Stops {
			if contains(v.Resume.Frozen, in.Stops[i].ID) && rnd.IntN(2) == 0 {
				in.Stops[i].Delivery = true
			}
		}
		if len(in.Vehicles) > 1 {
			in.Vehicles[1].Resume = &Resume{Location: 6, Time: 60, Load: []float64{rnd.Float64() * in.Vehicles[1].Capacity[0], 2}}
		}
	}
}

// Resumed vehicles with loads on board up to their capacity, frozen
// pickups and deliveries (before the committed peak was allowed, Check
// rejected 1491 of 2700 such plans over 300 seeds): Check accepts every
// plan, and a first trip whose commitment is over capacity takes no more
// stops.
func TestResumedLoadSweepFeasible(t *testing.T) {
	t.Parallel()
	sizes := []int{15, 30, 45}
	over := 0
	for seed := uint64(1); seed <= 30; seed++ {
		for variant := 0; variant < 3; variant++ {
			in := randomInstance(seed, sizes[seed%3], true)
			loadOnBoard(in, seed, variant)
			sol := solveChecked(t, in, Options{Iterations: 300, Seed: int64(seed), Workers: 1 + int(seed%2)})
			v := &in.Vehicles[0]
			if p := committedLoad(in, v); p[0] > v.Capacity[0]+tol || p[1] > v.Capacity[1]+tol {
				over++
				if tr := sol.Routes[0].Trips[0]; len(tr.Visits) != len(v.Resume.Frozen) {
					t.Errorf("%s variant %d: first trip over capacity took more stops: %+v", in.Name, variant, tr.Visits)
				}
			}
		}
	}
	if over < 20 {
		t.Fatalf("only %d of 90 plans with a first trip over capacity: the test lost its point", over)
	}
}
