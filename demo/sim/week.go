package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// WeekOptions configure a simulated harvest week.
type WeekOptions struct {
	Seed       uint64
	Households int       // demo households (default 3000)
	Days       int       // harvest days (default 7)
	Start      time.Time // first harvest day (default 2026-09-15)
	// FailureRate of pickups (default 0.10); Postponements households reply
	// "2" at 08:00 and Cancellations reply "0" at 09:00 each day (defaults
	// 5 and 3; negative for none); a vehicle breaks down at BreakdownAt
	// each day (default 10:30).
	FailureRate   float64
	Postponements int
	Cancellations int
	BreakdownAt   time.Duration
	// RainyDay (1-based) is the day travel is 40 % slower (default 3; 0
	// takes the default, negative for none).
	RainyDay int
	// EveningAt is when tomorrow's plans are made (default 17:00).
	EveningAt time.Duration
	// Iterations gives the solver's iterations per plan by the number of
	// orders the depot has on the day (default BudgetFor).
	Iterations func(orders int) int
	Step       time.Duration // simulated clock step (default 5 min)
	// DrainDays after the week collect what is still open (no new orders,
	// failures, breakdowns or replies; default 2, negative for none).
	DrainDays int
	Progress  func(string)
	// ExtraVehicles is a what-if: motorbikes added to depots (by depot
	// code) beyond the scenario's fleet. The report says so (WhatIf).
	ExtraVehicles map[string]int
	// Promises is how orders get their promise: PromisesPolicy (the
	// default: the marketplace's 24 h / 48 h) or PromisesQuoted (each
	// order first asks its carrier's quote, weekquotes.go).
	Promises string
	// NoCarriers leaves the carriers' fakes out (carriers.go): no
	// shipment is made and every delivery is thugom's estimate.
	// CarrierOutage takes both fakes down for its hours of the middle
	// harvest day (zero: never).
	NoCarriers    bool
	CarrierOutage Outage
}

// The week's promise modes (WeekOptions.Promises).
const (
	PromisesPolicy = "policy"
	PromisesQuoted = "quoted"
)

// BudgetFor is the default planning budget: solver iterations scaled to a
// depot's day (orders it plans), deterministic for a seed. Small depots
// converge in a thousand iterations; the largest get 6000 (a single day
// used to give every depot 16000). Re-plans get a ReplanShare of it.
func BudgetFor(orders int) int {
	switch {
	case orders <= 40:
		return 1000
	case orders <= 100:
		return 2000
	case orders <= 200:
		return 4000
	}
	return 6000
}

// BudgetsSaid says BudgetFor and ReplanShare (WeekReport.Budgets).
const BudgetsSaid = "solver iterations by the depot's orders on its last plan: ≤40 → 1000, ≤100 → 2000, ≤200 → 4000, more → 6000; re-plans a quarter (at least 300)"

// ReplanShare of a plan's iterations a re-plan gets: it starts from the
// plan it amends (routing's stability reference), so it needs fewer.
const ReplanShare = 4

// eachDepot runs f for the depots two at a time, the busiest first (by
// their orders on their last plan): depots share no orders or vehicles,
// and each plan is deterministic for its seed and iterations, so the order
// does not change the result. It returns the first error.
func eachDepot(depots []int64, orders map[int64]int, f func(d int64) error) error {
	order := append([]int64(nil), depots...)
	sort.SliceStable(order, func(a, b int) bool { return orders[order[a]] > orders[order[b]] })
	work := make(chan int64)
	errs := make(chan error, len(order))
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				if err := f(d); err != nil {
					errs <- fmt.Errorf("depot %d: %w", d, err)
				}
			}
		}()
	}
	for _, d := range order {
		work <- d
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs // the first error, or nil
}

