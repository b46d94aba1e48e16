package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// Options configure a simulated day.
type Options struct {
	Seed       uint64
	Households int       // demo households (default 3000)
	Day        time.Time // harvest day (default: a September day)
	// FailureRate of pickups (default 0.10); Postponements households reply
	// "2" at 08:00 (default 5); a vehicle breaks down at BreakdownAt
	// (default 10:30 local).
	FailureRate   float64
	Postponements int
	BreakdownAt   time.Duration
	// Step of the simulated clock (default 2 min).
	Step time.Duration
	// Progress, when set, receives a line per simulated hour.
	Progress func(string)
}

// Report is what a simulated day gives.
type Report struct {
	Day        string `json:"day"`
	Households int    `json:"households"`
	Orders     int    `json:"orders"`
	// FeasibleOrders: orders some plan could hand over in time: those the
	// morning plans assigned in time (not at risk from the start,
	// geocoded), less those the households postponed or cancelled, less
	// those whose pickup failed too close to their deadline for any second
	// visit (FailedTooLate).
	FeasibleOrders int `json:"feasible_orders"`
	FailedTooLate  int `json:"failed_too_late"`
	// CarriedOver: orders not collected today whose deadline is tomorrow.
	CarriedOver int `json:"carried_over"`
	// PlannedInTime is FeasibleOrders before removing FailedTooLate, and
	// OnTimeRateStrict is OnTime over it.
	PlannedInTime    int     `json:"planned_in_time"`
	OnTimeRateStrict float64 `json:"on_time_rate_strict"`
	// OnTimeRateAll is OnTime over every order placed: what the province
	// counts (orders the households cancelled or postponed included).
	OnTimeRateAll float64 `json:"on_time_rate_all"`
	// PlannedLate counts the stops the morning plans scheduled back after
	// their handover deadline (collected anyway); VehicleChanges sums the
	// stops re-plans moved to another vehicle.
	PlannedLate    int `json:"planned_late"`
	VehicleChanges int `json:"vehicle_changes"`
	// OnTime: feasible orders handed over at the depot by their deadline.
	OnTime int `json:"on_time"`
	// Late: feasible orders that were not (handed over after the deadline
	// or not collected at all: LateHandedOver + NotCollected).
	Late           int `json:"late"`
	LateHandedOver int `json:"late_handed_over"`
	LateRescued    int `json:"late_rescued"` // of which were on the broken-down vehicle
	NotCollected   int `json:"not_collected"`
	// NotCollectedBy counts the orders not collected by their final status.
	NotCollectedBy  map[string]int `json:"not_collected_by_status,omitempty"`
	OnTimeRate      float64        `json:"on_time_rate"` // on_time / feasible_orders
	Unassigned      map[string]int `json:"unassigned"`   // morning plans' unassigned orders by reason
	AtRiskFromStart int            `json:"at_risk_from_start"`
	Postponed       int            `json:"postponed"`
	PickupFailures  int            `json:"pickup_failures"`
	Breakdowns      int            `json:"breakdowns"`
	Replans         int            `json:"replans"`
	KM              float64        `json:"km"`
	VehiclesUsed    int            `json:"vehicles_used"`
	SMS             int            `json:"sms"`
	PlanSeconds     float64        `json:"plan_seconds"`
	ElapsedSeconds  float64        `json:"elapsed_seconds"`
}

// simClock is the simulation's business clock.
type simClock struct{ t time.Time }

func (c *simClock) now() time.Time { return c.t }

type simVehicle struct {
	at      orb.Point
	onBoard []int64 // orders picked up, not yet handed over
	used    bool
	kind    string
}

