package routing

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// VRPLIB is a vehicle routing instance read from a VRPLIB file, as the
// multi-trip VRPTW with release dates set (MTVRPTWR, Yang 2023) writes it:
// EUC_2D coordinates, one capacity, a fleet size, time windows, service
// times, release times and the depots each vehicle may reload at. Nodes are
// indexed from 0 here (the file numbers them from 1), so that node i is
// client i of the set's .sol files, and 0 is the depot.
type VRPLIB struct {
	Name      string
	Type      string
	Dimension int // nodes, depots included
	Vehicles  int
	Capacity  float64
	// Per node (index 0-based).
	X, Y    []float64
	Demand  []float64
	Windows []Window // zero Window when the file has no TIME_WINDOW_SECTION
	Service []float64
	Release []float64
	// Depots are node indexes; the first is every vehicle's home.
	Depots []int
	// ReloadDepots[v] are the depots vehicle v may reload at (nil: its
	// home depot).
	ReloadDepots [][]int
	hasWindows   bool
}

// MaxVRPLIBDimension bounds the nodes of a VRPLIB file (the travel matrix
// grows with its square).
const MaxVRPLIBDimension = 10001

// VRPLIBScale is the factor of the DIMACS convention used by VRPLIBInstance:
// every arc is truncated to one decimal, and all times and distances are
// integers in tenths (a .sol file's Cost is the total distance in tenths).
const VRPLIBScale = 10

// ParseVRPLIB reads a VRPLIB file (TYPE CVRP, VRPTW, MTVRPTWR and the like
// with EDGE_WEIGHT_TYPE EUC_2D). Every error wraps ErrInvalid and names the
// line and item at fault: unknown or missing sections, node numbers outside
// DIMENSION or missing from a section, negative demands or release times,
// windows closing before they open, a release after the depot's horizon, a
// reload depot that is not in DEPOT_SECTION, a client heavier than the
// capacity.
func ParseVRPLIB(r io.Reader) (*VRPLIB, error) {
	ps := &vrplibParser{p: &VRPLIB{Vehicles: -1}, seen: map[string][]bool{}, header: map[string]bool{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		ps.ln++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if f[0] == "EOF" {
			break
		}
		var err error
		if _, nerr := strconv.ParseFloat(f[0], 64); nerr != nil {
			// a header line "KEY: value" or a section name
			key, val, hasColon := strings.Cut(line, ":")
			key, val = strings.TrimSpace(key), strings.TrimSpace(val)
			if !hasColon {
				key = f[0]
			}
			if strings.HasSuffix(key, "_SECTION") {
				err = ps.startSection(key)
			} else {
				err = ps.headerLine(line, key, val)
			}
		} else {
			err = ps.dataLine(line, f)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, invalid("vrplib: line %d: %v", ps.ln+1, err)
	}
	return ps.p, ps.p.finish(ps.seen, ps.serviceDefault)
}

// vrplibParser is the state of ParseVRPLIB between two lines.
type vrplibParser struct {
	p              *VRPLIB
	ln             int               // the current line, from 1
	section        string            // the current section ("": the header)
	seen           map[string][]bool // section -> node (or vehicle) seen
	header         map[string]bool   // header keys seen
	depotDone      bool              // DEPOT_SECTION's -1 read
	serviceDefault float64           // SERVICE_TIME
}

func (ps *vrplibParser) failf(format string, args ...any) error {
	return invalid("vrplib: line %d: "+format, append([]any{ps.ln}, args...)...)
}

// startSection opens section key, allocating the per-node arrays on the
// first one.
func (ps *vrplibParser) startSection(key string) error {
	p := ps.p
	switch key {
	case "NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION", "RELEASE_TIME_SECTION",
		"SERVICE_TIME_SECTION", "VEHICLES_RELOAD_DEPOT_SECTION", "DEPOT_SECTION":
	default:
		return ps.failf("unsupported section %s", key)
	}
	if _, dup := ps.seen[key]; dup {
		return ps.failf("section %s appears twice", key)
	}
	ps.section = key
	if p.Dimension <= 0 {
		return ps.failf("section %s before DIMENSION", key)
	}
	if p.X == nil {
		n := p.Dimension
		p.X, p.Y = make([]float64, n), make([]float64, n)
		p.Demand, p.Windows = make([]float64, n), make([]Window, n)
		p.Service, p.Release = make([]float64, n), make([]float64, n)
	}
	if key == "VEHICLES_RELOAD_DEPOT_SECTION" {
		if p.Vehicles <= 0 {
			return ps.failf("section %s before VEHICLES", key)
		}
		ps.seen[key] = make([]bool, p.Vehicles)
		p.ReloadDepots = make([][]int, p.Vehicles)
	} else {
		ps.seen[key] = make([]bool, p.Dimension)
	}
	if key == "TIME_WINDOW_SECTION" {
		p.hasWindows = true
	}
	return nil
}

// headerLine reads the header line "key: val" (line as read).
func (ps *vrplibParser) headerLine(line, key, val string) error {
	p := ps.p
	if ps.section != "" {
		return ps.failf("%q inside %s", line, ps.section)
	}
	if ps.header[key] {
		return ps.failf("%s given twice", key)
	}
	ps.header[key] = true
	num := func() (float64, error) {
		x, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, ps.failf("%s: %q is not a number", key, val)
		}
		return x, nil
	}
	switch key {
	case "NAME":
		p.Name = val
	case "TYPE":
		p.Type = val
	case "COMMENT":
	case "EDGE_WEIGHT_TYPE":
		if val != "EUC_2D" {
			return ps.failf("EDGE_WEIGHT_TYPE %s unsupported (only EUC_2D)", val)
		}
	case "DIMENSION", "VEHICLES":
		x, err := num()
		if err != nil {
			return err
		}
		if x != math.Trunc(x) || x < 1 || x > MaxVRPLIBDimension {
			return ps.failf("%s is %v, want an integer in [1,%d]", key, x, MaxVRPLIBDimension)
		}
		if key == "DIMENSION" {
			if x < 2 {
				return ps.failf("DIMENSION is %v, want a depot and at least one client", x)
			}
			p.Dimension = int(x)
		} else {
			p.Vehicles = int(x)
		}
	case "CAPACITY":
		x, err := num()
		if err != nil {
			return err
		}
		if x <= 0 {
			return ps.failf("CAPACITY is %v, want > 0", x)
		}
		p.Capacity = x
	case "SERVICE_TIME":
		x, err := num()
		if err != nil {
			return err
		}
		if x < 0 {
			return ps.failf("SERVICE_TIME is %v, want >= 0", x)
		}
		ps.serviceDefault = x
	default:
		return ps.failf("unsupported header %s", key)
	}
	return nil
}

// dataLine reads a line of numbers (line, split into f) of the current
// section.
func (ps *vrplibParser) dataLine(line string, f []string) error {
	section := ps.section
	if section == "" {
		return ps.failf("numbers %q outside any section", line)
	}
	nums := make([]float64, len(f))
	for i, s := range f {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return ps.failf("%s: %q is not a number", section, s)
		}
		nums[i] = x
	}
	switch section {
	case "DEPOT_SECTION":
		return ps.depotLine(line, nums)
	case "VEHICLES_RELOAD_DEPOT_SECTION":
		return ps.reloadLine(line, nums)
	}
	return ps.nodeLine(line, nums)
}

