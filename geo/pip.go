package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// BorderToleranceKm is how far outside every commune polygon a point may lie
// and still be given to the nearest commune. The 2025 communes and the
// province outline are generalised differently along the province border,
// leaving slivers (47 km² of gaps, 46 km² outside) a few hundred metres wide.
const BorderToleranceKm = 1.5

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
	i, d := g.communeIx.locate(op), 0.0
	if i < 0 {
		if i, d = g.communeIx.nearest(op, BorderToleranceKm, -1); i < 0 {
			return r
		}
	}
	c := &g.Communes[i]
	r.CommuneCode, r.CommuneName, r.Inside, r.InProvince, r.DistanceKm = c.Code, c.Name, d == 0, true, d
	r.OldDistrictCode = g.districtAt(op)
	return r
}

func (g *Gazetteer) districtAt(op orb.Point) string {
	i := g.districtIx.locate(op)
	if i < 0 {
		i, _ = g.districtIx.nearest(op, 3*BorderToleranceKm, -1)
	}
	if i < 0 {
		return ""
	}
	return g.Districts[i].Code
}

// DistanceToCommuneKm is the distance from p to the polygon of the 2025
// commune code (0 inside); +Inf for an unknown code.
func (g *Gazetteer) DistanceToCommuneKm(code string, p Point) float64 {
	ci, ok := g.communeIdx[code]
	if !ok || !validPoint(p) {
		return math.Inf(1)
	}
	op := p.orb()
	if g.communeIx.locate(op) == ci {
		return 0
	}
	if _, d := g.communeIx.nearest(op, 5, ci); !math.IsInf(d, 1) {
		return d
	}
	return polyDistanceKm(g.Communes[ci].poly, op)
}

// nearCommune reports whether p lies within km of the 2025 commune code.
func (g *Gazetteer) nearCommune(code string, p Point, km float64) bool {
	ci, ok := g.communeIdx[code]
	if !ok || !validPoint(p) {
		return false
	}
	if g.communeIx.locate(p.orb()) == ci {
		return true
	}
	i, _ := g.communeIx.nearest(p.orb(), km, ci)
	return i == ci
}

// InServiceArea reports whether p lies in Lạng Sơn (with the border tolerance).
func (g *Gazetteer) InServiceArea(p Point) bool { return g.Reverse(p).InProvince }

func validPoint(p Point) bool {
	return !math.IsNaN(p.Lat) && !math.IsNaN(p.Lon) && !math.IsInf(p.Lat, 0) && !math.IsInf(p.Lon, 0) &&
		p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

const kmPerDegLat = 111.195

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
