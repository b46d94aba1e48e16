package sim

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
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
}

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

// ReplanShare of a plan's iterations a re-plan gets: it starts from the
// plan it amends (routing's stability reference), so it needs fewer.
const ReplanShare = 4

// Account is what a day (or the week) gives, measured on every order
// placed: Placed = WithinPromise + Late + NeverCollected + Cancelled.
type Account struct {
	Day            string `json:"day,omitempty"`
	Rainy          bool   `json:"rainy,omitempty"`
	Placed         int    `json:"placed"`
	Cancelled      int    `json:"cancelled"`
	WithinPromise  int    `json:"within_promise"`
	Late           int    `json:"late"`
	NeverCollected int    `json:"never_collected"`
	// NeverCollectedBy counts the never collected orders by final status.
	NeverCollectedBy map[string]int `json:"never_collected_by_status,omitempty"`
	// LateBy counts the late orders by cause: promise_unreachable (no plan
	// could meet it: the produce is ready too late for the line-haul its
	// promise needs, even fetched at once by the fastest vehicle, judged
	// on the readiness given at placement), after_failed_pickup,
	// household_later (postponed, or ready later than first said),
	// later_day (collected on a day after its own),
	// same_day (collected on its day, after the cutoff it needed).
	LateBy map[string]int `json:"late_by_cause,omitempty"`
	// WithinPromiseRate is WithinPromise / (Placed − Cancelled).
	WithinPromiseRate float64 `json:"within_promise_rate"`
	// Unreachable counts the orders no plan could have kept within their
	// promise (late_by_cause's promise_unreachable), and
	// WithinReachableRate is WithinPromise / (Placed − Cancelled −
	// Unreachable): how well planning did with what it could do. The
	// honest rate is WithinPromiseRate; 1 − Unreachable / (Placed −
	// Cancelled) is the best any plan could give on this network.
	Unreachable int `json:"promise_unreachable"`
	// NoDeparture of those had no line-haul truck at all that reaches the
	// buyer within the promise, even handed over the minute the order was
	// placed: only the network (its trucks and their hours) could keep them.
	NoDeparture         int     `json:"promise_unreachable_no_departure"`
	WithinReachableRate float64 `json:"within_promise_of_reachable_rate"`
	BestPossibleRate    float64 `json:"within_promise_best_possible_rate"`
	// Lateness of late orders at the buyer (estimated delivery by the
	// line-haul departure the handover makes, less the promise), minutes.
	LateMinutesP50 float64 `json:"late_minutes_p50"`
	LateMinutesP95 float64 `json:"late_minutes_p95"`
	LateMinutesMax float64 `json:"late_minutes_max"`
	LateHistogram  []int   `json:"late_histogram"` // by LateBins
	// Produce age at handover, from the time the household said it is
	// ready (ready_from, or placement when later) to the handover at the
	// depot, minutes.
	AgeP50 float64 `json:"age_at_handover_p50_min"`
	AgeP95 float64 `json:"age_at_handover_p95_min"`
	AgeMax float64 `json:"age_at_handover_max_min"`
	// AgeHistogram by AgeBins (hours).
	AgeHistogram []int `json:"age_histogram"`
	// Orders placed at risk (their promise impossible whatever the plan)
	// and of those, collected on their first possible day (their own day,
	// or the day the household postponed them to).
	ImpossibleAtPlacement int     `json:"impossible_at_placement"`
	ImpossibleFirstDay    int     `json:"impossible_collected_first_day"`
	ImpossibleFirstDayRt  float64 `json:"impossible_collected_first_day_rate"`
	// Notice: orders known by 17:00 the day before their pickup day, and
	// of those, the ones whose household had its window ≥ 12 h ahead.
	KnownBy17           int     `json:"known_by_17"`
	WindowNotice12h     int     `json:"window_notice_12h"`
	WindowNotice12hRate float64 `json:"window_notice_12h_rate"`
	NoticeP50Hours      float64 `json:"notice_p50_hours"`
	// NightSMS are the messages due to leave between 21:00 and 06:30 (week
	// total only), NightSMSNonUrgent those that could have waited (no
	// pickup before 07:30 the next morning): the target is none.
	NightSMS          int     `json:"night_sms,omitempty"`
	NightSMSNonUrgent int     `json:"night_sms_non_urgent"`
	Postponed         int     `json:"postponed"`
	PickupFailures    int     `json:"pickup_failures"`
	Breakdowns        int     `json:"breakdowns"`
	Replans           int     `json:"replans"`
	BorrowedVehicles  int     `json:"borrowed_vehicles"` // from a neighbouring depot, used (borrow.go)
	PlannedLate       int     `json:"planned_late"`
	KgCollected       float64 `json:"kg_collected"`
	KM                float64 `json:"km"`
	Litres            float64 `json:"litres"`
	KMPerKg           float64 `json:"km_per_kg"`
	LitresPerKg       float64 `json:"litres_per_kg"`
	VehiclesUsed      int     `json:"vehicles_used"`
	DriverHours       float64 `json:"driver_hours"`
	SMS               int     `json:"sms"`
	PlanSeconds       float64 `json:"plan_seconds"`
	// WallSeconds is the wall time the simulation took for the day.
	WallSeconds float64 `json:"wall_seconds"`
	// DropOffs counts the households that agreed to bring their produce to
	// their commune's drop-off point (demo/sim/dropoff.go).
	DropOffs int `json:"drop_offs"`
}

// LateBins are the lateness histogram's upper bounds in minutes (the last
// bin is everything above).
var LateBins = []int{30, 60, 120, 240, 480, 1440}

// AgeBins are the age histogram's upper bounds in hours.
var AgeBins = []int{2, 4, 6, 8, 10, 12, 24, 48}

// LateOrder is where a late or never-collected order was, for the map.
type LateOrder struct {
	Lon, Lat   float64
	LateMin    float64 // 0 when never collected
	Never      bool
	DayIndex   int
	HouseholdV string `json:"-"`
}

