package routing

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// mtvrptwrDir is the public multi-trip benchmark beside the clone (CI has
// ../shared next to the repository).
const mtvrptwrDir = "../../shared/benchmarks/mtvrptwr"

func mtvrptwrFiles(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(mtvrptwrDir, "*.vrp"))
	if len(files) == 0 {
		t.Skipf("no MTVRPTWR instances in %s", mtvrptwrDir)
	}
	sort.Strings(files)
	return files
}

func readVRPLIB(t testing.TB, path string) *VRPLIB {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := ParseVRPLIB(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// solFile is a .sol file of the set: routes of node numbers (0: back to the
// depot to reload) and the DIMACS cost in tenths.
type solFile struct {
	routes [][]int
	cost   int64
}

func readSol(t testing.TB, path string) solFile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var s solFile
	s.cost = -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "Route"):
			_, rest, _ := strings.Cut(line, ":")
			var r []int
			for _, x := range strings.Fields(rest) {
				k, err := strconv.Atoi(x)
				if err != nil {
					t.Fatalf("%s: %q", path, line)
				}
				r = append(r, k)
			}
			s.routes = append(s.routes, r)
		case strings.HasPrefix(line, "Cost"):
			_, rest, _ := strings.Cut(line, ":")
			c, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", path, line)
			}
			s.cost = c
		}
	}
	if s.cost < 0 {
		t.Fatalf("%s: no cost", path)
	}
	return s
}

// evaluateMTVRPTWR is the tests' own evaluator of a route set on a parsed
// file, written from the set's conventions and not from the solver: arcs
// and durations are Euclidean distances truncated to one decimal (integers
// in tenths here); a vehicle does trips from the depot, a 0 in its route
// being a return to reload (no reload time); a trip leaves the depot no
// earlier than the release time of every client it serves, waiting being
// allowed anywhere; service starts within the client's window; every trip
// carries at most the capacity and is back by the depot's closing time; at
// most VEHICLES routes; every client exactly once. It returns the cost in
// tenths.
func evaluateMTVRPTWR(p *VRPLIB, routes [][]int) (int64, error) {
	n := p.Dimension
	arc := func(i, j int) int64 {
		d := math.Sqrt((p.X[i]-p.X[j])*(p.X[i]-p.X[j]) + (p.Y[i]-p.Y[j])*(p.Y[i]-p.Y[j]))
		return int64(d*10 + 1e-9)
	}
	ten := func(x float64) int64 { return int64(math.Round(x * 10)) }
	if len(routes) > p.Vehicles {
		return 0, fmt.Errorf("%d routes, %d vehicles", len(routes), p.Vehicles)
	}
	served := make([]int, n)
	var cost int64
	horizon := ten(p.Windows[0].Close)
	for ri, r := range routes {
		// split into trips
		var trips [][]int
		cur := []int{}
		for _, x := range r {
			if x < 0 || x >= n {
				return 0, fmt.Errorf("route %d: node %d", ri+1, x)
			}
			if x == 0 {
				if len(cur) == 0 {
					return 0, fmt.Errorf("route %d: empty trip", ri+1)
				}
				trips = append(trips, cur)
				cur = []int{}
				continue
			}
			cur = append(cur, x)
		}
		if len(cur) > 0 {
			trips = append(trips, cur)
		}
		t := ten(p.Windows[0].Open)
		for ti, tr := range trips {
			var load float64
			var rel int64
			for _, c := range tr {
				load += p.Demand[c]
				if r := ten(p.Release[c]); r > rel {
					rel = r
				}
			}
			if load > p.Capacity {
				return 0, fmt.Errorf("route %d trip %d: load %v > capacity %v", ri+1, ti+1, load, p.Capacity)
			}
			if rel > t {
				t = rel
			}
			at := 0
			for _, c := range tr {
				served[c]++
				cost += arc(at, c)
				t += arc(at, c)
				if o := ten(p.Windows[c].Open); t < o {
					t = o
				}
				if t > ten(p.Windows[c].Close) {
					return 0, fmt.Errorf("route %d trip %d: client %d served at %v, window closes at %v", ri+1, ti+1, c, float64(t)/10, p.Windows[c].Close)
				}
				t += ten(p.Service[c])
				at = c
			}
			cost += arc(at, 0)
			t += arc(at, 0)
			if t > horizon {
				return 0, fmt.Errorf("route %d trip %d: back at %v after the horizon %v", ri+1, ti+1, float64(t)/10, p.Windows[0].Close)
			}
		}
	}
	for c := 1; c < n; c++ {
		if served[c] != 1 {
			return 0, fmt.Errorf("client %d served %d times", c, served[c])
		}
	}
	return cost, nil
}

