package routing

import (
	"context"
	"testing"
)

// BenchmarkInsertCost measures the constant-time evaluation of one
// insertion (the hot loop of recreate).
func BenchmarkInsertCost(b *testing.B) {
	in := readInstance(b, "../testdata/solomon/RC208.txt")
	m := compile(in)
	s := newSearch(m, 1, 0)
	s.construct()
	var r *route
	for v := range s.cur.routes {
		if s.cur.routes[v].nstops > 5 {
			r = &s.cur.routes[v]
			break
		}
	}
	// a stop from another route
	u := int32(-1)
	for i := 0; i < m.n; i++ {
		if s.cur.where[i] != int32(r.v) {
			u = int32(i)
			break
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.insertCost(r, u, i%(len(r.nodes)-1), 1e18, &s.sc)
	}
}

// BenchmarkInsertCostFull measures an insertion into a route that needs the
// linear simulation (maximum ages).
func BenchmarkInsertCostFull(b *testing.B) {
	in := readInstance(b, "../testdata/solomon/RC208.txt")
	for i := range in.Stops {
		in.Stops[i].MaxAge = 1000
	}
	m := compile(in)
	s := newSearch(m, 1, 0)
	s.construct()
	// feasible insertions only, so that each one runs the simulation
	type cand struct {
		r   *route
		u   int32
		pos int
	}
	var cands []cand
	for v := range s.cur.routes {
		r := &s.cur.routes[v]
		for u := int32(0); int(u) < m.n && len(cands) < 64; u++ {
			if s.cur.where[u] == int32(v) {
				continue
			}
			for pos := 0; pos < len(r.nodes)-1; pos++ {
				if _, ok := m.insertCost(r, u, pos, 1e18, &s.sc); ok {
					cands = append(cands, cand{r, u, pos})
				}
			}
		}
	}
	if len(cands) == 0 {
		b.Skip("no feasible insertion")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := cands[i%len(cands)]
		m.insertCost(c.r, c.u, c.pos, 1e18, &s.sc)
	}
}

// BenchmarkIteration measures one ruin-and-recreate iteration on a Solomon
// instance.
func BenchmarkIteration(b *testing.B) {
	in := readInstance(b, "../testdata/solomon/R101.txt")
	m := compile(in)
	s := newSearch(m, 1, 0)
	s.construct()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.iterate(1)
	}
}

func BenchmarkSolveC101(b *testing.B) {
	in := readInstance(b, "../testdata/solomon/C101.txt")
	for i := 0; i < b.N; i++ {
		if _, err := Solve(context.Background(), in, Options{Iterations: 5000, Seed: int64(i)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck measures the independent checker on a solved Solomon
// instance (every route through checkRoute).
func BenchmarkCheck(b *testing.B) {
	in := readInstance(b, "../testdata/solomon/RC208.txt")
	sol, err := Solve(context.Background(), in, Options{Iterations: 2000, Seed: 1, Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Check(in, sol); err != nil {
			b.Fatal(err)
		}
	}
}
