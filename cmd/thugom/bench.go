package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/thugom/thugom/routing"
)

func init() {
	register(&command{name: "bench", summary: "run the routing solver on a folder of benchmark instances (or a generated one) and report gaps", run: runBench})
}

func runBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	limit := fs.Duration("time", time.Second, "time limit per instance")
	iters := fs.Int("iterations", 0, "iteration budget per instance (instead of --time)")
	bksPath := fs.String("bks", "", "best-known CSV (instance,vehicles,distance,...); default by folder: solomon -> bks_distance.csv, homberger -> bks_dimacs.csv")
	seed := fs.Int64("seed", 1, "random seed")
	workers := fs.Int("workers", 2, "parallel searches per instance")
	gen := fs.String("generate", "", "instead of a folder: generate R1000, C1000, RC1000 (any size) or province (5000 stops)")
	only := fs.String("only", "", "only instances whose name contains this (or, with commas, whose names are in the list)")
	replan := fs.Bool("replan", false, "measure stability: plan, fail one pickup, re-plan with and without Instance.Stability")
	stabFactor := fs.Float64("stability", 0.5, "with --replan: vehicle-change cost as a multiple of the plan's average travel cost per stop (order change: a tenth of it)")
	replanAt := fs.Float64("replan-at", 0, "with --replan: the re-plan happens this far into the plan's day (0..1; 0: before anyone leaves), vehicles resume where they are")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: thugom bench DIR [--time 1s] [--bks FILE] | thugom bench --generate province|R1000|C1000|RC1000 [--time 30s]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return err
	}
	if *iters > 0 {
		*limit = 0
	}
	opts := routing.Options{TimeLimit: *limit, Iterations: *iters, Seed: *seed, Workers: *workers}
	if *gen != "" {
		if *replan {
			in, err := generate(*gen, opts.Seed)
			if err != nil {
				return err
			}
			fmt.Printf("# thugom bench --generate %s --replan: %d stops, %d vehicles; time=%v per solve, workers=%d seed=%d (load %s)\n",
				*gen, len(in.Stops), len(in.Vehicles), opts.TimeLimit, opts.Workers, opts.Seed, loadAvg())
			_, err = benchReplan(ctx, in, opts, *replanAt, *stabFactor, true)
			return err
		}
		return benchGenerated(ctx, *gen, opts)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want one folder of instances")
	}
	dir := fs.Arg(0)
	if vrps, _ := filepath.Glob(filepath.Join(dir, "*.vrp")); len(vrps) > 0 {
		return benchVRPLIB(ctx, dir, vrps, *only, opts)
	}
	if *bksPath == "" {
		base := strings.ToLower(filepath.Base(filepath.Clean(dir)))
		switch {
		case strings.Contains(base, "solomon"):
			*bksPath = filepath.Join(dir, "bks_distance.csv")
		case strings.Contains(base, "homberger") || base == "200":
			*bksPath = filepath.Join(dir, "bks_dimacs.csv")
			if _, err := os.Stat(*bksPath); err != nil {
				*bksPath = filepath.Join(dir, "..", "bks_dimacs.csv")
			}
		}
	}
	bks := map[string]float64{}
	if *bksPath != "" {
		var err error
		if bks, err = readBKS(*bksPath); err != nil {
			return err
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	if len(files) == 0 {
		return fmt.Errorf("no *.txt instance in %s", dir)
	}
	if *replan {
		return benchReplanFolder(ctx, dir, files, *only, opts, *replanAt, *stabFactor)
	}
	fmt.Printf("# thugom bench %s  time=%v iterations=%d workers=%d seed=%d bks=%s  (%s, %d CPUs, load %s)\n", dir, *limit, *iters, *workers, *seed, *bksPath, runtime.Version(), runtime.NumCPU(), loadAvg())
	fmt.Printf("%-10s %4s %12s %12s %8s %9s %s\n", "instance", "veh", "distance", "bks", "gap%", "time_s", "feasible")
	var gaps []float64
	atBKS, infeasible, unassigned, vehicles := 0, 0, 0, 0
	totalTime := 0.0
	for _, f := range files {
		if !selected(f, *only) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		in, err := readSolomon(f)
		if err != nil {
			return err
		}
		out, err := solveSolomon(ctx, in, opts)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		name := strings.ToUpper(in.Name)
		best, ok := bks[name]
		gapS := "-"
		if ok {
			g := 100 * (out.Distance - best) / best
			gaps = append(gaps, g)
			gapS = fmt.Sprintf("%+.2f", g)
			if out.Distance <= best+0.005 {
				atBKS++
			}
		}
		if !out.Feasible {
			infeasible++
		}
		unassigned += len(out.Unassigned)
		vehicles += out.Vehicles
		totalTime += out.ElapsedMS / 1000
		feas := "yes"
		if !out.Feasible {
			feas = "NO: " + out.Problems
		}
		if len(out.Unassigned) > 0 {
			feas += fmt.Sprintf(" (%d unassigned)", len(out.Unassigned))
		}
		fmt.Printf("%-10s %4d %12.2f %12.2f %8s %9.3f %s\n", name, out.Vehicles, out.Distance, best, gapS, out.ElapsedMS/1000, feas)
	}
	if len(gaps) > 0 {
		sorted := append([]float64(nil), gaps...)
		sort.Float64s(sorted)
		sum := 0.0
		for _, g := range gaps {
			sum += g
		}
		med := sorted[len(sorted)/2]
		if len(sorted)%2 == 0 {
			med = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
		}
		fmt.Printf("# instances %d  avg gap %+.2f%%  median %+.2f%%  worst %+.2f%%  at BKS %d  vehicles %d  avg time %.3f s  infeasible %d  unassigned %d  (load %s)\n",
			len(gaps), sum/float64(len(gaps)), med, sorted[len(sorted)-1], atBKS, vehicles, totalTime/float64(len(gaps)), infeasible, unassigned, loadAvg())
	}
	return nil
}

func readBKS(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("best-known table: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("best-known table %s: %w", path, err)
	}
	out := map[string]float64{}
	for i, rec := range recs {
		if i == 0 || len(rec) < 3 {
			continue
		}
		d, err := strconv.ParseFloat(rec[2], 64)
		if err != nil {
			return nil, fmt.Errorf("best-known table %s line %d: %w", path, i+1, err)
		}
		out[strings.ToUpper(rec[0])] = d
	}
	return out, nil
}

// benchGenerated solves a generated instance and reports feasibility,
// progress and peak memory.
func benchGenerated(ctx context.Context, kind string, opts routing.Options) error {
	in, err := generate(kind, opts.Seed)
	if err != nil {
		return err
	}
	return benchInstance(ctx, kind, in, opts)
}

// generate builds the instance of --generate.
func generate(kind string, seed int64) (*routing.Instance, error) {
	var in *routing.Instance
	var err error
	k := strings.ToUpper(kind)
	switch {
	case k == "PROVINCE":
		in, err = routing.GenerateProvince(5000, seed)
	default:
		i := strings.IndexAny(k, "0123456789")
		if i <= 0 {
			return nil, fmt.Errorf("unknown generator %q (want province, R1000, C1000, RC1000)", kind)
		}
		n, perr := strconv.Atoi(k[i:])
		if perr != nil {
			return nil, fmt.Errorf("generator %q: %w", kind, perr)
		}
		in, err = routing.GenerateSolomonLike(k[:i], n, seed)
	}
	return in, err
}

// benchInstance solves one instance and reports feasibility, progress and
// peak memory.
func benchInstance(ctx context.Context, kind string, in *routing.Instance, opts routing.Options) error {
	fmt.Printf("# thugom bench --generate %s: %s, %d stops, %d vehicles, %d locations; time=%v iterations=%d workers=%d seed=%d (load %s)\n",
		kind, in.Name, len(in.Stops), len(in.Vehicles), in.NumLocations, opts.TimeLimit, opts.Iterations, opts.Workers, opts.Seed, loadAvg())
	var lastLog time.Duration
	opts.Progress = func(p routing.Progress) {
		step := opts.TimeLimit / 20
		if lastLog > 0 && p.Elapsed-lastLog < step {
			return
		}
		lastLog = p.Elapsed
		fmt.Printf("  progress %7.2fs unassigned %d vehicles %d cost %.2f\n", p.Elapsed.Seconds(), p.Unassigned, p.Vehicles, p.Cost)
	}
	t0 := time.Now()
	sol, err := routing.Solve(ctx, in, opts)
	if err != nil {
		return err
	}
	el := time.Since(t0)
	feas := "yes"
	if cerr := routing.Check(in, sol); cerr != nil {
		feas = "NO: " + cerr.Error()
	}
	trips := 0
	for _, r := range sol.Routes {
		trips += len(r.Trips)
	}
	reasons := map[routing.ReasonCode]int{}
	for _, u := range sol.Unassigned {
		if len(u.Reasons) > 0 {
			reasons[u.Reasons[0].Code]++
		}
	}
	fmt.Printf("final elapsed %.2fs iterations %d vehicles %d trips %d distance %.2f travel_time %.2f unassigned %d %v feasible %s\n",
		el.Seconds(), sol.Iterations, sol.VehiclesUsed, trips, sol.Distance, sol.TravelTime, len(sol.Unassigned), reasons, feas)
	fmt.Printf("# peak memory (VmHWM) %s  (load %s)\n", peakRSS(), loadAvg())
	return nil
}

func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return fmt.Sprintf("heap sys %.0f MiB", float64(ms.Sys)/(1<<20))
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return fmt.Sprintf("%.0f MiB", math.Round(kb/1024))
			}
		}
	}
	return "unknown"
}

