package api

import (
	"os"
	"testing"
)

func TestSimplifyCommunesSize(t *testing.T) {
	raw, err := os.ReadFile("../geo/data/langson_communes_2025.geojson")
	if err != nil {
		t.Skip(err)
	}
	b, err := simplifyCommunes(raw, "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 400_000 {
		t.Errorf("simplified communes are %d bytes, want < 400 kB for the map", len(b))
	}
}
