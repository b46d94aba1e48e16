package geo

import (
	"sync"
	"testing"
)

// TestConcurrentGeocode runs the geocoder from several goroutines (run with
// -race): the service geocodes households from many workers at once.
func TestConcurrentGeocode(t *testing.T) {
	g := Default()
	addrs := []string{"Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia", "Chi Lăng", "", "12 Lê Lợi, Vĩnh Trại, Lạng Sơn", "xa Tan Vna, Binh Gai"}
	want := make([]Result, len(addrs))
	for i, a := range addrs {
		want[i] = g.Geocode(a)
	}
	pin := Point{21.9277, 106.4546}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 200; k++ {
				i := (k + w) % len(addrs)
				if r := g.Geocode(addrs[i]); r.CommuneCode != want[i].CommuneCode || r.Confidence != want[i].Confidence {
					t.Errorf("%q: %s %.2f, want %s %.2f", addrs[i], r.CommuneCode, r.Confidence, want[i].CommuneCode, want[i].Confidence)
					return
				}
				g.GeocodeWith(addrs[i], Options{Pin: &pin})
			}
		}()
	}
	wg.Wait()
}
