package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
)

type planWorker struct {
	river.WorkerDefaults[PlanDepotDayArgs]
	s *Service
}

func (w *planWorker) Work(ctx context.Context, job *river.Job[PlanDepotDayArgs]) error {
	day, err := ParseDay(job.Args.Day)
	if err != nil {
		return river.JobCancel(err)
	}
	req := PlanRequest{Cause: job.Args.Reason}
	req.Budget, req.Iterations = w.s.solverOf(job.Args.Solver)
	_, err = w.s.PlanDepotDay(ctx, job.Args.DepotID, day, req)
	return cancelIfNotFound(err)
}

func (w *planWorker) Timeout(job *river.Job[PlanDepotDayArgs]) time.Duration {
	return w.s.planJobTimeout(job.Args.Solver)
}

type replanWorker struct {
	river.WorkerDefaults[ReplanArgs]
	s *Service
}

func (w *replanWorker) Work(ctx context.Context, job *river.Job[ReplanArgs]) error {
	day, err := ParseDay(job.Args.Day)
	if err != nil {
		return river.JobCancel(err)
	}
	req := PlanRequest{
		Replan: true, Cause: job.Args.Cause, Subject: job.Args.Subject, RequestedAt: job.Args.RequestedAt, Requested: job.Args.Requested,
	}
	req.Budget, req.Iterations = w.s.solverOf(job.Args.Solver)
	_, err = w.s.PlanDepotDay(ctx, job.Args.DepotID, day, req)
	return cancelIfNotFound(err)
}

func (w *replanWorker) Timeout(job *river.Job[ReplanArgs]) time.Duration {
	return w.s.planJobTimeout(job.Args.Solver)
}

// MaxPlanBudget bounds the solve budget a planning job carries, so that
// its timeout, and River's rescue of stuck jobs after it, stay short.
const MaxPlanBudget = 40 * time.Second

// planTimeout bounds a planning job solving with budget: its first solve,
// two shorter ones when the day changed under it (a quarter each), the
// last one under the day's lock, and the reads and writes around them.
func planTimeout(budget time.Duration) time.Duration { return budget*3/2 + 30*time.Second }

// planJobTimeout is a planning job's timeout: its solver's planTimeout,
// within Deps.JobTimeout.
func (s *Service) planJobTimeout(sv *Solver) time.Duration {
	budget, _ := s.solverOf(sv)
	return min(planTimeout(budget), s.deps.JobTimeout)
}

// solverOf is the budget and iterations of a planning job's solver
// settings; none (a job enqueued before they travelled) are this
// service's own.
func (s *Service) solverOf(sv *Solver) (time.Duration, int) {
	if sv == nil || sv.BudgetMS <= 0 && sv.Iterations <= 0 {
		return min(s.deps.PlanBudget, MaxPlanBudget), s.deps.PlanIterations
	}
	budget := time.Duration(sv.BudgetMS) * time.Millisecond
	if budget <= 0 {
		budget = s.deps.PlanBudget
	}
	return min(budget, MaxPlanBudget), sv.Iterations
}

// stampSolver is the client's insert middleware: a planning job enqueued
// without solver settings gets this service's (the process where the plan
// is asked for), whichever call site enqueued it.
func (s *Service) stampSolver(ctx context.Context, many []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	for _, p := range many {
		if p.Kind != KindPlanDepotDay && p.Kind != KindReplan {
			continue
		}
		var args map[string]json.RawMessage
		if json.Unmarshal(p.EncodedArgs, &args) != nil || args["solver"] != nil {
			continue
		}
		sv, err := json.Marshal(Solver{BudgetMS: min(s.deps.PlanBudget, MaxPlanBudget).Milliseconds(), Iterations: s.deps.PlanIterations})
		if err != nil {
			return nil, err
		}
		args["solver"] = sv
		if p.EncodedArgs, err = json.Marshal(args); err != nil {
			return nil, err
		}
	}
	return doInner(ctx)
}

func cancelIfNotFound(err error) error {
	if err != nil && thugom.ErrorCode(err) == thugom.ENotFound {
		return river.JobCancel(err)
	}
	return err
}