// solutionFromNodes schedules routes given as .sol node lists through the
// solver's own schedule (materialize), so that Check can judge them.
func solutionFromNodes(in *Instance, routes [][]int) *Solution {
	m := compile(in)
	st := m.newState()
	st.unassigned = st.unassigned[:0]
	for v, nodes := range routes {
		r := &st.routes[v]
		r.nodes = append(r.nodes[:0], nStart)
		for _, x := range nodes {
			if x == 0 {
				r.nodes = append(r.nodes, nReload)
			} else {
				r.nodes = append(r.nodes, int32(x-1))
				st.where[x-1] = int32(v)
			}
		}
		r.nodes = append(r.nodes, nEnd)
		m.update(r)
	}
	return m.materialize(st)
}

// Every .sol file of the set is reproduced exactly (cost) and judged
// feasible by the evaluator, by Check on the mapped instance, and by the
// solver's own segment arithmetic; this is the proof of the reading of the
// conventions before any gap is reported.
func TestVRPLIBSolutionsReproduced(t *testing.T) {
	t.Parallel()
	for _, f := range mtvrptwrFiles(t) {
		p := readVRPLIB(t, f)
		sol := readSol(t, strings.TrimSuffix(f, ".vrp")+".sol")
		cost, err := evaluateMTVRPTWR(p, sol.routes)
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		if cost != sol.cost {
			t.Errorf("%s: evaluated cost %d, .sol says %d", p.Name, cost, sol.cost)
		}
		in := VRPLIBInstance(p)
		s := solutionFromNodes(in, sol.routes)
		if err := Check(in, s); err != nil {
			t.Errorf("%s: Check rejects the .sol routes: %v", p.Name, err)
		}
		if int64(math.Round(s.Distance)) != sol.cost {
			t.Errorf("%s: model distance %v, .sol cost %d", p.Name, s.Distance, sol.cost)
		}
		m := compile(in)
		var sc scratch
		for v, r := range s.Routes {
			if len(r.Trips) == 0 {
				continue
			}
			var rt route
			rt.v = v
			rt.nodes = []int32{nStart}
			for ti, tr := range r.Trips {
				if ti > 0 {
					rt.nodes = append(rt.nodes, nReload)
				}
				for _, vis := range tr.Visits {
					rt.nodes = append(rt.nodes, int32(vis.StopIndex))
				}
			}
			rt.nodes = append(rt.nodes, nEnd)
			m.update(&rt)
			if !m.routeFeasible(&rt, &sc) {
				t.Errorf("%s: vehicle %d: segments judge the .sol route infeasible (%+v)", p.Name, v, rt.suf[0])
			}
		}
	}
}