// withDefaults fills the options left zero.
func (opt WeekOptions) withDefaults() WeekOptions {
	if opt.Households <= 0 {
		opt.Households = 3000
	}
	if opt.Days <= 0 {
		opt.Days = 7
	}
	if opt.Start.IsZero() {
		opt.Start = time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	}
	if opt.FailureRate == 0 {
		opt.FailureRate = 0.10
	}
	if opt.Postponements == 0 {
		opt.Postponements = 5
	}
	if opt.Cancellations == 0 {
		opt.Cancellations = 3
	}
	if opt.BreakdownAt == 0 {
		opt.BreakdownAt = 10*time.Hour + 30*time.Minute
	}
	if opt.RainyDay == 0 {
		opt.RainyDay = min(3, opt.Days)
	}
	if opt.EveningAt == 0 {
		opt.EveningAt = 17 * time.Hour
	}
	if opt.Iterations == nil {
		opt.Iterations = BudgetFor
	}
	if opt.Step <= 0 {
		opt.Step = 5 * time.Minute
	}
	if opt.DrainDays == 0 {
		opt.DrainDays = 2
	}
	if opt.Progress == nil {
		opt.Progress = func(string) {}
	}
	if opt.Promises == "" {
		opt.Promises = PromisesPolicy
	}
	return opt
}

// svcKey picks one of the week's services: the planner's iterations and
// travel profiles are the service's dependencies.
type svcKey struct {
	rain  bool
	iters int
}

// week is a simulated harvest week: its network, clock and services, and
// what its days count. The days run one after the other; within a day the
// depots' plans and stops run two at a time (eachDepot), so what they
// share is counted under mu.
type week struct {
	db       *store.DB
	deps     jobs.Deps
	opt      WeekOptions
	carriers *simCarriers // nil: NoCarriers
	start    time.Time
	horizon  int // harvest days, then at most DrainDays
	clk      *simClock

	mu       sync.Mutex // services, depotOrders, planTime, handedAt and the accounts
	services map[svcKey]*jobs.Service
	base     *jobs.Service // fair weather, default budget: imports, geocoding, repairs
	rng      *rand.Rand    // the week's orders and the households' replies
	// Each depot's drivers draw their failures from the depot's own
	// stream, so the depots' stops can run side by side and give the same
	// week whatever the order.
	depotRng map[int64]*rand.Rand

	seeded   *demo.Seeded
	orders   []weekOrder    // by placement time
	next     int            // orders[:next] are placed
	newToday map[int64]bool // depots with new orders for today since their last plan

	depots      []int64
	depotPoint  map[int64]orb.Point
	depotDeps   map[int64][]thugom.Departure
	vehicleKind map[int64]string
	points      map[int64]orb.Point // households'

	days        []Account
	after       *Account
	orderDay    map[int64]int
	readyAt     map[int64]time.Time // readiness the household gave when it placed the order
	policyBy    map[int64]time.Time // the marketplace's 24 h / 48 h promise, whatever the order got
	refused     map[string]int      // quotes refused (quoted mode), by reason
	impossible  map[int64]bool
	handedAt    map[int64]time.Time
	depotOrders map[int64]int  // orders per depot, last plan: the budget
	planned     map[int64]bool // depot → today's plan exists
	planTime    time.Duration
}