// loadAvg returns the 1, 5 and 15 minute load averages: the machine is
// shared, and timed results depend on them.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// benchVRPLIB solves every VRPLIB file of dir (the MTVRPTWR set) and reports
// the gap of the DIMACS cost to the cost of the .sol file beside it (after
// Check and a recomputation of the cost from the coordinates).
func benchVRPLIB(ctx context.Context, dir string, files []string, only string, opts routing.Options) error {
	sort.Strings(files)
	fmt.Printf("# thugom bench %s (VRPLIB)  time=%v iterations=%d workers=%d seed=%d  (%s, %d CPUs, load %s)\n", dir, opts.TimeLimit, opts.Iterations, opts.Workers, opts.Seed, runtime.Version(), runtime.NumCPU(), loadAvg())
	fmt.Printf("%-12s %4s %5s %8s %8s %8s %9s %s\n", "instance", "veh", "trips", "cost", "bks", "gap%", "time_s", "feasible")
	var gaps []float64
	atBKS, infeasible, unassigned, n := 0, 0, 0, 0
	totalTime := 0.0
	for _, f := range files {
		if !selected(f, only) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		out, err := solveVRPLIBFile(ctx, f, opts, time.Now())
		if err != nil {
			return err
		}
		n++
		best, ok := solCost(strings.TrimSuffix(f, ".vrp") + ".sol")
		gapS := "-"
		if ok && out.Feasible && len(out.Unassigned) == 0 {
			g := 100 * float64(out.Cost-best) / float64(best)
			gaps = append(gaps, g)
			gapS = fmt.Sprintf("%+.2f", g)
			if out.Cost <= best {
				atBKS++
			}
		}
		if !out.Feasible {
			infeasible++
		}
		unassigned += len(out.Unassigned)
		totalTime += out.ElapsedMS / 1000
		feas := "yes"
		if !out.Feasible {
			feas = "NO: " + out.Problems
		}
		if len(out.Unassigned) > 0 {
			feas += fmt.Sprintf(" (%d unassigned)", len(out.Unassigned))
		}
		fmt.Printf("%-12s %4d %5d %8d %8d %8s %9.3f %s\n", out.Instance, out.Vehicles, out.Trips, out.Cost, best, gapS, out.ElapsedMS/1000, feas)
	}
	if len(gaps) > 0 {
		sorted := append([]float64(nil), gaps...)
		sort.Float64s(sorted)
		sum := 0.0
		for _, g := range gaps {
			sum += g
		}
		med := sorted[len(sorted)/2]
		if len(sorted)%2 == 0 {
			med = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
		}
		fmt.Printf("# instances %d (with gap %d)  avg gap %+.2f%%  median %+.2f%%  worst %+.2f%%  at BKS %d  avg time %.3f s  infeasible %d  unassigned %d  (load %s)\n",
			n, len(gaps), sum/float64(len(gaps)), med, sorted[len(sorted)-1], atBKS, totalTime/float64(n), infeasible, unassigned, loadAvg())
	}
	return nil
}

