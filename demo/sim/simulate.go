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

// withDefaults fills the options left zero.
func (opt Options) withDefaults() Options {
	if opt.Households <= 0 {
		opt.Households = 3000
	}
	if opt.Day.IsZero() {
		opt.Day = time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	}
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
	if opt.Progress == nil {
		opt.Progress = func(string) {}
	}
	return opt
}

// simDay is a simulated demo day as it runs.
type simDay struct {
	db       *store.DB
	svc      *jobs.Service
	opt      Options
	day      time.Time
	clk      *simClock
	rng      *rand.Rand
	rep      *Report
	planTime time.Duration

	depots     []int64
	households []int64
	depotPoint map[int64]orb.Point
	vehicles   map[int64]*simVehicle
	deadlines  map[int64]time.Time
	points     map[int64]orb.Point // households'

	feasible  map[int64]bool      // orders some plan could hand over in time
	handedAt  map[int64]time.Time // order → handed over at the depot
	rescued   map[int64]bool      // taken to the depot by the rescue van
	lost      map[int64]bool      // failed with no time left for a second visit
	postponed map[int64]bool
}

// Run runs a demo day on db (a fresh, migrated database) on a
// simulated clock: the seeder's scenario, geocoding, morning planning of
// every depot, then pickups in the order the plans give (with random
// failures, a vehicle breakdown, households postponing by SMS), re-planning
// after each change with the service's own code, and handovers at the
// depots. deps configures the service (its Clock is replaced).
func Run(ctx context.Context, db *store.DB, deps jobs.Deps, opt Options) (*Report, error) {
	t0 := time.Now()
	opt = opt.withDefaults()
	day := thugom.Day(opt.Day)
	s := &simDay{db: db, opt: opt, day: day, clk: &simClock{t: day.Add(5 * time.Hour)},
		feasible: map[int64]bool{}, handedAt: map[int64]time.Time{}, rescued: map[int64]bool{}, lost: map[int64]bool{}, postponed: map[int64]bool{}}
	deps.Clock = s.clk.now
	deps.Workers = 0
	deps.SLAWatchEvery = -1
	var err error
	if s.svc, err = jobs.New(db, deps); err != nil {
		return nil, err
	}
	s.rep = &Report{Day: jobs.DayString(day), Unassigned: map[string]int{}}
	s.rng = rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	if err := s.seed(ctx, deps); err != nil {
		return nil, err
	}
	if err := s.planMorning(ctx); err != nil {
		return nil, err
	}
	if err := s.readNetwork(ctx); err != nil {
		return nil, err
	}
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	if err := s.account(ctx); err != nil {
		return nil, err
	}
	s.rep.PlanSeconds = math.Round(s.planTime.Seconds()*10) / 10
	s.rep.ElapsedSeconds = math.Round(time.Since(t0).Seconds()*10) / 10
	return s.rep, nil
}

// seed puts the demo day in the database and geocodes its households.
func (s *simDay) seed(ctx context.Context, deps jobs.Deps) error {
	sc, err := demo.Build(gazetteer(deps), demo.Options{Seed: s.opt.Seed, Households: s.opt.Households, Day: s.day})
	if err != nil {
		return err
	}
	var seeded *demo.Seeded
	if err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		seeded, err = demo.Seed(ctx, tx, sc, s.clk.now())
		return err
	}); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	s.rep.Households, s.rep.Orders = len(seeded.HouseholdIDs), len(seeded.OrderIDs)
	for _, id := range seeded.HouseholdIDs {
		if _, err := s.svc.GeocodeHousehold(ctx, id); err != nil {
			return err
		}
	}
	s.depots, s.households = seeded.DepotIDs, seeded.HouseholdIDs
	s.opt.Progress(fmt.Sprintf("seeded and geocoded %d households, %d orders", s.rep.Households, s.rep.Orders))
	return nil
}

// plan plans (or re-plans) a depot's day, timing it.
func (s *simDay) plan(ctx context.Context, depot int64, req jobs.PlanRequest) (*jobs.PlanResult, error) {
	t := time.Now()
	r, err := s.svc.PlanDepotDay(ctx, depot, s.day, req)
	s.planTime += time.Since(t)
	return r, err
}

// replan re-plans a depot's day now, and counts it.
func (s *simDay) replan(ctx context.Context, depot int64, cause string) error {
	r, err := s.plan(ctx, depot, jobs.PlanRequest{Replan: true, Cause: cause, RequestedAt: s.clk.now()})
	s.rep.Replans++
	if r != nil {
		s.rep.VehicleChanges += r.Stats.VehicleChanges
	}
	return err
}

