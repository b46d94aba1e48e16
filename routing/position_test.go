package routing

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// lineStops puts stops s1..sk at locations 1..k of a line instance.
func lineStops(k int) *Instance {
	in := line(k+1, 1000)
	in.Vehicles[0].MaxTrips = 1
	for i := 1; i <= k; i++ {
		in.Stops = append(in.Stops, Stop{ID: "s" + string(rune('0'+i)), Location: i, Demand: []float64{1}})
	}
	return in
}

func order(sol *Solution) string {
	var ids []string
	for _, r := range sol.Routes {
		for ti, tr := range r.Trips {
			if ti > 0 {
				ids = append(ids, "|")
			}
			for _, v := range tr.Visits {
				ids = append(ids, v.Stop)
			}
		}
	}
	return strings.Join(ids, " ")
}

func TestPositions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		edit   func(in *Instance)
		want   string // a contiguous part of the visiting order ("^": first)
		reason string // the reason detail of unassigned s5, if any
	}{
		{"free", func(in *Instance) {}, "", ""},
		{"after", func(in *Instance) { in.Stops[4].After, in.Stops[4].Vehicle = "s1", "v" }, "s1 s5", ""},
		{"first", func(in *Instance) { in.Stops[2].First, in.Stops[2].Vehicle = true, "v" }, "^s3 ", ""},
		{"first after unloading", func(in *Instance) {
			// back at the depot full: it unloads before any stop
			v := &in.Vehicles[0]
			v.Capacity, v.MaxTrips = []float64{3}, 3
			v.Resume = &Resume{Location: 5, Time: 0, Load: []float64{3}}
			in.Stops[1].First, in.Stops[1].Vehicle = true, "v"
		}, "^| s2 ", ""},
		{"chain", func(in *Instance) {
			in.Stops[4].After, in.Stops[4].Vehicle = "s1", "v"
			in.Stops[1].After, in.Stops[1].Vehicle = "s5", "v"
		}, "s1 s5 s2", ""},
		{"first and after", func(in *Instance) {
			in.Stops[3].First, in.Stops[3].Vehicle = true, "v"
			in.Stops[0].After, in.Stops[0].Vehicle = "s4", "v"
		}, "^s4 s1 ", ""},
		{"infeasible place", func(in *Instance) {
			// s1 opens at 100; s5 closes at 120 and is 40 from s1
			in.Stops[0].Windows = []Window{{Open: 100, Close: 200}}
			in.Stops[4].Windows = []Window{{Open: 0, Close: 120}}
			in.Stops[4].After, in.Stops[4].Vehicle = "s1", "v"
		}, "", `it cannot be served right after stop "s1"`},
		{"predecessor unplanned", func(in *Instance) {
			in.Stops[0].Demand = []float64{5000}
			in.Stops[4].After, in.Stops[4].Vehicle = "s1", "v"
		}, "", `the stop "s1" it must follow is not planned`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := lineStops(5)
			tc.edit(in)
			sol := solveChecked(t, in, Options{Iterations: 500, Seed: 1})
			got := "^" + order(sol) + " "
			if !strings.Contains(got, tc.want) {
				t.Errorf("order %q, want %q in it", got, tc.want)
			}
			var reason string
			for _, u := range sol.Unassigned {
				if u.Stop == "s5" {
					if u.Reasons[0].Code != ReasonPosition {
						t.Errorf("s5 unassigned with %+v, want %s", u.Reasons, ReasonPosition)
					}
					reason = u.Reasons[0].Detail
				}
			}
			if reason != tc.reason {
				t.Errorf("s5 reason %q, want %q", reason, tc.reason)
			}
		})
	}
}

func TestPositionsValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(in *Instance)
		want string
	}{
		{"no pin", func(in *Instance) { in.Stops[1].After = "s1" }, "needs a pinned vehicle"},
		{"unknown", func(in *Instance) { in.Stops[1].After, in.Stops[1].Vehicle = "x", "v" }, "after unknown stop"},
		{"itself", func(in *Instance) { in.Stops[1].After, in.Stops[1].Vehicle = "s2", "v" }, "after itself"},
		{"both", func(in *Instance) { in.Stops[1].After, in.Stops[1].First, in.Stops[1].Vehicle = "s1", true, "v" }, "both first and after"},
		{"two followers", func(in *Instance) {
			in.Stops[1].After, in.Stops[1].Vehicle = "s1", "v"
			in.Stops[2].After, in.Stops[2].Vehicle = "s1", "v"
		}, "already follows"},
		{"two first", func(in *Instance) {
			in.Stops[1].First, in.Stops[1].Vehicle = true, "v"
			in.Stops[2].First, in.Stops[2].Vehicle = true, "v"
		}, "already first"},
		{"cycle", func(in *Instance) {
			in.Stops[1].After, in.Stops[1].Vehicle = "s3", "v"
			in.Stops[2].After, in.Stops[2].Vehicle = "s2", "v"
		}, "cycle"},
		{"other vehicle", func(in *Instance) {
			in.Vehicles = append(in.Vehicles, in.Vehicles[0])
			in.Vehicles[1].ID = "w"
			in.Stops[0].Vehicle = "w"
			in.Stops[1].After, in.Stops[1].Vehicle = "s1", "v"
		}, "pinned to another vehicle"},
	} {
		in := lineStops(3)
		tc.edit(in)
		err := in.Validate()
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// Positions drawn at random on the rich random instances (trips, pins,
// skills, windows, ages, resumed vehicles with frozen stops): a stop is
// pinned right after another stop of some route or first on a vehicle.
// Check verifies every plan (it checks the places), and most places hold.
func TestRandomPositions(t *testing.T) {
	t.Parallel()
	placed, total := 0, 0
	for seed := uint64(1); seed <= 40; seed++ {
		in := randomInstance(seed, 10+int(seed%4)*10, seed%3 == 0)
		if seed%2 == 0 {
			richen(in, seed)
		}
		first := solveChecked(t, in, Options{Iterations: 200, Seed: int64(seed)})
		rnd := rand.New(rand.NewPCG(seed, 99))
		frozen := map[string]bool{}
		if r := in.Vehicles[0].Resume; r != nil {
			for _, f := range r.Frozen {
				frozen[f] = true
			}
		}
		idx := map[string]int{}
		for i, s := range in.Stops {
			idx[s.ID] = i
		}
		used := map[string]bool{}
		firstOn := map[string]bool{}
		var assigned []string
		for _, r := range first.Routes {
			for _, tr := range r.Trips {
				for _, v := range tr.Visits {
					assigned = append(assigned, v.Stop)
				}
			}
		}
		var withPos []string
		for k := 0; k < 4 && len(assigned) > 2; k++ {
			a, b := assigned[rnd.IntN(len(assigned))], assigned[rnd.IntN(len(assigned))]
			if a == b || used[a] || used[b] || frozen[b] {
				continue
			}
			sa, sb := &in.Stops[idx[a]], &in.Stops[idx[b]]
			// b goes on a's vehicle (its pin, or the vehicle of the first plan)
			veh := sa.Vehicle
			if veh == "" {
				for _, r := range first.Routes {
					for _, tr := range r.Trips {
						for _, v := range tr.Visits {
							if v.Stop == a {
								veh = r.Vehicle
							}
						}
					}
				}
			}
			if fv := frozenOn(in, a); fv != "" && fv != veh {
				continue
			}
			if rnd.IntN(4) == 0 {
				if firstOn[veh] {
					continue
				}
				sb.First, sb.Vehicle = true, veh
				firstOn[veh] = true
			} else {
				sb.After, sb.Vehicle = a, veh
			}
			used[a], used[b] = true, true
			withPos = append(withPos, b)
		}
		sol := solveChecked(t, in, Options{Iterations: 300, Seed: int64(seed), Workers: 1 + int(seed%2)})
		un := map[string]Unassigned{}
		for _, u := range sol.Unassigned {
			un[u.Stop] = u
		}
		for _, b := range withPos {
			total++
			u, ok := un[b]
			if !ok {
				placed++
				continue
			}
			if u.Reasons[0].Code != ReasonPosition {
				t.Errorf("%s: %s unassigned with %+v, want %s", in.Name, b, u.Reasons, ReasonPosition)
			}
		}
	}
	t.Logf("%d of %d positions held", placed, total)
	if total < 50 || placed*2 < total {
		t.Errorf("%d of %d positions held, want most of at least 50", placed, total)
	}
}

func frozenOn(in *Instance, id string) string {
	for _, v := range in.Vehicles {
		if v.Resume != nil && contains(v.Resume.Frozen, id) {
			return v.ID
		}
	}
	return ""
}

// Check finds a stop moved away from its place.
func TestCheckCatchesBrokenPosition(t *testing.T) {
	t.Parallel()
	in := lineStops(3)
	in.Stops[2].After, in.Stops[2].Vehicle = "s1", "v"
	sol := solveChecked(t, in, Options{Iterations: 100, Seed: 1})
	in.Stops[2].After = "s2"
	if err := Check(in, sol); err == nil || !strings.Contains(err.Error(), `not directly after stop "s2"`) {
		t.Errorf("check after moving the place: %v", err)
	}
	in.Stops[2].After, in.Stops[2].First = "", true
	if err := Check(in, sol); err == nil || !strings.Contains(err.Error(), "not first") {
		t.Errorf("check with first: %v", err)
	}
}