// RunWeek simulates Days harvest days on db (a fresh, migrated database)
// on one simulated clock: households sell through every day (more in the
// evening), each order comes in through the core's import at its hour,
// tomorrow's plans are made at EveningAt, re-plans follow new orders,
// failures, a breakdown a day and the households' answers; one day is
// rainy (travel 40 % slower). Every figure counts every order placed.
func RunWeek(ctx context.Context, db *store.DB, deps jobs.Deps, opt WeekOptions) (*WeekReport, error) {
	t0 := time.Now()
	if opt.Promises != "" && opt.Promises != PromisesPolicy && opt.Promises != PromisesQuoted {
		return nil, fmt.Errorf("promises %q: want %s or %s", opt.Promises, PromisesPolicy, PromisesQuoted)
	}
	w, err := newWeek(db, deps, opt.withDefaults())
	if err != nil {
		return nil, err
	}
	if w.carriers != nil {
		defer w.carriers.close()
		if err := w.carriers.start(ctx, w.clk.now()); err != nil {
			return nil, err
		}
	}
	rep, err := w.seed(ctx)
	if err != nil {
		return nil, err
	}
	if err := w.readNetwork(ctx, rep); err != nil {
		return nil, err
	}
	drained, err := w.run(ctx)
	if err != nil {
		return nil, err
	}
	if drained >= w.opt.Days {
		w.after.Day = fmt.Sprintf("%s…%s", jobs.DayString(w.dayOf(w.opt.Days)), jobs.DayString(w.dayOf(drained)))
		rep.After = w.after
	}
	if err := w.account(ctx, rep); err != nil {
		return nil, err
	}
	if w.carriers != nil {
		if err := w.carriers.report(ctx, rep); err != nil {
			return nil, err
		}
	}
	rep.Days = w.days
	rep.Total.PlanSeconds = math.Round(w.planTime.Seconds()*10) / 10
	rep.Budgets = BudgetsSaid
	rep.Elapsed = math.Round(time.Since(t0).Seconds()*10) / 10
	rep.Promises.WallSeconds = rep.Elapsed
	return rep, nil
}

// newWeek sets the week's clock (the evening before its first day) and
// its fair-weather service.
func newWeek(db *store.DB, deps jobs.Deps, opt WeekOptions) (*week, error) {
	w := &week{db: db, opt: opt, start: thugom.Day(opt.Start), horizon: opt.Days + max(0, opt.DrainDays),
		services: map[svcKey]*jobs.Service{}, newToday: map[int64]bool{},
		depotPoint: map[int64]orb.Point{}, depotDeps: map[int64][]thugom.Departure{}, vehicleKind: map[int64]string{},
		days: make([]Account, opt.Days), after: &Account{},
		orderDay: map[int64]int{}, readyAt: map[int64]time.Time{}, policyBy: map[int64]time.Time{}, refused: map[string]int{}, impossible: map[int64]bool{}, handedAt: map[int64]time.Time{},
		depotOrders: map[int64]int{}, planned: map[int64]bool{}, depotRng: map[int64]*rand.Rand{}}
	w.clk = &simClock{t: w.dayOf(-1).Add(8 * time.Hour)}
	deps.Clock = w.clk.now
	deps.Workers = 0
	deps.SLAWatchEvery = -1
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if !opt.NoCarriers {
		var from, to time.Time
		if o := opt.CarrierOutage; o != (Outage{}) {
			from, to = w.dayOf(opt.Days/2).Add(o.From), w.dayOf(opt.Days/2).Add(o.To)
		}
		var err error
		if w.carriers, err = newSimCarriers(db, &deps, opt.Seed, from, to); err != nil {
			return nil, err
		}
	}
	w.deps = deps
	for i := range w.days {
		w.days[i].Day = jobs.DayString(w.dayOf(i))
		w.days[i].Rainy = w.rainy(i)
	}
	var err error
	if w.base, err = w.service(false, opt.Iterations(0)); err != nil {
		return nil, err
	}
	w.rng = rand.New(rand.NewPCG(opt.Seed, 0x7765656b))
	return w, nil
}

func (w *week) dayOf(i int) time.Time { return w.start.AddDate(0, 0, i) }

func (w *week) rainy(i int) bool { return i+1 == w.opt.RainyDay }

// accOf is the account of day i: the days after the week share one, the
// evening before the week counts nowhere.
func (w *week) accOf(i int) *Account {
	switch {
	case i < 0:
		return &Account{}
	case i >= w.opt.Days:
		return w.after
	}
	return &w.days[i]
}

