package routing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// GenerateSolomonLike returns a seeded random instance in the style of
// Solomon's and Gehring–Homberger's: kind "R" (uniform customers), "C"
// (clustered) or "RC" (half each); n customers on a square grid, a central
// depot, demand 1..50, capacity 200, service 10 (90 for C), windows of
// 60..240 units around a time the depot can reach, and a fleet of n/4
// vehicles. Travel is Euclidean.
func GenerateSolomonLike(kind string, n int, seed int64) (*Instance, error) {
	if n < 1 || n > MaxSolomonCustomers {
		return nil, fmt.Errorf("generate: %d customers, want 1..%d", n, MaxSolomonCustomers)
	}
	if kind != "R" && kind != "C" && kind != "RC" {
		return nil, fmt.Errorf("generate: kind %q, want R, C or RC", kind)
	}
	rnd := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	side := 50 * math.Sqrt(float64(n)/25) // 100 x 100 for 100 customers
	if side < 100 {
		side = 100
	}
	xs := make([]float64, n+1)
	ys := make([]float64, n+1)
	xs[0], ys[0] = side/2, side/2
	var cx, cy []float64
	for i := 0; i < n/40+3; i++ {
		cx = append(cx, rnd.Float64()*side)
		cy = append(cy, rnd.Float64()*side)
	}
	for i := 1; i <= n; i++ {
		clustered := kind == "C" || (kind == "RC" && i%2 == 0)
		if clustered {
			c := rnd.IntN(len(cx))
			xs[i] = math.Max(0, math.Min(side, cx[c]+rnd.NormFloat64()*side/40))
			ys[i] = math.Max(0, math.Min(side, cy[c]+rnd.NormFloat64()*side/40))
		} else {
			xs[i], ys[i] = rnd.Float64()*side, rnd.Float64()*side
		}
	}
	nl := n + 1
	dm := make([]float64, nl*nl)
	for i := 0; i < nl; i++ {
		for j := 0; j < nl; j++ {
			dm[i*nl+j] = math.Hypot(xs[i]-xs[j], ys[i]-ys[j])
		}
	}
	service := 10.0
	if kind == "C" {
		service = 90
	}
	horizon := 2.5*side + 10*service
	in := &Instance{Name: fmt.Sprintf("%s%d_s%d", kind, n, seed), NumLocations: nl, Objective: MinimizeDistance,
		Profiles: map[string]Profile{SolomonProfile: {Duration: dm}}, Depots: []Depot{{ID: "depot", Location: 0}}}
	for i := 1; i <= n; i++ {
		d0 := dm[i]
		lo, hi := d0, horizon-d0-service
		t := lo + rnd.Float64()*(hi-lo)
		w := 60 + rnd.Float64()*180
		open := math.Max(0, math.Floor(t-w/2))
		cl := math.Min(hi, math.Ceil(t+w/2))
		if cl < open {
			cl = open
		}
		in.Stops = append(in.Stops, Stop{ID: strconv.Itoa(i), Location: i, Demand: []float64{float64(1 + rnd.IntN(50))},
			Service: service, Windows: []Window{{Open: open, Close: cl}}})
	}
	for v := 0; v < n/4+1; v++ {
		in.Vehicles = append(in.Vehicles, Vehicle{ID: "v" + strconv.Itoa(v+1), Profile: SolomonProfile, Depot: "depot",
			Shift: Window{Open: 0, Close: horizon}, Capacity: []float64{200}})
	}
	return in, in.Validate()
}

