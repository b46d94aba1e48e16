package geo_test

import (
	"fmt"

	"github.com/thugom/thugom/geo"
)

func ExampleGeocoder_Geocode() {
	g := geo.Default()
	r := g.Geocode("Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia, tỉnh Lạng Sơn")
	fmt.Println(r.CommuneCode, r.CommuneName, r.OldCommuneCode, r.OldDistrictCode, r.Precision, r.Confidence, r.Village)

	// A name several units share, with nothing to decide: low confidence.
	r = g.Geocode("Chi Lăng")
	fmt.Println(r.CommuneCode, r.Status, r.Confidence < 0.8, r.Candidates)
	// Output:
	// 06115 Tân Văn 06121 181 commune 0.95 Thôn Nà Lầu
	// 06463 ambiguous true [06463 05983 06040]
}

func ExampleGeocoder_GeocodeWith() {
	g := geo.Default()
	// Learned village centres, as the service keeps them (RobustCentre of
	// the pins of households naming the village).
	centre, _, _ := geo.RobustCentre([]geo.Point{{21.9301, 106.4602}, {21.9298, 106.4597}, {21.9305, 106.4601}, {21.85, 106.76}})
	learned := geo.VillageSet{geo.MakeVillageKey("06115", "Nà Lầu"): centre}

	r := g.GeocodeWith("thon na lau, xa tan van, binh gia", geo.Options{Villages: learned})
	fmt.Println(r.CommuneCode, r.Precision, r.Lat, r.Lon)

	// A pin in another commune is flagged, not trusted silently.
	r = g.GeocodeWith("xã Tân Văn, Bình Gia", geo.Options{Pin: &geo.Point{Lat: 21.5867, Lon: 107.0807}})
	fmt.Println(r.CommuneCode, r.Status, r.Candidates)
	// Output:
	// 06115 village 21.9301 106.4601
	// 06115 pin_mismatch [06115 06613]
}

func ExampleMatrix() {
	pts := []geo.Point{{Lat: 21.8537, Lon: 106.7615}, {Lat: 21.9686, Lon: 106.3448}}
	t, err := geo.Matrix(pts, geo.Motorbike)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.1f km, %.0f min\n", t.Distance(0, 1)/1000, t.Duration(0, 1)/60)
	// Output: 65.0 km, 130 min
}

func ExampleGazetteer_Reverse() {
	gaz, err := geo.LoadGazetteer()
	if err != nil {
		panic(err)
	}
	r := gaz.Reverse(geo.Point{Lat: 21.9277, Lon: 106.4546})
	fmt.Println(r.CommuneCode, r.CommuneName, r.OldDistrictCode, r.Inside)
	r = gaz.Reverse(geo.Point{Lat: 21.03, Lon: 105.85}) // Hà Nội
	fmt.Println(r.InProvince)
	// Output:
	// 06115 Tân Văn 181 true
	// false
}
