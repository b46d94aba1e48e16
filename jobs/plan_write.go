package jobs

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
)

// planWrite is one write of a solved plan: the version being written and
// what the write has done so far.
type planWrite struct {
	*planner
	plan *thugom.Plan
	res  *PlanResult
	// used are the day's stops this version continues; the planned ones
	// left are skipped.
	used map[int64]bool
	snap []thugom.StopVersion
	// prevDepot are the day's open depot stops, per vehicle and trip, to
	// continue.
	prevDepot  map[int64]map[int][]*store.PlanStop
	assigned   []int64        // orders on the version's stops
	announced  map[int64]bool // households told their window by this version
	unassigned []thugom.Unassigned
}

// at is s seconds of the planned day as a time, to the second.
func (p *planner) at(s float64) time.Time {
	return p.day.Add(time.Duration(s * float64(time.Second))).Truncate(time.Second)
}

// write stores the solved plan as the next version of the day, amending the
// day's stops in place (same ids), in the caller's transaction under the
// day's lock. It returns errStale when a stop or order it would rewrite was
// moved on meanwhile: the caller plans again, and nothing is half-written.
func (p *planner) write(ctx context.Context) (*PlanResult, error) {
	w, err := p.newVersion(ctx)
	if err != nil {
		return nil, err
	}
	routesByVeh := map[int64]*routing.Route{}
	for i := range p.sol.Routes {
		if id, err := strconv.ParseInt(p.sol.Routes[i].Vehicle, 10, 64); err == nil {
			routesByVeh[id] = &p.sol.Routes[i]
		}
	}
	// Routes of used vehicles and of vehicles with finished stops.
	for _, v := range p.vehicles {
		r, vs := routesByVeh[v.ID], p.states[v.ID]
		if (r != nil && r.Used()) || (vs != nil && (len(vs.finished) > 0 || len(vs.frozen) > 0)) {
			if err := w.route(ctx, v.ID, r, vs); err != nil {
				return nil, err
			}
		}
	}
	if err := w.skipDropped(ctx); err != nil {
		return nil, err
	}
	if err := w.flagLate(ctx); err != nil {
		return nil, err
	}
	w.plan.Stats.VehicleChanges = p.sol.VehicleChanges
	if got, err := store.PlanOrders(ctx, p.tx, w.assigned, p.day, p.now); err != nil {
		return nil, err
	} else if len(got) != len(w.assigned) {
		return nil, errStale // an order was cancelled, postponed or collected meanwhile
	}
	if err := p.s.tellPlanned(ctx, p.tx, p.orders, w.assigned, p.now); err != nil { // carrier_transitions.go
		return nil, err
	}
	if err := w.leftOut(ctx); err != nil {
		return nil, err
	}
	return w.finish(ctx)
}

// newVersion stores the orders' handover deadlines read with the plan and
// the version's plan row, and moves the day's routes to it.
func (p *planner) newVersion(ctx context.Context) (*planWrite, error) {
	tx, now := p.tx, p.now
	for _, s := range p.sla {
		if err := store.SetOrderSLA(ctx, tx, s.order, s.deadline, s.atRisk, s.reason, now); err != nil {
			return nil, err
		}
	}
	finished := p.s.now()
	plan := &thugom.Plan{DepotID: p.depot.ID, Day: p.day, Algorithm: "routing.Solve", CreatedAt: now, FinishedAt: &finished}
	sol := p.sol
	plan.Stats = thugom.PlanStats{Orders: len(p.orders), VehiclesUsed: sol.VehiclesUsed, DistanceM: int(sol.Distance),
		DurationS: int(sol.Duration), SolveMillis: sol.Elapsed.Milliseconds(), Cost: sol.Penalty}
	if _, err := store.NewPlan(ctx, tx, plan); err != nil {
		return nil, err
	}
	if p.head != nil {
		if err := store.MoveRoutesToPlan(ctx, tx, p.head.ID, plan.ID); err != nil {
			return nil, err
		}
	}
	w := &planWrite{planner: p, plan: plan, res: &PlanResult{PlanID: plan.ID, Version: plan.Version},
		used: map[int64]bool{}, prevDepot: map[int64]map[int][]*store.PlanStop{}, announced: map[int64]bool{},
		unassigned: append([]thugom.Unassigned(nil), p.unassigned...)}
	for i := range p.prev {
		st := &p.prev[i]
		if st.Kind == thugom.StopDepot && st.Status == thugom.StopPlanned {
			if w.prevDepot[st.VehicleID] == nil {
				w.prevDepot[st.VehicleID] = map[int][]*store.PlanStop{}
			}
			w.prevDepot[st.VehicleID][st.Trip] = append(w.prevDepot[st.VehicleID][st.Trip], st)
		}
	}
	return w, nil
}