// service returns the week's service for the weather and budget, made the
// first time it is asked for.
func (w *week) service(rain bool, iters int) (*jobs.Service, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := svcKey{rain, iters}
	if s := w.services[k]; s != nil {
		return s, nil
	}
	d := w.deps
	d.PlanIterations = iters
	d.Registerer = prometheus.NewRegistry()
	if rain {
		d.Profiles = map[string]geo.Profile{}
		for kind, p := range map[string]geo.Profile{thugom.VehicleMotorbike: geo.Motorbike, thugom.VehicleVan: geo.Van} {
			if w.deps.Profiles != nil {
				if q, ok := w.deps.Profiles[kind]; ok {
					p = q
				}
			}
			p.SpeedKmh /= 1.4 // travel 40 % slower
			d.Profiles[kind] = p
		}
	}
	s, err := jobs.New(w.db, d)
	if err != nil {
		return nil, err
	}
	w.services[k] = s
	return s, nil
}

// seed puts the demo's network and households in the database (its orders
// come in over the week: w.orders) and geocodes the households.
func (w *week) seed(ctx context.Context) (*WeekReport, error) {
	sc, err := demo.Build(gazetteer(w.deps), demo.Options{Seed: w.opt.Seed, Households: w.opt.Households, Day: w.start})
	if err != nil {
		return nil, err
	}
	first := sc.Orders
	whatIf, err := addVehicles(sc, w.opt.ExtraVehicles)
	if err != nil {
		return nil, err
	}
	seedSc := *sc
	seedSc.Orders = nil
	if err := w.db.InTx(ctx, func(tx pgx.Tx) error {
		w.seeded, err = demo.Seed(ctx, tx, &seedSc, w.clk.now())
		return err
	}); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	for _, id := range w.seeded.HouseholdIDs {
		if _, err := w.base.GeocodeHousehold(ctx, id); err != nil {
			return nil, err
		}
	}
	rep := &WeekReport{Seed: w.opt.Seed, Households: len(w.seeded.HouseholdIDs), Depots: len(w.seeded.DepotIDs), WhatIf: whatIf}
	w.orders = weekOrders(sc, first, w.opt.Days, w.rng)
	w.opt.Progress(fmt.Sprintf("seeded %d households, %d depots; %d orders over %d days", rep.Households, rep.Depots, len(w.orders), w.opt.Days))
	return rep, nil
}

// readNetwork reads the depots (their place, line-haul departures and
// vehicles) and the households' places the week drives between.
func (w *week) readNetwork(ctx context.Context, rep *WeekReport) error {
	w.depots = w.seeded.DepotIDs
	for _, d := range w.depots {
		dp, err := store.DepotByID(ctx, w.db, d)
		if err != nil {
			return err
		}
		w.depotPoint[d] = dp.Point
		rep.Depot = append(rep.Depot, dp.Point)
		if w.depotDeps[d], err = store.DeparturesOfDepot(ctx, w.db, d); err != nil {
			return err
		}
		vs, err := store.VehiclesOfDepot(ctx, w.db, d)
		if err != nil {
			return err
		}
		for _, v := range vs {
			w.vehicleKind[v.ID] = v.Kind
		}
	}
	var err error
	if w.points, err = store.HouseholdPoints(ctx, w.db, w.seeded.HouseholdIDs); err != nil {
		return err
	}
	for _, d := range w.depots {
		w.depotRng[d] = rand.New(rand.NewPCG(w.opt.Seed, 0x73746f70<<20|uint64(d)))
	}
	return nil
}

// run runs the evening before the week, its days and then the drain days
// until nothing is left to collect. It returns the last day run.
func (w *week) run(ctx context.Context) (int, error) {
	drained := -1
	// Each simulated day's wall time (05:30 to 05:30, its evening's plans
	// of the next day included; the evening before the week is day 1's).
	wallDay, wallFrom := -2, time.Time{}
	wall := func() {
		if wallDay >= -1 {
			w.accOf(max(wallDay, 0)).WallSeconds += time.Since(wallFrom).Seconds()
		}
	}
	for i := -1; i < w.horizon; i++ {
		wall()
		wallDay, wallFrom = i, time.Now()
		if i >= w.opt.Days {
			open, err := openOrders(ctx, w.db)
			if err != nil {
				return drained, err
			}
			if open == 0 {
				break
			}
		}
		drained = i
		if err := w.runDay(ctx, i); err != nil {
			return drained, err
		}
	}
	wall()
	return drained, nil
}