// depotLine reads depot node numbers, up to the -1 that ends the section.
func (ps *vrplibParser) depotLine(line string, nums []float64) error {
	p, seen := ps.p, ps.seen["DEPOT_SECTION"]
	if ps.depotDone {
		return ps.failf("DEPOT_SECTION: %q after -1", line)
	}
	for _, x := range nums {
		if x == -1 {
			ps.depotDone = true
			break
		}
		id, err := p.nodeID(x)
		if err != nil {
			return ps.failf("DEPOT_SECTION: %v", err)
		}
		if seen[id] {
			return ps.failf("DEPOT_SECTION: node %v listed twice", x)
		}
		seen[id] = true
		p.Depots = append(p.Depots, id)
	}
	return nil
}

// reloadLine reads a vehicle number and the depots it may reload at.
func (ps *vrplibParser) reloadLine(line string, nums []float64) error {
	p, section := ps.p, ps.section
	seen := ps.seen[section]
	if len(nums) < 2 {
		return ps.failf("%s: want a vehicle and its reload depots, got %q", section, line)
	}
	v := nums[0]
	if v != math.Trunc(v) || v < 1 || int(v) > p.Vehicles {
		return ps.failf("%s: vehicle %v outside 1..%d (VEHICLES)", section, v, p.Vehicles)
	}
	if seen[int(v)-1] {
		return ps.failf("%s: vehicle %v listed twice", section, v)
	}
	seen[int(v)-1] = true
	for _, x := range nums[1:] {
		id, err := p.nodeID(x)
		if err != nil {
			return ps.failf("%s: vehicle %v: reload depot %v", section, v, err)
		}
		p.ReloadDepots[int(v)-1] = append(p.ReloadDepots[int(v)-1], id)
	}
	return nil
}

