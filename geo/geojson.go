package geo

import (
	"encoding/json"
	"fmt"
	"strconv"

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
		return parseCoords(g.Coordinates, 3)
	case "MultiPolygon":
		return parseCoords(g.Coordinates, 4)
	}
	return nil, fmt.Errorf("geometry %q is not a polygon", g.Type)
}

// parseCoords reads the coordinates of a Polygon (depth 3) or MultiPolygon
// (depth 4) straight from the bytes: decoding 180,000 vertices through
// reflection took most of the start-up time.
func parseCoords(raw []byte, depth int) (orb.MultiPolygon, error) {
	var (
		mp   orb.MultiPolygon
		poly orb.Polygon
		ring orb.Ring
		pt   []float64
		d    int
	)
	pointDepth := depth // the depth of "[lon, lat]"
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '[':
			d++
			if d > pointDepth {
				return nil, fmt.Errorf("coordinates nested deeper than %d", depth)
			}
		case c == ']':
			switch d {
			case pointDepth:
				if len(pt) < 2 {
					return nil, fmt.Errorf("point with %d numbers", len(pt))
				}
				ring = append(ring, orb.Point{pt[0], pt[1]})
				pt = pt[:0]
			case pointDepth - 1:
				poly, ring = append(poly, ring), nil
			case pointDepth - 2:
				mp, poly = append(mp, poly), nil
			}
			d--
			if d < 0 {
				return nil, fmt.Errorf("unbalanced brackets")
			}
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(raw) && (raw[j] >= '0' && raw[j] <= '9' || raw[j] == '.' || raw[j] == 'e' || raw[j] == 'E' || raw[j] == '-' || raw[j] == '+') {
				j++
			}
			if d != pointDepth {
				return nil, fmt.Errorf("number outside a point")
			}
			f, err := strconv.ParseFloat(string(raw[i:j]), 64)
			if err != nil {
				return nil, err
			}
			pt = append(pt, f)
			i = j - 1
		}
	}
	if d != 0 {
		return nil, fmt.Errorf("unbalanced brackets")
	}
	if depth == 3 && poly != nil {
		mp = append(mp, poly)
	}
	if len(mp) == 0 {
		return nil, fmt.Errorf("empty geometry")
	}
	return mp, nil
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
