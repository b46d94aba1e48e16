package jobs

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
)

// PreviewRequest is a re-plan to show to the dispatcher before it is sent:
// the day as it is, plus the locks a move or a fix would add.
type PreviewRequest struct {
	// Locks fixes orders to vehicles (order id → vehicle id) as LockOrder
	// would, for this preview only.
	Locks map[int64]int64
	// StopID and VehicleID move an open pickup stop (its orders) to a
	// vehicle, as MoveStop would; the answer's Verdict says how it fits.
	StopID, VehicleID int64
	// Place drops the moved stop at a place on the vehicle, as MoveStopAt
	// would (nil: the planner chooses).
	Place *Place
	// BrokenVehicleID previews a breakdown: the day re-planned with that
	// vehicle out of service from now, as SetVehicleStatus(broken) would
	// (its stops not yet done go to other vehicles).
	BrokenVehicleID int64
	// Borrow adds a vehicle the depot may borrow for the day, as
	// BorrowVehicle would, for this preview only (borrow.go).
	Borrow int64
	// Budget bounds the solve when the service plans by time (0: a quarter
	// of the plan budget); a service with PlanIterations uses those.
	Budget time.Duration
}

// Preview is a re-plan solved but not written: what it would change
// against the day's current version.
type Preview struct {
	DepotID     int64  `json:"depot_id"`
	Date        string `json:"date"`
	FromVersion int    `json:"from_version"`
	// Changes lists the open pickup stops the re-plan would change (a new
	// stop has a negative id: it does not exist yet).
	Changes    []thugom.StopChange `json:"changes"`
	Unassigned []thugom.Unassigned `json:"unassigned"`
	// Late lists the draft's stops that would be late, with minutes.
	Late      []LateStop `json:"late"`
	DistanceM int        `json:"distance_m"`
	// CurrentDistanceM is the distance of the current version's routes.
	CurrentDistanceM int `json:"current_distance_m"`
	// Verdict answers a move (StopID, VehicleID).
	Verdict *Verdict `json:"verdict,omitempty"`
	// placed is the vehicle each order of the draft's open stops is on.
	placed map[int64]int64
}

// LateStop is a stop of a draft that would be late.
type LateStop struct {
	StopID    int64   `json:"stop_id"`
	VehicleID int64   `json:"vehicle_id"`
	Orders    []int64 `json:"orders"`
	LateMin   int     `json:"late_min"`
}

// Verdicts of a move.
const (
	VerdictFits         = "fits"
	VerdictLate         = "late"
	VerdictOverCapacity = "over_capacity"
	VerdictUnassigned   = "unassigned"
)

// Verdict is how a moved stop fits its new vehicle.
type Verdict struct {
	Verdict   string    `json:"verdict"`
	VehicleID int64     `json:"vehicle_id"`
	ETA       time.Time `json:"eta,omitzero"`
	LateMin   int       `json:"late_min,omitempty"`
	// Reason is the solver's reason codes when the stop does not fit.
	Reason string `json:"reason,omitempty"`
	// AfterStopID is the place asked for (PreviewRequest.Place): right
	// after that stop, 0 first; the stop is there when the verdict is fits
	// or late.
	AfterStopID *int64 `json:"after_stop_id,omitempty"`
}

// PreviewPlan solves a re-plan of a depot's day with the given locks and
// returns its change list without writing anything: the read step and the
// model of PlanDepotDay, its solver, and no write step.
func (s *Service) PreviewPlan(ctx context.Context, depotID int64, day time.Time, req PreviewRequest) (*Preview, error) {
	day = thugom.Day(day)
	if err := s.deps.Days.Check("date", day, s.now()); err != nil {
		return nil, err
	}
	p := &planner{s: s, depotID: depotID, day: day, req: PlanRequest{Replan: true, Cause: "preview"}, resumeAt: map[int64]float64{}}
	var current []thugom.StopVersion
	var moved []int64
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := p.read(ctx, tx); err != nil {
			return err
		}
		if p.head == nil {
			return thugom.Errorf(thugom.EConflict, "date", "the day has no plan yet: plan it first")
		}
		if req.Borrow != 0 {
			if err := p.previewBorrow(ctx, tx, req.Borrow); err != nil {
				return err
			}
		}
		locks := map[int64]int64{}
		for o, v := range req.Locks {
			locks[o] = v
		}
		if req.StopID != 0 {
			var err error
			if moved, err = p.moveStop(req, locks); err != nil {
				return err
			}
		}
		if id := req.BrokenVehicleID; id != 0 {
			if err := p.breakVehicle(id); err != nil {
				return err
			}
		}
		if err := p.lock(locks); err != nil {
			return err
		}
		var err error
		if current, err = store.PlanSnapshot(ctx, tx, depotID, day, p.head.Version); err != nil {
			return err
		}
		return p.build(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("preview depot %d day %s: %w", depotID, DayString(day), err)
	}
	budget := req.Budget
	if budget <= 0 {
		budget = s.deps.PlanBudget / 4
	}
	solve := p.solve
	if req.StopID != 0 {
		solve = p.solveKept
	}
	if err := solve(ctx, budget, s.deps.PlanIterations, 0); err != nil {
		return nil, fmt.Errorf("preview depot %d day %s: %w", depotID, DayString(day), err)
	}
	out := &Preview{DepotID: depotID, Date: DayString(day), FromVersion: p.head.Version, Unassigned: []thugom.Unassigned{}, Late: []LateStop{},
		DistanceM: int(p.sol.Distance)}
	draft := p.draft(out)
	out.Changes = planChanges(p.asNow(current), draft)
	if dist, err := store.PlanDistance(ctx, s.db, p.head.ID); err == nil {
		out.CurrentDistanceM = dist
	}
	if req.StopID != 0 {
		out.Verdict = verdictOf(p, moved, req.VehicleID)
		if req.Place != nil {
			after := req.Place.AfterStopID
			out.Verdict.AfterStopID = &after
		}
	}
	return out, nil
}

