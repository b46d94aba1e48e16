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
	if opts.Balance > 0 || opts.Compactness > 0 {
		m.wBalance, m.wOverlap = opts.Balance, opts.Compactness
		m.simple = false // the simple local search ignores these terms
	}
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
	budgets := make([]int, workers)
	for w := range searches {
		if iters > 0 {
			budgets[w] = iters / workers
			if w < iters%workers {
				budgets[w]++
			}
		}
	}
	// The search runs in epochs; between two epochs the workers that lag
	// behind restart from the best plan so far. Epoch ends are iteration
	// counts (or times), so an iteration budget gives a deterministic result.
	epochs := tuneEpochs
	var wg sync.WaitGroup
	for e := 0; e < epochs; e++ {
		var tEnd time.Time
		if !deadline.IsZero() {
			tEnd = t0.Add(time.Duration(float64(opts.TimeLimit) * float64(e+1) / float64(epochs)))
		}
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				if e == 0 {
					s := newSearch(m, opts.Seed, w)
					searches[w] = s
					s.stopBy = deadline
					s.construct()
					s.stopBy = time.Time{}
					s.report = report
					report(s, 0)
					s.startTemperature(budgets[w], t0, deadline)
				}
				itEnd := 0
				if budgets[w] > 0 {
					itEnd = int(int64(budgets[w]) * int64(e+1) / int64(epochs))
				}
				searches[w].run(ctx, itEnd, tEnd)
			}(w)
		}
		wg.Wait()
		if ctx.Err() != nil || (!deadline.IsZero() && !time.Now().Before(deadline)) || e == epochs-1 {
			break
		}
		lead := searches[0]
		for _, s := range searches[1:] {
			if s.best.cost < lead.best.cost-1e-9 {
				lead = s
			}
		}
		for _, s := range searches {
			if s != lead && s.best.cost > lead.best.cost+1e-9 {
				s.best.copyFrom(lead.best)
				s.cur.copyFrom(lead.best)
				s.work.copyFrom(lead.best)
			}
		}
	}
	best := searches[0]
	total := 0
	for _, s := range searches {
		total += s.it
		if s.best.cost < best.best.cost-1e-9 {
			best = s
		}
	}
	sol := m.materialize(best.best)
	var stopBy time.Time
	if !opts.NoExplain || len(best.best.unassigned) > 0 {
		if opts.TimeLimit > 0 {
			// within 5 % of the budget past its end, and at least 20 ms
			stopBy = deadline.Add(opts.TimeLimit / 20)
			if soonest := time.Now().Add(20 * time.Millisecond); stopBy.Before(soonest) {
				stopBy = soonest
			}
		}
		m.explain(best.best, sol, !opts.NoExplain, stopBy)
	}
	m.explainLate(sol)
	sol.Iterations = total
	sol.Elapsed = time.Since(t0)
	return sol, nil
}

// startTemperature sets the annealing schedule from the first solution.
func (s *search) startTemperature(budget int, t0, deadline time.Time) {
	used := 0
	travel := 0.0
	for v := range s.cur.routes {
		if r := &s.cur.routes[v]; r.nstops > 0 {
			used++
			travel += r.cost
		}
	}
	scale := travel / float64(s.m.n+used+1)
	if scale <= 0 {
		scale = 1
	}
	s.t0 = tuneT0 * scale
	s.tf = tuneTf * scale
	s.budget = budget
	s.start = t0
	s.deadline = deadline
}

// run iterates until iteration itEnd (0: no limit), time tEnd (zero: none)
// or the end of ctx.
func (s *search) run(ctx context.Context, itEnd int, tEnd time.Time) {
	var span float64
	if !s.deadline.IsZero() {
		span = float64(s.deadline.Sub(s.start))
	}
	for {
		if itEnd > 0 && s.it >= itEnd {
			return
		}
		frac := 0.0
		if s.budget > 0 {
			frac = float64(s.it) / float64(s.budget)
		}
		if span > 0 {
			now := time.Now()
			if !now.Before(tEnd) {
				return
			}
			if f := float64(now.Sub(s.start)) / span; f > frac {
				frac = f
			}
		}
		if s.it&63 == 0 && ctx.Err() != nil {
			return
		}
		temp := s.t0 * math.Pow(s.tf/s.t0, frac)
		if s.iterate(temp) && s.report != nil {
			s.report(s, s.it)
		}
		s.it++
	}
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
					vis := Visit{Stop: m.in.Stops[x].ID, StopIndex: int(x), Arrival: arr, Start: times[p], Departure: times[p] + m.service[x]}
					lw, ld := sc.lw[p], sc.ld[p]
					if m.soft && m.target[x] {
						vis.TargetLateBy, ld = ld, 0 // aimed at, not late
						sol.TargetLateness += vis.TargetLateBy
					}
					if m.soft && (lw > 0 || ld > 0) {
						vis.LateBy = lw + ld
						sol.Late = append(sol.Late, Late{Stop: vis.Stop, StopIndex: int(x), Vehicle: out.Vehicle, LateBy: vis.LateBy,
							WindowLateBy: lw, DeadlineLateBy: ld})
						sol.Lateness += vis.LateBy
						sol.LatenessCost += lw*m.wlc[x] + ld*m.dlc[x]
					}
					trip.Visits = append(trip.Visits, vis)
					for j, d := range m.dem(int(x)) {
						trip.Load[j] += d
					}
					continue
				}
				trip.Return = times[p]
				out.Trips = append(out.Trips, trip)
				trip = Trip{Depart: sc.deps[p], Load: make([]float64, m.dims)}
			}
			if m.stable {
				for p := 1; p < len(r.nodes); p++ {
					x := r.nodes[p]
					if x < 0 || m.refV[x] < 0 {
						continue
					}
					pred := r.nodes[p-1]
					if pred < 0 {
						pred = -1
					}
					if m.refV[x] != int32(v) {
						sol.VehicleChanges++
					} else if m.refPred[x] != pred {
						sol.OrderChanges++
					}
					sol.StabilityCost += m.stabCost(x, v, pred)
				}
			}
			sol.VehiclesUsed++
			sol.FixedCost += vi.fixed
			sol.Duration += out.End - out.Start
			sol.Distance += out.Distance
			sol.TravelTime += out.TravelTime
		}
		sol.Routes[v] = out
	}
	pairs, all := m.overlapPairs(st.where), 0
	for u := 0; u < m.n; u++ {
		if st.where[u] >= 0 {
			nb := m.neigh[u]
			if len(nb) > overlapK {
				nb = nb[:overlapK]
			}
			for _, w := range nb {
				if st.where[w] >= 0 {
					all++
				}
			}
		}
	}
	if all > 0 {
		sol.Overlap = float64(pairs) / float64(all)
	}
	for _, r := range sol.Routes {
		if r.Used() && r.End-r.Start > sol.LongestRoute {
			sol.LongestRoute = r.End - r.Start
		}
	}
	for _, u := range st.unassigned {
		sol.Unassigned = append(sol.Unassigned, Unassigned{Stop: m.in.Stops[u].ID, StopIndex: int(u)})
		sol.Penalty += m.penalty[u]
	}
	return sol
}