// PlanRequest says why a plan is made.
type PlanRequest struct {
	// Replan keeps the day's progress: stops done stay as they are, stops
	// en route or arrived stay frozen on their vehicle, vehicles resume from
	// where they are at the clock's time.
	Replan bool
	Cause  string
	// Subject is what changed ("stop:12").
	Subject string
	// RequestedAt is when the change happened; a plan whose inputs were read
	// after it already covers it, and the re-plan is skipped.
	RequestedAt time.Time
	// Requested: a person asked for it; the publish policy applies only to
	// the re-plans the system starts (drafts.go).
	Requested bool
	// Budget and Iterations are the solver's settings (zero: the
	// service's Deps.PlanBudget and PlanIterations); a planning job carries
	// them (Solver).
	Budget     time.Duration
	Iterations int
}

func (r PlanRequest) budget(s *Service) time.Duration {
	if r.Budget > 0 || r.Iterations > 0 {
		return cmp.Or(r.Budget, s.deps.PlanBudget)
	}
	return s.deps.PlanBudget
}

func (r PlanRequest) iterations(s *Service) int {
	if r.Budget > 0 || r.Iterations > 0 {
		return r.Iterations
	}
	return s.deps.PlanIterations
}

// PlanResult summarises a planning run.
type PlanResult struct {
	PlanID     int64               `json:"plan_id"`
	Version    int                 `json:"version"`
	Skipped    bool                `json:"skipped,omitempty"` // covered by a newer plan, or kept as a draft
	Stats      thugom.PlanStats    `json:"stats"`
	Unassigned []thugom.Unassigned `json:"unassigned,omitempty"`
	SMS        int                 `json:"sms"`
	Tasks      int                 `json:"tasks"`
	DraftID    int64               `json:"draft_id,omitempty"` // the draft the publish policy kept it as: nothing written (drafts.go)
}

// Stop service time: a base plus a little per parcel, bounded.
const (
	serviceBaseS      = 300
	servicePerParcelS = 60
	serviceMaxS       = 1800
	reloadS           = 600
	windowLen         = time.Hour
)

// MinService is the shortest time a pickup stop takes.
const MinService = serviceBaseS * time.Second

// errStale says the depot's day changed between a plan's read and its write.
var errStale = errors.New("the day changed while planning")

// maxPlanAttempts bounds how often a plan is read and solved again when the
// day keeps changing under it; the River job retries after that.
const maxPlanAttempts = 4

// PlanDepotDay plans (or re-plans) one depot's day in three short steps:
// read the day's state and its revision in a short transaction and build
// the routing model; solve it with no transaction open; write the result in
// a new short transaction under the day's row lock, only if the revision is
// unchanged, with guarded updates (a stop is amended only while 'planned',
// an order planned only while received or planned for this day). When the
// day changed meanwhile (a report, a cancel, an answer) the plan is read
// and solved again with a smaller budget: reports that arrived win.
//
// The plan is the day's living state: stops keep their ids across
// versions; what drivers, households and dispatchers reported stays as it
// is; versions keep what each decided (plans.snapshot).
func (s *Service) PlanDepotDay(ctx context.Context, depotID int64, day time.Time, req PlanRequest) (*PlanResult, error) {
	t0 := time.Now()
	day = thugom.Day(day)
	if err := s.deps.Days.Check("date", day, s.now()); err != nil {
		return nil, err
	}
	var res *PlanResult
	var err error
	for attempt := 0; attempt < maxPlanAttempts; attempt++ {
		res, err = s.planOnce(ctx, depotID, day, req, attempt)
		if !errors.Is(err, errStale) {
			break
		}
		s.log.Info("depot day changed while planning; planning again", "depot", depotID, "day", DayString(day), "attempt", attempt+1)
	}
	if err != nil {
		return nil, fmt.Errorf("plan depot %d day %s: %w", depotID, DayString(day), err)
	}
	if !res.Skipped {
		s.metrics.planDuration.Observe(time.Since(t0).Seconds())
		s.metrics.planOrders.WithLabelValues("assigned").Add(float64(res.Stats.Assigned))
		s.metrics.planOrders.WithLabelValues("unassigned").Add(float64(res.Stats.Unassigned))
		s.log.Info("planned depot day", "depot", depotID, "day", DayString(day), "version", res.Version,
			"orders", res.Stats.Orders, "assigned", res.Stats.Assigned, "unassigned", res.Stats.Unassigned,
			"vehicles", res.Stats.VehiclesUsed, "km", res.Stats.DistanceM/1000, "ms", time.Since(t0).Milliseconds(), "cause", req.Cause)
	}
	return res, nil
}

// lockedSolve bounds the solve of the last attempt, which holds the day's
// lock: writers of the day wait that long at most.
const lockedSolve = 300 * time.Millisecond

