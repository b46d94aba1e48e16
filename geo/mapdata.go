package geo

import (
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// mapTolerance is the Douglas–Peucker tolerance of the display polygons in
// degrees (about 110 m): fine at province and commune zoom, a few hundred KB.
const mapTolerance = 0.001

// CommunesGeoJSON returns a GeoJSON FeatureCollection of the 65 communes of
// 2025 simplified for display (the dispatcher map's base layer). Each
// feature's id is the commune code; properties: code, name, type,
// full_name, population, label_point [lon, lat], old_codes. Coordinates are
// rounded to 5 decimals. Computed once.
func (g *Gazetteer) CommunesGeoJSON() ([]byte, error) {
	g.buildMap()
	return g.mapCommunes, g.mapErr
}

// ProvinceGeoJSON returns the province outline, simplified the same way,
// as a FeatureCollection of one feature (code "20").
func (g *Gazetteer) ProvinceGeoJSON() ([]byte, error) {
	g.buildMap()
	return g.mapProvince, g.mapErr
}

// Attribution is the line to show with any map or data derived from the
// embedded boundaries (see geo/data/README.md).
const Attribution = "Ranh giới hành chính: sapnhap.bando.com.vn (NXB TN-MT và Bản đồ VN), qua thanglequoc/vietnamese-provinces-database (MIT)"

func roundGeom(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, 0, len(mp))
	for _, poly := range mp {
		var np orb.Polygon
		for _, ring := range poly {
			nr := make(orb.Ring, 0, len(ring))
			for _, pt := range ring {
				q := orb.Point{round5(pt[0]), round5(pt[1])}
				if len(nr) > 0 && nr[len(nr)-1] == q {
					continue
				}
				nr = append(nr, q)
			}
			if len(nr) >= 4 {
				np = append(np, nr)
			}
		}
		if len(np) > 0 {
			out = append(out, np)
		}
	}
	return out
}

func round5(x float64) float64 {
	if x < 0 {
		return -float64(int64(-x*1e5+0.5)) / 1e5
	}
	return float64(int64(x*1e5+0.5)) / 1e5
}

func (g *Gazetteer) buildMap() {
	g.mapOnce.Do(func() {
		s := simplify.DouglasPeucker(mapTolerance)
		fc := map[string]any{"type": "FeatureCollection"}
		var feats []map[string]any
		for _, c := range g.Communes {
			mp := roundGeom(s.Simplify(c.poly.Clone()).(orb.MultiPolygon))
			feats = append(feats, map[string]any{"type": "Feature", "id": c.Code, "geometry": geometryOf(mp), "properties": map[string]any{
				"code": c.Code, "name": c.Name, "type": c.Type, "full_name": c.FullName,
				"population": c.Population, "label_point": []float64{c.Label.Lon, c.Label.Lat},
				"old_codes": c.OldCodes, "structure": string(Structure2025),
			}})
		}
		fc["features"] = feats
		b, err := json.Marshal(fc)
		if err != nil {
			g.mapErr = fmt.Errorf("communes geojson: %w", err)
			return
		}
		g.mapCommunes = b
		pf := map[string]any{"type": "FeatureCollection", "features": []map[string]any{{
			"type": "Feature", "id": "20",
			"geometry":   geometryOf(roundGeom(s.Simplify(g.province.Clone()).(orb.MultiPolygon))),
			"properties": map[string]any{"code": "20", "name": "Lạng Sơn", "full_name": "Tỉnh Lạng Sơn"},
		}}}
		if g.mapProvince, err = json.Marshal(pf); err != nil {
			g.mapErr = fmt.Errorf("province geojson: %w", err)
		}
	})
}