// Simulate runs a demo day on db (a fresh, migrated database) on a
// simulated clock: the seeder's scenario, geocoding, morning planning of
// every depot, then pickups in the order the plans give (with random
// failures, a vehicle breakdown, households postponing by SMS), re-planning
// after each change with the service's own code, and handovers at the
// depots. deps configures the service (its Clock is replaced).
func Run(ctx context.Context, db *store.DB, deps jobs.Deps, opt Options) (*Report, error) {
	t0 := time.Now()
	if opt.Households <= 0 {
		opt.Households = 3000
	}
	if opt.Day.IsZero() {
		opt.Day = time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	}
	day := thugom.Day(opt.Day)
	if opt.FailureRate == 0 {
		opt.FailureRate = 0.10
	}
	if opt.Postponements == 0 {
		opt.Postponements = 5
	}
	if opt.BreakdownAt == 0 {
		opt.BreakdownAt = 10*time.Hour + 30*time.Minute
	}
	if opt.Step <= 0 {
		opt.Step = 2 * time.Minute
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(string) {}
	}
	clk := &simClock{t: day.Add(5 * time.Hour)}
	deps.Clock = clk.now
	deps.Workers = 0
	deps.SLAWatchEvery = -1
	svc, err := jobs.New(db, deps)
	if err != nil {
		return nil, err
	}
	rep := &Report{Day: jobs.DayString(day), Unassigned: map[string]int{}}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))

	// The demo day, seeded and geocoded.
	sc, err := demo.Build(gazetteer(deps), demo.Options{Seed: opt.Seed, Households: opt.Households, Day: day})
	if err != nil {
		return nil, err
	}
	var seeded *demo.Seeded
	if err := db.InTx(ctx, func(tx pgx.Tx) error {
		seeded, err = demo.Seed(ctx, tx, sc, clk.now())
		return err
	}); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	rep.Households, rep.Orders = len(seeded.HouseholdIDs), len(seeded.OrderIDs)
	for _, id := range seeded.HouseholdIDs {
		if _, err := svc.GeocodeHousehold(ctx, id); err != nil {
			return nil, err
		}
	}
	progress(fmt.Sprintf("seeded and geocoded %d households, %d orders", rep.Households, rep.Orders))

	// Morning plans.
	clk.t = day.Add(5*time.Hour + 30*time.Minute)
	depots := seeded.DepotIDs
	feasible := map[int64]bool{}
	var planTime time.Duration
	plan := func(depot int64, req jobs.PlanRequest) (*jobs.PlanResult, error) {
		t := time.Now()
		r, err := svc.PlanDepotDay(ctx, depot, day, req)
		planTime += time.Since(t)
		return r, err
	}
	for _, d := range depots {
		r, err := plan(d, jobs.PlanRequest{Cause: "morning"})
		if err != nil {
			return nil, err
		}
		rep.PlannedLate += r.Stats.Late
		un := map[int64]bool{}
		for _, u := range r.Unassigned {
			rep.Unassigned[jobs.ReasonCode(u.Reason)]++
			un[u.OrderID] = true
		}
		stops, err := currentStops(ctx, db, d, day)
		if err != nil {
			return nil, err
		}
		for _, st := range stops {
			for _, o := range st.OrderIDs {
				if !un[o] {
					feasible[o] = true
				}
			}
		}
	}
	// Orders at risk from the start are not feasible whatever the plan.
	risk, err := simAtRiskFromStart(ctx, db)
	if err != nil {
		return nil, err
	}
	for _, id := range risk {
		rep.AtRiskFromStart++
		delete(feasible, id)
	}
	progress(fmt.Sprintf("morning plans: %d depots, %d orders assigned, unassigned %v", len(depots), len(feasible), rep.Unassigned))

	deadlines, err := simDeadlines(ctx, db)
	if err != nil {
		return nil, err
	}
	points, err := simHouseholdPoints(ctx, db)
	if err != nil {
		return nil, err
	}
	vehicles := map[int64]*simVehicle{}
	depotPoint := map[int64]orb.Point{}
	for _, d := range depots {
		dp, err := store.DepotByID(ctx, db, d)
		if err != nil {
			return nil, err
		}
		depotPoint[d] = dp.Point
		vs, err := store.VehiclesOfDepot(ctx, db, d)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			vehicles[v.ID] = &simVehicle{at: dp.Point, kind: v.Kind}
		}
	}
	handedAt := map[int64]time.Time{}
	rescued := map[int64]bool{} // taken to the depot by the rescue van
	lost := map[int64]bool{}    // failed with no time left for a second visit
	replan := func(depot int64, cause string) error {
		r, err := plan(depot, jobs.PlanRequest{Replan: true, Cause: cause, RequestedAt: clk.now()})
		rep.Replans++
		if r != nil {
			rep.VehicleChanges += r.Stats.VehicleChanges
		}
		return err
	}
	move := func(v *simVehicle, to orb.Point) {
		prof, err := svc.Profile(v.kind)
		if err != nil {
			return
		}
		m, _ := prof.Leg(geo.Point{Lat: v.at[1], Lon: v.at[0]}, geo.Point{Lat: to[1], Lon: to[0]})
		rep.KM += m / 1000
		v.at, v.used = to, true
	}
	postponedDone, brokeDone := false, false
	postponed := map[int64]bool{}
	end := day.Add(21 * time.Hour)
	for clk.t = day.Add(6 * time.Hour); !clk.t.After(end); clk.t = clk.t.Add(opt.Step) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		now := clk.t
		if clk.t.Sub(day)%time.Hour == 0 {
			progress(fmt.Sprintf("%s: handed over %d, failures %d, replans %d", now.In(thugom.Local).Format("15:04"), len(handedAt), rep.PickupFailures, rep.Replans))
		}
		for _, d := range depots {
			err := runDueStops(ctx, db, svc, rng, opt.FailureRate, d, day, now, points, dueStops{
				known:  func(id int64) bool { return vehicles[id] != nil },
				arrive: func(st store.PlanStop, to orb.Point) { move(vehicles[st.VehicleID], to) },
				handOver: func(st store.PlanStop) {
					v := vehicles[st.VehicleID]
					move(v, depotPoint[d])
					for _, o := range v.onBoard {
						handedAt[o] = st.ArriveAt
					}
					v.onBoard = nil
				},
				picked: func(st store.PlanStop) {
					v := vehicles[st.VehicleID]
					v.onBoard = append(v.onBoard, st.OrderIDs...)
				},
				failed: func(st store.PlanStop) error {
					rep.PickupFailures++
					// A failure too close to the deadline for any second
					// visit (the household's retry delay, then the drive
					// to the depot) makes its orders infeasible.
					if st.HouseholdID == nil {
						return nil
					}
					prof, err := svc.Profile(vehicles[st.VehicleID].kind)
					if err != nil {
						return err
					}
					_, back := prof.Leg(geo.Point{Lat: points[*st.HouseholdID][1], Lon: points[*st.HouseholdID][0]},
						geo.Point{Lat: depotPoint[d][1], Lon: depotPoint[d][0]})
					earliest := st.ArriveAt.Add(jobs.RetryAfter + jobs.MinService + time.Duration(back)*time.Second)
					for _, o := range st.OrderIDs {
						if dl := deadlines[o]; !dl.IsZero() && dl.Before(earliest) && feasible[o] {
							lost[o] = true
						}
					}
					return nil
				},
				replan: func() error { return replan(d, jobs.CausePickupFailed) },
			})
			if err != nil {
				return nil, err
			}
		}
		// The day's events, after the stops due by now are done.
		// Households postpone by SMS at 08:00.
		if !postponedDone && now.Sub(day) >= 8*time.Hour {
			postponedDone = true
			if err := simPostpone(ctx, svc, db, day, opt.Postponements, rng, postponed, rep, replan); err != nil {
				return nil, err
			}
		}
		// A vehicle breaks down mid-morning: the one with the most stops
		// left; a rescue van takes its load to the depot within the hour.
		if !brokeDone && now.Sub(day) >= opt.BreakdownAt {
			brokeDone = true
			vid, depot, err := simBusiestVehicle(ctx, db, depots, day)
			if err != nil {
				return nil, err
			}
			if vid != 0 {
				if err := svc.ReportBreakdown(ctx, vid, "simulation"); err != nil {
					return nil, err
				}
				rep.Breakdowns++
				v := vehicles[vid]
				for _, o := range v.onBoard {
					handedAt[o] = now.Add(time.Hour)
					rescued[o] = true
				}
				if _, err := svc.HandOver(ctx, v.onBoard, jobs.System("simulation:rescue")); err != nil {
					return nil, err
				}
				v.onBoard = nil
				if err := replan(depot, jobs.CauseVehicleBroken); err != nil {
					return nil, err
				}
			}
		}
		// The SLA watch every half hour (escalations and metrics).
		if clk.t.Sub(day)%(30*time.Minute) == 0 {
			if _, err := svc.WatchSLA(ctx); err != nil {
				return nil, err
			}
		}
	}

	// The day's account.
	for id := range postponed {
		delete(feasible, id)
	}
	// The strict count: every order the morning plans assigned in time,
	// less the households' own postponements and cancellations.
	strict := len(feasible)
	for id := range lost {
		if feasible[id] {
			rep.FailedTooLate++
			delete(feasible, id)
		}
	}
	cancelled, err := simOrdersWithStatus(ctx, db, thugom.OrderCancelled)
	if err != nil {
		return nil, err
	}
	for _, id := range cancelled {
		delete(feasible, id)
	}
	// Orders not collected today whose deadline is tomorrow are not late:
	// tomorrow's plan collects them.
	for id := range feasible {
		if _, ok := handedAt[id]; !ok && !deadlines[id].IsZero() && !deadlines[id].Before(day.Add(24*time.Hour)) {
			rep.CarriedOver++
			delete(feasible, id)
		}
	}
	rep.FeasibleOrders = len(feasible)
	status, err := simOrderStatuses(ctx, db)
	if err != nil {
		return nil, err
	}
	rep.NotCollectedBy = map[string]int{}
	for id := range feasible {
		at, ok := handedAt[id]
		switch {
		case !ok:
			rep.NotCollected++
			rep.NotCollectedBy[status[id]]++
		case deadlines[id].IsZero() || !at.After(deadlines[id]):
			rep.OnTime++
		default:
			rep.LateHandedOver++
			if rescued[id] {
				rep.LateRescued++
			}
		}
	}
	rep.Late = rep.LateHandedOver + rep.NotCollected
	if rep.FeasibleOrders > 0 {
		rep.OnTimeRate = math.Round(float64(rep.OnTime)/float64(rep.FeasibleOrders)*10000) / 10000
	}
	rep.PlannedInTime = strict
	if rep.Orders > 0 {
		rep.OnTimeRateAll = math.Round(float64(rep.OnTime)/float64(rep.Orders)*10000) / 10000
	}
	if strict > 0 {
		rep.OnTimeRateStrict = math.Round(float64(rep.OnTime)/float64(strict)*10000) / 10000
	}
	for _, v := range vehicles {
		if v.used {
			rep.VehiclesUsed++
		}
	}
	rep.KM = math.Round(rep.KM*10) / 10
	if err := db.QueryRow(ctx, store.Query("CountNotifications")).Scan(&rep.SMS); err != nil {
		return nil, err
	}
	rep.PlanSeconds = math.Round(planTime.Seconds()*10) / 10
	rep.ElapsedSeconds = math.Round(time.Since(t0).Seconds()*10) / 10
	return rep, nil
}

