package routing

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// MaxSolomonCustomers bounds the size of a Solomon file (the distance matrix
// grows with its square).
const MaxSolomonCustomers = 10000

// SolomonProfile is the name of the single profile of a Solomon instance.
const SolomonProfile = "euclid"

// ParseSolomon reads a Solomon or Gehring–Homberger VRPTW file and returns
// an instance with the literature's conventions: location 0 is the depot
// (the first customer row), every other row is a stop whose ID is its number
// in the file; travel time = distance = Euclidean distance in double
// precision; windows bound the start of service; the fleet is the file's
// vehicle count, each with the file's capacity and the depot's window as
// shift; the objective is distance.
func ParseSolomon(r io.Reader) (*Instance, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	name := ""
	var fleet []float64
	type row struct {
		line int
		f    [7]float64
	}
	var rows []row
	ln := 0
	for sc.Scan() {
		ln++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		fields := strings.Fields(line)
		nums := make([]float64, 0, len(fields))
		numeric := true
		for _, f := range fields {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil {
				numeric = false
				break
			}
			nums = append(nums, x)
		}
		if !numeric {
			if name == "" && fleet == nil {
				name = fields[0]
			}
			continue
		}
		for _, x := range nums {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("solomon: line %d: %q is not a finite number", ln, line)
			}
		}
		if fleet == nil {
			if len(nums) != 2 {
				return nil, fmt.Errorf("solomon: line %d: want vehicle count and capacity, got %d numbers", ln, len(nums))
			}
			fleet = nums
			continue
		}
		if len(nums) != 7 {
			return nil, fmt.Errorf("solomon: line %d: want 7 numbers (id x y demand ready due service), got %d", ln, len(nums))
		}
		if len(rows) >= MaxSolomonCustomers+1 {
			return nil, fmt.Errorf("solomon: more than %d customers", MaxSolomonCustomers)
		}
		var rw row
		rw.line = ln
		copy(rw.f[:], nums)
		rows = append(rows, rw)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("solomon: line %d: %w", ln+1, err)
	}
	if fleet == nil {
		return nil, fmt.Errorf("solomon: no vehicle line (count and capacity)")
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("solomon: no depot row")
	}
	k, q := fleet[0], fleet[1]
	if k < 1 || k != math.Trunc(k) || k > 100000 {
		return nil, fmt.Errorf("solomon: vehicle count %v is not a positive integer", k)
	}
	if q <= 0 {
		return nil, fmt.Errorf("solomon: capacity %v, want > 0", q)
	}
	n := len(rows)
	in := &Instance{Name: name, NumLocations: n, Objective: MinimizeDistance}
	seenID := map[float64]int{}
	for i, rw := range rows {
		f := rw.f
		if f[0] != math.Trunc(f[0]) || f[0] < 0 {
			return nil, fmt.Errorf("solomon: line %d: customer number %v is not a non-negative integer", rw.line, f[0])
		}
		if j, dup := seenID[f[0]]; dup {
			return nil, fmt.Errorf("solomon: line %d: customer number %v already on line %d", rw.line, f[0], rows[j].line)
		}
		seenID[f[0]] = i
		if f[3] < 0 || f[6] < 0 {
			return nil, fmt.Errorf("solomon: line %d: negative demand or service time", rw.line)
		}
		if f[5] < f[4] {
			return nil, fmt.Errorf("solomon: line %d: customer %v's window closes (%v) before it opens (%v)", rw.line, f[0], f[5], f[4])
		}
		if i == 0 {
			continue
		}
		in.Stops = append(in.Stops, Stop{
			ID:       strconv.FormatFloat(f[0], 'f', -1, 64),
			Location: i,
			Demand:   []float64{f[3]},
			Service:  f[6],
			Windows:  []Window{{Open: f[4], Close: f[5]}},
		})
	}
	dm := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			dx, dy := rows[i].f[1]-rows[j].f[1], rows[i].f[2]-rows[j].f[2]
			d := math.Sqrt(dx*dx + dy*dy)
			if math.IsInf(d, 0) || math.IsNaN(d) {
				return nil, fmt.Errorf("solomon: line %d: coordinates too large", rows[i].line)
			}
			dm[i*n+j] = d
		}
	}
	in.Profiles = map[string]Profile{SolomonProfile: {Duration: dm}}
	in.Depots = []Depot{{ID: "depot", Location: 0}}
	depot := rows[0].f
	for v := 0; v < int(k); v++ {
		in.Vehicles = append(in.Vehicles, Vehicle{
			ID:       "v" + strconv.Itoa(v+1),
			Profile:  SolomonProfile,
			Depot:    "depot",
			Start:    0,
			End:      0,
			Shift:    Window{Open: depot[4], Close: depot[5]},
			Capacity: []float64{q},
		})
	}
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("solomon: %w", err)
	}
	return in, nil
}