// takeDepot is the next open depot stop of a vehicle's trip to continue,
// nil when there is none left.
func (w *planWrite) takeDepot(vid int64, trip int) *store.PlanStop {
	l := w.prevDepot[vid][trip]
	if len(l) == 0 {
		return nil
	}
	w.prevDepot[vid][trip] = l[1:]
	return l[0]
}

// save inserts a new stop or amends the one it continues, guarded by the
// status it was read with (errStale when it moved on meanwhile).
func (w *planWrite) save(ctx context.Context, st *thugom.Stop, vid int64, prev *store.PlanStop, setStatus string) error {
	if prev == nil {
		if _, err := store.InsertStop(ctx, w.tx, st, w.now); err != nil {
			return err
		}
	} else {
		st.ID = prev.ID
		from := []string{thugom.StopPlanned}
		if thugom.StopUnderway(prev.Status) {
			from = []string{prev.Status}
		}
		ok, err := store.AmendStop(ctx, w.tx, st, from, setStatus, w.now)
		if err != nil {
			return err
		}
		if !ok {
			return errStale
		}
		w.used[prev.ID] = true
	}
	w.snap = append(w.snap, thugom.StopVersion{StopID: st.ID, VehicleID: vid, Trip: st.Trip, Seq: st.Seq, Kind: st.Kind, Status: st.Status,
		ArriveAt: st.ArriveAt, WindowStart: st.WindowStart, WindowEnd: st.WindowEnd, Orders: st.OrderIDs})
	return nil
}

// route writes one vehicle's route of the version: the route row, the day
// so far as it happened (kept, only renumbered), then its trips; a vehicle
// with nothing more to collect but a load on board goes straight back to
// the depot.
func (w *planWrite) route(ctx context.Context, vid int64, r *routing.Route, vs *vehicleState) error {
	route, err := w.routeRow(ctx, vid, r)
	if err != nil {
		return err
	}
	seq := 0
	if vs != nil {
		for _, f := range vs.finished {
			if err := store.SetStopSeq(ctx, w.tx, f.ID, seq); err != nil {
				return err
			}
			w.used[f.ID] = true
			w.snap = append(w.snap, thugom.StopVersion{StopID: f.ID, VehicleID: vid, Trip: f.Trip, Seq: seq, Kind: f.Kind, Status: f.Status,
				ArriveAt: f.ArriveAt, WindowStart: f.WindowStart, WindowEnd: f.WindowEnd, Orders: f.OrderIDs})
			seq++
		}
	}
	if r == nil || !r.Used() {
		if vs != nil && len(vs.onBoard) > 0 && vs.loc != nil {
			st, err := w.returnStop(route.ID, seq, vid, vs)
			if err != nil {
				return err
			}
			return w.save(ctx, st, vid, w.takeDepot(vid, st.Trip), "")
		}
		return nil
	}
	trip0 := 0
	if vs != nil && len(vs.finished) > 0 {
		trip0 = vs.finished[len(vs.finished)-1].Trip
		if vs.finished[len(vs.finished)-1].Kind == thugom.StopDepot {
			trip0++
		}
	}
	for ti, t := range r.Trips {
		if seq, err = w.trip(ctx, route.ID, vid, trip0+ti, seq, t); err != nil {
			return err
		}
	}
	return nil
}