// moveStop applies a preview's move of one of the day's pickup stops to
// another vehicle (and place): its orders are locked to the vehicle, and
// the day's stops take the places asked for. It returns the moved orders.
func (p *planner) moveStop(req PreviewRequest, locks map[int64]int64) ([]int64, error) {
	var st *store.PlanStop
	for i := range p.prev {
		if p.prev[i].ID == req.StopID {
			st = &p.prev[i]
		}
	}
	if st == nil {
		return nil, thugom.Errorf(thugom.ENotFound, "stop_id", "stop %d is not in the day's current plan", req.StopID)
	}
	if st.Kind != thugom.StopPickup {
		return nil, thugom.Errorf(thugom.EInvalid, "stop_id", "only pickup stops can move")
	}
	if !thugom.ReplanMayRewrite(st.Status) {
		return nil, thugom.Errorf(thugom.EConflict, "status", "stop %d is already %s", req.StopID, st.Status)
	}
	for _, o := range st.OrderIDs {
		locks[o] = req.VehicleID
	}
	places, err := placeChanges(p.prev, req.StopID, req.VehicleID, req.Place)
	if err != nil {
		return nil, err
	}
	for i := range p.prev {
		if pl, ok := places[p.prev[i].ID]; ok {
			p.prev[i].LockedAfterStopID = pl
		}
	}
	return st.OrderIDs, nil
}

// breakVehicle applies a preview's breakdown: the vehicle is out of
// service for the rest of the day.
func (p *planner) breakVehicle(id int64) error {
	found := false
	for i := range p.vehicles {
		if v := &p.vehicles[i]; v.ID == id {
			if v.Status != thugom.VehicleActive {
				return thugom.Errorf(thugom.EConflict, "broken_vehicle_id", "vehicle %s is already %s", v.Code, v.Status)
			}
			v.Status, found = thugom.VehicleBroken, true
		}
	}
	if !found {
		return thugom.Errorf(thugom.EInvalid, "broken_vehicle_id", "vehicle %d is not a vehicle of the depot", id)
	}
	return nil
}

// lock applies a preview's locks (order → vehicle) to the orders to plan
// and to the day's stops holding them (a stop's own lock must not pull it
// back), once each vehicle is known to be of the depot and in service.
func (p *planner) lock(locks map[int64]int64) error {
	active := map[int64]bool{}
	for _, v := range p.vehicles {
		active[v.ID] = v.Status == thugom.VehicleActive
	}
	for _, vid := range locks {
		if _, ok := active[vid]; !ok {
			return thugom.Errorf(thugom.EInvalid, "vehicle_id", "vehicle %d is not a vehicle of the depot", vid)
		}
		if !active[vid] {
			return thugom.Errorf(thugom.EConflict, "vehicle_id", "vehicle %d is not in service", vid)
		}
	}
	for i := range p.orders {
		if v, ok := locks[p.orders[i].Order.ID]; ok {
			p.orders[i].Order.LockedVehicleID = &v
		}
	}
	for i := range p.prev {
		for _, o := range p.prev[i].OrderIDs {
			if v, ok := locks[o]; ok {
				p.prev[i].LockedVehicleID = &v
			}
		}
	}
	return nil
}