// planMorning (05:30) plans every depot's day: the orders its plan
// assigns in time, less those at risk from the start, are feasible.
func (s *simDay) planMorning(ctx context.Context) error {
	s.clk.t = s.day.Add(5*time.Hour + 30*time.Minute)
	for _, d := range s.depots {
		r, err := s.plan(ctx, d, jobs.PlanRequest{Cause: "morning"})
		if err != nil {
			return err
		}
		s.rep.PlannedLate += r.Stats.Late
		un := map[int64]bool{}
		for _, u := range r.Unassigned {
			s.rep.Unassigned[jobs.ReasonCode(u.Reason)]++
			un[u.OrderID] = true
		}
		stops, err := currentStops(ctx, s.db, d, s.day)
		if err != nil {
			return err
		}
		for _, st := range stops {
			for _, o := range st.OrderIDs {
				if !un[o] {
					s.feasible[o] = true
				}
			}
		}
	}
	// Orders at risk from the start are not feasible whatever the plan.
	risk, err := ordersAtRisk(ctx, s.db)
	if err != nil {
		return err
	}
	for _, id := range risk {
		s.rep.AtRiskFromStart++
		delete(s.feasible, id)
	}
	s.opt.Progress(fmt.Sprintf("morning plans: %d depots, %d orders assigned, unassigned %v", len(s.depots), len(s.feasible), s.rep.Unassigned))
	return nil
}

// readNetwork reads the orders' deadlines, the households' places, and the
// depots' places and vehicles.
func (s *simDay) readNetwork(ctx context.Context) error {
	var err error
	if s.deadlines, err = orderDeadlines(ctx, s.db); err != nil {
		return err
	}
	if s.points, err = store.HouseholdPoints(ctx, s.db, s.households); err != nil {
		return err
	}
	s.vehicles = map[int64]*simVehicle{}
	s.depotPoint = map[int64]orb.Point{}
	for _, d := range s.depots {
		dp, err := store.DepotByID(ctx, s.db, d)
		if err != nil {
			return err
		}
		s.depotPoint[d] = dp.Point
		vs, err := store.VehiclesOfDepot(ctx, s.db, d)
		if err != nil {
			return err
		}
		for _, v := range vs {
			s.vehicles[v.ID] = &simVehicle{at: dp.Point, kind: v.Kind}
		}
	}
	return nil
}