// Plans of the solver on the set are feasible for Check and the evaluator,
// and report the evaluator's cost.
func TestVRPLIBSolve(t *testing.T) {
	t.Parallel()
	files := mtvrptwrFiles(t)
	for _, name := range []string{"C201R0.25", "R202R0.75", "RC208R0.5"} {
		path := filepath.Join(mtvrptwrDir, name+".vrp")
		if _, err := os.Stat(path); err != nil {
			path = files[0]
		}
		p := readVRPLIB(t, path)
		in := VRPLIBInstance(p)
		sol, err := Solve(context.Background(), in, Options{Iterations: 1500, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(in, sol); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		if len(sol.Unassigned) > 0 {
			t.Errorf("%s: %d unassigned", p.Name, len(sol.Unassigned))
			continue
		}
		routes := VRPLIBRoutes(in, sol)
		cost, err := evaluateMTVRPTWR(p, routes)
		if err != nil {
			t.Errorf("%s: evaluator: %v", p.Name, err)
		}
		if float64(cost) != sol.Distance {
			t.Errorf("%s: evaluator cost %d, solution distance %v", p.Name, cost, sol.Distance)
		}
		best := readSol(t, strings.TrimSuffix(path, ".vrp")+".sol")
		if cost < best.cost {
			t.Errorf("%s: cost %d below the best known %d (optimal in most cases): a reading error", p.Name, cost, best.cost)
		}
	}
}

const goodVRPLIB = `NAME: tiny
TYPE: MTVRPTWR
EDGE_WEIGHT_TYPE: EUC_2D
DIMENSION: 4
VEHICLES: 2
CAPACITY: 10
SERVICE_TIME: 1
NODE_COORD_SECTION
1 0 0
2 3 4
3 0 5
4 1 1
DEMAND_SECTION
1 0
2 5
3 4
4 6
TIME_WINDOW_SECTION
1 0 100
2 0 50
3 10 60
4 0 100
RELEASE_TIME_SECTION
1 0
2 0
3 20
4 5
VEHICLES_RELOAD_DEPOT_SECTION
1 1
2 1
DEPOT_SECTION
1
EOF
`

func TestParseVRPLIB(t *testing.T) {
	t.Parallel()
	p, err := ParseVRPLIB(strings.NewReader(goodVRPLIB))
	if err != nil {
		t.Fatal(err)
	}
	if p.Dimension != 4 || p.Vehicles != 2 || p.Capacity != 10 || p.Release[2] != 20 || p.Service[1] != 1 || p.Service[0] != 0 || p.Windows[2] != (Window{10, 60}) {
		t.Fatalf("parsed %+v", p)
	}
	in := VRPLIBInstance(p)
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	if d := in.Profiles[SolomonProfile].Duration[0*4+1]; d != 50 {
		t.Fatalf("arc 0-1 is %v tenths, want 50", d)
	}
	if d := in.Profiles[SolomonProfile].Duration[0*4+3]; d != 14 { // sqrt 2 = 1.41 -> 1.4
		t.Fatalf("arc 0-3 is %v tenths, want 14", d)
	}
	sol, err := Solve(context.Background(), in, Options{Iterations: 500, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(in, sol); err != nil {
		t.Fatal(err)
	}
	cost, err := evaluateMTVRPTWR(p, VRPLIBRoutes(in, sol))
	if err != nil || float64(cost) != sol.Distance || len(sol.Unassigned) > 0 {
		t.Fatalf("evaluator %d %v, distance %v, unassigned %v", cost, err, sol.Distance, sol.Unassigned)
	}
}

func TestParseVRPLIBErrors(t *testing.T) {
	t.Parallel()
	edit := func(from, to string) string {
		if !strings.Contains(goodVRPLIB, from) {
			panic(from)
		}
		return strings.Replace(goodVRPLIB, from, to, 1)
	}
	for _, c := range []struct{ name, file, want string }{
		{"missing demand section", edit("DEMAND_SECTION\n1 0\n2 5\n3 4\n4 6\n", ""), "missing DEMAND_SECTION"},
		{"missing release section", edit("RELEASE_TIME_SECTION\n1 0\n2 0\n3 20\n4 5\n", ""), "missing RELEASE_TIME_SECTION"},
		{"missing node", edit("3 4\n4 6\n", "3 4\n"), "DEMAND_SECTION: node 4 missing"},
		{"node beyond dimension", edit("4 1 1\n", "4 1 1\n5 2 2\n"), "node 5 outside 1..4"},
		{"dimension too small", edit("DIMENSION: 4", "DIMENSION: 3"), "node 4 outside 1..3"},
		{"negative demand", edit("\n3 4\n", "\n3 -4\n"), "node 3: negative demand -4"},
		{"release after horizon", edit("3 20\n", "3 200\n"), "node 3: release time 200 after the depot's horizon 100"},
		{"reload depot missing", edit("2 1\nDEPOT", "2 3\nDEPOT"), "vehicle 2: reload depot 3 is not a depot"},
		{"reload depot out of range", edit("2 1\nDEPOT", "2 9\nDEPOT"), "vehicle 2: reload depot node 9 outside"},
		{"too heavy", edit("4 6\n", "4 16\n"), "node 4: demand 16 exceeds the capacity 10"},
		{"window reversed", edit("3 10 60", "3 60 10"), "node 3: window closes"},
		{"no dimension", edit("DIMENSION: 4\n", ""), "before DIMENSION"},
		{"not a number", edit("CAPACITY: 10", "CAPACITY: ten"), "CAPACITY"},
		{"unknown section", edit("\nDEPOT_SECTION", "\nFOO_SECTION"), "unsupported section FOO_SECTION"},
		{"edge weight", edit("EUC_2D", "EXPLICIT"), "EDGE_WEIGHT_TYPE"},
		{"short line", edit("3 0 5\n", "3 0\n"), "want 3 numbers"},
		{"duplicate node", edit("3 0 5\n", "2 0 5\n"), "node 2 listed twice"},
		{"no depot", edit("DEPOT_SECTION\n1\n", "DEPOT_SECTION\n-1\n"), "lists no depot"},
		{"vehicle missing", edit("2 1\nDEPOT", "DEPOT"), "vehicle 2 missing"},
	} {
		_, err := ParseVRPLIB(strings.NewReader(c.file))
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an ErrInvalid containing %q", c.name, err, c.want)
		}
	}
}

// FuzzParseVRPLIB: the reader never panics, and what it accepts maps onto a
// valid instance.
func FuzzParseVRPLIB(f *testing.F) {
	f.Add(goodVRPLIB)
	f.Add(strings.Replace(goodVRPLIB, "DIMENSION: 4", "DIMENSION: 2", 1))
	f.Add("NAME: x\nDIMENSION: 2\nCAPACITY: 1\nNODE_COORD_SECTION\n1 0 0\n2 1 1\nDEMAND_SECTION\n1 0\n2 1\nDEPOT_SECTION\n1\n-1\nEOF\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseVRPLIB(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if p.Dimension > 50 {
			return
		}
		if err := VRPLIBInstance(p).Validate(); err != nil {
			t.Fatalf("accepted file maps onto an invalid instance: %v", err)
		}
	})
}

// The evaluator can fail: merging two trips of a .sol route overloads the
// vehicle, dropping a client leaves it unserved, and moving every trip to
// one vehicle misses windows or the horizon.
func TestEvaluatorRejects(t *testing.T) {
	t.Parallel()
	files := mtvrptwrFiles(t)
	p := readVRPLIB(t, files[0])
	sol := readSol(t, strings.TrimSuffix(files[0], ".vrp")+".sol")
	clone := func() [][]int {
		out := make([][]int, len(sol.routes))
		for i, r := range sol.routes {
			out[i] = append([]int(nil), r...)
		}
		return out
	}
	merged := clone()
	for i, r := range merged {
		for k, x := range r {
			if x == 0 {
				merged[i] = append(r[:k:k], r[k+1:]...)
				break
			}
		}
	}
	if _, err := evaluateMTVRPTWR(p, merged); err == nil {
		t.Error("merged trips accepted")
	}
	dropped := clone()
	dropped[0] = dropped[0][1:]
	if _, err := evaluateMTVRPTWR(p, dropped); err == nil || !strings.Contains(err.Error(), "served 0 times") {
		t.Errorf("dropped client: %v", err)
	}
	var one []int
	for i, r := range sol.routes {
		if i > 0 {
			one = append(one, 0)
		}
		one = append(one, r...)
	}
	if _, err := evaluateMTVRPTWR(p, [][]int{one}); err == nil {
		t.Error("every trip on one vehicle accepted")
	}
}