// currentStops returns the stops of a depot's current plan in route order.
func currentStops(ctx context.Context, db *store.DB, depot int64, day time.Time) ([]store.PlanStop, error) {
	head, err := store.CurrentPlan(ctx, db, depot, day)
	if err != nil || head == nil {
		return nil, err
	}
	stops, err := store.PlanStops(ctx, db, head.ID)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(stops, func(i, j int) bool {
		if !stops[i].ArriveAt.Equal(stops[j].ArriveAt) {
			return stops[i].ArriveAt.Before(stops[j].ArriveAt)
		}
		return stops[i].Seq < stops[j].Seq
	})
	return stops, nil
}

func simPostpone(ctx context.Context, svc *jobs.Service, db *store.DB, day time.Time, n int, rng *rand.Rand,
	postponed map[int64]bool, rep *Report, replan func(int64, string) error) error {
	rows, err := db.Query(ctx, store.Query("SimLaterStops"), day.Add(10*time.Hour))
	if err != nil {
		return err
	}
	type cand struct {
		household int64
		phone     string
		depot     int64
	}
	var cands []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.household, &c.phone, &c.depot); err != nil {
			rows.Close()
			return err
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	depots := map[int64]bool{}
	for i := 0; i < n && i < len(cands); i++ {
		c := cands[i]
		orders, err := store.OpenOrdersOfHousehold(ctx, db, c.household)
		if err != nil {
			return err
		}
		r, err := svc.HandleInboundSMS(ctx, jobs.InboundSMS{ProviderMessageID: fmt.Sprintf("sim-postpone-%d", c.household), From: c.phone, Text: "2"})
		if err != nil {
			return err
		}
		if r.Outcome == jobs.InboundPostponed {
			rep.Postponed++
			for _, o := range orders {
				postponed[o.ID] = true
			}
			depots[c.depot] = true
		}
	}
	for d := range depots {
		if err := replan(d, jobs.CausePostponed); err != nil {
			return err
		}
	}
	return nil
}

