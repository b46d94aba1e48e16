package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// polyIndex answers point-in-polygon and nearest-boundary queries over a set
// of non-overlapping polygons (the communes, the districts) in about a
// microsecond. The bounding box is cut into cells of step degrees; each cell
// stores the polygon holding its centre and the polygon edges that meet it.
// A point in a cell without edges is in the centre's polygon; otherwise the
// edges the segment centre→point crosses tell whether it left that polygon
// and entered another.
type polyIndex struct {
	minLon, minLat float64
	step           float64
	nx, ny         int
	center         []int16   // per cell: polygon holding the centre, -1 none
	cells          [][]int32 // per cell: indices into segs
	segs           []polySeg
	n              int // polygons
}

type polySeg struct {
	ax, ay, bx, by float64
	poly           int16
}

const polyIndexStep = 0.01 // degrees, about 1 km

func newPolyIndex(polys []orb.MultiPolygon, pad float64) *polyIndex {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, mp := range polys {
		b = b.Union(mp.Bound())
	}
	ix := &polyIndex{minLon: b.Min[0] - pad, minLat: b.Min[1] - pad, step: polyIndexStep, n: len(polys)}
	ix.nx = int((b.Max[0]-b.Min[0]+2*pad)/ix.step) + 1
	ix.ny = int((b.Max[1]-b.Min[1]+2*pad)/ix.step) + 1
	ix.cells = make([][]int32, ix.nx*ix.ny)
	ix.center = make([]int16, ix.nx*ix.ny)
	rows := make([][]int32, ix.ny) // edges crossing each row's centre line
	// Two passes over the edges: count per cell, then fill one backing
	// array, so that start-up does not spend its time growing slices.
	const eps = 1e-9 // an edge ending on a cell line belongs to both cells
	counts := make([]int32, len(ix.cells))
	nSegs := 0
	forEachEdge := func(fn func(pi int, a, c orb.Point)) {
		for pi, mp := range polys {
			for _, poly := range mp {
				for _, ring := range poly {
					for k := 1; k < len(ring); k++ {
						fn(pi, ring[k-1], ring[k])
					}
				}
			}
		}
	}
	cellRange := func(a, c orb.Point) (int, int, int, int) {
		x0, y0 := ix.cellOf(math.Min(a[0], c[0])-eps, math.Min(a[1], c[1])-eps)
		x1, y1 := ix.cellOf(math.Max(a[0], c[0])+eps, math.Max(a[1], c[1])+eps)
		return max(x0, 0), max(y0, 0), min(x1, ix.nx-1), min(y1, ix.ny-1)
	}
	total := 0
	forEachEdge(func(_ int, a, c orb.Point) {
		nSegs++
		x0, y0, x1, y1 := cellRange(a, c)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				counts[y*ix.nx+x]++
				total++
			}
		}
	})
	backing := make([]int32, 0, total)
	for i, n := range counts {
		ix.cells[i] = backing[len(backing) : len(backing) : len(backing)+int(n)]
		backing = backing[:len(backing)+int(n)]
	}
	ix.segs = make([]polySeg, 0, nSegs)
	forEachEdge(func(pi int, a, c orb.Point) {
		si := int32(len(ix.segs))
		ix.segs = append(ix.segs, polySeg{a[0], a[1], c[0], c[1], int16(pi)})
		x0, y0, x1, y1 := cellRange(a, c)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				ix.cells[y*ix.nx+x] = append(ix.cells[y*ix.nx+x], si)
			}
		}
		// Rows whose centre latitude the edge may span; one row of
		// margin against rounding, the crossing test decides.
		lo, hi := math.Min(a[1], c[1]), math.Max(a[1], c[1])
		r0 := int(math.Ceil((lo-ix.minLat)/ix.step-0.5)) - 1
		r1 := int(math.Floor((hi-ix.minLat)/ix.step-0.5)) + 1
		for y := max(r0, 0); y <= min(r1, ix.ny-1); y++ {
			rows[y] = append(rows[y], si)
		}
	})
	// Scanline: the polygon holding each cell centre, by crossing parity.
	type cross struct {
		x    float64
		poly int16
	}
	var xs []cross
	odd := make([]bool, len(polys))
	for y := 0; y < ix.ny; y++ {
		yc := ix.minLat + (float64(y)+0.5)*ix.step
		xs = xs[:0]
		for _, si := range rows[y] {
			s := &ix.segs[si]
			if (s.ay > yc) != (s.by > yc) {
				xs = append(xs, cross{s.ax + (yc-s.ay)*(s.bx-s.ax)/(s.by-s.ay), s.poly})
			}
		}
		sort.Slice(xs, func(i, j int) bool { return xs[i].x < xs[j].x })
		clear(odd)
		nOdd, k := 0, 0
		for x := 0; x < ix.nx; x++ {
			xc := ix.minLon + (float64(x)+0.5)*ix.step
			for k < len(xs) && xs[k].x < xc {
				p := xs[k].poly
				odd[p] = !odd[p]
				if odd[p] {
					nOdd++
				} else {
					nOdd--
				}
				k++
			}
			c := int16(-1)
			if nOdd > 0 {
				for p, o := range odd {
					if o {
						c = int16(p)
						break
					}
				}
			}
			ix.center[y*ix.nx+x] = c
		}
	}
	return ix
}

