package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/thugom/thugom/routing"
)

func init() {
	register(&command{name: "solve", summary: "solve a routing instance file (Solomon or VRPLIB format) and print the plan as JSON", run: runSolve})
}

// solveOutput is the JSON printed by solve.
type solveOutput struct {
	Instance   string     `json:"instance"`
	Vehicles   int        `json:"vehicles"`
	Distance   float64    `json:"distance"`
	Routes     [][]int    `json:"routes"`
	Unassigned []int      `json:"unassigned"`
	ElapsedMS  float64    `json:"elapsed_ms"`
	Iterations int        `json:"iterations"`
	Feasible   bool       `json:"feasible"`
	Problems   string     `json:"problems,omitempty"`
	Reasons    []reasonJS `json:"reasons,omitempty"`
	Overlap    float64    `json:"overlap"`
}

type reasonJS struct {
	Stop       string           `json:"stop"`
	Reasons    []routing.Reason `json:"reasons"`
	Relaxation string           `json:"relaxation,omitempty"`
}

func runSolve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("solve", flag.ContinueOnError)
	t0 := time.Now()
	format := fs.String("format", "solomon", "input format: solomon, or vrplib (the MTVRPTWR multi-trip set)")
	limit := fs.Duration("time", 0, "time limit, e.g. 1s")
	iters := fs.Int("iterations", 0, "iteration budget (deterministic for a seed and worker count)")
	seed := fs.Int64("seed", 1, "random seed")
	workers := fs.Int("workers", 2, "parallel searches")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: thugom solve [--format solomon|vrplib] FILE [--time 1s | --iterations N] [--seed S] [--workers N]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want exactly one instance file")
	}
	if *limit == 0 && *iters == 0 {
		*limit = time.Second
	}
	enc := json.NewEncoder(os.Stdout)
	switch *format {
	case "vrplib":
		out, err := solveVRPLIBFile(ctx, fs.Arg(0), routing.Options{TimeLimit: *limit, Iterations: *iters, Seed: *seed, Workers: *workers}, t0)
		if err != nil {
			return err
		}
		return enc.Encode(out)
	case "solomon":
	default:
		return fmt.Errorf("unknown format %q (want solomon or vrplib)", *format)
	}
	in, err := readSolomon(fs.Arg(0))
	if err != nil {
		return err
	}
	if *limit > 0 {
		// the budget counts from the command's start (reading included)
		if *limit -= time.Since(t0); *limit <= 0 {
			*limit = time.Millisecond
		}
	}
	out, err := solveSolomon(ctx, in, routing.Options{TimeLimit: *limit, Iterations: *iters, Seed: *seed, Workers: *workers})
	if err != nil {
		return err
	}
	return enc.Encode(out)
}

func readSolomon(path string) (*routing.Instance, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	in, err := routing.ParseSolomon(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return in, nil
}

func solveSolomon(ctx context.Context, in *routing.Instance, opts routing.Options) (*solveOutput, error) {
	t0 := time.Now()
	sol, err := routing.Solve(ctx, in, opts)
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(t0)
	out := &solveOutput{Instance: in.Name, Vehicles: sol.VehiclesUsed, Distance: sol.Distance, Routes: [][]int{}, Unassigned: []int{},
		ElapsedMS: float64(elapsed.Nanoseconds()) / 1e6, Iterations: sol.Iterations, Feasible: true, Overlap: sol.Overlap}
	for _, r := range sol.Routes {
		for _, t := range r.Trips {
			ids := make([]int, 0, len(t.Visits))
			for _, v := range t.Visits {
				id, _ := strconv.Atoi(v.Stop)
				ids = append(ids, id)
			}
			out.Routes = append(out.Routes, ids)
		}
	}
	for _, u := range sol.Unassigned {
		id, _ := strconv.Atoi(u.Stop)
		out.Unassigned = append(out.Unassigned, id)
		rj := reasonJS{Stop: u.Stop, Reasons: u.Reasons}
		if u.Relaxation != nil {
			rj.Relaxation = u.Relaxation.Text
		}
		out.Reasons = append(out.Reasons, rj)
	}
	if err := routing.Check(in, sol); err != nil {
		out.Feasible = false
		out.Problems = err.Error()
	}
	return out, nil
}

// reorderFlags moves flags after positional arguments to the front, so that
// "solve FILE --time 1s" works like "solve --time 1s FILE".
func reorderFlags(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			if !containsEq(a) && i+1 < len(args) && !isBoolFlag(a) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func containsEq(s string) bool {
	for _, c := range s {
		if c == '=' {
			return true
		}
	}
	return false
}

func isBoolFlag(s string) bool {
	switch s {
	case "-h", "--h", "-help", "--help", "-v", "--v", "-replan", "--replan":
		return true
	}
	return false
}

// vrplibOutput is the JSON printed by solve --format vrplib: routes as the
// set's .sol files write them (client numbers, 0 between two trips) and the
// cost in their DIMACS convention (arcs truncated to one decimal, in tenths).
type vrplibOutput struct {
	Instance   string  `json:"instance"`
	Routes     [][]int `json:"routes"`
	Cost       int64   `json:"cost"`
	Vehicles   int     `json:"vehicles"`
	Trips      int     `json:"trips"`
	ElapsedMS  float64 `json:"elapsed_ms"`
	Iterations int     `json:"iterations"`
	Unassigned []int   `json:"unassigned"`
	Overlap    float64 `json:"overlap"`
	Feasible   bool    `json:"feasible"`
	Problems   string  `json:"problems,omitempty"`
}

// solveVRPLIBFile reads, solves and checks a VRPLIB file. The time limit
// counts from t0 (the command's start), so that reading the file and
// building the matrix are inside the budget.
func solveVRPLIBFile(ctx context.Context, path string, opts routing.Options, t0 time.Time) (*vrplibOutput, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	p, err := routing.ParseVRPLIB(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	in := routing.VRPLIBInstance(p)
	if opts.TimeLimit > 0 {
		opts.TimeLimit -= time.Since(t0)
		if opts.TimeLimit <= 0 {
			opts.TimeLimit = time.Millisecond
		}
	}
	opts.NoExplain = true
	sol, err := routing.Solve(ctx, in, opts)
	if err != nil {
		return nil, err
	}
	out := &vrplibOutput{Instance: p.Name, Routes: routing.VRPLIBRoutes(in, sol), Vehicles: sol.VehiclesUsed,
		Cost: int64(math.Round(sol.Distance)), Iterations: sol.Iterations, Unassigned: []int{}, Feasible: true, Overlap: sol.Overlap}
	for _, r := range sol.Routes {
		out.Trips += len(r.Trips)
	}
	for _, u := range sol.Unassigned {
		out.Unassigned = append(out.Unassigned, in.Stops[u.StopIndex].Location)
	}
	if err := routing.Check(in, sol); err != nil {
		out.Feasible = false
		out.Problems = err.Error()
	}
	// the cost again from the file's coordinates, apart from the matrix
	var c int64
	for _, r := range out.Routes {
		at := p.Depots[0]
		for _, x := range append(r, p.Depots[0]) {
			c += int64(routing.DIMACSArc(p.X[at], p.Y[at], p.X[x], p.Y[x]))
			at = x
		}
	}
	if c != out.Cost {
		out.Feasible = false
		out.Problems += fmt.Sprintf("; cost %d recomputed from the coordinates is %d", out.Cost, c)
	}
	out.ElapsedMS = float64(time.Since(t0).Nanoseconds()) / 1e6
	return out, nil
}
