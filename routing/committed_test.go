package routing

import (
	"fmt"
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
				in := randomInstance(c.seed, c.nstops, true)
				if rich {
					richen(in, c.seed)
				}
				v := &in.Vehicles[0]
				if p := committedPeak(in, v); p[0] <= v.Capacity[0] {
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

// The hand-made case: capacity 10, 6 on board, a frozen pickup of 6 (12
// committed) and two more stops, one pickup and one delivery (a mixed
// model): the pickup goes on a later trip, and Check rejects a plan that
// adds it to the first.
func TestCommittedOverloadLine(t *testing.T) {
	t.Parallel()
	for _, mixed := range []bool{false, true} {
		in := line(4, 10)
		in.Vehicles[0].Resume = &Resume{Location: 3, Time: 0, Load: []float64{6}, Frozen: []string{"f"}}
		in.Stops = []Stop{{ID: "f", Location: 2, Demand: []float64{6}}, {ID: "p", Location: 1, Demand: []float64{1}}}
		if mixed {
			in.Stops = append(in.Stops, Stop{ID: "d", Location: 3, Demand: []float64{4}, Delivery: true})
		}
		sol := solveChecked(t, in, Options{Iterations: 200, Seed: 1})
		if len(sol.Unassigned) > 0 {
			t.Fatalf("mixed %v: unassigned %v", mixed, sol.Unassigned)
		}
		tr := sol.Routes[0].Trips
		if len(tr) < 2 || len(tr[0].Visits) != 1 || tr[0].Visits[0].Stop != "f" {
			t.Fatalf("mixed %v: want the frozen stop alone on the first trip, got %+v", mixed, tr)
		}
		// p moved onto the first trip: 13 on board
		bad := cloneSolution(sol)
		bt := bad.Routes[0].Trips
		for ti := 1; ti < len(bt); ti++ {
			for vi, v := range bt[ti].Visits {
				if v.Stop == "p" {
					bt[0].Visits = append(bt[0].Visits, v)
					bt[ti].Visits = append(bt[ti].Visits[:vi:vi], bt[ti].Visits[vi+1:]...)
				}
			}
		}
		if err := Check(in, bad); err == nil || !strings.Contains(err.Error(), "trip 0 carries 13 in dimension 0, capacity 10 and 12 committed") {
			t.Fatalf("mixed %v: Check on a pickup added to the overloaded first trip: %v", mixed, err)
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