func (ix *polyIndex) cellOf(lon, lat float64) (int, int) {
	return int(math.Floor((lon - ix.minLon) / ix.step)), int(math.Floor((lat - ix.minLat) / ix.step))
}

// locate returns the polygon holding p, or -1.
func (ix *polyIndex) locate(p orb.Point) int {
	x, y := ix.cellOf(p[0], p[1])
	if x < 0 || y < 0 || x >= ix.nx || y >= ix.ny || math.IsNaN(p[0]) || math.IsNaN(p[1]) {
		return -1
	}
	cell := y*ix.nx + x
	center := int(ix.center[cell])
	segs := ix.cells[cell]
	if len(segs) == 0 {
		return center
	}
	cx, cy := ix.minLon+(float64(x)+0.5)*ix.step, ix.minLat+(float64(y)+0.5)*ix.step
	var toggled [256]bool
	for _, si := range segs {
		s := &ix.segs[si]
		if segmentsCross(cx, cy, p[0], p[1], s.ax, s.ay, s.bx, s.by) {
			toggled[s.poly] = !toggled[s.poly]
		}
	}
	if center >= 0 && !toggled[center] {
		return center
	}
	for _, si := range segs {
		if pi := int(ix.segs[si].poly); pi != center && toggled[pi] {
			return pi
		}
	}
	return -1
}

// segmentsCross reports whether segment PQ crosses segment AB, with the
// half-open rule on AB's ends so that a crossing at a shared vertex counts
// once.
func segmentsCross(px, py, qx, qy, ax, ay, bx, by float64) bool {
	d1 := orient(ax, ay, bx, by, px, py)
	d2 := orient(ax, ay, bx, by, qx, qy)
	if d1 == 0 && d2 == 0 || (d1 > 0) == (d2 > 0) && d1 != 0 && d2 != 0 {
		return false
	}
	d3 := orient(px, py, qx, qy, ax, ay)
	d4 := orient(px, py, qx, qy, bx, by)
	// A on the line PQ counts, B does not: the next edge starts at B.
	return (d3 >= 0) != (d4 >= 0)
}

func orient(ax, ay, bx, by, cx, cy float64) float64 {
	return (bx-ax)*(cy-ay) - (by-ay)*(cx-ax)
}

// nearest returns the polygon whose boundary is nearest p within maxKm, and
// the distance; only is -1 for any polygon or the one polygon to consider.
func (ix *polyIndex) nearest(p orb.Point, maxKm float64, only int) (int, float64) {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) {
		return -1, math.Inf(1)
	}
	kx := kmPerDegLat * math.Cos(p[1]*math.Pi/180)
	rx := int(math.Ceil(maxKm/(ix.step*kx))) + 1
	ry := int(math.Ceil(maxKm/(ix.step*kmPerDegLat))) + 1
	x0, y0 := ix.cellOf(p[0], p[1])
	best, bestD := -1, maxKm*maxKm
	for y := max(y0-ry, 0); y <= min(y0+ry, ix.ny-1); y++ {
		for x := max(x0-rx, 0); x <= min(x0+rx, ix.nx-1); x++ {
			for _, si := range ix.cells[y*ix.nx+x] {
				s := &ix.segs[si]
				if only >= 0 && int(s.poly) != only {
					continue
				}
				d := segDist2((s.ax-p[0])*kx, (s.ay-p[1])*kmPerDegLat, (s.bx-p[0])*kx, (s.by-p[1])*kmPerDegLat)
				if d <= bestD {
					best, bestD = int(s.poly), d
				}
			}
		}
	}
	if best < 0 {
		return -1, math.Inf(1)
	}
	return best, math.Sqrt(bestD)
}