// WeekReport is a harvest week's account.
type WeekReport struct {
	Seed       uint64    `json:"seed"`
	Households int       `json:"households"`
	Depots     int       `json:"depots"`
	Days       []Account `json:"days"`
	Total      Account   `json:"total"`
	// After is what the days after the week took (no new orders: the
	// week's last orders still to collect, up to DrainDays): its km,
	// vehicles, SMS and failures count in Total; its orders count on their
	// own days.
	After   *Account `json:"after_week,omitempty"`
	Budgets string   `json:"planning_budgets"`
	// WhatIf says how the run's network differs from the scenario's
	// (empty: it does not).
	WhatIf     string      `json:"what_if,omitempty"`
	LateOrders []LateOrder `json:"-"` // for the HTML map
	// Orders are every order's outcome, for WriteOrdersCSV.
	Orders  []OrderOutcome `json:"-"`
	Depot   []orb.Point    `json:"-"`
	Elapsed float64        `json:"elapsed_seconds"`
}

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

// addVehicles adds motorbikes to depots for a what-if run: like the
// depot's own first motorbike, each with a driver. It says what it added.
func addVehicles(sc *demo.Scenario, extra map[string]int) (string, error) {
	codes := make([]string, 0, len(extra))
	for c := range extra {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var said []string
	for _, code := range codes {
		n := extra[code]
		i := slices.IndexFunc(sc.Depots, func(d demo.DepotSpec) bool { return d.Depot.Code == code })
		if i < 0 {
			return "", fmt.Errorf("what-if: no depot %q", code)
		}
		if n <= 0 || n > 20 {
			return "", fmt.Errorf("what-if: %d vehicles for %s, want 1 to 20", n, code)
		}
		ds := &sc.Depots[i]
		k := slices.IndexFunc(ds.Vehicles, func(v demo.VehicleSpec) bool { return v.Vehicle.Kind == thugom.VehicleMotorbike })
		if k < 0 {
			return "", fmt.Errorf("what-if: %s has no motorbike to copy", code)
		}
		for j := 0; j < n; j++ {
			v := ds.Vehicles[k]
			v.Vehicle.Code = fmt.Sprintf("%s-XT%02d", strings.TrimPrefix(strings.TrimPrefix(code, "VNP-"), "VTP-"), j+1)
			v.Driver.Name = fmt.Sprintf("Lái xe tăng cường %d", j+1)
			v.Driver.Phone = fmt.Sprintf("+84999%04d%02d", i, j)
			ds.Vehicles = append(ds.Vehicles, v)
		}
		said = append(said, fmt.Sprintf("+%d motorbike(s) at %s (%s)", n, ds.Depot.Name, code))
	}
	return strings.Join(said, ", "), nil
}

// OrderOutcome is what became of one order in the week: Outcome is
// within_promise, late (with its Cause, as in Account.LateBy),
// never_collected or cancelled; Handed is its handover at the depot and
// Delivered the estimated delivery to the buyer (zero when not collected);
// Impossible says its promise was lost at placement and FirstDay that it
// was collected on its first possible day (its own, or the one the
// household postponed it to).
type OrderOutcome struct {
	ID, Depot            int64
	Day                  int // 1-based day of the week
	Placed, Promised     time.Time
	Ready                *time.Time
	Handed, Delivered    time.Time
	Outcome, Cause       string
	LateMin              float64
	Impossible, FirstDay bool
}

// WriteOrdersCSV writes every order's outcome, one line each (local
// times), for whoever wants to check the report's counts.
func WriteOrdersCSV(w io.Writer, rep *WeekReport) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"order_id", "depot_id", "day", "placed_at", "promised_by", "ready_from", "handed_over_at", "delivered_est", "outcome", "late_cause", "late_min", "impossible_at_placement", "collected_first_day"})
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(thugom.Local).Format("2006-01-02 15:04")
	}
	for _, o := range rep.Orders {
		ready := ""
		if o.Ready != nil {
			ready = ts(*o.Ready)
		}
		late := ""
		if o.Outcome == "late" {
			late = strconv.FormatFloat(math.Round(o.LateMin), 'f', 0, 64)
		}
		if err := cw.Write([]string{strconv.FormatInt(o.ID, 10), strconv.FormatInt(o.Depot, 10), strconv.Itoa(o.Day), ts(o.Placed), ts(o.Promised),
			ready, ts(o.Handed), ts(o.Delivered), o.Outcome, o.Cause, late, strconv.FormatBool(o.Impossible), strconv.FormatBool(o.FirstDay)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Litres per km by vehicle kind (motorbike ~2.2 L/100 km, small van ~9).
var litresPerKm = map[string]float64{thugom.VehicleMotorbike: 0.022, thugom.VehicleVan: 0.09}

type weekOrder struct {
	day       int // pickup day index
	household int // index into the scenario's households
	order     thugom.NewOrder
}

// RunWeek simulates Days harvest days on db (a fresh, migrated database)
// on one simulated clock: households sell through every day (more in the
// evening), each order comes in through the core's import at its hour,
// tomorrow's plans are made at EveningAt, re-plans follow new orders,
// failures, a breakdown a day and the households' answers; one day is
// rainy (travel 40 % slower). Every figure counts every order placed.
func RunWeek(ctx context.Context, db *store.DB, deps jobs.Deps, opt WeekOptions) (*WeekReport, error) {
	t0 := time.Now()
	if opt.Households <= 0 {
		opt.Households = 3000
	}
	if opt.Days <= 0 {
		opt.Days = 7
	}
	if opt.Start.IsZero() {
		opt.Start = time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	}
	start := thugom.Day(opt.Start)
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
	horizon := opt.Days + max(0, opt.DrainDays)
	progress := opt.Progress
	if progress == nil {
		progress = func(string) {}
	}
	dayOf := func(i int) time.Time { return start.AddDate(0, 0, i) }
	clk := &simClock{t: dayOf(-1).Add(8 * time.Hour)}
	deps.Clock = clk.now
	deps.Workers = 0
	deps.SLAWatchEvery = -1
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	// One service per (weather, budget): the planner's iterations and
	// travel profiles are the service's dependencies.
	type svcKey struct {
		rain  bool
		iters int
	}
	services := map[svcKey]*jobs.Service{}
	var mu sync.Mutex // services, depotOrders, the accounts: plans run two at a time
	service := func(rain bool, iters int) (*jobs.Service, error) {
		mu.Lock()
		defer mu.Unlock()
		k := svcKey{rain, iters}
		if s := services[k]; s != nil {
			return s, nil
		}
		d := deps
		d.PlanIterations = iters
		d.Registerer = prometheus.NewRegistry()
		if rain {
			d.Profiles = map[string]geo.Profile{}
			for kind, p := range map[string]geo.Profile{thugom.VehicleMotorbike: geo.Motorbike, thugom.VehicleVan: geo.Van} {
				if deps.Profiles != nil {
					if q, ok := deps.Profiles[kind]; ok {
						p = q
					}
				}
				p.SpeedKmh /= 1.4 // travel 40 % slower
				d.Profiles[kind] = p
			}
		}
		s, err := jobs.New(db, d)
		if err != nil {
			return nil, err
		}
		services[k] = s
		return s, nil
	}
	rainy := func(i int) bool { return i+1 == opt.RainyDay }
	base, err := service(false, opt.Iterations(0))
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x7765656b))

	// The network and households of the demo; orders come in over the week.
	sc, err := demo.Build(gazetteer(deps), demo.Options{Seed: opt.Seed, Households: opt.Households, Day: start})
	if err != nil {
		return nil, err
	}
	first := sc.Orders
	whatIf, err := addVehicles(sc, opt.ExtraVehicles)
	if err != nil {
		return nil, err
	}
	seedSc := *sc
	seedSc.Orders = nil
	var seeded *demo.Seeded
	if err := db.InTx(ctx, func(tx pgx.Tx) error {
		seeded, err = demo.Seed(ctx, tx, &seedSc, clk.now())
		return err
	}); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	for _, id := range seeded.HouseholdIDs {
		if _, err := base.GeocodeHousehold(ctx, id); err != nil {
			return nil, err
		}
	}
	rep := &WeekReport{Seed: opt.Seed, Households: len(seeded.HouseholdIDs), Depots: len(seeded.DepotIDs), WhatIf: whatIf}
	orders := weekOrders(sc, first, seeded, opt.Days, rng)
	progress(fmt.Sprintf("seeded %d households, %d depots; %d orders over %d days", rep.Households, rep.Depots, len(orders), opt.Days))

	depots := seeded.DepotIDs
	depotPoint := map[int64]orb.Point{}
	depotDeps := map[int64][]thugom.Departure{}
	vehicleKind := map[int64]string{}
	for _, d := range depots {
		dp, err := store.DepotByID(ctx, db, d)
		if err != nil {
			return nil, err
		}
		depotPoint[d] = dp.Point
		rep.Depot = append(rep.Depot, dp.Point)
		if depotDeps[d], err = store.DeparturesOfDepot(ctx, db, d); err != nil {
			return nil, err
		}
		vs, err := store.VehiclesOfDepot(ctx, db, d)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			vehicleKind[v.ID] = v.Kind
		}
	}
	points, err := simHouseholdPoints(ctx, db)
	if err != nil {
		return nil, err
	}

	days := make([]Account, opt.Days)
	after := &Account{}
	accOf := func(i int) *Account {
		switch {
		case i < 0:
			return &Account{}
		case i >= opt.Days:
			return after
		}
		return &days[i]
	}
	for i := range days {
		days[i].Day = jobs.DayString(dayOf(i))
		days[i].Rainy = rainy(i)
	}
	orderDay := map[int64]int{}
	readyAt := map[int64]time.Time{} // readiness the household gave when it placed the order
	impossible := map[int64]bool{}
	handedAt := map[int64]time.Time{}
	depotOrders := map[int64]int{} // orders per depot, last plan: the budget
	var planTime time.Duration
	planSvc := func(d int64, i int, replan bool) (*jobs.Service, error) {
		mu.Lock()
		n := opt.Iterations(depotOrders[d])
		mu.Unlock()
		if replan && n > 0 {
			n = max(300, n/ReplanShare)
		}
		return service(rainy(i), n)
	}
	planned := map[int64]bool{} // depot → today's plan exists
	plan := func(d int64, i int, req jobs.PlanRequest) error {
		s, err := planSvc(d, i, req.Replan)
		if err != nil {
			return err
		}
		t := time.Now()
		r, err := s.PlanDepotDay(ctx, d, dayOf(i), req)
		mu.Lock()
		defer mu.Unlock()
		planTime += time.Since(t)
		if err != nil {
			return err
		}
		if !r.Skipped {
			depotOrders[d] = r.Stats.Orders
			accOf(i).PlannedLate += r.Stats.Late
			if req.Replan {
				accOf(i).Replans++
			}
		}
		return nil
	}

	// planAll plans every depot's day, two at a time (depots do not share
	// orders or vehicles, and each plan is deterministic for its seed and
	// iterations, so the order does not change the result), the largest
	// first.
	planAll := func(i int, req func(d int64) jobs.PlanRequest) error {
		return eachDepot(depots, depotOrders, func(d int64) error { return plan(d, i, req(d)) })
	}
	// Each depot's drivers draw their failures from the depot's own
	// stream, so the depots' stops can run side by side and give the same
	// week whatever the order.
	depotRng := map[int64]*rand.Rand{}
	for _, d := range depots {
		depotRng[d] = rand.New(rand.NewPCG(opt.Seed, 0x73746f70<<20|uint64(d)))
	}

	// Imports: the orders whose placement time has come, through the core.
	next := 0
	newToday := map[int64]bool{} // depots with new orders for today since their last plan
	importDue := func(now time.Time) error {
		var batch []weekOrder
		for next < len(orders) && !orders[next].order.PlacedAt.After(now) {
			batch = append(batch, orders[next])
			next++
		}
		if len(batch) == 0 {
			return nil
		}
		nos := make([]thugom.NewOrder, len(batch))
		for i, o := range batch {
			nos[i] = o.order
		}
		res, err := base.ImportOrders(ctx, nos, false, jobs.System("simulation:marketplace"))
		if err != nil {
			return fmt.Errorf("import orders: %w", err)
		}
		geocoded := map[int64]bool{}
		for i, id := range res.OrderIDs {
			orderDay[id] = batch[i].day
			if r := batch[i].order.ReadyFrom; r != nil {
				readyAt[id] = *r
			}
			h := seeded.HouseholdIDs[batch[i].household]
			if !geocoded[h] {
				geocoded[h] = true
				if _, err := base.GeocodeHousehold(ctx, h); err != nil {
					return err
				}
			}
		}
		rows, err := db.Query(ctx, store.Query("SimPlacedOrders"), res.OrderIDs)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, depot int64
			var risk bool
			if err := rows.Scan(&id, &depot, &risk); err != nil {
				return err
			}
			impossible[id] = risk
			if thugom.Day(now).Equal(dayOf(orderDay[id])) {
				newToday[depot] = true
			}
		}
		return rows.Err()
	}

	type vstate struct {
		at          orb.Point
		onBoard     []int64
		first, last time.Time
		km          float64
	}
	drained := -1 // the last day run
	// Each simulated day's wall time (05:30 to 05:30, its evening's plans
	// of the next day included; the evening before the week is day 1's).
	wallDay, wallFrom := -2, time.Time{}
	wall := func() {
		if wallDay >= -1 {
			accOf(max(wallDay, 0)).WallSeconds += time.Since(wallFrom).Seconds()
		}
	}
	for i := -1; i < horizon; i++ {
		wall()
		wallDay, wallFrom = i, time.Now()
		if i >= opt.Days {
			open, err := simOpenOrders(ctx, db)
			if err != nil {
				return nil, err
			}
			if open == 0 {
				break
			}
		}
		drained = i
		day := dayOf(i)
		var vehicles map[int64]*vstate
		var svc *jobs.Service
		if i >= 0 {
			vehicles = map[int64]*vstate{}
			for _, d := range depots {
				vs, err := store.VehiclesOfDepot(ctx, db, d)
				if err != nil {
					return nil, err
				}
				for _, v := range vs {
					vehicles[v.ID] = &vstate{at: depotPoint[d]}
				}
			}
			if svc, err = service(rainy(i), opt.Iterations(0)); err != nil {
				return nil, err
			}
		}
		acc := func() *Account { return accOf(i) }
		harvest := i >= 0 && i < opt.Days // new orders, replies and a breakdown
		move := func(v *vstate, vid int64, to orb.Point, at time.Time) {
			prof, err := base.Profile(vehicleKind[vid])
			if err != nil {
				return
			}
			m, _ := prof.Leg(geo.Point{Lat: v.at[1], Lon: v.at[0]}, geo.Point{Lat: to[1], Lon: to[0]})
			v.km += m / 1000
			v.at = to
			if v.first.IsZero() {
				v.first = at
			}
			v.last = at
		}
		replan := func(d int64, cause string) error {
			return plan(d, i, jobs.PlanRequest{Replan: true, Cause: cause, RequestedAt: clk.now()})
		}
		postponed, cancelled, broke := false, false, false
		begin := day.Add(5*time.Hour + 30*time.Minute)
		if i < 0 {
			begin = day.Add(8 * time.Hour)
		}
		end := day.Add(24*time.Hour + 5*time.Hour + 30*time.Minute)
		for clk.t = begin; clk.t.Before(end); clk.t = clk.t.Add(opt.Step) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			now := clk.t
			since := now.Sub(day)
			if err := importDue(now); err != nil {
				return nil, err
			}
			if i >= 0 && since == 5*time.Hour+30*time.Minute {
				// The morning: today's plans take the night's orders.
				if err := planAll(i, func(d int64) jobs.PlanRequest {
					return jobs.PlanRequest{Replan: planned[d], Cause: "morning", RequestedAt: now}
				}); err != nil {
					return nil, err
				}
				if err := acceptDropOffs(ctx, base, depots, day, acc(), func(d int64) error { return replan(d, jobs.CauseDropOff) }); err != nil {
					return nil, err
				}
				if err := borrowForFullFleets(ctx, db, base, depots, day, acc(), func(d int64) error { return plan(d, i, jobs.PlanRequest{Replan: true, Cause: jobs.CauseBorrowed}) }); err != nil {
					return nil, err
				}
				newToday = map[int64]bool{}
				progress(fmt.Sprintf("%s 05:30: morning plans; %d orders in so far", jobs.DayString(day), next))
			}
			// Orders for today that came in during the morning: re-plan at
			// the hour, 06:00–14:00.
			if i >= 0 && since%time.Hour == 0 && since >= 6*time.Hour && since <= 14*time.Hour {
				var due []int64
				for _, d := range depots {
					if newToday[d] {
						due = append(due, d)
					}
				}
				if err := eachDepot(due, depotOrders, func(d int64) error { return replan(d, "new_orders") }); err != nil {
					return nil, err
				}
				newToday = map[int64]bool{}
			}
			if i >= 0 && since >= 6*time.Hour && since <= 21*time.Hour {
				// Depots side by side: a vehicle's state is its depot's
				// alone (a borrowed one is on the borrower's plan only);
				// what they share is counted under mu.
				err := eachDepot(depots, depotOrders, func(d int64) error {
					return runDueStops(ctx, db, svc, depotRng[d], opt.FailureRate, d, day, now, points, dueStops{
						known:  func(id int64) bool { return vehicles[id] != nil },
						arrive: func(st store.PlanStop, to orb.Point) { move(vehicles[st.VehicleID], st.VehicleID, to, st.ArriveAt) },
						handOver: func(st store.PlanStop) {
							v := vehicles[st.VehicleID]
							move(v, st.VehicleID, depotPoint[d], st.ArriveAt)
							mu.Lock()
							for _, o := range v.onBoard {
								handedAt[o] = st.ArriveAt
							}
							mu.Unlock()
							v.onBoard = nil
						},
						picked: func(st store.PlanStop) {
							v := vehicles[st.VehicleID]
							v.onBoard = append(v.onBoard, st.OrderIDs...)
						},
						failed: func(store.PlanStop) error { mu.Lock(); acc().PickupFailures++; mu.Unlock(); return nil },
						replan: func() error { return replan(d, jobs.CausePickupFailed) },
					})
				})
				if err != nil {
					return nil, err
				}
			}
			if harvest && !postponed && since >= 8*time.Hour {
				postponed = true
				n, err := simReply(ctx, svc, db, day, opt.Postponements, "2", jobs.InboundPostponed, rng, replan)
				if err != nil {
					return nil, err
				}
				acc().Postponed += n
			}
			if harvest && !cancelled && since >= 9*time.Hour {
				cancelled = true
				if _, err := simReply(ctx, svc, db, day, opt.Cancellations, "0", jobs.InboundCancelled, rng, replan); err != nil {
					return nil, err
				}
			}
			if harvest && !broke && since >= opt.BreakdownAt {
				broke = true
				vid, depot, err := simBusiestVehicle(ctx, db, depots, day)
				if err != nil {
					return nil, err
				}
				if vid != 0 {
					if err := svc.ReportBreakdown(ctx, vid, "simulation"); err != nil {
						return nil, err
					}
					acc().Breakdowns++
					v := vehicles[vid]
					for _, o := range v.onBoard {
						handedAt[o] = now.Add(time.Hour)
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
			if i >= 0 && since == 21*time.Hour {
				// The day's end: anything still on board is handed over;
				// the broken vehicles are back tomorrow.
				var left []int64
				for _, v := range vehicles {
					for _, o := range v.onBoard {
						handedAt[o] = now
					}
					left = append(left, v.onBoard...)
					v.onBoard = nil
				}
				if len(left) > 0 {
					if _, err := svc.HandOver(ctx, left, jobs.System("simulation:evening")); err != nil {
						return nil, err
					}
				}
				for _, v := range vehicles {
					if !v.first.IsZero() {
						acc().VehiclesUsed++
						acc().DriverHours += v.last.Sub(v.first).Hours()
					}
				}
				for vid, v := range vehicles {
					acc().KM += v.km
					acc().Litres += v.km * litresPerKm[vehicleKind[vid]]
				}
			}
			if i >= 0 && since >= 6*time.Hour && since <= 21*time.Hour && since%(30*time.Minute) == 0 {
				if _, err := svc.WatchSLA(ctx); err != nil {
					return nil, err
				}
			}
			// Tomorrow's plans, the evening before.
			if since == opt.EveningAt && i+1 < horizon {
				// The day's broken vehicles are repaired by the evening.
				if err := repairAll(ctx, db, base, depots); err != nil {
					return nil, err
				}
				if err := planAll(i+1, func(int64) jobs.PlanRequest { return jobs.PlanRequest{Cause: "evening"} }); err != nil {
					return nil, err
				}
				for _, d := range depots {
					planned[d] = true
				}
				if err := borrowForFullFleets(ctx, db, base, depots, dayOf(i+1), accOf(i+1), func(d int64) error { return plan(d, i+1, jobs.PlanRequest{Replan: true, Cause: jobs.CauseBorrowed}) }); err != nil {
					return nil, err
				}
				if err := acceptDropOffs(ctx, base, depots, dayOf(i+1), accOf(i+1), func(d int64) error {
					return plan(d, i+1, jobs.PlanRequest{Replan: true, Cause: jobs.CauseDropOff, RequestedAt: clk.now()})
				}); err != nil {
					return nil, err
				}
				progress(fmt.Sprintf("%s %s: tomorrow's plans made; %d orders in so far", jobs.DayString(day), hhmm(opt.EveningAt), next))
			}
		}
	}
	wall()
	// The earliest an order could be at its depot: a motorbike at the
	// household when the produce is ready (or as soon as its 06:30 shift
	// lets it be there), driving straight back (travel 40 % slower on the
	// rainy day).
	earliest := func(depot, household int64, from time.Time, i int) time.Time {
		prof, err := base.Profile(thugom.VehicleMotorbike)
		if err != nil {
			return from
		}
		d, h := depotPoint[depot], points[household]
		_, leg := prof.Leg(geo.Point{Lat: d[1], Lon: d[0]}, geo.Point{Lat: h[1], Lon: h[0]})
		if i >= 0 && rainy(i) {
			leg *= 1.4
		}
		travel := time.Duration(leg * float64(time.Second))
		at := from
		if first := thugom.Day(from).Add(6*time.Hour + 30*time.Minute + travel); at.Before(first) {
			at = first
		}
		return at.Add(travel + 5*time.Minute)
	}
	if drained >= opt.Days {
		after.Day = fmt.Sprintf("%s…%s", jobs.DayString(dayOf(opt.Days)), jobs.DayString(dayOf(drained)))
		rep.After = after
	}
	if err := account(ctx, db, rep, days, orderDay, readyAt, impossible, handedAt, depotDeps, points, dayOf, earliest); err != nil {
		return nil, err
	}
	rep.Days = days
	rep.Total.PlanSeconds = math.Round(planTime.Seconds()*10) / 10
	rep.Budgets = "solver iterations by the depot's orders on its last plan: ≤40 → 1000, ≤100 → 2000, ≤200 → 4000, more → 6000; re-plans a quarter (at least 300)"
	rep.Elapsed = math.Round(time.Since(t0).Seconds()*10) / 10
	return rep, nil
}

func hhmm(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
}

// repairAll puts every depot's broken vehicles back in service (overnight
// repair) through the core's vehicle status action.
func repairAll(ctx context.Context, db *store.DB, svc *jobs.Service, depots []int64) error {
	for _, d := range depots {
		vs, err := store.VehiclesOfDepot(ctx, db, d)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if v.Status != thugom.VehicleActive {
				if _, err := svc.SetVehicleStatus(ctx, v.ID, thugom.VehicleActive, jobs.System("simulation:repaired")); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// simReply has n households with a pickup later today answer text by SMS.
func simReply(ctx context.Context, svc *jobs.Service, db *store.DB, day time.Time, n int, text, want string, rng *rand.Rand,
	replan func(int64, string) error) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	rows, err := db.Query(ctx, store.Query("SimLaterStops"), day.Add(10*time.Hour))
	if err != nil {
		return 0, err
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
			return 0, err
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	depots := map[int64]bool{}
	done := 0
	for i := 0; i < len(cands) && done < n; i++ {
		c := cands[i]
		r, err := svc.HandleInboundSMS(ctx, jobs.InboundSMS{ProviderMessageID: fmt.Sprintf("sim-%s-%s-%d", text, jobs.DayString(day), c.household), From: c.phone, Text: text})
		if err != nil {
			return done, err
		}
		if r.Outcome == want {
			done++
			depots[c.depot] = true
		}
	}
	ids := make([]int64, 0, len(depots))
	for d := range depots {
		ids = append(ids, d)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	cause := jobs.CausePostponed
	if want == jobs.InboundCancelled {
		cause = "cancelled"
	}
	for _, d := range ids {
		if err := replan(d, cause); err != nil {
			return done, err
		}
	}
	return done, nil
}

// weekOrders makes the week's orders: the demo's first day, then for each
// further day the same households selling again (six in ten of them, a
// tenth twice), what they sold before. Placement hours follow the
// marketplaces: about half in the evening before (18:00–23:59), a quarter
// in the day (the day before, 08:00–17:00, when the promise is 48 h; the
// same day 09:30–14:00, ready within the hour, when it is 24 h), the rest
// in the night and the morning of the day (00:00–09:30). Ready windows are
// on the pickup day.
func weekOrders(sc *demo.Scenario, first []demo.OrderSpec, seeded *demo.Seeded, days int, rng *rand.Rand) []weekOrder {
	policy := thugom.DefaultPromisePolicy()
	type tmpl struct {
		carrier, product, dest string
	}
	byHousehold := map[int][]tmpl{}
	for _, o := range first {
		byHousehold[o.Household] = append(byHousehold[o.Household], tmpl{o.Carrier, o.Product, o.Order.DestinationProvince})
	}
	kgPerBox := map[string]float64{}
	for _, p := range sc.Products {
		kgPerBox[p.Code] = p.KgPerBox
	}
	// Sellers: the households that sold on the demo day, and as many again
	// among the others (taking a neighbour's produce).
	var sellers []int
	for hi := range sc.Households {
		if len(byHousehold[hi]) > 0 {
			sellers = append(sellers, hi)
		}
	}
	share := 0.6 * float64(len(sc.Households)) / float64(max(1, len(sellers))) // keep ~0.6 of households a day
	share = math.Min(share, 0.92)
	var out []weekOrder
	seq := 0
	for d := 0; d < days; d++ {
		day := sc.Day.AddDate(0, 0, d)
		for _, hi := range sellers {
			if rng.Float64() >= share {
				continue
			}
			n := 1
			if rng.IntN(10) == 0 {
				n = 2
			}
			ts := byHousehold[hi]
			for k := 0; k < n; k++ {
				t := ts[rng.IntN(len(ts))]
				if rng.IntN(5) == 0 {
					t.dest = []string{"01", "01", "79", "24", "20", "31"}[rng.IntN(6)]
				}
				kg := 3 + float64(rng.IntN(15))*0.5
				var placed time.Time
				switch r := rng.IntN(100); {
				case r < 50:
					placed = day.Add(-6*time.Hour + time.Duration(rng.IntN(360))*time.Minute)
				case r < 75 && policy.Promise(t.dest) >= 48*time.Hour:
					// Sold in the day before, ready tomorrow: a 48 h
					// promise leaves the time.
					placed = day.Add(-16*time.Hour + time.Duration(rng.IntN(540))*time.Minute)
				case r < 75:
					// Sold in the day, ready within the hour: a 24 h
					// promise is collected the same day.
					placed = day.Add(9*time.Hour + 30*time.Minute + time.Duration(rng.IntN(270))*time.Minute)
				default:
					placed = day.Add(time.Duration(rng.IntN(570)) * time.Minute)
				}
				placed = placed.Add(time.Duration(rng.IntN(60)) * time.Second)
				readyFrom := day.Add(7*time.Hour + time.Duration(rng.IntN(13))*15*time.Minute)
				if lo := placed.Add(time.Hour); readyFrom.Before(lo) {
					readyFrom = lo.Truncate(15 * time.Minute)
				}
				readyUntil := readyFrom.Add(4*time.Hour + time.Duration(rng.IntN(21))*15*time.Minute)
				if latest := day.Add(18 * time.Hour); readyUntil.After(latest) {
					readyUntil = latest
				}
				if !readyUntil.After(readyFrom.Add(2 * time.Hour)) {
					readyUntil = readyFrom.Add(2 * time.Hour)
				}
				market, prefix := thugom.MarketplacePostmart, "PM"
				if t.carrier == thugom.CarrierViettelPost {
					market, prefix = thugom.MarketplaceVoso, "VS"
				}
				seq++
				h := sc.Households[hi].Household
				if p, err := thugom.NormalizePhone("phone", h.Phone); err == nil {
					h.Phone = p
				}
				box := kgPerBox[t.product]
				if box <= 0 {
					box = 5
				}
				o := thugom.NewOrder{
					Marketplace: market, MarketplaceOrderID: fmt.Sprintf("%s-W%s-%06d", prefix, day.Format("060102"), seq),
					Product: t.product, WeightKg: &kg, Parcels: int(math.Ceil(kg / box)), DestinationProvince: t.dest,
					PlacedAt: &placed, PromiseHours: int(policy.Promise(t.dest) / time.Hour), ReadyFrom: &readyFrom, ReadyUntil: &readyUntil,
					HouseholdName: h.Name, HouseholdPhone: h.Phone, HouseholdAddress: h.Address,
				}
				out = append(out, weekOrder{day: d, household: hi, order: o})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].order.PlacedAt.Before(*out[j].order.PlacedAt) })
	return out
}

// delivery estimates when an order handed over at the depot at t reaches
// its buyer: the first departure serving its province whose cutoff is not
// past, plus its transit.
func delivery(deps []thugom.Departure, province string, t time.Time) (time.Time, bool) {
	var best time.Time
	day := thugom.Day(t)
	for k := 0; k < 4; k++ {
		d := day.AddDate(0, 0, k)
		for _, dep := range deps {
			if !serves(dep, province) {
				continue
			}
			cutoff := d.Add(time.Duration(dep.CutoffAt) * time.Second)
			if cutoff.Before(t) {
				continue
			}
			departs := d.Add(time.Duration(dep.DepartsAt) * time.Second)
			if dep.DepartsAt < dep.CutoffAt {
				departs = departs.Add(24 * time.Hour)
			}
			at := departs.Add(time.Duration(dep.TransitHours * float64(time.Hour)))
			if best.IsZero() || at.Before(best) {
				best = at
			}
		}
		if !best.IsZero() {
			return best, true
		}
	}
	return best, false
}

// reachable says whether produce at the depot at t can still reach its
// buyer by promised.
func reachable(deps []thugom.Departure, province string, t, promised time.Time) bool {
	dl, ok := delivery(deps, province, t)
	return ok && !dl.After(promised)
}

func serves(dep thugom.Departure, province string) bool {
	if len(dep.Destinations) == 0 {
		return true
	}
	k := thugom.ProvinceKey(province)
	for _, d := range dep.Destinations {
		if d == province || thugom.ProvinceKey(d) == k {
			return true
		}
	}
	return false
}

// account counts every order of the week by the day it was for.
func account(ctx context.Context, db *store.DB, rep *WeekReport, days []Account, orderDay map[int64]int, readyAt map[int64]time.Time,
	impossible map[int64]bool, handedAt map[int64]time.Time, depotDeps map[int64][]thugom.Departure,
	points map[int64]orb.Point, dayOf func(int) time.Time, earliest func(depot, household int64, from time.Time, i int) time.Time) error {
	failed := map[int64]bool{} // orders a pickup failed for
	frows, err := db.Query(ctx, store.Query("SimFailedOrders"))
	if err != nil {
		return err
	}
	for frows.Next() {
		var id int64
		if err := frows.Scan(&id); err != nil {
			frows.Close()
			return err
		}
		failed[id] = true
	}
	frows.Close()
	picked := map[int64]time.Time{} // order → window start of the stop that collected it
	rows, err := db.Query(ctx, store.Query("SimPickedUpStops"))
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var ws, arr time.Time
		if err := rows.Scan(&id, &ws, &arr); err != nil {
			rows.Close()
			return err
		}
		picked[id] = ws
	}
	rows.Close()
	windowSMS := map[int64][]time.Time{}
	rows, err = db.Query(ctx, store.Query("SimWindowSMS"))
	if err != nil {
		return err
	}
	for rows.Next() {
		var h int64
		var at time.Time
		if err := rows.Scan(&h, &at); err != nil {
			rows.Close()
			return err
		}
		windowSMS[h] = append(windowSMS[h], at)
	}
	rows.Close()
	rows, err = db.Query(ctx, store.Query("SimNotificationTimes"))
	if err != nil {
		return err
	}
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			rows.Close()
			return err
		}
		if i := dayIndex(at, dayOf, len(days)); i >= 0 {
			days[i].SMS++
		} else if at.Before(dayOf(0)) {
			days[0].SMS++ // the evening before the first day
		} else if rep.After != nil {
			rep.After.SMS++
		}
	}
	rows.Close()

	if err := db.QueryRow(ctx, store.Query("SimNightSMS")).Scan(&rep.Total.NightSMS, &rep.Total.NightSMSNonUrgent); err != nil {
		return err
	}
	lates := make([][]float64, len(days)+1)
	ages := make([][]float64, len(days)+1)
	notices := make([][]float64, len(days)+1)
	for i := range days {
		days[i].LateHistogram = make([]int, len(LateBins)+1)
		days[i].AgeHistogram = make([]int, len(AgeBins)+1)
	}
	rows, err = db.Query(ctx, store.Query("SimWeekOrders"))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, depot, household int64
			status, dest, reason string
			placed               time.Time
			promiseHours         int
			deadline, ready      *time.Time
			atRisk               bool
			kg                   float64
		)
		if err := rows.Scan(&id, &status, &placed, &promiseHours, &deadline, &ready, &dest, &depot, &atRisk, &reason, &household, &kg); err != nil {
			return err
		}
		i, ok := orderDay[id]
		if !ok {
			continue
		}
		promised := placed.Add(time.Duration(promiseHours) * time.Hour)
		a := &days[i]
		a.Placed++
		oc := OrderOutcome{ID: id, Depot: depot, Day: i + 1, Placed: placed, Promised: promised, Ready: ready, Impossible: impossible[id]}
		if impossible[id] {
			a.ImpossibleAtPlacement++
		}
		if status == thugom.OrderCancelled {
			a.Cancelled++
			oc.Outcome = "cancelled"
			rep.Orders = append(rep.Orders, oc)
			continue
		}
		at, handed := handedAt[id]
		if !handed {
			oc.Outcome = "never_collected"
			rep.Orders = append(rep.Orders, oc)
			a.NeverCollected++
			if a.NeverCollectedBy == nil {
				a.NeverCollectedBy = map[string]int{}
			}
			a.NeverCollectedBy[status]++
			if t := &rep.Total; t.NeverCollectedBy == nil {
				t.NeverCollectedBy = map[string]int{}
			}
			rep.Total.NeverCollectedBy[status]++
			p := points[household]
			rep.LateOrders = append(rep.LateOrders, LateOrder{Lon: p[0], Lat: p[1], Never: true, DayIndex: i})
			continue
		}
		a.KgCollected += kg
		from := placed
		if ready != nil && ready.After(from) {
			from = *ready
		}
		// Its first possible day is its own, or the day the household
		// moved it to (a postponement: the same hours a day later).
		first := dayOf(i)
		if d := thugom.Day(from); d.After(first) {
			first = d
		}
		oc.Handed, oc.FirstDay = at, thugom.Day(at).Equal(first)
		if impossible[id] && oc.FirstDay {
			a.ImpossibleFirstDay++
		}
		age := at.Sub(from).Minutes()
		ages[i] = append(ages[i], age)
		a.AgeHistogram[bin(age/60, AgeBins)]++
		if ws, ok := picked[id]; ok && !placed.After(dayOf(i).Add(-7*time.Hour)) {
			a.KnownBy17++
			var firstSMS time.Time
			for _, t := range windowSMS[household] {
				if !t.Before(dayOf(i).Add(-24*time.Hour)) && !t.After(ws) {
					firstSMS = t
					break
				}
			}
			if !firstSMS.IsZero() {
				n := ws.Sub(firstSMS).Hours()
				notices[i] = append(notices[i], n)
				if n >= 12 {
					a.WindowNotice12h++
				}
			}
		}
		dl, ok := delivery(depotDeps[depot], dest, at)
		if ok && !dl.After(promised) {
			a.WithinPromise++
			oc.Outcome, oc.Delivered = "within_promise", dl
			rep.Orders = append(rep.Orders, oc)
			continue
		}
		if !ok {
			dl = at.Add(24 * time.Hour)
		}
		a.Late++
		// No plan could keep it: judged on the readiness the household
		// gave at placement (a failed pickup or a postponement moves the
		// stored one later, and is its own cause).
		given := placed
		if r, ok := readyAt[id]; ok && r.After(given) {
			given = r
		}
		cause := "same_day"
		switch {
		case !reachable(depotDeps[depot], dest, earliest(depot, household, given, i), promised):
			cause = "promise_unreachable"
			if !reachable(depotDeps[depot], dest, placed, promised) {
				a.NoDeparture++
			}
		case failed[id]:
			cause = "after_failed_pickup"
		case from.After(given):
			cause = "household_later"
		case dayIndex(at, dayOf, len(days)) != i:
			cause = "later_day"
		}
		if a.LateBy == nil {
			a.LateBy = map[string]int{}
		}
		a.LateBy[cause]++
		late := dl.Sub(promised).Minutes()
		oc.Outcome, oc.Cause, oc.Delivered, oc.LateMin = "late", cause, dl, late
		rep.Orders = append(rep.Orders, oc)
		lates[i] = append(lates[i], late)
		a.LateHistogram[bin(late, LateBins)]++
		p := points[household]
		rep.LateOrders = append(rep.LateOrders, LateOrder{Lon: p[0], Lat: p[1], LateMin: late, DayIndex: i})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	t := &rep.Total
	t.LateHistogram = make([]int, len(LateBins)+1)
	t.AgeHistogram = make([]int, len(AgeBins)+1)
	for i := range days {
		a := &days[i]
		a.finish(lates[i], ages[i], notices[i])
		lates[len(days)] = append(lates[len(days)], lates[i]...)
		ages[len(days)] = append(ages[len(days)], ages[i]...)
		notices[len(days)] = append(notices[len(days)], notices[i]...)
		t.Placed += a.Placed
		t.Cancelled += a.Cancelled
		t.WithinPromise += a.WithinPromise
		t.Late += a.Late
		t.NeverCollected += a.NeverCollected
		for k, n := range a.LateBy {
			if t.LateBy == nil {
				t.LateBy = map[string]int{}
			}
			t.LateBy[k] += n
		}
		t.ImpossibleAtPlacement += a.ImpossibleAtPlacement
		t.NoDeparture += a.NoDeparture
		t.ImpossibleFirstDay += a.ImpossibleFirstDay
		t.KnownBy17 += a.KnownBy17
		t.WindowNotice12h += a.WindowNotice12h
		t.Postponed += a.Postponed
		t.PickupFailures += a.PickupFailures
		t.Breakdowns += a.Breakdowns
		t.Replans += a.Replans
		t.BorrowedVehicles += a.BorrowedVehicles
		t.PlannedLate += a.PlannedLate
		t.KgCollected += a.KgCollected
		t.WallSeconds += a.WallSeconds
		t.KM += a.KM
		t.Litres += a.Litres
		t.VehiclesUsed = max(t.VehiclesUsed, a.VehiclesUsed)
		t.DriverHours += a.DriverHours
		t.SMS += a.SMS
		t.DropOffs += a.DropOffs
		for k := range a.LateHistogram {
			t.LateHistogram[k] += a.LateHistogram[k]
		}
		for k := range a.AgeHistogram {
			t.AgeHistogram[k] += a.AgeHistogram[k]
		}
	}
	if a := rep.After; a != nil {
		// The days after the week: their work, not their orders.
		t.PickupFailures += a.PickupFailures
		t.Replans += a.Replans
		t.PlannedLate += a.PlannedLate
		t.KM += a.KM
		t.Litres += a.Litres
		t.VehiclesUsed = max(t.VehiclesUsed, a.VehiclesUsed)
		t.DriverHours += a.DriverHours
		t.SMS += a.SMS
		t.WallSeconds += a.WallSeconds
		a.finish(nil, nil, nil)
	}
	t.finish(lates[len(days)], ages[len(days)], notices[len(days)])
	return nil
}

// finish rounds and derives the account's rates and quantiles.
func (a *Account) finish(lates, ages, notices []float64) {
	a.Unreachable = a.LateBy["promise_unreachable"]
	if n := a.Placed - a.Cancelled; n > 0 {
		a.WithinPromiseRate = round(float64(a.WithinPromise)/float64(n), 4)
		a.BestPossibleRate = round(1-float64(a.Unreachable)/float64(n), 4)
	}
	if n := a.Placed - a.Cancelled - a.Unreachable; n > 0 {
		a.WithinReachableRate = round(float64(a.WithinPromise)/float64(n), 4)
	}
	if a.ImpossibleAtPlacement > 0 {
		a.ImpossibleFirstDayRt = round(float64(a.ImpossibleFirstDay)/float64(a.ImpossibleAtPlacement), 4)
	}
	if a.KnownBy17 > 0 {
		a.WindowNotice12hRate = round(float64(a.WindowNotice12h)/float64(a.KnownBy17), 4)
	}
	a.LateMinutesP50, a.LateMinutesP95, a.LateMinutesMax = quantile(lates, 0.5), quantile(lates, 0.95), quantile(lates, 1)
	a.AgeP50, a.AgeP95, a.AgeMax = quantile(ages, 0.5), quantile(ages, 0.95), quantile(ages, 1)
	a.NoticeP50Hours = round(quantile(notices, 0.5), 1)
	if a.KgCollected > 0 {
		a.KMPerKg = round(a.KM/a.KgCollected, 4)
		a.LitresPerKg = round(a.Litres/a.KgCollected, 5)
	}
	a.KgCollected = round(a.KgCollected, 1)
	a.KM = round(a.KM, 1)
	a.Litres = round(a.Litres, 1)
	a.DriverHours = round(a.DriverHours, 1)
	a.WallSeconds = round(a.WallSeconds, 1)
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// quantile is the nearest-rank q-quantile of xs (0 when empty), rounded to
// a tenth.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	k := int(math.Ceil(q*float64(len(s)))) - 1
	k = max(0, min(k, len(s)-1))
	return round(s[k], 1)
}

func bin(x float64, bounds []int) int {
	for k, b := range bounds {
		if x <= float64(b) {
			return k
		}
	}
	return len(bounds)
}

// dayIndex is the index of t's local day among the week's days, or −1.
func dayIndex(t time.Time, dayOf func(int) time.Time, n int) int {
	d := thugom.Day(t)
	for i := 0; i < n; i++ {
		if d.Equal(dayOf(i)) {
			return i
		}
	}
	return -1
}

// simOpenOrders counts the orders still to collect.
func simOpenOrders(ctx context.Context, db *store.DB) (int, error) {
	var n int
	err := db.QueryRow(ctx, store.Query("SimOpenOrders")).Scan(&n)
	return n, err
}