// run runs the day from 06:00 to 21:00 on the simulated clock: the stops
// due by each tick, then the day's events.
func (s *simDay) run(ctx context.Context) error {
	postponedDone, brokeDone := false, false
	end := s.day.Add(21 * time.Hour)
	for s.clk.t = s.day.Add(6 * time.Hour); !s.clk.t.After(end); s.clk.t = s.clk.t.Add(s.opt.Step) {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := s.clk.t
		if now.Sub(s.day)%time.Hour == 0 {
			s.opt.Progress(fmt.Sprintf("%s: handed over %d, failures %d, replans %d", now.In(thugom.Local).Format("15:04"), len(s.handedAt), s.rep.PickupFailures, s.rep.Replans))
		}
		for _, d := range s.depots {
			if err := s.runStops(ctx, d, now); err != nil {
				return err
			}
		}
		// The day's events, after the stops due by now are done.
		// Households postpone by SMS at 08:00.
		if !postponedDone && now.Sub(s.day) >= 8*time.Hour {
			postponedDone = true
			if err := simPostpone(ctx, s.svc, s.db, s.day, s.opt.Postponements, s.rng, s.postponed, s.rep, func(d int64, cause string) error { return s.replan(ctx, d, cause) }); err != nil {
				return err
			}
		}
		if !brokeDone && now.Sub(s.day) >= s.opt.BreakdownAt {
			brokeDone = true
			if err := s.breakDown(ctx, now); err != nil {
				return err
			}
		}
		// The SLA watch every half hour (escalations and metrics).
		if now.Sub(s.day)%(30*time.Minute) == 0 {
			if _, err := s.svc.WatchSLA(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// move drives a vehicle to a place, counting its km.
func (s *simDay) move(v *simVehicle, to orb.Point) {
	prof, err := s.svc.Profile(v.kind)
	if err != nil {
		return
	}
	m, _ := prof.Leg(geo.Point{Lat: v.at[1], Lon: v.at[0]}, geo.Point{Lat: to[1], Lon: to[0]})
	s.rep.KM += m / 1000
	v.at, v.used = to, true
}

// runStops has depot d's drivers do its stops due by now.
func (s *simDay) runStops(ctx context.Context, d int64, now time.Time) error {
	return runDueStops(ctx, s.db, s.svc, s.rng, s.opt.FailureRate, d, s.day, now, s.points, dueStops{
		known:  func(id int64) bool { return s.vehicles[id] != nil },
		arrive: func(st store.PlanStop, to orb.Point) { s.move(s.vehicles[st.VehicleID], to) },
		handOver: func(st store.PlanStop) {
			v := s.vehicles[st.VehicleID]
			s.move(v, s.depotPoint[d])
			for _, o := range v.onBoard {
				s.handedAt[o] = st.ArriveAt
			}
			v.onBoard = nil
		},
		picked: func(st store.PlanStop) {
			v := s.vehicles[st.VehicleID]
			v.onBoard = append(v.onBoard, st.OrderIDs...)
		},
		failed: func(st store.PlanStop) error { return s.failed(d, st) },
		replan: func() error { return s.replan(ctx, d, jobs.CausePickupFailed) },
	})
}

// failed counts a failed pickup at depot d's stop st: a failure too close
// to the deadline for any second visit (the household's retry delay, then
// the drive to the depot) makes its orders infeasible.
func (s *simDay) failed(d int64, st store.PlanStop) error {
	s.rep.PickupFailures++
	if st.HouseholdID == nil {
		return nil
	}
	prof, err := s.svc.Profile(s.vehicles[st.VehicleID].kind)
	if err != nil {
		return err
	}
	h, dp := s.points[*st.HouseholdID], s.depotPoint[d]
	_, back := prof.Leg(geo.Point{Lat: h[1], Lon: h[0]}, geo.Point{Lat: dp[1], Lon: dp[0]})
	earliest := st.ArriveAt.Add(jobs.RetryAfter + jobs.MinService + time.Duration(back)*time.Second)
	for _, o := range st.OrderIDs {
		if dl := s.deadlines[o]; !dl.IsZero() && dl.Before(earliest) && s.feasible[o] {
			s.lost[o] = true
		}
	}
	return nil
}

// breakDown breaks the vehicle with the most stops left down mid-morning;
// a rescue van takes its load to the depot within the hour.
func (s *simDay) breakDown(ctx context.Context, now time.Time) error {
	vid, depot, err := simBusiestVehicle(ctx, s.db, s.depots, s.day)
	if err != nil || vid == 0 {
		return err
	}
	if err := s.svc.ReportBreakdown(ctx, vid, "simulation"); err != nil {
		return err
	}
	s.rep.Breakdowns++
	v := s.vehicles[vid]
	for _, o := range v.onBoard {
		s.handedAt[o] = now.Add(time.Hour)
		s.rescued[o] = true
	}
	if _, err := s.svc.HandOver(ctx, v.onBoard, jobs.System("simulation:rescue")); err != nil {
		return err
	}
	v.onBoard = nil
	return s.replan(ctx, depot, jobs.CauseVehicleBroken)
}

// account counts the day's feasible orders by what became of them.
func (s *simDay) account(ctx context.Context) error {
	rep, feasible := s.rep, s.feasible
	for id := range s.postponed {
		delete(feasible, id)
	}
	// The strict count: every order the morning plans assigned in time,
	// less the households' own postponements and cancellations.
	strict := len(feasible)
	for id := range s.lost {
		if feasible[id] {
			rep.FailedTooLate++
			delete(feasible, id)
		}
	}
	cancelled, err := ordersWithStatus(ctx, s.db, thugom.OrderCancelled)
	if err != nil {
		return err
	}
	for _, id := range cancelled {
		delete(feasible, id)
	}
	// Orders not collected today whose deadline is tomorrow are not late:
	// tomorrow's plan collects them.
	for id := range feasible {
		if _, ok := s.handedAt[id]; !ok && !s.deadlines[id].IsZero() && !s.deadlines[id].Before(s.day.Add(24*time.Hour)) {
			rep.CarriedOver++
			delete(feasible, id)
		}
	}
	rep.FeasibleOrders = len(feasible)
	status, err := orderStatuses(ctx, s.db)
	if err != nil {
		return err
	}
	rep.NotCollectedBy = map[string]int{}
	for id := range feasible {
		at, ok := s.handedAt[id]
		switch {
		case !ok:
			rep.NotCollected++
			rep.NotCollectedBy[status[id]]++
		case s.deadlines[id].IsZero() || !at.After(s.deadlines[id]):
			rep.OnTime++
		default:
			rep.LateHandedOver++
			if s.rescued[id] {
				rep.LateRescued++
			}
		}
	}
	rep.Late = rep.LateHandedOver + rep.NotCollected
	rep.PlannedInTime = strict
	rep.OnTimeRate = rate(rep.OnTime, rep.FeasibleOrders)
	rep.OnTimeRateAll = rate(rep.OnTime, rep.Orders)
	rep.OnTimeRateStrict = rate(rep.OnTime, strict)
	for _, v := range s.vehicles {
		if v.used {
			rep.VehiclesUsed++
		}
	}
	rep.KM = math.Round(rep.KM*10) / 10
	rep.SMS, err = notificationsCount(ctx, s.db)
	return err
}

// rate is n / of rounded to four digits, 0 when of is 0.
func rate(n, of int) float64 {
	if of <= 0 {
		return 0
	}
	return math.Round(float64(n)/float64(of)*10000) / 10000
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

func gazetteer(deps jobs.Deps) *geo.Gazetteer {
	if deps.Geocoder != nil {
		return deps.Geocoder.Gazetteer()
	}
	return geo.Default().Gazetteer()
}
