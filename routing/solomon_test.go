package routing

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readInstance(t testing.TB, path string) *Instance {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in, err := ParseSolomon(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return in
}

func TestParseSolomon(t *testing.T) {
	t.Parallel()
	in := readInstance(t, "../testdata/solomon/C101.txt")
	if in.Name != "C101" || len(in.Stops) != 100 || len(in.Vehicles) != 25 || in.Vehicles[0].Capacity[0] != 200 || in.Vehicles[0].Shift.Close != 1236 {
		t.Fatalf("C101 parsed as %s with %d stops, %d vehicles, capacity %v, shift %v", in.Name, len(in.Stops), len(in.Vehicles), in.Vehicles[0].Capacity, in.Vehicles[0].Shift)
	}
	s := in.Stops[0]
	if s.ID != "1" || s.Windows[0] != (Window{912, 967}) || s.Service != 90 || s.Demand[0] != 10 {
		t.Fatalf("customer 1 parsed as %+v", s)
	}
}

// TestSolomonSample solves a few benchmark instances on a small iteration
// budget; every plan is re-checked.
func TestSolomonSample(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"C101", "R105", "RC208", "R211"} {
		in := readInstance(t, filepath.Join("../testdata/solomon", name+".txt"))
		sol := solveChecked(t, in, Options{Iterations: 1500, Seed: 1, Workers: 2})
		if len(sol.Unassigned) != 0 {
			t.Errorf("%s: %d unassigned", name, len(sol.Unassigned))
		}
		if sol.VehiclesUsed > len(in.Vehicles) {
			t.Errorf("%s: %d vehicles, fleet %d", name, sol.VehiclesUsed, len(in.Vehicles))
		}
	}
}

func TestParseSolomonBad(t *testing.T) {
	t.Parallel()
	good := "X\nVEHICLE\nNUMBER CAPACITY\n 2 10\nCUSTOMER\n0 0 0 0 0 100 0\n1 1 1 1 0 50 1\n"
	cases := map[string]string{
		"empty":          "",
		"no customers":   "X\n2 10\n",
		"short row":      "X\n2 10\n0 0 0 0 0 100\n",
		"nan":            "X\n2 10\n0 0 0 0 0 NaN 0\n",
		"window":         "X\n2 10\n0 0 0 0 0 100 0\n1 1 1 1 60 50 1\n",
		"capacity":       "X\n2 0\n0 0 0 0 0 100 0\n",
		"fleet":          "X\n0 10\n0 0 0 0 0 100 0\n",
		"duplicate":      "X\n2 10\n0 0 0 0 0 100 0\n0 1 1 1 0 50 1\n",
		"negative":       "X\n2 10\n0 0 0 0 0 100 0\n1 1 1 -1 0 50 1\n",
		"fractional id":  "X\n2 10\n0 0 0 0 0 100 0\n1.5 1 1 1 0 50 1\n",
		"huge coords":    "X\n2 10\n0 0 0 0 0 100 0\n1 1e308 1e308 1 0 50 1\n",
		"vehicle line 3": "X\n2 10 3\n",
	}
	for name, s := range cases {
		if _, err := ParseSolomon(strings.NewReader(s)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ParseSolomon(strings.NewReader(good)); err != nil {
		t.Errorf("good: %v", err)
	}
}

func FuzzParseSolomon(f *testing.F) {
	f.Add("X\nVEHICLE\nNUMBER CAPACITY\n 2 10\nCUSTOMER\n0 0 0 0 0 100 0\n1 1 1 1 0 50 1\n2 3 4 5 10 20 1\n")
	f.Add("C\n3 5\n0 0 0 0 0 10 0\n1 9 9 9 0 1 0\n")
	f.Add("X\n2 10\n0 0 0 0 0 100 0\n1 1 1 1 60 50 1\n")
	f.Add("\r\n\r\n1 1\r\n0 1 2 3 4 5 6\r\n")
	f.Add("1 1e308\n0 -1e308 1e308 0 0 0 0\n1 1e308 -1e308 0 0 0 0\n")
	if b, err := os.ReadFile("../testdata/solomon/C101.txt"); err == nil {
		f.Add(string(b[:800]))
	}
	f.Fuzz(func(t *testing.T, s string) {
		in, err := ParseSolomon(strings.NewReader(s))
		if err != nil {
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("parsed instance invalid: %v", err)
		}
		if len(in.Stops) > 30 || len(in.Vehicles) > 30 {
			return
		}
		sol, err := Solve(context.Background(), in, Options{Iterations: 20, Seed: 1})
		if err != nil {
			t.Fatalf("solve: %v", err)
		}
		if err := Check(in, sol); err != nil {
			t.Fatalf("check: %v", err)
		}
	})
}