// draft lists the open pickup stops of the solved model as a version of
// the day, numbered as write would number them; it fills the preview's
// unassigned and late lists.
func (p *planner) draft(out *Preview) []thugom.StopVersion {
	at := func(s float64) time.Time {
		return p.day.Add(time.Duration(s * float64(time.Second))).Truncate(time.Second)
	}
	var snap []thugom.StopVersion
	out.placed = map[int64]int64{}
	used := map[int64]bool{}
	newID := int64(0)
	for _, r := range p.sol.Routes {
		vid, err := strconv.ParseInt(r.Vehicle, 10, 64)
		if err != nil || !r.Used() {
			continue
		}
		seq, trip0 := 0, 0
		if vs := p.states[vid]; vs != nil && len(vs.finished) > 0 {
			seq = len(vs.finished)
			last := vs.finished[len(vs.finished)-1]
			trip0 = last.Trip
			if last.Kind == thugom.StopDepot {
				trip0++
			}
		}
		for ti, t := range r.Trips {
			for _, v := range t.Visits {
				g := p.stopGroup[v.Stop]
				if g == nil {
					continue
				}
				sv := thugom.StopVersion{VehicleID: vid, Trip: trip0 + ti, Seq: seq, Kind: thugom.StopPickup, Status: thugom.StopPlanned, ArriveAt: at(v.Start)}
				seq++
				sv.WindowStart, sv.WindowEnd = householdWindow(sv.ArriveAt, p.prevWindow[g.household])
				if g.dropoff != nil { // a hub stop: its window is the drop-off point's (plan.go)
					w := p.in.Stops[v.StopIndex].Windows[0]
					sv.WindowStart, sv.WindowEnd = at(w.Open), at(w.Close)
				}
				for _, o := range g.orders {
					sv.Orders = append(sv.Orders, o.Order.ID)
					out.placed[o.Order.ID] = vid
				}
				switch {
				case g.frozen != nil:
					sv.StopID, sv.Status, sv.WindowStart, sv.WindowEnd = g.frozen.ID, g.frozen.Status, g.frozen.WindowStart, g.frozen.WindowEnd
				case g.prev != nil && !used[g.prev.ID]:
					sv.StopID = g.prev.ID
				default:
					newID--
					sv.StopID = newID
				}
				used[sv.StopID] = true
				snap = append(snap, sv)
				if v.LateBy > 0 {
					out.Late = append(out.Late, LateStop{StopID: sv.StopID, VehicleID: vid, Orders: sv.Orders, LateMin: int(math.Ceil(v.LateBy / 60))})
				}
			}
			seq++ // the trip's depot stop
		}
	}
	out.Unassigned = append(out.Unassigned, p.unassigned...)
	for _, u := range p.sol.Unassigned {
		g := p.stopGroup[u.Stop]
		if g == nil {
			continue
		}
		out.Unassigned = append(out.Unassigned, unassignedOf(g, u)...)
	}
	sort.Slice(out.Unassigned, func(i, j int) bool { return out.Unassigned[i].OrderID < out.Unassigned[j].OrderID })
	return snap
}

// verdictOf says how the moved orders fit their new vehicle in the solved
// draft.
func verdictOf(p *planner, orders []int64, vid int64) *Verdict {
	want := map[int64]bool{}
	for _, o := range orders {
		want[o] = true
	}
	holds := func(g *group) bool {
		for _, o := range g.orders {
			if want[o.Order.ID] {
				return true
			}
		}
		return false
	}
	out := &Verdict{VehicleID: vid}
	for _, u := range p.sol.Unassigned {
		if g := p.stopGroup[u.Stop]; g != nil && holds(g) {
			out.Verdict = VerdictUnassigned
			out.Reason, _ = explain(u)
			for _, r := range u.Reasons {
				if r.Code == routing.ReasonCapacity || r.Code == routing.ReasonPinnedFull {
					out.Verdict = VerdictOverCapacity
				}
			}
			return out
		}
	}
	for _, r := range p.sol.Routes {
		for _, t := range r.Trips {
			for _, v := range t.Visits {
				if g := p.stopGroup[v.Stop]; g != nil && holds(g) {
					out.ETA = p.day.Add(time.Duration(v.Start * float64(time.Second))).Truncate(time.Second)
					out.Verdict = VerdictFits
					if v.LateBy > 0 {
						out.Verdict, out.LateMin = VerdictLate, int(math.Ceil(v.LateBy/60))
					}
					if r.Vehicle != strconv.FormatInt(vid, 10) {
						out.Verdict, out.Reason = VerdictUnassigned, "the solver kept it on vehicle "+r.Vehicle
					}
					return out
				}
			}
		}
	}
	// Not in the model at all (a report arrived meanwhile).
	out.Verdict, out.Reason = VerdictUnassigned, "not plannable"
	return out
}

// solveKept answers a drag: the day with every other household kept on
// the vehicle it is planned on (the moved stop is locked to its new one),
// solved once. A full re-plan (solve) also tries the day unpinned and keeps
// the better, which takes twice as long; a drag's verdict is about the
// move, and must come while the stop is held over the row.
func (p *planner) solveKept(ctx context.Context, budget time.Duration, iterations, attempt int) error {
	in := p.in
	if len(in.Stops) == 0 || len(in.Vehicles) == 0 {
		return p.solve(ctx, budget, iterations, attempt)
	}
	cp := *in
	cp.Stops = append([]routing.Stop(nil), in.Stops...)
	for i := range cp.Stops {
		st := &cp.Stops[i]
		if g := p.stopGroup[st.ID]; st.Vehicle == "" && g != nil && g.prev != nil && p.active[g.prev.VehicleID] {
			st.Vehicle = strconv.FormatInt(g.prev.VehicleID, 10)
		}
	}
	in = &cp
	opts := routing.Options{Seed: p.depot.ID*1000003 + p.day.Unix()/86400 + int64(attempt), Workers: 1}
	if iterations > 0 {
		opts.Iterations = iterations
	} else {
		opts.TimeLimit = budget
	}
	sol, err := routing.Solve(ctx, in, opts)
	if err != nil {
		return fmt.Errorf("solve: %w", err)
	}
	p.in, p.sol = in, sol
	return nil
}
