package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runGeocodeFile(t *testing.T, input string, args ...string) [][]string {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out.csv")
	if err := os.WriteFile(in, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	// the file first, flags after it, as the usage line shows
	if err := runGeocode(context.Background(), append([]string{in, "-o", out}, args...)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestGeocodeCommand(t *testing.T) {
	recs := runGeocodeFile(t, "Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia\nChi Lăng\n\n\"quoted, comma\"\n", "--res", "8")
	if got := strings.Join(recs[0], ","); got != "input,commune_code,commune_name,old_commune_code,old_district_code,precision,confidence,lat,lon,h3,candidates" {
		t.Fatalf("header %q", got)
	}
	if len(recs) != 5 {
		t.Fatalf("%d rows for 4 lines", len(recs))
	}
	if r := recs[1]; r[0] != "Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia" || r[1] != "06115" || r[3] != "06121" || r[4] != "181" ||
		r[5] != "commune" || r[9] == "" || r[9][1] != '8' {
		t.Errorf("row 1: %q", r)
	}
	if r := recs[2]; r[1] != "06463" || len(strings.Fields(r[10])) < 2 {
		t.Errorf("ambiguous row: %q", r)
	}
	if r := recs[3]; r[1] != "" || r[5] != "none" || r[7] != "" {
		t.Errorf("empty line: %q", r)
	}

	recs = runGeocodeFile(t, "id,addr,lat,lon\n1,\"xã Tân Văn, Bình Gia\",21.92775,106.454606\n2,Chi Lăng,,\n",
		"--column", "addr", "--pin-lat", "lat", "--pin-lon", "lon")
	if len(recs) != 3 || recs[1][1] != "06115" || recs[1][5] != "gps_pin" || recs[2][5] != "commune" {
		t.Errorf("CSV with pins: %q", recs)
	}

	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runGeocode(context.Background(), []string{in, "--column", "address", "-o", filepath.Join(dir, "o")}); err == nil ||
		!strings.Contains(err.Error(), "address") {
		t.Errorf("missing column: %v", err)
	}
	if err := runGeocode(context.Background(), []string{in, "--res", "16"}); err == nil {
		t.Error("--res 16 accepted")
	}
}

func TestFitTravelInput(t *testing.T) {
	obs, err := readRouteObservations(strings.NewReader("route_id,profile,driven_m,driven_s,service_s,stops\n" +
		"r1,van,52000,9000,900,\"21.85 106.76;21.61,106.55; 21.85 106.76\"\n"))
	if err != nil || len(obs) != 1 || len(obs[0].Stops) != 3 || obs[0].ServiceSeconds != 900 || obs[0].Profile != "van" {
		t.Fatalf("%+v %v", obs, err)
	}
	if _, err := readRouteObservations(strings.NewReader("route_id,profile,driven_m,driven_s,stops\nr1,van,x,1,\n")); err == nil {
		t.Error("bad number accepted")
	}
	if _, err := readRouteObservations(strings.NewReader("route_id,profile\n")); err == nil {
		t.Error("missing columns accepted")
	}
}