func simBusiestVehicle(ctx context.Context, db *store.DB, depots []int64, day time.Time) (vehicle, depot int64, err error) {
	best := 0
	for _, d := range depots {
		stops, err := currentStops(ctx, db, d, day)
		if err != nil {
			return 0, 0, err
		}
		left := map[int64]int{}
		for _, st := range stops {
			if st.Status == thugom.StopPlanned && st.Kind == thugom.StopPickup {
				left[st.VehicleID]++
			}
		}
		for v, n := range left {
			if n > best || (n == best && v < vehicle) {
				best, vehicle, depot = n, v, d
			}
		}
	}
	return vehicle, depot, nil
}

func simAtRiskFromStart(ctx context.Context, db *store.DB) ([]int64, error) {
	rows, err := db.Query(ctx, store.Query("SimAtRiskOrders"))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func simOrdersWithStatus(ctx context.Context, db *store.DB, status string) ([]int64, error) {
	rows, err := db.Query(ctx, store.Query("SimOrdersWithStatus"), status)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func simDeadlines(ctx context.Context, db *store.DB) (map[int64]time.Time, error) {
	rows, err := db.Query(ctx, store.Query("SimDeadlines"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var dl *time.Time
		if err := rows.Scan(&id, &dl); err != nil {
			return nil, err
		}
		if dl != nil {
			out[id] = *dl
		}
	}
	return out, rows.Err()
}

func simHouseholdPoints(ctx context.Context, db *store.DB) (map[int64]orb.Point, error) {
	rows, err := db.Query(ctx, store.Query("SimHouseholdPoints"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]orb.Point{}
	for rows.Next() {
		var id int64
		var lon, lat float64
		if err := rows.Scan(&id, &lon, &lat); err != nil {
			return nil, err
		}
		out[id] = orb.Point{lon, lat}
	}
	return out, rows.Err()
}

func simOrderStatuses(ctx context.Context, db *store.DB) (map[int64]string, error) {
	rows, err := db.Query(ctx, store.Query("SimOrderStatuses"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, err
		}
		out[id] = st
	}
	return out, rows.Err()
}

func gazetteer(deps jobs.Deps) *geo.Gazetteer {
	if deps.Geocoder != nil {
		return deps.Geocoder.Gazetteer()
	}
	return geo.Default().Gazetteer()
}