// planOnce is one read → solve → write of a depot's day. The last attempt,
// when the day kept changing under the earlier ones, reads, solves briefly
// and writes under the day's lock, so a busy day still gets its plan.
func (s *Service) planOnce(ctx context.Context, depotID int64, day time.Time, req PlanRequest, attempt int) (*PlanResult, error) {
	p := &planner{s: s, depotID: depotID, day: day, req: req, resumeAt: map[int64]float64{}}
	if attempt == maxPlanAttempts-1 {
		var res *PlanResult
		err := s.db.InTx(ctx, func(tx pgx.Tx) error {
			if _, err := store.LockDepotDay(ctx, tx, depotID, day); err != nil {
				return err
			}
			skipped, err := p.read(ctx, tx)
			if err != nil || skipped != nil {
				res = skipped
				return err
			}
			if err := p.build(ctx, tx); err != nil {
				return err
			}
			iters := req.iterations(s) / 10
			if err := p.solve(ctx, lockedSolve, iters, attempt); err != nil {
				return err
			}
			if r, kept, err := p.keepDraft(ctx, tx); kept || err != nil {
				res = r
				return err
			}
			p.tx = tx
			if res, err = p.write(ctx); err != nil {
				return err
			}
			return p.logChanges(ctx, res)
		})
		return res, err
	}
	var skipped *PlanResult
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		skipped, err = p.read(ctx, tx)
		if err != nil || skipped != nil {
			return err
		}
		return p.build(ctx, tx)
	})
	if err != nil || skipped != nil {
		return skipped, err
	}
	if hook := s.hooks.AfterPlanRead; hook != nil {
		hook(depotID, day, attempt)
	}
	// Later attempts only fold in what changed: a quarter of the budget.
	budget := req.budget(s)
	if attempt > 0 {
		budget /= 4
	}
	if err := p.solve(ctx, budget, req.iterations(s), attempt); err != nil {
		return nil, err
	}
	if r, kept, err := p.keepDraft(ctx, nil); kept || err != nil {
		return r, err
	}
	var res *PlanResult
	err = s.db.InTx(ctx, func(tx pgx.Tx) error {
		rev, err := store.LockDepotDay(ctx, tx, depotID, day)
		if err != nil {
			return err
		}
		if rev != p.rev {
			return errStale
		}
		p.tx = tx
		if res, err = p.write(ctx); err != nil {
			return err
		}
		return p.logChanges(ctx, res)
	})
	return res, err
}

// group is one pickup stop of the model: a household's orders (or a shared
// village collection point's).
type group struct {
	key       string
	household int64 // the household the stop is at (first of a shared point)
	phone     string
	point     orb.Point
	orders    []store.PlanOrder
	frozen    *store.PlanStop // en route or arrived on its vehicle
	prev      *store.PlanStop // the day's open stop this group continues (same id)
	lockedVeh *int64
	kg        float64
	parcels   int
	// dropoff: a hub stop at a commune drop-off point (household 0).
	dropoff *thugom.DropOffPoint
	// part is which of its household's visits of the day the stop is (0:
	// the first; visitParts).
	part int
}

// told is the window the group's household was told for this visit. A
// household is told its first visit of the day (prevWindow, the earliest
// of its open stops); a second visit split off (part > 0) is told once
// the first is done, so one window message at a time reaches it (the
// notices merge a household's queued window messages): a stop that
// continues one not told is not told yet.
func (g *group) told(prevWindow map[int64]time.Time) (time.Time, bool) {
	if g.part > 0 {
		return time.Time{}, false
	}
	t, ok := prevWindow[g.household]
	if ok && g.prev != nil && g.prev.HouseholdID != nil && !g.prev.WindowStart.Equal(t) {
		return time.Time{}, false
	}
	return t, ok
}

// slaWrite is a handover deadline computed while reading, stored when
// writing.
type slaWrite struct {
	order    int64
	deadline time.Time
	atRisk   bool
	reason   string
}

