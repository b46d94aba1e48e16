// Package routing plans vehicle routes for pickups and deliveries with time
// windows, several capacity dimensions, release times, hard or soft
// handover deadlines and windows, maximum load ages, several trips per
// vehicle, skills, pins and frozen prefixes, keeps re-plans close to a
// reference plan, and explains every stop it leaves out or serves late. It is a pure library: no I/O, no database; the
// caller supplies the travel matrices.
//
// # Model
//
// An Instance has NumLocations locations, referred to by index; one Profile
// per kind of vehicle ("motorbike", "van") with a row-major duration matrix
// (and optionally a distance matrix; nil means distance = duration); Depots;
// Vehicles; and Stops. Times are float64 in one unit the caller chooses (the
// service uses seconds since the start of the day; Solomon files use raw
// units).
//
//   - Vehicle: ID, Profile, Start and End locations, Shift window, Capacity
//     per dimension (kg, parcels, ...), FixedCost, MaxDuration, Skills,
//     MaxTrips, Reload (time spent at End between trips) and, for
//     re-planning during the day, Resume (current location and time, load
//     on board, frozen stops to visit first).
//   - Stop: ID, Location, Demand per dimension (picked up, carried back to
//     the vehicle's End), Service time, Windows (bound the start of service;
//     empty = any time), Skills required, Penalty for leaving it out, an
//     optional pin to a vehicle ID, a handover Deadline (its trip must be back
//     at End by then) and a MaxAge (from leaving the stop to arriving at
//     End). Delivery makes it a delivery (its Demand leaves the depot on
//     board and is dropped at the stop; pickups and deliveries mix on a trip
//     and the load at every point must fit); Release is when its goods reach
//     the depot (its trip leaves no earlier). DeadlineLateCost and
//     WindowLateCost make the deadline or the window's close soft: the stop
//     is served late at that cost per time unit instead of left out.
//     Target (with TargetLateCost) is a softer return before the deadline,
//     which stays hard: time past it costs like lateness but is reported
//     apart (Visit.TargetLateBy), so a caller can ask for stops early.
//     After (the ID of the stop it must directly follow on its pinned
//     vehicle and trip) or First (first on its vehicle, after the frozen
//     stops) keeps it at a dispatcher's place; the solver checks the place
//     in its full schedule evaluation of any route holding such a stop,
//     removes and re-inserts the pair together, and leaves the stop out
//     with ReasonPosition when the place cannot be served.
//   - Instance.Stability: a reference plan (ReferenceOf of the previous
//     solution) and the costs of a stop changing vehicle and of a stop whose
//     predecessor changed; the search starts from the reference.
//
// Schedules follow one rule, implemented twice (in the solver and in Check):
// a vehicle leaves its start as late as possible without returning later
// than its earliest possible return, then serves every stop as early as
// possible, waiting for windows to open. A trip ends at the vehicle's End;
// the next one leaves after Reload.
//
// The objective is lexicographic: first the penalties of unassigned stops,
// then the lateness cost of soft limits, then the fixed costs of the
// vehicles used, then total travel duration or distance
// (Instance.Objective) plus the stability costs and the optional terms of
// Options.Balance (the longest route's duration) and Options.Compactness
// (pairs of near stops on different vehicles). Every solution reports
// lateness (Visit.LateBy, Solution.Late with causes, totals), the stability
// counts, Overlap and LongestRoute.
//
// # Use
//
//	in := &routing.Instance{ ... }           // or routing.ParseSolomon(r)
//	sol, err := routing.Solve(ctx, in, routing.Options{TimeLimit: 5 * time.Second, Workers: 2, Seed: 1})
//	// err only for invalid instances (errors.Is(err, routing.ErrInvalid)),
//	// naming the faulty item.
//	for _, r := range sol.Routes { for _, t := range r.Trips { ... t.Visits ... } }
//	for _, u := range sol.Unassigned { u.Reasons; u.Relaxation }
//	err = routing.Check(in, sol) // independent feasibility check
//
// Solve returns the best plan found when ctx is cancelled. With an iteration
// budget and no time limit the result depends only on the instance, the seed
// and the number of workers.
//
// Every unassigned stop has at least one Reason (capacity, skill,
// time_window, handover_deadline, max_age, shift_length,
// pinned_vehicle_full, fleet_full, ...) and, where found, the smallest
// Relaxation that would let it in ("fits if its window closes 20 later",
// "fits with one more vehicle of profile van at depot X").
//
// # Solver
//
// Ruin and recreate in the style of SISR (Christiaens & Vanden Berghe 2020):
// adjacent string removal (strings and split strings) around a random seed
// stop, occasionally the removal of a whole route (to drop a vehicle);
// greedy reinsertion with blinks in one of several orders (random, demand,
// far, close; higher penalties first), occasionally opening a new route with
// the first stop; simulated-annealing acceptance with a temperature scaled
// by the average arc cost. SISR was chosen over ALNS and hybrid genetic
// search because it reaches near best-known results with one simple
// operator pair, needs no tuning of operator weights, and its moves (insert
// one stop) are the ones the rich constraints are easiest to evaluate
// exactly.
//
// Insertions are evaluated in constant time with the time-window segments
// of Vidal et al. (2013) (duration, time warp, earliest and latest start),
// including the handover deadline of the stop's trip and its release (the
// depot node that opens a trip is an arrival bounded by the closed trip's
// deadline, the reload time, then a departure no earlier than the release
// of the trip it opens), after a cheaper test of the cost change against
// the best insertion so far. Loads are checked in constant time too: the
// trip's total when a model has only pickups or only deliveries, otherwise
// the running maximum of the load before the insertion point (a delivery
// raises everything before it) and after it (a pickup raises everything
// after it). The fallbacks: a stop whose release is later than its trip's
// re-concatenates the trip's prefix (linear in the trip's length); stops
// with several windows, a maximum age or a soft limit fall back to a linear
// simulation of the route (soft limits need the lateness, which segments do
// not carry). A stop may also open a trip of its own ahead of any trip of a
// vehicle, or after its last one.
// Large instances (over 400 stops) only try the routes that serve one of the
// stop's 40 nearest neighbours, and empty vehicles once per vehicle class.
// On the simple models of the benchmarks (identical vehicles, single trips,
// no deadlines, ages, pins or skills) every candidate is then improved by a
// granular local search (each stop against its 12 nearest neighbours in
// other routes: 2-opt* tail exchange, relocation next to the neighbour,
// exchange with the neighbour's predecessor or successor) from the stops of
// the routes it changed, before the acceptance test. Rich models (several
// trips, deliveries, releases, deadlines, soft limits, stability) get the
// same three moves on candidates within 1 % of the current plan's cost
// once every stop is placed (until then iterations go to placing stops),
// filtered by the change of travel cost and then checked exactly (peak load
// of every trip, the full schedule); a tail may hold several trips, so
// 2-opt* also moves whole trips between vehicles. On MTVRPTWR at 3 s it took
// nine instances from +2.75 % to +1.6 % on average. Measured at equal time
// (two runs side by side under the same load), 2-opt* on every candidate
// took Solomon at 1 s from +0.95 % to +0.83 % and a Homberger sample at 5 s
// from +1.79 % to +0.88 %; the exchange took Solomon to +0.70 %. The hot
// loop does not allocate.
//
// Several workers search in parallel from different seeds; the run is cut
// in four epochs after which lagging workers restart from the best plan. The
// epoch ends are iteration counts when an iteration budget is given, so the
// result does not depend on goroutine timing.
//
// # Benchmarks
//
// Measured on the shared 2-core machine (go1.26.8) while other engineers
// built and tested on it: the load average was 5 to 18 during the runs, so
// the solver got well under two cores; every plan was re-checked by Check
// (all feasible, nothing unassigned). Distance objective, vehicles free (at
// most the file's fleet), 2 workers, seed 1. The binary was built with
// go build -o /tmp/thugom ./cmd/thugom (the same as go run ./cmd/thugom).
//
//	set (command)                                        thugom                         target    VROOM 1.14 (same machine)
//	Solomon 56, 1 s                                      +0.37 % avg, median +0.00 %,   <= 1.0 %  +1.62 % avg, median +0.94 %,
//	  thugom bench testdata/solomon --time 1s            worst +4.81 % (R109), 30 at         worst +7.54 %, ~1.07 s
//	                                                     BKS, 486 vehicles
//	Solomon 56, 10 s                                     +0.11 % avg, median -0.00 %,   <= 0.5 %  -
//	  thugom bench testdata/solomon --time 10s           worst +4.63 % (R109), 45 at
//	                                                     BKS, 486 vehicles
//	Homberger 200 (60), 5 s                              +0.78 % avg, median +0.53 %,   <= 2.0 %  +3.34 % avg, ~4 s,
//	  thugom bench testdata/homberger --time 5s          worst +2.27 %, 814 vehicles              774 vehicles
//	1000 customers, 60 s                                 R1000: 44488 -> 36983 (0.04 s,  feasible, improving
//	  thugom bench --generate R1000 --time 60s           15 s 38010, 28 s 37269, 49 s 37057), 126 vehicles,
//	  (also C1000, RC1000)                               514k iterations, 35 MiB;
//	                                                     C1000: 39350 -> 34857 (15 s 35654,
//	                                                     31 s 35046), 136 vehicles, 35 MiB;
//	                                                     RC1000: 49759 -> 35763 (16 s 36690,
//	                                                     33 s 35927), 131 vehicles, 34 MiB
//	province day, 30 s                                   5,000 stops, 15 depots, 150 vehicles, 2 profiles,
//	  thugom bench --generate province --time 30s        feasible, 0 unassigned (520 after construction),
//	                                                     148 vehicles, 324 trips, 65k iterations, 190 MiB peak
//	                                                     (target <= 1 GiB)
//
// Gaps are against solomon/bks_distance.csv and homberger/bks_dimacs.csv.
// Two entries of bks_distance.csv lie below a lower bound: R109 (1101.37)
// and RC103 (1249.86) are under their DIMACS-convention optima (1146.9 and
// 1258.0), and truncating distances only shortens arcs and loosens windows,
// so no double-precision plan can beat those optima. R109 cannot be closer
// than +4.13 % to the table; thugom's R109 (1154.36) is 0.65 % above the
// DIMACS optimum. The "worst <= 4 %" target is therefore out of reach on
// R109 alone; the next worst instance is RC108 (+2.01 %) at 1 s and RC102
// (+1.32 %) at 10 s. The generated 1000-customer instances have no known
// best; held-out sets were not available here.
//
// The Homberger BKS use DIMACS truncation, which favours them a little.
//
// # Benchmarks, round 2 (multi-trip, stability)
//
// Measured on 2026-12-01 on the same 2-core machine while other engineers'
// PostgreSQL suites ran: the load average was 3 to 6 for the first
// MTVRPTWR run and 10 to 19 for everything else, so the solver got a small
// and varying share of the two cores (R1000 at 60 s did 49k iterations
// where the table above counts 514k). Binary: go build -o /tmp/thugom
// ./cmd/thugom; 2 workers, seed 1. MTVRPTWR gaps are against the .sol
// files' DIMACS costs, after Check and a recomputation of the cost from the
// coordinates; the tests' own evaluator reproduces all 81 .sol costs
// exactly and finds them feasible (TestVRPLIBSolutionsReproduced). The
// stability rows were measured with the final code; the other rows at
// commit 154f923 (MTVRPTWR 10 s at db4fd84); the commits since change only
// re-plans of vehicles resumed with a load and searches with unassigned
// stops, neither of which occurs in those rows.
//
//	set (command)                                        thugom                          target
//	MTVRPTWR 81, 10 s (commit db4fd84; later commits     +0.98 % avg, median +0.71 %,    <= 1.0 %
//	  change nothing on this model)                      worst +3.07 % (R205R0.25),
//	  thugom bench ../shared/benchmarks/mtvrptwr         12 at BKS, all 81 feasible;
//	  --time 10s                                         C2 +0.13, R2 +1.30, RC2 +1.38 %
//	MTVRPTWR 12 of 81, 60 s (C201R0.25, C204R0.75,       +1.08 % avg, median +1.02 %,    <= 0.5 % on
//	  C208R0.5, R201R0.25, R203R0.5, R205R0.5,           worst +2.48 % (R209R0.75),      all 81: missed
//	  R209R0.75, R211R0.25, RC201R0.5, RC204R0.75,       all feasible (the same 12 at
//	  RC206R0.5, RC208R0.25), load 11-13                 10 s: +1.46 %)
//	  thugom bench ../shared/benchmarks/mtvrptwr
//	  --time 60s --only C201R0.25,C204R0.75,...
//	stability, province day, failed pickup before        without: 3511 of 4999 other     <= 10 % moved,
//	  anyone leaves, 30 s per solve, vehicle change      stops change vehicle (70.2 %);  <= 1 % extra
//	  0.5 x the plan's travel per stop (87 s), order     with: 2 (0.0 %), 57
//	  change a tenth                                     change order, cost -5.43 % vs without
//	  thugom bench --generate province --replan --time 30s
//	stability, province day, failed pickup 40 % into     without: 1248 of 1706 open      <= 10 % moved,
//	  the day (3293 stops done, vehicles resume where    stops change vehicle (73.2 %);  <= 1 % extra
//	  they are), 30 s per solve, load 8-14               with: 7 (0.4 %), 50 change
//	  thugom bench --generate province --replan          order, cost -0.68 % vs without
//	  --replan-at 0.4 --time 30s                         (with --stability 0.2: 19.9 %
//	                                                     moved, -0.45 %)
//	stability, 56 Solomon re-plans, 1 s per solve:       before departure (weight 1):    <= 10 %,
//	  thugom bench testdata/solomon --replan             moved median 88.9 % without,    <= 1 %
//	  --stability 1 --time 1s                            0.0 % with (max 0 %), extra
//	  thugom bench testdata/solomon --replan             median +0.00 %, avg +0.25 %,
//	  --replan-at 0.4 --time 1s                          worst +4.10 %; 40 % into the
//	                                                     day (weight 0.5): moved max
//	                                                     2.2 % with, extra avg +0.46 %,
//	                                                     worst +5.76 %
//	Solomon 56, 1 s, load 15 (same run of the code       +0.90 % avg, median +0.50 %;    <= 0.3 %
//	  before this round: +0.76 %, median +0.30 %)        with 20000 iterations both
//	  thugom bench testdata/solomon --time 1s            give identical plans (R101-R109)
//	Homberger 200 (60), 5 s, load 11-17                  +1.20 % avg, median +1.24 %,    <= 0.8 %
//	  thugom bench testdata/homberger --time 5s          worst +3.22 %, 821 vehicles
//	1000 customers, --time 1s, load 16                   solve 1.00-1.02 s; wall of the  <= 1.1 s wall
//	  thugom bench --generate R1000 --time 1s            command 1.31, 1.06, 1.12 s
//	  --seed 1|2|3                                       (seeds 1-3), generation included
//	1000 customers, 60 s, load 16-19                     R1000 37461 (13 s 38678, 30 s    improving
//	  thugom bench --generate R1000 --time 60s           37863, 49 s 37540), 49k
//	                                                     iterations, 43 MiB
//
// The simple-model search (Solomon, Homberger) is unchanged in this round:
// with an iteration budget the plans are identical to the previous code's,
// so the time-budgeted differences above are the machine's load (the
// earlier rows of the first table were measured at load 5 to 18).
package routing