// plan plans (or re-plans) depot d's day i with the budget its orders on
// its last plan give, and counts it.
func (w *week) plan(ctx context.Context, d int64, i int, req jobs.PlanRequest) error {
	w.mu.Lock()
	n := w.opt.Iterations(w.depotOrders[d])
	w.mu.Unlock()
	if req.Replan && n > 0 {
		n = max(300, n/ReplanShare)
	}
	s, err := w.service(w.rainy(i), n)
	if err != nil {
		return err
	}
	t := time.Now()
	r, err := s.PlanDepotDay(ctx, d, w.dayOf(i), req)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.planTime += time.Since(t)
	if err != nil {
		return err
	}
	if !r.Skipped {
		w.depotOrders[d] = r.Stats.Orders
		w.accOf(i).PlannedLate += r.Stats.Late
		if req.Replan {
			w.accOf(i).Replans++
		}
	}
	return nil
}

// planAll plans every depot's day, two at a time (depots do not share
// orders or vehicles, and each plan is deterministic for its seed and
// iterations, so the order does not change the result), the largest
// first.
func (w *week) planAll(ctx context.Context, i int, req func(d int64) jobs.PlanRequest) error {
	return eachDepot(w.depots, w.depotOrders, func(d int64) error { return w.plan(ctx, d, i, req(d)) })
}

// importDue places, through the core, the orders whose placement time has
// come (with the policy promise, or each with its quote), and notes which
// depots have new orders for today.
func (w *week) importDue(ctx context.Context, now time.Time) error {
	var batch []weekOrder
	for w.next < len(w.orders) && !w.orders[w.next].order.PlacedAt.After(now) {
		batch = append(batch, w.orders[w.next])
		w.next++
	}
	if len(batch) == 0 {
		return nil
	}
	place := w.placePolicy
	if w.opt.Promises == PromisesQuoted {
		place = w.placeQuoted
	}
	ids, err := place(ctx, batch, now)
	if err != nil {
		return err
	}
	for i, id := range ids {
		o := batch[i].order
		w.orderDay[id] = batch[i].day
		w.policyBy[id] = o.PlacedAt.Add(time.Duration(o.PromiseHours) * time.Hour)
		if r := o.ReadyFrom; r != nil {
			w.readyAt[id] = *r
		}
	}
	placed, err := ordersPlaced(ctx, w.db, ids)
	if err != nil {
		return err
	}
	for _, o := range placed {
		w.impossible[o.id] = o.atRisk
		if thugom.Day(now).Equal(w.dayOf(w.orderDay[o.id])) {
			w.newToday[o.depot] = true
		}
	}
	return nil
}

// placePolicy places the batch with the marketplace's promises, in one
// import, and geocodes its households (the geocoding job's work: the
// orders get their depots). It returns the orders' ids, as the batch.
func (w *week) placePolicy(ctx context.Context, batch []weekOrder, _ time.Time) ([]int64, error) {
	nos := make([]thugom.NewOrder, len(batch))
	for i, o := range batch {
		nos[i] = o.order
	}
	res, err := w.base.ImportOrders(ctx, nos, false, jobs.System("simulation:marketplace"))
	if err != nil {
		return nil, fmt.Errorf("import orders: %w", err)
	}
	geocoded := map[int64]bool{}
	for i := range res.OrderIDs {
		h := w.seeded.HouseholdIDs[batch[i].household]
		if !geocoded[h] {
			geocoded[h] = true
			if _, err := w.base.GeocodeHousehold(ctx, h); err != nil {
				return nil, err
			}
		}
	}
	return res.OrderIDs, nil
}

func hhmm(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
}
