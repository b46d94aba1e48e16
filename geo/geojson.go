package geo

import (
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
)

// A minimal GeoJSON reader and writer for polygons: orb's geojson package
// pulls in a BSON dependency this module does not carry.

type gjFeatureCollection struct {
	Type     string      `json:"type"`
	Features []gjFeature `json:"features"`
}

type gjFeature struct {
	Type       string         `json:"type"`
	ID         any            `json:"id,omitempty"`
	Properties map[string]any `json:"properties"`
	Geometry   gjGeometry     `json:"geometry"`
}

type gjGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

func parseFeatures(raw []byte) ([]gjFeature, error) {
	var fc gjFeatureCollection
	if err := json.Unmarshal(raw, &fc); err != nil {
		return nil, err
	}
	return fc.Features, nil
}

func (g gjGeometry) multiPolygon() (orb.MultiPolygon, error) {
	switch g.Type {
	case "Polygon":
		var c [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, err
		}
		return orb.MultiPolygon{toPolygon(c)}, nil
	case "MultiPolygon":
		var c [][][][2]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, err
		}
		mp := make(orb.MultiPolygon, len(c))
		for i, p := range c {
			mp[i] = toPolygon(p)
		}
		return mp, nil
	}
	return nil, fmt.Errorf("geometry %q is not a polygon", g.Type)
}

func toPolygon(c [][][2]float64) orb.Polygon {
	p := make(orb.Polygon, len(c))
	for i, r := range c {
		ring := make(orb.Ring, len(r))
		for j, pt := range r {
			ring[j] = orb.Point(pt)
		}
		p[i] = ring
	}
	return p
}

func geometryOf(mp orb.MultiPolygon) map[string]any {
	coords := make([][][][2]float64, len(mp))
	for i, poly := range mp {
		coords[i] = make([][][2]float64, len(poly))
		for j, ring := range poly {
			coords[i][j] = make([][2]float64, len(ring))
			for k, pt := range ring {
				coords[i][j][k] = [2]float64(pt)
			}
		}
	}
	return map[string]any{"type": "MultiPolygon", "coordinates": coords}
}
