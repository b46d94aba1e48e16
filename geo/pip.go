package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// BorderToleranceKm is how far outside every commune polygon a point may lie
// and still be given to the nearest commune. The 2025 communes and the
// province outline are generalised differently along the province border,
// leaving slivers (47 km² of gaps, 46 km² outside) a few hundred metres wide.
const BorderToleranceKm = 1.5

const gridStep = 0.02 // degrees, about 2 km

// pipGrid is a coarse grid over the province bbox listing, per cell, the
// communes whose bounding box meets the cell, so a lookup tests few polygons.
type pipGrid struct {
	minLon, minLat float64
	nx, ny         int
	cells          [][]int32
}

func newPIPGrid(g *Gazetteer) *pipGrid {
	b := g.provinceB
	for _, c := range g.Communes {
		b = b.Union(c.bound)
	}
	pad := 0.05
	pg := &pipGrid{minLon: b.Min[0] - pad, minLat: b.Min[1] - pad}
	pg.nx = int((b.Max[0]-b.Min[0]+2*pad)/gridStep) + 1
	pg.ny = int((b.Max[1]-b.Min[1]+2*pad)/gridStep) + 1
	pg.cells = make([][]int32, pg.nx*pg.ny)
	for i, c := range g.Communes {
		x0, y0 := pg.cell(c.bound.Min[0], c.bound.Min[1])
		x1, y1 := pg.cell(c.bound.Max[0], c.bound.Max[1])
		for y := max(y0, 0); y <= min(y1, pg.ny-1); y++ {
			for x := max(x0, 0); x <= min(x1, pg.nx-1); x++ {
				pg.cells[y*pg.nx+x] = append(pg.cells[y*pg.nx+x], int32(i))
			}
		}
	}
	return pg
}

func (pg *pipGrid) cell(lon, lat float64) (int, int) {
	return int(math.Floor((lon - pg.minLon) / gridStep)), int(math.Floor((lat - pg.minLat) / gridStep))
}

func (pg *pipGrid) candidates(p orb.Point) []int32 {
	x, y := pg.cell(p[0], p[1])
	if x < 0 || y < 0 || x >= pg.nx || y >= pg.ny {
		return nil
	}
	return pg.cells[y*pg.nx+x]
}

// ReverseResult is the answer to a point lookup.
type ReverseResult struct {
	// CommuneCode is the 2025 commune holding the point ("" if outside).
	CommuneCode string `json:"commune_code"`
	CommuneName string `json:"commune_name"`
	// OldDistrictCode is the pre-2025 district holding the point.
	OldDistrictCode string `json:"old_district_code"`
	// Inside is true when the point lies inside the commune polygon; false
	// when it fell in a border sliver and the nearest commune was taken.
	Inside bool `json:"inside"`
	// DistanceKm is the distance to the commune polygon (0 when inside).
	DistanceKm float64 `json:"distance_km"`
	// InProvince is false when the point is outside Lạng Sơn (beyond the
	// border tolerance); the commune fields are then empty.
	InProvince bool `json:"in_province"`
}

// Reverse finds the 2025 commune and the pre-2025 district of a point.
func (g *Gazetteer) Reverse(p Point) ReverseResult {
	var r ReverseResult
	if !validPoint(p) {
		return r
	}
	op := p.orb()
	for _, i := range g.grid.candidates(op) {
		c := &g.Communes[i]
		if c.bound.Contains(op) && planar.MultiPolygonContains(c.poly, op) {
			r.CommuneCode, r.CommuneName, r.Inside, r.InProvince = c.Code, c.Name, true, true
			break
		}
	}
	if !r.Inside {
		best, bestD := -1, math.Inf(1)
		for i := range g.Communes {
			c := &g.Communes[i]
			if boundDistanceKm(c.bound, op) > BorderToleranceKm {
				continue
			}
			if d := polyDistanceKm(c.poly, op); d < bestD {
				best, bestD = i, d
			}
		}
		if best < 0 || bestD > BorderToleranceKm {
			return r
		}
		c := &g.Communes[best]
		r.CommuneCode, r.CommuneName, r.DistanceKm, r.InProvince = c.Code, c.Name, bestD, true
	}
	r.OldDistrictCode = g.districtAt(op)
	return r
}

func (g *Gazetteer) districtAt(op orb.Point) string {
	best, bestD := "", math.Inf(1)
	for i := range g.Districts {
		d := &g.Districts[i]
		if d.bound.Contains(op) && planar.MultiPolygonContains(d.poly, op) {
			return d.Code
		}
	}
	for i := range g.Districts {
		d := &g.Districts[i]
		if boundDistanceKm(d.bound, op) > 3*BorderToleranceKm {
			continue
		}
		if dd := polyDistanceKm(d.poly, op); dd < bestD {
			best, bestD = d.Code, dd
		}
	}
	return best
}

// DistanceToCommuneKm is the distance from p to the polygon of the 2025
// commune code (0 inside); +Inf for an unknown code.
func (g *Gazetteer) DistanceToCommuneKm(code string, p Point) float64 {
	c, ok := g.Commune(code)
	if !ok || !validPoint(p) {
		return math.Inf(1)
	}
	op := p.orb()
	if c.bound.Contains(op) && planar.MultiPolygonContains(c.poly, op) {
		return 0
	}
	return polyDistanceKm(c.poly, op)
}

// InServiceArea reports whether p lies in Lạng Sơn (with the border tolerance).
func (g *Gazetteer) InServiceArea(p Point) bool { return g.Reverse(p).InProvince }

func validPoint(p Point) bool {
	return !math.IsNaN(p.Lat) && !math.IsNaN(p.Lon) && !math.IsInf(p.Lat, 0) && !math.IsInf(p.Lon, 0) &&
		p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

const kmPerDegLat = 111.195

func boundDistanceKm(b orb.Bound, p orb.Point) float64 {
	dx := math.Max(0, math.Max(b.Min[0]-p[0], p[0]-b.Max[0]))
	dy := math.Max(0, math.Max(b.Min[1]-p[1], p[1]-b.Max[1]))
	kx := kmPerDegLat * math.Cos(p[1]*math.Pi/180)
	return math.Hypot(dx*kx, dy*kmPerDegLat)
}

// polyDistanceKm is the distance from p to the boundary of mp in a local
// equirectangular projection: good to a few metres at these distances.
func polyDistanceKm(mp orb.MultiPolygon, p orb.Point) float64 {
	kx := kmPerDegLat * math.Cos(p[1]*math.Pi/180)
	best := math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				ax, ay := (ring[i-1][0]-p[0])*kx, (ring[i-1][1]-p[1])*kmPerDegLat
				bx, by := (ring[i][0]-p[0])*kx, (ring[i][1]-p[1])*kmPerDegLat
				if d := segDist2(ax, ay, bx, by); d < best {
					best = d
				}
			}
		}
	}
	return math.Sqrt(best)
}

// segDist2 is the squared distance from the origin to segment AB.
func segDist2(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = -(ax*dx + ay*dy) / l2
		t = math.Max(0, math.Min(1, t))
	}
	x, y := ax+t*dx, ay+t*dy
	return x*x + y*y
}