// solCost reads the Cost line of a VRPLIB .sol file.
func solCost(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "Cost" {
			c, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return c, err == nil
		}
	}
	return 0, false
}

// replanResult is one stability measurement.
type replanResult struct {
	others               int     // open stops other than the failed one
	movedFree, movedStab int     // of them, planned on another vehicle than in the morning plan
	costFree, costStab   float64 // travel cost of the re-plans
}

// benchReplan plans in, fails one pickup in the middle of a busy route (it
// leaves the instance), and re-plans the rest twice with the same budget:
// without stability and with Instance.Stability (VehicleChange factor times
// the average travel cost per stop of the plan, OrderChange a tenth of it). It prints
// the share of the other stops that changed vehicle and the extra cost.
//
// With at > 0 the pickup fails at time T, a fraction at of the way from the
// first departure to the last return: the stops served before T are done
// (they leave the instance), every vehicle resumes from its last stop (or
// its depot between trips) with what it picked up on its current trip, and
// the failed pickup is the middle open stop of the busiest route.
func benchReplan(ctx context.Context, in *routing.Instance, opts routing.Options, at, factor float64, verbose bool) (replanResult, error) {
	var res replanResult
	cost := func(sol *routing.Solution) float64 {
		if in.Objective == routing.MinimizeDistance {
			return sol.Distance
		}
		return sol.TravelTime
	}
	base, err := routing.Solve(ctx, in, opts)
	if err != nil {
		return res, err
	}
	if err := routing.Check(in, base); err != nil {
		return res, fmt.Errorf("%s: morning plan: %w", in.Name, err)
	}
	// the time of the failure
	t0, t1 := math.Inf(1), math.Inf(-1)
	for _, r := range base.Routes {
		if r.Used() {
			t0, t1 = math.Min(t0, r.Start), math.Max(t1, r.End)
		}
	}
	T := math.Inf(-1)
	if at > 0 {
		T = t0 + at*(t1-t0)
	}
	re, done := resumeAt(in, base, T)
	failed := busiestOpenStop(base, done)
	if failed == "" {
		return res, fmt.Errorf("%s: empty plan", in.Name)
	}
	re.Stops = nil
	for _, s := range in.Stops {
		if s.ID != failed && !done[s.ID] {
			re.Stops = append(re.Stops, s)
		}
	}
	ref := routing.ReferenceOf(base)
	delete(ref, failed)
	for id := range done {
		delete(ref, id)
	}
	moved := func(sol *routing.Solution) int {
		k := 0
		for _, r := range sol.Routes {
			for _, t := range r.Trips {
				for _, v := range t.Visits {
					if p, ok := ref[v.Stop]; ok && p.Vehicle != r.Vehicle {
						k++
					}
				}
			}
		}
		return k
	}
	free, err := routing.Solve(ctx, &re, opts)
	if err != nil {
		return res, err
	}
	if err := routing.Check(&re, free); err != nil {
		return res, fmt.Errorf("%s: re-plan: %w", in.Name, err)
	}
	perStop := factor * cost(base) / float64(len(in.Stops))
	stab := re
	stab.Stability = &routing.Stability{Reference: ref, VehicleChange: perStop, OrderChange: perStop / 10}
	kept, err := routing.Solve(ctx, &stab, opts)
	if err != nil {
		return res, err
	}
	if err := routing.Check(&stab, kept); err != nil {
		return res, fmt.Errorf("%s: stable re-plan: %w", in.Name, err)
	}
	res = replanResult{others: len(ref), movedFree: moved(free), movedStab: moved(kept), costFree: cost(free), costStab: cost(kept)}
	if len(free.Unassigned) != len(kept.Unassigned) {
		fmt.Printf("  %s: unassigned differ: %d without stability, %d with\n", in.Name, len(free.Unassigned), len(kept.Unassigned))
	}
	if verbose {
		fmt.Printf("morning plan: cost %.2f, %d vehicles, %d unassigned; failed pickup %s at %.0f (%d stops done, %d open)\n", cost(base), base.VehiclesUsed, len(base.Unassigned), failed, T, len(done), len(ref))
		fmt.Printf("re-plan without stability: cost %.2f, %d of %d other stops changed vehicle (%.1f %%), unassigned %d\n",
			res.costFree, res.movedFree, res.others, 100*float64(res.movedFree)/float64(res.others), len(free.Unassigned))
		fmt.Printf("re-plan with stability (vehicle change %.4g, order change %.4g): cost %.2f (%+.2f %% vs without), %d changed vehicle (%.1f %%), %d changed order, unassigned %d\n",
			perStop, perStop/10, res.costStab, 100*(res.costStab-res.costFree)/res.costFree, res.movedStab, 100*float64(res.movedStab)/float64(res.others), kept.OrderChanges, len(kept.Unassigned))
	}
	return res, nil
}

