package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom/routing"
)

// solve --format vrplib on one instance of the set beside the clone: the
// JSON has the .sol conventions (0 between trips, every client once) and a
// cost that the file's coordinates reproduce.
func TestSolveVRPLIB(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "..", "shared", "benchmarks", "mtvrptwr", "RC201R0.5.vrp")
	if _, err := os.Stat(path); err != nil {
		t.Skip("no MTVRPTWR set beside the clone")
	}
	out, err := solveVRPLIBFile(context.Background(), path, routing.Options{Iterations: 500, Seed: 1}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !out.Feasible || len(out.Unassigned) > 0 || out.Instance != "RC201R0.5" {
		t.Fatalf("%+v", out)
	}
	seen := map[int]int{}
	trips := 0
	for _, r := range out.Routes {
		trips++
		for k, x := range r {
			if x == 0 {
				if k == 0 || k == len(r)-1 || r[k-1] == 0 {
					t.Fatalf("route %v: a 0 must separate two non-empty trips", r)
				}
				trips++
				continue
			}
			seen[x]++
		}
	}
	if len(seen) != 100 || trips != out.Trips || out.Vehicles != len(out.Routes) {
		t.Fatalf("%d clients, %d trips (reported %d), %d vehicles for %d routes", len(seen), trips, out.Trips, out.Vehicles, len(out.Routes))
	}
	b, _ := json.Marshal(out)
	for _, k := range []string{`"instance"`, `"routes"`, `"cost"`, `"vehicles"`, `"trips"`, `"elapsed_ms"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON lacks %s: %s", k, b)
		}
	}
	if _, err := solveVRPLIBFile(context.Background(), "testdata-missing.vrp", routing.Options{Iterations: 1}, time.Now()); err == nil {
		t.Error("missing file accepted")
	}
}