// GenerateProvince returns a seeded "province day": stops pickups at
// households spread around 15 post offices over a 120 km square, 150
// vehicles (100 motorbikes, 50 vans) doing several trips, capacities in kg
// and parcels, morning/afternoon windows (some households have two),
// handover deadlines at the line-haul cutoffs (11:00, 15:00, 18:00) and a
// freshness limit on some produce. Times are seconds since midnight, the
// objective is travel duration. About two stops share each location (a
// village collection point), which keeps the matrices small.
func GenerateProvince(stops int, seed int64) (*Instance, error) {
	if stops < 1 || stops > 20000 {
		return nil, fmt.Errorf("generate: %d stops, want 1..20000", stops)
	}
	rnd := rand.New(rand.NewPCG(uint64(seed), 0x9a0))
	const depots, side = 15, 120.0 // km
	nloc := depots + (stops+1)/2
	xs := make([]float64, nloc)
	ys := make([]float64, nloc)
	for d := 0; d < depots; d++ {
		xs[d], ys[d] = 10+rnd.Float64()*(side-20), 10+rnd.Float64()*(side-20)
	}
	for i := depots; i < nloc; i++ {
		d := rnd.IntN(depots)
		r := math.Abs(rnd.NormFloat64()) * 6
		a := rnd.Float64() * 2 * math.Pi
		xs[i] = math.Max(0, math.Min(side, xs[d]+r*math.Cos(a)))
		ys[i] = math.Max(0, math.Min(side, ys[d]+r*math.Sin(a)))
	}
	dist := make([]float64, nloc*nloc)
	bike := make([]float64, nloc*nloc)
	van := make([]float64, nloc*nloc)
	for i := 0; i < nloc; i++ {
		for j := 0; j < nloc; j++ {
			km := 1.35 * math.Hypot(xs[i]-xs[j], ys[i]-ys[j])
			dist[i*nloc+j] = km * 1000
			bike[i*nloc+j] = km / 30 * 3600
			van[i*nloc+j] = km / 35 * 3600
		}
	}
	in := &Instance{Name: fmt.Sprintf("province%d_s%d", stops, seed), NumLocations: nloc, Objective: MinimizeDuration,
		Profiles: map[string]Profile{"motorbike": {Duration: bike, Distance: dist}, "van": {Duration: van, Distance: dist}}}
	for d := 0; d < depots; d++ {
		in.Depots = append(in.Depots, Depot{ID: fmt.Sprintf("BC%02d", d+1), Location: d})
	}
	h := 3600.0
	for v := 0; v < 150; v++ {
		d := v % depots
		veh := Vehicle{ID: fmt.Sprintf("mb%03d", v+1), Profile: "motorbike", Depot: in.Depots[d].ID, Start: d, End: d,
			Shift: Window{Open: 7 * h, Close: 19 * h}, Capacity: []float64{150, 25}, MaxTrips: 4, Reload: 15 * 60, MaxDuration: 11 * h}
		if v >= 100 {
			veh.ID = fmt.Sprintf("van%03d", v-99)
			veh.Profile = "van"
			veh.Capacity = []float64{1000, 150}
			veh.MaxTrips = 3
			veh.Reload = 30 * 60
			veh.FixedCost = 0
			veh.Skills = []string{"heavy"}
		}
		in.Vehicles = append(in.Vehicles, veh)
	}
	cutoffs := []float64{11 * h, 15 * h, 18 * h}
	for i := 0; i < stops; i++ {
		loc := depots + i/2
		kg := 2 + rnd.Float64()*23
		s := Stop{ID: fmt.Sprintf("p%05d", i+1), Location: loc, Demand: []float64{math.Round(kg), float64(1 + rnd.IntN(3))},
			Service: 120 + rnd.Float64()*240, Deadline: cutoffs[rnd.IntN(len(cutoffs))]}
		switch rnd.IntN(4) {
		case 0: // morning
			s.Windows = []Window{{Open: 7 * h, Close: 11 * h}}
		case 1: // afternoon
			s.Windows = []Window{{Open: 13 * h, Close: 17 * h}}
		case 2: // morning or late afternoon
			s.Windows = []Window{{Open: 8 * h, Close: 10 * h}, {Open: 15 * h, Close: 17 * h}}
		}
		if s.Windows != nil && s.Deadline < s.Windows[0].Open+h {
			s.Deadline = cutoffs[len(cutoffs)-1]
		}
		if rnd.IntN(10) == 0 {
			s.MaxAge = 3 * h // fresh produce
		}
		if rnd.IntN(50) == 0 {
			s.Demand[0] = 150 + math.Round(rnd.Float64()*200) // a big lot: vans only
			s.Skills = []string{"heavy"}
		}
		in.Stops = append(in.Stops, s)
	}
	return in, in.Validate()
}
