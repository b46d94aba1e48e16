package geo

import (
	"fmt"
	"math"
)

const earthRadiusM = 6371008.8

// Profile is a vehicle class of the travel model: road distance is the
// great-circle distance times Detour (mountain roads wind), and the time is
// that distance at SpeedKmh.
type Profile struct {
	Name     string  `json:"name"`
	Detour   float64 `json:"detour"`    // road km per great-circle km, ≥ 1
	SpeedKmh float64 `json:"speed_kmh"` // average speed including slow sections
}

// Default profiles for Lạng Sơn's mountain roads, before any fit from
// driven routes (see FitTravel). A motorbike keeps a better average on
// narrow commune roads than a van.
var (
	Motorbike = Profile{Name: "motorbike", Detour: 1.45, SpeedKmh: 30}
	Van       = Profile{Name: "van", Detour: 1.45, SpeedKmh: 24}
)

// ProfileByName returns a default profile: "motorbike" or "van".
func ProfileByName(name string) (Profile, error) {
	switch name {
	case "motorbike", "moto", "xe_may":
		return Motorbike, nil
	case "van", "truck":
		return Van, nil
	}
	return Profile{}, fmt.Errorf("unknown travel profile %q (want motorbike or van)", name)
}

// Validate reports a profile that cannot produce travel times.
func (p Profile) Validate() error {
	if !(p.Detour >= 1 && p.Detour < 10) {
		return fmt.Errorf("profile %s: detour %v out of [1, 10)", p.Name, p.Detour)
	}
	if !(p.SpeedKmh > 0 && p.SpeedKmh < 200) {
		return fmt.Errorf("profile %s: speed %v km/h out of (0, 200)", p.Name, p.SpeedKmh)
	}
	return nil
}

// Table is a travel matrix between N points, row-major: entry i*N+j is from
// point i to point j.
type Table struct {
	N         int       `json:"n"`
	Durations []float64 `json:"durations"` // seconds
	Distances []float64 `json:"distances"` // meters
}

// Duration returns the seconds from i to j.
func (t Table) Duration(i, j int) float64 { return t.Durations[i*t.N+j] }

// Distance returns the meters from i to j.
func (t Table) Distance(i, j int) float64 { return t.Distances[i*t.N+j] }

// Leg returns the modelled road distance (m) and time (s) between two points.
func (p Profile) Leg(a, b Point) (meters, seconds float64) {
	m := haversineKm(a, b) * 1000 * p.Detour
	return m, m / (p.SpeedKmh / 3.6)
}

// Matrix computes the great-circle travel matrix for the profile. Each pair
// costs one square root and a short polynomial on precomputed unit vectors,
// so 1,000 points take a few milliseconds.
func Matrix(points []Point, p Profile) (Table, error) {
	if err := p.Validate(); err != nil {
		return Table{}, err
	}
	n := len(points)
	t := Table{N: n, Durations: make([]float64, n*n), Distances: make([]float64, n*n)}
	xs := make([][3]float64, n)
	for i, pt := range points {
		if !validPoint(pt) {
			return Table{}, fmt.Errorf("travel matrix: point %d (%v, %v) is not a coordinate", i, pt.Lat, pt.Lon)
		}
		la, lo := pt.Lat*math.Pi/180, pt.Lon*math.Pi/180
		xs[i] = [3]float64{math.Cos(la) * math.Cos(lo), math.Cos(la) * math.Sin(lo), math.Sin(la)}
	}
	mPerChord := 2 * earthRadiusM * p.Detour
	sPerM := 3.6 / p.SpeedKmh
	// Every pair row by row, though the matrix is symmetric: writing the
	// mirror half column-wise misses the cache on every write and costs
	// more than computing it again.
	for i := 0; i < n; i++ {
		a := xs[i]
		rowD := t.Distances[i*n : i*n+n]
		rowT := t.Durations[i*n : i*n+n]
		for j := range xs {
			b := &xs[j]
			dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
			c := math.Sqrt(dx*dx+dy*dy+dz*dz) / 2
			var d float64
			if c < 0.05 {
				// asin by its series: within a province (c < 0.02) the
				// next term is below 1e-10 relative, and it is 4× faster.
				c2 := c * c
				d = mPerChord * c * (1 + c2*(1.0/6+c2*(3.0/40+c2*(15.0/336))))
			} else {
				d = mPerChord * math.Asin(math.Min(c, 1))
			}
			rowD[j], rowT[j] = d, d*sPerM
		}
	}
	return t, nil
}
