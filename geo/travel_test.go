package geo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func randomPoints(n int, seed uint64) []Point {
	rng := rand.New(rand.NewPCG(seed, 1))
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = Point{Lat: 21.33 + rng.Float64()*1.1, Lon: 106.1 + rng.Float64()*1.25}
	}
	return pts
}

func TestMatrix(t *testing.T) {
	pts := []Point{{21.8537, 106.7615}, {21.9686, 106.3448}, {21.6102, 106.5456}}
	tab, err := Matrix(pts, Motorbike)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pts {
		if tab.Distance(i, i) != 0 || tab.Duration(i, i) != 0 {
			t.Errorf("diagonal %d not zero", i)
		}
		for j := range pts {
			if tab.Distance(i, j) != tab.Distance(j, i) {
				t.Errorf("asymmetric %d,%d", i, j)
			}
			want := haversineKm(pts[i], pts[j]) * 1000 * Motorbike.Detour
			if math.Abs(tab.Distance(i, j)-want) > 0.01 {
				t.Errorf("distance %d,%d = %.2f, want %.2f", i, j, tab.Distance(i, j), want)
			}
			if wantT := want / (Motorbike.SpeedKmh / 3.6); math.Abs(tab.Duration(i, j)-wantT) > 0.01 {
				t.Errorf("duration %d,%d = %.2f, want %.2f", i, j, tab.Duration(i, j), wantT)
			}
		}
	}
	// Lạng Sơn city to Bình Gia town: about 45 km as the crow flies.
	if d := haversineKm(pts[0], pts[1]); d < 40 || d > 50 {
		t.Errorf("great-circle Lạng Sơn–Bình Gia %.1f km", d)
	}
	if _, err := Matrix([]Point{{math.NaN(), 1}}, Van); err == nil {
		t.Error("NaN point accepted")
	}
	if _, err := Matrix(pts, Profile{Name: "x", Detour: 0.5, SpeedKmh: 30}); err == nil {
		t.Error("detour < 1 accepted")
	}
}

func BenchmarkMatrix1000(b *testing.B) {
	pts := randomPoints(1000, 7)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Matrix(pts, Van); err != nil {
			b.Fatal(err)
		}
	}
}

// fakeOSRM answers /table with durations and distances of 2× the model, and
// null for pairs touching a point north of 22.44° (unroutable).
func fakeOSRM(calls *int) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*calls++
		parts := strings.Split(r.URL.Path, "/")
		if len(parts) < 5 || parts[1] != "table" || parts[3] != "driving" {
			http.Error(w, `{"code":"InvalidUrl"}`, http.StatusBadRequest)
			return
		}
		var pts []Point
		for _, c := range strings.Split(parts[4], ";") {
			var lon, lat float64
			if _, err := fmt.Sscanf(c, "%f,%f", &lon, &lat); err != nil {
				http.Error(w, `{"code":"InvalidQuery"}`, http.StatusBadRequest)
				return
			}
			pts = append(pts, Point{lat, lon})
		}
		// idx reads a list of point indices (a malformed one reads as 0).
		idx := func(s string) []int {
			var out []int
			for _, x := range strings.Split(s, ";") {
				i, _ := strconv.Atoi(x)
				out = append(out, i)
			}
			return out
		}
		// OSRM separates indices with ';', which net/url's query parser rejects.
		q := map[string]string{}
		for _, kv := range strings.Split(r.URL.RawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			q[k] = v
		}
		src, dst := idx(q["sources"]), idx(q["destinations"])
		dur := make([][]*float64, len(src))
		dis := make([][]*float64, len(src))
		for a, i := range src {
			dur[a] = make([]*float64, len(dst))
			dis[a] = make([]*float64, len(dst))
			for b, j := range dst {
				m, s := Van.Leg(pts[i], pts[j])
				m, s = 2*m, 2*s
				if pts[i].Lat > 22.44 || pts[j].Lat > 22.44 {
					continue // unroutable: null
				}
				dur[a][b], dis[a][b] = &s, &m
			}
		}
		if err := json.NewEncoder(w).Encode(map[string]any{"code": "Ok", "durations": dur, "distances": dis}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}))
}

func TestOSRMTable(t *testing.T) {
	calls := 0
	srv := fakeOSRM(&calls)
	defer srv.Close()
	pts := randomPoints(23, 3)
	pts[5] = Point{22.45, 106.5} // unroutable in the fake
	o := &OSRM{BaseURL: srv.URL, Block: 10}
	tab, err := o.Table(context.Background(), pts, Van)
	if err != nil {
		t.Fatal(err)
	}
	if calls < 4 {
		t.Errorf("%d requests for 23 points in blocks of 10", calls)
	}
	for i := range pts {
		for j := range pts {
			m, s := Van.Leg(pts[i], pts[j])
			if i != 5 && j != 5 {
				m, s = 2*m, 2*s
			}
			// coordinates travel with 6 decimals: allow 1e-5 relative
			if math.Abs(tab.Distance(i, j)-m) > 1e-5*m+0.01 || math.Abs(tab.Duration(i, j)-s) > 1e-5*s+0.01 {
				t.Fatalf("(%d,%d) = %.1f m %.1f s, want %.1f m %.1f s", i, j, tab.Distance(i, j), tab.Duration(i, j), m, s)
			}
		}
	}
	bad := &OSRM{BaseURL: srv.URL, Profiles: map[string]string{"van": "nope"}}
	if _, err := bad.Table(context.Background(), pts[:3], Van); err == nil {
		t.Error("error response accepted")
	}
}

func TestFitTravel(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 2))
	truth := map[string]float64{"motorbike": 27, "van": 21}
	var obs []RouteObservation
	for k := 0; k < 60; k++ {
		prof := "motorbike"
		if k%2 == 1 {
			prof = "van"
		}
		stops := randomPoints(6, uint64(k)+100)
		gc := 0.0
		for i := 1; i < len(stops); i++ {
			gc += haversineKm(stops[i-1], stops[i]) * 1000
		}
		driven := gc * 1.6 * (0.9 + 0.2*rng.Float64())
		service := 300.0 * 6
		obs = append(obs, RouteObservation{ID: fmt.Sprint(k), Profile: prof, Stops: stops, DrivenMeters: driven,
			DrivenSeconds: driven/(truth[prof]/3.6)*(0.9+0.2*rng.Float64()) + service, ServiceSeconds: service})
	}
	obs = append(obs, RouteObservation{ID: "broken", Profile: "van", Stops: randomPoints(3, 1), DrivenMeters: 10, DrivenSeconds: 100})
	res, err := FitTravel(obs, map[string]Profile{"motorbike": Motorbike, "van": Van})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Detour-1.6) > 0.05 || res.Skipped != 1 || res.Routes != 60 {
		t.Errorf("detour %.3f routes %d skipped %d", res.Detour, res.Routes, res.Skipped)
	}
	for p, v := range truth {
		if got := res.Profiles[p].SpeedKmh; math.Abs(got-v) > 1.5 {
			t.Errorf("%s speed %.1f, want ≈ %.0f", p, got, v)
		}
		if res.MAPE[p] >= res.Before[p] {
			t.Errorf("%s: fit did not reduce the error (%.1f%% vs %.1f%%)", p, res.MAPE[p], res.Before[p])
		}
	}
	if _, err := FitTravel(nil, nil); err == nil {
		t.Error("empty input accepted")
	}
}
