package api

import (
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
)

// A thin GeoJSON (RFC 7946) envelope around orb geometries. orb's own
// geojson package would pull a BSON driver into the build for nothing; orb
// geometries marshal as GeoJSON coordinates already ([lon, lat]).

type feature struct {
	Type       string         `json:"type"` // "Feature"
	ID         any            `json:"id,omitempty"`
	Geometry   geometry       `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type featureCollection struct {
	Type        string     `json:"type"` // "FeatureCollection"
	BBox        []float64  `json:"bbox,omitempty"`
	Attribution string     `json:"attribution,omitempty"`
	Features    []*feature `json:"features"`
}

// geometry wraps an orb.Geometry for JSON.
type geometry struct{ orb.Geometry }

func (g geometry) MarshalJSON() ([]byte, error) {
	if g.Geometry == nil {
		return []byte("null"), nil
	}
	return json.Marshal(struct {
		Type        string       `json:"type"`
		Coordinates orb.Geometry `json:"coordinates"`
	}{g.GeoJSONType(), g.Geometry})
}

func (g *geometry) UnmarshalJSON(b []byte) error {
	var raw struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	var err error
	switch raw.Type {
	case "Point":
		var p orb.Point
		err = json.Unmarshal(raw.Coordinates, &p)
		g.Geometry = p
	case "LineString":
		var l orb.LineString
		err = json.Unmarshal(raw.Coordinates, &l)
		g.Geometry = l
	case "Polygon":
		var p orb.Polygon
		err = json.Unmarshal(raw.Coordinates, &p)
		g.Geometry = p
	case "MultiPolygon":
		var p orb.MultiPolygon
		err = json.Unmarshal(raw.Coordinates, &p)
		g.Geometry = p
	default:
		g.Geometry = nil // other geometries are ignored
	}
	if err != nil {
		return fmt.Errorf("geojson %s: %w", raw.Type, err)
	}
	return nil
}

func newFeature(g orb.Geometry, props map[string]any) *feature {
	if props == nil {
		props = map[string]any{}
	}
	return &feature{Type: "Feature", Geometry: geometry{g}, Properties: props}
}