// nodeLine reads a node number and its values in a per-node section
// (coordinates, demand, window, release or service time).
func (ps *vrplibParser) nodeLine(line string, nums []float64) error {
	p, section := ps.p, ps.section
	want := map[string]int{"NODE_COORD_SECTION": 3, "DEMAND_SECTION": 2, "TIME_WINDOW_SECTION": 3,
		"RELEASE_TIME_SECTION": 2, "SERVICE_TIME_SECTION": 2}[section]
	if len(nums) != want {
		return ps.failf("%s: want %d numbers, got %d in %q", section, want, len(nums), line)
	}
	id, err := p.nodeID(nums[0])
	if err != nil {
		return ps.failf("%s: %v", section, err)
	}
	if ps.seen[section][id] {
		return ps.failf("%s: node %d listed twice", section, id+1)
	}
	ps.seen[section][id] = true
	node := fmt.Sprintf("node %d", id+1)
	switch section {
	case "NODE_COORD_SECTION":
		p.X[id], p.Y[id] = nums[1], nums[2]
		if math.Abs(nums[1]) > 1e9 || math.Abs(nums[2]) > 1e9 {
			return ps.failf("%s: %s: coordinates %v %v out of range", section, node, nums[1], nums[2])
		}
	case "DEMAND_SECTION":
		if nums[1] < 0 {
			return ps.failf("%s: %s: negative demand %v", section, node, nums[1])
		}
		p.Demand[id] = nums[1]
	case "TIME_WINDOW_SECTION":
		if nums[2] < nums[1] {
			return ps.failf("%s: %s: window closes (%v) before it opens (%v)", section, node, nums[2], nums[1])
		}
		if math.Abs(nums[1]) > 1e12 || math.Abs(nums[2]) > 1e12 {
			return ps.failf("%s: %s: window %v..%v out of range", section, node, nums[1], nums[2])
		}
		p.Windows[id] = Window{Open: nums[1], Close: nums[2]}
	case "RELEASE_TIME_SECTION":
		if nums[1] < 0 || nums[1] > 1e12 {
			return ps.failf("%s: %s: release time %v out of range", section, node, nums[1])
		}
		p.Release[id] = nums[1]
	case "SERVICE_TIME_SECTION":
		if nums[1] < 0 || nums[1] > 1e12 {
			return ps.failf("%s: %s: service time %v out of range", section, node, nums[1])
		}
		p.Service[id] = nums[1]
	}
	return nil
}

func (p *VRPLIB) nodeID(x float64) (int, error) {
	if x != math.Trunc(x) || x < 1 || x > float64(p.Dimension) {
		return 0, fmt.Errorf("node %v outside 1..%d (DIMENSION)", x, p.Dimension)
	}
	return int(x) - 1, nil
}

// finish checks what needs the whole file.
func (p *VRPLIB) finish(seen map[string][]bool, serviceDefault float64) error {
	fail := func(format string, args ...any) error {
		return invalid("vrplib %s: "+format, append([]any{p.Name}, args...)...)
	}
	if p.Dimension <= 0 {
		return fail("no DIMENSION")
	}
	if p.Capacity <= 0 {
		return fail("no CAPACITY")
	}
	if p.X == nil {
		return fail("no NODE_COORD_SECTION")
	}
	required := []string{"NODE_COORD_SECTION", "DEMAND_SECTION", "DEPOT_SECTION"}
	typ := strings.ToUpper(p.Type)
	if strings.Contains(typ, "TW") {
		required = append(required, "TIME_WINDOW_SECTION")
	}
	if strings.HasPrefix(typ, "MT") {
		required = append(required, "RELEASE_TIME_SECTION", "VEHICLES_RELOAD_DEPOT_SECTION")
	}
	for _, s := range required {
		if _, ok := seen[s]; !ok {
			return fail("missing %s (required for TYPE %s)", s, p.Type)
		}
	}
	for s, nodes := range seen {
		if s == "DEPOT_SECTION" {
			continue
		}
		for i, ok := range nodes {
			if !ok {
				if s == "VEHICLES_RELOAD_DEPOT_SECTION" {
					return fail("%s: vehicle %d missing", s, i+1)
				}
				return fail("%s: node %d missing (DIMENSION %d)", s, i+1, p.Dimension)
			}
		}
	}
	if len(p.Depots) == 0 {
		return fail("DEPOT_SECTION lists no depot")
	}
	if len(p.Depots) > 1 {
		return fail("DEPOT_SECTION lists %d depots; only one is supported", len(p.Depots))
	}
	if p.Vehicles < 0 {
		p.Vehicles = p.Dimension - 1 // VRPLIB: unlimited fleet
	}
	if _, ok := seen["SERVICE_TIME_SECTION"]; !ok {
		for i := range p.Service {
			p.Service[i] = serviceDefault
		}
	}
	depot := p.Depots[0]
	p.Service[depot] = 0
	if !p.hasWindows {
		for i := range p.Windows {
			p.Windows[i] = Window{Open: 0, Close: math.Inf(1)}
		}
	}
	horizon := p.Windows[depot].Close
	for v, ds := range p.ReloadDepots {
		for _, d := range ds {
			if d != depot {
				return fail("VEHICLES_RELOAD_DEPOT_SECTION: vehicle %d: reload depot %d is not a depot (DEPOT_SECTION lists %d)", v+1, d+1, depot+1)
			}
		}
	}
	for i := 0; i < p.Dimension; i++ {
		if i == depot {
			continue
		}
		if p.Demand[i] > p.Capacity {
			return fail("node %d: demand %v exceeds the capacity %v of every vehicle", i+1, p.Demand[i], p.Capacity)
		}
		if p.Release[i] > horizon {
			return fail("node %d: release time %v after the depot's horizon %v", i+1, p.Release[i], horizon)
		}
	}
	return nil
}