// routeRow stores a vehicle's route row of the version: its driver, times,
// distance, load and line.
func (w *planWrite) routeRow(ctx context.Context, vid int64, r *routing.Route) (*thugom.Route, error) {
	route := &thugom.Route{PlanID: w.plan.ID, VehicleID: vid, StartAt: w.now, EndAt: w.now}
	drv, err := store.DriverOfVehicle(ctx, w.tx, vid)
	if err != nil {
		return nil, err
	}
	route.DriverID = drv
	if r != nil && r.Used() {
		route.StartAt, route.EndAt = w.at(r.Start), w.at(r.End)
		route.DistanceM, route.DurationS = int(r.Distance), int(r.End-r.Start)
	}
	line := orb.LineString{w.startPoint(vid)}
	if r != nil {
		for _, t := range r.Trips {
			for _, v := range t.Visits {
				line = append(line, w.stopGroup[v.Stop].point)
			}
			line = append(line, w.depot.Point)
			if len(t.Load) > 0 {
				route.LoadKg += t.Load[0]
			}
		}
	}
	if len(line) > 1 {
		route.Line = line
	}
	if err := store.UpsertRoute(ctx, w.tx, route); err != nil {
		return nil, err
	}
	return route, nil
}

// trip writes one trip of a route from stop number seq: its pickups, then
// its return to the depot (with the departure it makes). It returns the
// next stop number.
func (w *planWrite) trip(ctx context.Context, routeID, vid int64, trip, seq int, t routing.Trip) (int, error) {
	for _, v := range t.Visits {
		if err := w.visit(ctx, routeID, vid, trip, seq, v); err != nil {
			return seq, err
		}
		seq++
	}
	ret := w.at(t.Return)
	dst := thugom.Stop{RouteID: routeID, Seq: seq, Trip: trip, Kind: thugom.StopDepot,
		ArriveAt: ret, WindowStart: ret, WindowEnd: ret, Status: thugom.StopPlanned}
	if len(t.Load) > 1 {
		dst.LoadKg, dst.Parcels = t.Load[0], int(t.Load[1])
	}
	if d := departureFor(w.deps, t.Return); d != nil {
		id := d.ID
		dst.DepartureID = &id
	}
	seq++
	return seq, w.save(ctx, &dst, vid, w.takeDepot(vid, dst.Trip), "")
}

// visit writes one pickup stop: a new one or the day's stop its group
// continues (a frozen stop keeps its status and window), then the
// household's tasks and window SMS (a drop-off hub's households were told
// by their drop-off SMS).
func (w *planWrite) visit(ctx context.Context, routeID, vid int64, trip, seq int, v routing.Visit) error {
	g := w.stopGroup[v.Stop]
	st := thugom.Stop{RouteID: routeID, Seq: seq, Trip: trip, Kind: thugom.StopPickup,
		ArriveAt: w.at(v.Start), ServiceS: int(w.in.Stops[v.StopIndex].Service),
		LoadKg: g.kg, Parcels: g.parcels, Status: thugom.StopPlanned}
	hh := g.household
	if g.dropoff != nil {
		id := g.dropoff.ID
		st.DropOffPointID = &id
	} else {
		st.HouseholdID = &hh
	}
	for _, o := range g.orders {
		st.OrderIDs = append(st.OrderIDs, o.Order.ID)
		w.assigned = append(w.assigned, o.Order.ID)
	}
	if g.lockedVeh != nil && *g.lockedVeh == vid {
		lv := vid
		st.LockedVehicleID = &lv
	}
	told, wasTold, err := w.toldOf(ctx, g)
	if err != nil {
		return err
	}
	st.WindowStart, st.WindowEnd = householdWindow(st.ArriveAt, told)
	if g.dropoff != nil {
		// A hub's window is when its produce is there: from the last
		// household's drop-off to the point's closing.
		win := w.in.Stops[v.StopIndex].Windows[0]
		st.WindowStart, st.WindowEnd = w.at(win.Open), w.at(win.Close)
	}
	prev, setStatus := g.prev, ""
	switch {
	case g.frozen != nil:
		prev = g.frozen
		st.Status, st.WindowStart, st.WindowEnd = g.frozen.Status, g.frozen.WindowStart, g.frozen.WindowEnd
	case prev != nil && w.used[prev.ID]:
		prev = nil // two groups continue one stop: the second is new
	case prev != nil && thugom.StopUnderway(prev.Status):
		setStatus = thugom.StopPlanned // off a vehicle that stopped running
	}
	if err := w.save(ctx, &st, vid, prev, setStatus); err != nil {
		return err
	}
	if g.dropoff != nil {
		return nil // its households were told by their drop-off SMS (jobs/dropoff.go)
	}
	toldOf := map[int64]time.Time{}
	if wasTold {
		toldOf[hh] = told
	}
	n, sms, err := w.tasksAndNotices(ctx, g, &st, toldOf)
	if err != nil {
		return err
	}
	w.res.Tasks += n
	w.res.SMS += sms
	w.announced[hh] = true
	return nil
}