// resumeAt is in as it stands at time t of plan base: the stops served
// before t are done (returned, and still in the instance), every vehicle
// resumes from its last stop (or its depot between trips) with what it
// picked up on its current trip, and has the trips it has left.
func resumeAt(in *routing.Instance, base *routing.Solution, t float64) (routing.Instance, map[string]bool) {
	done := map[string]bool{}
	re := *in
	re.Vehicles = append([]routing.Vehicle(nil), in.Vehicles...)
	stopOf := map[string]*routing.Stop{}
	for i := range in.Stops {
		stopOf[in.Stops[i].ID] = &in.Stops[i]
	}
	for vi, r := range base.Routes {
		if !r.Used() || r.Start >= t {
			continue
		}
		v := &re.Vehicles[vi]
		rs := &routing.Resume{Location: v.Start, Time: r.Start}
		tripsDone := 0
		for ti, tr := range r.Trips {
			if tr.Visits[0].Start >= t {
				break
			}
			// this trip has begun
			rs.Load, rs.LoadDeadline = nil, 0
			for _, vis := range tr.Visits {
				if vis.Start >= t {
					break
				}
				done[vis.Stop] = true
				s := stopOf[vis.Stop]
				rs.Location, rs.Time = s.Location, vis.Departure
				if rs.Load == nil {
					rs.Load = make([]float64, len(v.Capacity))
				}
				for j, d := range s.Demand {
					rs.Load[j] += d
				}
				if s.Deadline > 0 && (rs.LoadDeadline == 0 || s.Deadline < rs.LoadDeadline) {
					rs.LoadDeadline = s.Deadline
				}
			}
			tripsDone = ti
			if tr.Return < t && (ti+1 == len(r.Trips) || r.Trips[ti+1].Visits[0].Start >= t) {
				// back at the depot before t: a fresh start from there
				rs = &routing.Resume{Location: v.End, Time: tr.Return + v.Reload}
				tripsDone = ti + 1
			}
		}
		if v.MaxTrips > 1 {
			v.MaxTrips -= tripsDone
			if v.MaxTrips < 1 {
				v.MaxTrips = 1
			}
		}
		v.Resume = rs
	}
	return re, done
}