type planner struct {
	s        *Service
	depotID  int64
	q        store.DBTX // the read step's transaction
	tx       pgx.Tx     // the write step's transaction
	rev      int64      // the day's revision when read
	now      time.Time
	nowS     float64
	day      time.Time
	depot    *thugom.Depot
	deps     []thugom.Departure
	vehicles []thugom.Vehicle
	orders   []store.PlanOrder
	prev     []store.PlanStop
	head     *store.PlanHead
	req      PlanRequest
	resumeAt map[int64]float64 // vehicle → when it resumes (seconds of the day)
	sla      []slaWrite
	// positions are the drivers' last phone positions (re-plans only).
	positions map[int64]store.DriverPosition
	// home is where each borrowed vehicle starts its day (borrow.go).
	home map[int64]orb.Point

	// Built from the read, used by solve and write.
	in         *routing.Instance
	sol        *routing.Solution
	groups     map[string]*group
	stopGroup  map[string]*group
	states     map[int64]*vehicleState
	active     map[int64]bool
	unassigned []thugom.Unassigned
	prevWindow map[int64]time.Time
	// firstWindow: each household's earliest window of the day (progress).
	firstWindow map[int64]time.Time
}

// read loads the day's inputs: its revision first (so that anything
// written after the read is seen as a change), the current plan, the depot,
// its departures and vehicles, the orders to plan and the day's stops.
func (p *planner) read(ctx context.Context, q pgx.Tx) (*PlanResult, error) {
	var err error
	p.q = q
	p.now = p.s.now()
	depotID, day := p.depotID, p.day
	if p.rev, err = store.DepotDayRevision(ctx, q, depotID, day); err != nil {
		return nil, err
	}
	if p.head, err = store.CurrentPlan(ctx, q, depotID, day); err != nil {
		return nil, err
	}
	if head := p.head; p.req.Replan && head != nil && !p.req.RequestedAt.IsZero() && head.CreatedAt.After(p.req.RequestedAt) {
		return &PlanResult{PlanID: head.ID, Version: head.Version, Skipped: true}, nil
	}
	p.nowS = math.Max(0, float64(thugom.SecondsSince(day, p.now)))
	if p.depot, err = store.DepotByID(ctx, q, depotID); err != nil {
		return nil, err
	}
	if p.deps, err = store.DeparturesOfDepot(ctx, q, depotID); err != nil {
		return nil, err
	}
	if p.vehicles, p.home, err = dayVehicles(ctx, q, depotID, day); err != nil { // own not lent away, and borrowed (borrow.go)
		return nil, err
	}
	if p.orders, err = store.OrdersToPlan(ctx, q, depotID, day.Add(24*time.Hour)); err != nil {
		return nil, err
	}
	if p.head != nil {
		if p.prev, err = store.PlanStops(ctx, q, p.head.ID); err != nil {
			return nil, err
		}
	}
	// Where the drivers' phones last were: a re-plan resumes vehicles there.
	if p.req.Replan {
		pos, err := store.LastDriverPositions(ctx, q, depotID, p.now.Add(-positionFresh))
		if err != nil {
			return nil, err
		}
		p.positions = map[int64]store.DriverPosition{}
		for _, x := range pos {
			p.positions[x.DriverID] = x
		}
	}
	return nil, nil
}

// solve runs the solver on the built model with no transaction open.
func (p *planner) solve(ctx context.Context, budget time.Duration, iterations, attempt int) error {
	in, day := p.in, p.day
	if hook := p.s.hooks.AfterPlanBuild; hook != nil {
		hook(in)
	}
	var sol *routing.Solution
	if len(in.Stops) > 0 && len(in.Vehicles) > 0 {
		opts := routing.Options{Seed: p.depot.ID*1000003 + day.Unix()/86400 + int64(attempt), Workers: 1}
		if iterations > 0 {
			opts.Iterations = iterations
		} else {
			opts.TimeLimit = budget
		}
		if attempt == maxPlanAttempts-1 {
			opts.TimeLimit = budget // under the day's lock: bounded whatever the iterations
		}
		var err error
		sol, err = routing.Solve(ctx, in, opts)
		if err != nil {
			return fmt.Errorf("solve: %w", err)
		}
	} else {
		sol = &routing.Solution{}
		for i, st := range in.Stops {
			sol.Unassigned = append(sol.Unassigned, routing.Unassigned{Stop: st.ID, StopIndex: i,
				Reasons: []routing.Reason{{Code: "no_vehicle", Detail: "no vehicle is available for the rest of the day"}}})
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p.in, p.sol = in, sol
	return nil
}

// Profile returns the travel profile of a vehicle kind.
func (s *Service) Profile(kind string) (geo.Profile, error) { return s.profile(kind) }

func (s *Service) profile(kind string) (geo.Profile, error) {
	if p, ok := s.deps.Profiles[kind]; ok {
		return p, nil
	}
	return geo.ProfileByName(kind)
}