// toldOf is the window g's household was told for this visit
// (group.told), unless the stop it continues was a second visit of the
// day whose window the household never heard: told once the first is done.
func (w *planWrite) toldOf(ctx context.Context, g *group) (time.Time, bool, error) {
	told, ok := g.told(w.prevWindow)
	if !ok || g.prev == nil || !g.prev.WindowStart.After(w.firstWindow[g.household]) {
		return told, ok, nil
	}
	last, err := store.LastToldWindow(ctx, w.tx, g.household, w.now.Add(-12*time.Hour))
	if err != nil || !last.Equal(g.prev.WindowStart) {
		return time.Time{}, false, err
	}
	return told, ok, nil
}

// skipDropped skips the day's planned stops this version no longer visits.
func (w *planWrite) skipDropped(ctx context.Context) error {
	for _, st := range w.prev {
		if st.Status != thugom.StopPlanned || w.used[st.ID] {
			continue
		}
		ok, err := store.SkipStop(ctx, w.tx, st.ID, w.now)
		if err != nil {
			return err
		}
		if !ok {
			return errStale
		}
	}
	return nil
}

// flagLate marks the stops planned back after their handover deadline:
// collected anyway, flagged late for the dispatcher, handed to the next
// departure, and their households told.
func (w *planWrite) flagLate(ctx context.Context) error {
	for _, r := range w.sol.Routes {
		for _, t := range r.Trips {
			for _, v := range t.Visits {
				g := w.stopGroup[v.Stop]
				if v.LateBy <= 0 || g == nil {
					continue
				}
				w.plan.Stats.Late++
				w.plan.Stats.LateS += int(v.LateBy)
				for _, o := range g.orders {
					if err := store.SetOrderAtRisk(ctx, w.tx, o.Order.ID, lateReason(v.LateBy), w.now); err != nil {
						return err
					}
				}
				n, err := w.tellLate(ctx, w.tx, g, v.LateBy) // issue 14: the household is told (jobs/late.go)
				if err != nil {
					return err
				}
				w.res.SMS += n
			}
		}
	}
	return nil
}

// leftOut records what the plan could not serve, and why: its orders go
// back to planning, and a household that was told a window and is now left
// out learns it.
func (w *planWrite) leftOut(ctx context.Context) error {
	var back []int64
	for _, u := range w.sol.Unassigned {
		g := w.stopGroup[u.Stop]
		if g == nil {
			continue
		}
		w.unassigned = append(w.unassigned, unassignedOf(g, u)...)
		for _, o := range g.orders {
			if o.Order.Status == thugom.OrderPlanned {
				back = append(back, o.Order.ID)
			}
		}
		if _, told := w.prevWindow[g.household]; told && !w.announced[g.household] {
			n, err := w.s.notify(ctx, w.tx, g.household, g.phone, thugom.SMSData{Kind: thugom.SMSPickupCancelled, Depot: w.depot.Name,
				Orders: len(g.orders), Reason: "xe khong den kip, se hen lai"},
				fmt.Sprintf("dropped:%d:%s:%d", g.household, DayString(w.day), w.plan.ID), true)
			if err != nil {
				return err
			}
			w.res.SMS += n
		}
	}
	if got, err := store.UnplanOrders(ctx, w.tx, back, w.day, w.now); err != nil {
		return err
	} else if len(got) != len(back) {
		return errStale
	}
	return nil
}

