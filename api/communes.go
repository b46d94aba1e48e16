package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// The dispatcher map's base layer: the communes' boundaries, simplified to
// ~50 m (the map shows a province, not streets) and rounded to 5 decimals,
// which brings 3.7 MB of GeoJSON down to a few hundred kB (less gzipped).
const communeTolerance = 0.0005 // degrees, ≈ 50 m

type communeLayer struct {
	once sync.Once
	body []byte
	err  error
}

// simplifyCommunes reduces a commune FeatureCollection to what the map
// needs: geometry plus code and name, with a bbox for the projection.
func simplifyCommunes(raw []byte, attribution string) ([]byte, error) {
	var fc struct {
		Features []struct {
			ID         any            `json:"id"`
			Geometry   geometry       `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		return nil, fmt.Errorf("communes geojson: %w", err)
	}
	out := featureCollection{Type: "FeatureCollection", Features: []*feature{}, Attribution: attribution}
	bound := orb.Bound{Min: orb.Point{180, 90}, Max: orb.Point{-180, -90}}
	dp := simplify.DouglasPeucker(communeTolerance)
	for _, f := range fc.Features {
		g := f.Geometry.Geometry
		switch g.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			continue
		}
		bound = bound.Union(g.Bound())
		g = orb.Round(dp.Simplify(orb.Clone(g)), 1e5)
		code, _ := f.Properties["code"].(string)
		if code == "" {
			code = fmt.Sprint(f.ID)
		}
		name, _ := f.Properties["name"].(string)
		out.Features = append(out.Features, newFeature(g, map[string]any{"code": code, "name": name}))
	}
	if len(out.Features) == 0 {
		return nil, fmt.Errorf("communes geojson: no polygons")
	}
	out.BBox = []float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]}
	return json.Marshal(out)
}

// communes serves the base layer; it needs no token (public boundaries).
func (s *server) communes(w http.ResponseWriter, r *http.Request) {
	s.communeLayer.once.Do(func() {
		if s.deps.CommunesGeoJSON == nil {
			s.communeLayer.err = errf(codeNotFound, "", "no commune boundaries configured")
			return
		}
		raw, err := s.deps.CommunesGeoJSON()
		if err != nil {
			s.communeLayer.err = err
			return
		}
		s.communeLayer.body, s.communeLayer.err = simplifyCommunes(raw, s.deps.MapAttribution)
	})
	if s.communeLayer.err != nil {
		s.writeProblem(w, r, s.communeLayer.err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	writeCacheable(w, r, "application/geo+json", s.communeLayer.body)
}
