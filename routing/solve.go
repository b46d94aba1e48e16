package routing

import (
	"context"
	"math"
	"sync"
	"time"
)

// defaultIterations is used when Options sets no budget at all.
func defaultIterations(n int) int {
	it := 1000 * n
	if it > 200000 {
		it = 200000
	}
	if it < 1000 {
		it = 1000
	}
	return it
}

// Solve validates the instance and searches for a plan within the budget of
// opts. When ctx is cancelled it returns the best plan found so far (and no
// error). Every stop is either in a route or in Solution.Unassigned with its
// reasons.
func Solve(ctx context.Context, in *Instance, opts Options) (*Solution, error) {
	t0 := time.Now()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	m := compile(in)
	workers := opts.Workers
	if workers < 1 {
		workers = 1
	}
	iters := opts.Iterations
	if iters <= 0 && opts.TimeLimit <= 0 {
		iters = defaultIterations(m.n)
	}
	var deadline time.Time
	if opts.TimeLimit > 0 {
		deadline = t0.Add(opts.TimeLimit)
	}
	var mu sync.Mutex
	globalBest := math.Inf(1)
	report := func(s *search, it int) {
		if opts.Progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if s.best.cost >= globalBest-1e-9 {
			return
		}
		globalBest = s.best.cost
		p := Progress{Elapsed: time.Since(t0), Iterations: it, Unassigned: len(s.best.unassigned)}
		for v := range s.best.routes {
			if r := &s.best.routes[v]; r.nstops > 0 {
				p.Vehicles++
				p.Cost += r.cost
			}
		}
		opts.Progress(p)
	}
	searches := make([]*search, workers)
	done := make([]int, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := newSearch(m, opts.Seed, w)
			searches[w] = s
			s.construct()
			s.report = report
			report(s, 0)
			budget := 0
			if iters > 0 {
				budget = iters / workers
				if w < iters%workers {
					budget++
				}
			}
			done[w] = s.run(ctx, budget, t0, deadline)
		}(w)
	}
	wg.Wait()
	best := searches[0]
	total := 0
	for w, s := range searches {
		total += done[w]
		if s.best.cost < best.best.cost-1e-9 {
			best = s
		}
	}
	sol := m.materialize(best.best)
	if !opts.NoExplain || len(best.best.unassigned) > 0 {
		m.explain(best.best, sol, !opts.NoExplain)
	}
	sol.Iterations = total
	sol.Elapsed = time.Since(t0)
	return sol, nil
}

// run iterates until the budget, the deadline or ctx ends, and returns the
// number of iterations done.
func (s *search) run(ctx context.Context, budget int, t0, deadline time.Time) int {
	scale := s.cur.cost
	used := 0
	for v := range s.cur.routes {
		if s.cur.routes[v].nstops > 0 {
			used++
		}
	}
	travel := 0.0
	for v := range s.cur.routes {
		travel += s.cur.routes[v].cost
	}
	scale = travel / float64(s.m.n+used+1)
	if scale <= 0 {
		scale = 1
	}
	s.t0 = tuneT0 * scale
	s.tf = tuneTf * scale
	var span float64
	if !deadline.IsZero() {
		span = float64(deadline.Sub(t0))
	}
	it := 0
	for {
		if budget > 0 && it >= budget {
			break
		}
		frac := 0.0
		if budget > 0 {
			frac = float64(it) / float64(budget)
		}
		if span > 0 {
			now := time.Now()
			if !now.Before(deadline) {
				break
			}
			if f := float64(now.Sub(t0)) / span; f > frac {
				frac = f
			}
		}
		if it&63 == 0 && ctx.Err() != nil {
			break
		}
		temp := s.t0 * math.Pow(s.tf/s.t0, frac)
		if s.iterate(temp) && s.report != nil {
			s.report(s, it)
		}
		it++
	}
	return it
}

// materialize turns a state into a Solution with times and totals.
func (m *model) materialize(st *state) *Solution {
	sol := &Solution{Routes: make([]Route, m.nv)}
	var sc scratch
	for v := range st.routes {
		r := &st.routes[v]
		vi := &m.veh[v]
		pr := &m.profiles[vi.prof]
		out := Route{Vehicle: m.in.Vehicles[v].ID, VehicleIndex: v}
		if r.nstops > 0 {
			dep, _ := m.simulate(v, r.nodes, &sc)
			times := sc.times
			out.Start = dep
			out.End = times[len(r.nodes)-1]
			trip := Trip{Depart: dep, Load: make([]float64, m.dims)}
			if vi.initLoad != nil {
				copy(trip.Load, vi.initLoad)
			}
			prev := int(vi.start)
			for p := 1; p < len(r.nodes); p++ {
				x := r.nodes[p]
				l := m.nodeLoc(v, x)
				out.Distance += pr.dist[prev*m.nloc+l]
				out.TravelTime += pr.dur[prev*m.nloc+l]
				arr := sc.deps[p-1] + pr.dur[prev*m.nloc+l]
				prev = l
				if x >= 0 {
					trip.Visits = append(trip.Visits, Visit{Stop: m.in.Stops[x].ID, StopIndex: int(x), Arrival: arr, Start: times[p], Departure: times[p] + m.service[x]})
					for j, d := range m.dem(int(x)) {
						trip.Load[j] += d
					}
					continue
				}
				trip.Return = times[p]
				out.Trips = append(out.Trips, trip)
				trip = Trip{Depart: sc.deps[p], Load: make([]float64, m.dims)}
			}
			sol.VehiclesUsed++
			sol.FixedCost += vi.fixed
			sol.Duration += out.End - out.Start
			sol.Distance += out.Distance
			sol.TravelTime += out.TravelTime
		}
		sol.Routes[v] = out
	}
	for _, u := range st.unassigned {
		sol.Unassigned = append(sol.Unassigned, Unassigned{Stop: m.in.Stops[u].ID, StopIndex: int(u)})
		sol.Penalty += m.penalty[u]
	}
	return sol
}