// unassignedOf is why the orders of a stop the solver left out are not
// served, and what would fix it.
func unassignedOf(g *group, u routing.Unassigned) []thugom.Unassigned {
	reason, fix := explain(u)
	out := make([]thugom.Unassigned, 0, len(g.orders))
	for _, o := range g.orders {
		out = append(out, thugom.Unassigned{OrderID: o.Order.ID, Reason: reason, Fix: fix})
	}
	return out
}

// finish completes the version: its unassigned orders, no empty route, its
// snapshot and stats, the day's revision bumped, and the journal's event.
func (w *planWrite) finish(ctx context.Context) (*PlanResult, error) {
	tx, plan, res, unassigned := w.tx, w.plan, w.res, w.unassigned
	sort.Slice(unassigned, func(i, j int) bool { return unassigned[i].OrderID < unassigned[j].OrderID })
	for _, u := range unassigned {
		if err := store.InsertUnassigned(ctx, tx, plan.ID, u); err != nil {
			return nil, err
		}
	}
	if err := store.DeleteEmptyRoutes(ctx, tx, plan.ID); err != nil {
		return nil, err
	}
	if err := store.SetPlanSnapshot(ctx, tx, plan.ID, w.snap); err != nil {
		return nil, err
	}
	if _, err := store.BumpDepotDay(ctx, tx, w.depot.ID, w.day, w.now); err != nil {
		return nil, err
	}
	res.Unassigned = unassigned
	res.Stats = plan.Stats
	res.Stats.Assigned = len(w.assigned)
	res.Stats.Unassigned = len(unassigned)
	res.Stats.Stops = len(w.in.Stops) - len(w.sol.Unassigned)
	if err := store.SetPlanStats(ctx, tx, plan.ID, res.Stats); err != nil {
		return nil, err
	}
	if err := w.s.event(ctx, tx, "job:"+KindPlanDepotDay, "plan.created", fmt.Sprintf("plan:%d", plan.ID), map[string]any{
		"depot_id": w.depot.ID, "day": DayString(w.day), "version": plan.Version, "cause": w.req.Cause, "subject": w.req.Subject,
		"orders": res.Stats.Orders, "assigned": res.Stats.Assigned, "unassigned": res.Stats.Unassigned,
		"vehicles_used": res.Stats.VehiclesUsed, "distance_m": res.Stats.DistanceM,
	}); err != nil {
		return nil, err
	}
	return res, nil
}

// returnStop is the depot stop of a vehicle that goes straight back with
// its load.
func (p *planner) returnStop(routeID int64, seq int, vid int64, vs *vehicleState) (*thugom.Stop, error) {
	kind := ""
	for _, v := range p.vehicles {
		if v.ID == vid {
			kind = v.Kind
		}
	}
	prof, err := p.s.profile(kind)
	if err != nil {
		return nil, err
	}
	_, secs := prof.Leg(geo.Point{Lat: vs.loc[1], Lon: vs.loc[0]}, geo.Point{Lat: p.depot.Point[1], Lon: p.depot.Point[0]})
	from := p.now
	if at, ok := p.resumeAt[vid]; ok {
		from = p.day.Add(time.Duration(at * float64(time.Second)))
	}
	ret := from.Add(time.Duration(secs) * time.Second).Truncate(time.Second)
	trip := 0
	if n := len(vs.finished); n > 0 {
		trip = vs.finished[n-1].Trip
	}
	st := &thugom.Stop{RouteID: routeID, Seq: seq, Trip: trip, Kind: thugom.StopDepot, ArriveAt: ret, WindowStart: ret, WindowEnd: ret,
		LoadKg: vs.loadKg, Parcels: vs.parcels, Status: thugom.StopPlanned}
	if d := departureFor(p.deps, float64(thugom.SecondsSince(p.day, ret))); d != nil {
		id := d.ID
		st.DepartureID = &id
	}
	return st, nil
}