// VRPLIBInstance maps p onto the model with the DIMACS convention of the
// MTVRPTWR .sol files: travel time = distance = the Euclidean distance
// truncated to one decimal, all times and distances ×VRPLIBScale (so they
// are exact integers); every client is a delivery of its demand released
// at the depot at its release time; the fleet is p.Vehicles identical
// vehicles of p.Capacity per trip, with as many trips as clients, no reload
// time, the depot's window as shift. Stop IDs are the client numbers of
// the .sol files ("1".."n"), the objective is distance.
func VRPLIBInstance(p *VRPLIB) *Instance {
	n := p.Dimension
	dm := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			dm[i*n+j] = DIMACSArc(p.X[i], p.Y[i], p.X[j], p.Y[j])
		}
	}
	depot := p.Depots[0]
	sc := float64(VRPLIBScale)
	in := &Instance{
		Name:         p.Name,
		NumLocations: n,
		Profiles:     map[string]Profile{SolomonProfile: {Duration: dm}},
		Depots:       []Depot{{ID: strconv.Itoa(depot), Location: depot}},
		Objective:    MinimizeDistance,
	}
	shift := Window{Open: p.Windows[depot].Open * sc, Close: p.Windows[depot].Close * sc}
	if math.IsInf(shift.Close, 1) {
		shift.Close = big
	}
	for v := 0; v < p.Vehicles; v++ {
		in.Vehicles = append(in.Vehicles, Vehicle{
			ID: strconv.Itoa(v + 1), Profile: SolomonProfile, Depot: in.Depots[0].ID,
			Start: depot, End: depot, Shift: shift, Capacity: []float64{p.Capacity}, MaxTrips: n - 1,
		})
	}
	for i := 0; i < n; i++ {
		if i == depot {
			continue
		}
		s := Stop{ID: strconv.Itoa(i), Location: i, Demand: []float64{p.Demand[i]}, Service: p.Service[i] * sc,
			Delivery: true, Release: p.Release[i] * sc}
		if w := p.Windows[i]; !math.IsInf(w.Close, 1) {
			s.Windows = []Window{{Open: w.Open * sc, Close: w.Close * sc}}
		}
		in.Stops = append(in.Stops, s)
	}
	return in
}

// DIMACSArc is the length of the arc between two points in the DIMACS
// convention, in tenths: the Euclidean distance truncated to one decimal,
// times ten.
func DIMACSArc(x1, y1, x2, y2 float64) float64 {
	dx, dy := x1-x2, y1-y2
	// Sqrt is exact on perfect squares, the only distances with one
	// decimal or none on integer coordinates; the margin absorbs rounding
	// elsewhere, far from the next tenth.
	return math.Floor(math.Sqrt(dx*dx+dy*dy)*VRPLIBScale + 1e-9)
}

// VRPLIBRoutes writes the routes of sol (of an instance made by
// VRPLIBInstance) the way the .sol files do: per used vehicle, the client
// numbers of its trips, with a 0 between two trips.
func VRPLIBRoutes(in *Instance, sol *Solution) [][]int {
	var out [][]int
	for _, r := range sol.Routes {
		if len(r.Trips) == 0 {
			continue
		}
		var nodes []int
		for t, tr := range r.Trips {
			if t > 0 {
				nodes = append(nodes, in.Depots[0].Location)
			}
			for _, v := range tr.Visits {
				nodes = append(nodes, in.Stops[v.StopIndex].Location)
			}
		}
		out = append(out, nodes)
	}
	return out
}