// busiestOpenStop is the failed pickup: the middle open stop of the
// busiest route ("" when every stop is done).
func busiestOpenStop(base *routing.Solution, done map[string]bool) string {
	failed := ""
	most := 0
	for _, r := range base.Routes {
		var open []string
		for _, t := range r.Trips {
			for _, v := range t.Visits {
				if !done[v.Stop] {
					open = append(open, v.Stop)
				}
			}
		}
		if len(open) > most {
			most, failed = len(open), open[len(open)/2]
		}
	}
	return failed
}

// benchReplanFolder runs benchReplan on every instance of a Solomon-format
// folder and summarises.
func benchReplanFolder(ctx context.Context, dir string, files []string, only string, opts routing.Options, at, factor float64) error {
	fmt.Printf("# thugom bench %s --replan  time=%v per solve, workers=%d seed=%d (load %s)\n", dir, opts.TimeLimit, opts.Workers, opts.Seed, loadAvg())
	fmt.Printf("%-10s %6s %10s %10s %8s %8s %8s\n", "instance", "others", "moved_free", "moved_stab", "cost_free", "cost_stab", "extra%")
	var shareFree, shareStab, extra []float64
	for _, f := range files {
		if !selected(f, only) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		in, err := readSolomon(f)
		if err != nil {
			return err
		}
		r, err := benchReplan(ctx, in, opts, at, factor, false)
		if err != nil {
			return err
		}
		e := 100 * (r.costStab - r.costFree) / r.costFree
		shareFree = append(shareFree, 100*float64(r.movedFree)/float64(r.others))
		shareStab = append(shareStab, 100*float64(r.movedStab)/float64(r.others))
		extra = append(extra, e)
		fmt.Printf("%-10s %6d %10d %10d %8.2f %8.2f %+8.2f\n", in.Name, r.others, r.movedFree, r.movedStab, r.costFree, r.costStab, e)
	}
	if len(extra) > 0 {
		fmt.Printf("# instances %d  changed vehicle: median %.1f %% without stability, %.1f %% with (max %.1f %%); extra cost median %+.2f %%, avg %+.2f %%, max %+.2f %%  (load %s)\n",
			len(extra), median(shareFree), median(shareStab), maxOf(shareStab), median(extra), mean(extra), maxOf(extra), loadAvg())
	}
	return nil
}

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func mean(x []float64) float64 {
	t := 0.0
	for _, v := range x {
		t += v
	}
	return t / float64(len(x))
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	return m
}

// selected reports whether instance file f is chosen by --only: a name
// part, or a comma-separated list of exact names (without extension).
func selected(f, only string) bool {
	if only == "" {
		return true
	}
	base := filepath.Base(f)
	if !strings.Contains(only, ",") {
		return strings.Contains(base, only)
	}
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	for _, o := range strings.Split(only, ",") {
		if strings.EqualFold(o, stem) {
			return true
		}
	}
	return false
}
