package jobs

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
)

// vehicleState is what the previous plan says about a vehicle's day.
type vehicleState struct {
	finished []store.PlanStop // done, picked up, failed, skipped: kept as they are (in order)
	frozen   []store.PlanStop // en route, arrived: the vehicle must do them first
	loc      *orb.Point       // where it is (nil: at the depot)
	loadKg   float64
	parcels  int
	onBoard  []int64         // orders picked up on the current trip
	next     *store.PlanStop // the first stop still to do
}

func finishedStatus(st string) bool {
	return st == thugom.StopPickedUp || st == thugom.StopFailed || st == thugom.StopSkipped || st == thugom.StopDone
}

func frozenStatus(st string) bool { return st == thugom.StopEnRoute || st == thugom.StopArrived }

// progress is the day so far, as the previous plan's stops tell it.
type progress struct {
	states     map[int64]*vehicleState // vehicle → its day so far
	prevWindow map[int64]time.Time     // household → window start announced
	// firstWindow is each household's earliest window of the day, done or
	// not: a stop with a later one was a second visit (group.told).
	firstWindow map[int64]time.Time
	lockedStop  map[int64]int64 // household → vehicle a dispatcher locked
	// households are where the households of the day's stops are (a
	// vehicle's position is its last stop's).
	households map[int64]orb.Point
}

// locations are the model's places: 0 the depot, then the stops, then
// where vehicles are.
type locations []geo.Point

func (l *locations) add(pt orb.Point) int {
	*l = append(*l, geo.Point{Lat: pt[1], Lon: pt[0]})
	return len(*l) - 1
}

// sec is t in seconds of the planned day.
func (p *planner) sec(t time.Time) float64 { return float64(thugom.SecondsSince(p.day, t)) }

// build turns the day's state into a routing model (reading, in q, the
// positions and deadlines it needs): progress so far per vehicle, stops
// grouped per household, windows, deadlines, penalties, frozen and locked
// stops, vehicles resuming where they are.
func (p *planner) build(ctx context.Context, q store.DBTX) error {
	pr, err := p.progress(ctx, q)
	if err != nil {
		return err
	}
	vehicles, active := p.available()
	groups, keys, unassigned, err := p.group(ctx, q, pr, active)
	if err != nil {
		return err
	}
	locs := locations{}
	locs.add(p.depot.Point)
	in := &routing.Instance{
		Name:      fmt.Sprintf("%s %s", p.depot.Code, DayString(p.day)),
		Depots:    []routing.Depot{{ID: p.depot.Code, Location: 0}},
		Objective: routing.MinimizeDuration,
	}
	stopGroup, err := p.stops(in, &locs, groups, keys, pr.prevWindow, active)
	if err != nil {
		return err
	}
	// A re-plan stays close to the plan drivers and households know.
	if p.req.Replan {
		if ref := referenceOf(p.prev, stopGroup, active); len(ref) > 0 {
			in.Stability = &routing.Stability{Reference: ref, VehicleChange: vehicleChangeCost, OrderChange: orderChangeCost}
		}
	}
	for _, v := range vehicles {
		rv, err := p.vehicle(ctx, q, &locs, v, pr, groups)
		if err != nil {
			return err
		}
		in.Vehicles = append(in.Vehicles, rv)
	}
	if err := p.travel(in, locs, vehicles); err != nil {
		return err
	}
	for i := range in.Stops {
		st := &in.Stops[i]
		switch {
		case deadlineImpossible(in, st):
			st.DeadlineLateCost = deadlineLateCost(len(stopGroup[st.ID].orders))
		case st.Deadline > 0:
			st.Penalty *= keepableFactor
			if !p.s.deps.RetryTargets {
				break
			}
			// Only a target some vehicle could meet going there alone: one
			// that none can is no retry kept, and chasing it bent routes
			// (measured on the week: produce age p95 480.8 min against
			// 474.6 with this test, 473.5 before targets).
			if t := retryTarget(in, st); t > 0 && !deadlineImpossible(in, &routing.Stop{Location: st.Location, Service: st.Service, Windows: st.Windows, Deadline: t}) {
				st.Target, st.TargetLateCost = t, targetLateCost(len(stopGroup[st.ID].orders))
			}
		}
	}
	placePins(in, stopGroup) // a dispatcher's drops at a place (position.go)
	p.in, p.groups, p.stopGroup, p.states, p.active = in, groups, stopGroup, pr.states, active
	p.unassigned, p.prevWindow, p.firstWindow = unassigned, pr.prevWindow, pr.firstWindow
	return nil
}

// progress reads the day's progress from the previous plan: per vehicle
// what it finished (and so where it is and what it carries) and what it is
// underway to; per household the window it was told and the vehicle a
// dispatcher locked it to.
func (p *planner) progress(ctx context.Context, q store.DBTX) (*progress, error) {
	pr := &progress{states: map[int64]*vehicleState{}, prevWindow: map[int64]time.Time{}, firstWindow: map[int64]time.Time{}, lockedStop: map[int64]int64{}}
	var hids []int64
	for _, st := range p.prev {
		if st.HouseholdID != nil {
			hids = append(hids, *st.HouseholdID)
		}
	}
	var err error
	if pr.households, err = store.HouseholdPoints(ctx, q, hids); err != nil {
		return nil, err
	}
	for _, st := range p.prev {
		if st.Status == thugom.StopSkipped {
			continue // no longer visited: not part of the vehicle's day
		}
		vs := pr.states[st.VehicleID]
		if vs == nil {
			vs = &vehicleState{}
			pr.states[st.VehicleID] = vs
		}
		if first, ok := pr.firstWindow[ptrID(st.HouseholdID)]; st.Kind == thugom.StopPickup && st.HouseholdID != nil && (!ok || st.WindowStart.Before(first)) {
			pr.firstWindow[*st.HouseholdID] = st.WindowStart
		}
		open := st.Kind == thugom.StopPickup && (st.Status == thugom.StopPlanned || frozenStatus(st.Status))
		if open && st.HouseholdID != nil {
			if told, ok := pr.prevWindow[*st.HouseholdID]; !ok || st.WindowStart.Before(told) {
				pr.prevWindow[*st.HouseholdID] = st.WindowStart // its first visit's (group.told)
			}
			if st.LockedVehicleID != nil {
				pr.lockedStop[*st.HouseholdID] = *st.LockedVehicleID
			}
		}
		if vs.next == nil && open {
			next := st
			vs.next = &next
		}
		switch {
		case finishedStatus(st.Status):
			vs.finish(st, pr.households)
		case frozenStatus(st.Status):
			vs.frozen = append(vs.frozen, st)
		}
	}
	return pr, nil
}

func ptrID(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// finish adds a finished stop to the vehicle's day: back at the depot it is
// empty; at a household or a drop-off point it is there, with what it
// picked up on board.
func (vs *vehicleState) finish(st store.PlanStop, households map[int64]orb.Point) {
	vs.finished = append(vs.finished, st)
	if st.Kind == thugom.StopDepot {
		vs.loc, vs.loadKg, vs.parcels, vs.onBoard = nil, 0, 0, nil
		return
	}
	if st.HouseholdID == nil && st.DropOffPoint == nil {
		return
	}
	if st.DropOffPoint != nil {
		pt := *st.DropOffPoint
		vs.loc = &pt
	} else if pt, ok := households[*st.HouseholdID]; ok {
		vs.loc = &pt
	}
	if st.Status == thugom.StopPickedUp {
		vs.loadKg += st.LoadKg
		vs.parcels += st.Parcels
		vs.onBoard = append(vs.onBoard, st.OrderIDs...)
	}
}

// available lists the vehicles in service with shift left for the rest of
// the day, and the set of their ids.
func (p *planner) available() ([]thugom.Vehicle, map[int64]bool) {
	var vehicles []thugom.Vehicle
	for _, v := range p.vehicles {
		if v.Status != thugom.VehicleActive {
			continue
		}
		open := math.Max(float64(v.ShiftStart), p.nowS)
		if open >= float64(v.ShiftEnd) {
			continue
		}
		vehicles = append(vehicles, v)
	}
	active := map[int64]bool{}
	for _, v := range vehicles {
		active[v.ID] = true
	}
	return vehicles, active
}

// group gathers the orders to plan into the model's stops (sorted keys):
// a household's orders, a commune drop-off point's, or a frozen stop's;
// each continues the day's open stop its orders were on when it is at the
// same place. Orders with no place are unassigned at once.
func (p *planner) group(ctx context.Context, q store.DBTX, pr *progress, active map[int64]bool) (map[string]*group, []string, []thugom.Unassigned, error) {
	if err := p.readDropOffs(ctx, q); err != nil {
		return nil, nil, nil, err
	}
	frozenOf := frozenStops(pr.states, active)
	prevOpenOf := p.openStops(active)
	parts, err := p.householdParts(frozenOf, active)
	if err != nil {
		return nil, nil, nil, err
	}
	var unassigned []thugom.Unassigned
	groups := map[string]*group{}
	var keys []string
	for _, o := range p.orders {
		if o.Household.Precision == thugom.PrecisionNone && o.DropOff == nil {
			unassigned = append(unassigned, thugom.Unassigned{OrderID: o.Order.ID, Reason: "not_geocoded: the household has no position",
				Fix: "correct the address or pin the household on the map"})
			continue
		}
		var frozenID int64
		if fs := frozenOf[o.Order.ID]; fs != nil {
			frozenID = fs.ID
		}
		key, part := groupKey(o, frozenID), 0
		if ownVisit(o, frozenID) {
			part = parts[o.Order.ID]
			key = partKey(key, part)
		}
		g := groups[key]
		if g == nil {
			g = newGroup(key, o, frozenOf[o.Order.ID])
			g.part = part
			groups[key] = g
			keys = append(keys, key)
		}
		// The day's stop this group continues keeps its id, if it is at the
		// same place: a household's own stop, or the same drop-off point.
		if prev := prevOpenOf[o.Order.ID]; g.frozen == nil && g.prev == nil && prev != nil {
			if (g.dropoff == nil && prev.DropOffPointID == nil) || (g.dropoff != nil && prev.DropOffPointID != nil && *prev.DropOffPointID == g.dropoff.ID) {
				g.prev = prev
			}
		}
		g.orders = append(g.orders, o)
		g.kg += o.Order.WeightKg
		g.parcels += o.Order.Parcels
		if o.Order.LockedVehicleID != nil {
			g.lockedVeh = o.Order.LockedVehicleID
		} else if v, ok := pr.lockedStop[o.Order.HouseholdID]; ok && g.lockedVeh == nil && g.household != 0 {
			g.lockedVeh = &v
		}
	}
	sort.Strings(keys)
	return groups, keys, unassigned, nil
}

// householdParts is the visit of the day each order collected at its
// household's own stop belongs to (visitParts; 0 when the household has
// one).
func (p *planner) householdParts(frozenOf map[int64]*store.PlanStop, active map[int64]bool) (map[int64]int, error) {
	byHousehold := map[int64][]store.PlanOrder{}
	var households []int64
	for _, o := range p.orders {
		if frozenOf[o.Order.ID] != nil || !ownVisit(o, 0) || o.Household.Precision == thugom.PrecisionNone {
			continue
		}
		hh := o.Order.HouseholdID
		if byHousehold[hh] == nil {
			households = append(households, hh)
		}
		byHousehold[hh] = append(byHousehold[hh], o)
	}
	parts := map[int64]int{}
	for _, hh := range households {
		orders := byHousehold[hh]
		if len(orders) < 2 {
			continue
		}
		got, err := visitParts(orders, p.deps, p.day, p.nowS, p.backLeg(orders[0].Household.Point, active))
		if err != nil {
			return nil, err
		}
		for id, part := range got {
			parts[id] = part
		}
	}
	return parts, nil
}

// backLeg is the quickest drive from pt to the depot among the vehicles in
// service, in seconds (0 when none).
func (p *planner) backLeg(pt orb.Point, active map[int64]bool) float64 {
	from, to := geo.Point{Lat: pt[1], Lon: pt[0]}, geo.Point{Lat: p.depot.Point[1], Lon: p.depot.Point[0]}
	best := math.Inf(1)
	for _, v := range p.vehicles {
		if !active[v.ID] {
			continue
		}
		prof, err := p.s.profile(v.Kind)
		if err != nil {
			continue
		}
		if _, s := prof.Leg(from, to); s < best {
			best = s
		}
	}
	if math.IsInf(best, 1) {
		return 0
	}
	return best
}

// readDropOffs notes on the orders to plan those their households bring to
// a commune drop-off point (issue 14).
func (p *planner) readDropOffs(ctx context.Context, q store.DBTX) error {
	oids := make([]int64, len(p.orders))
	for i := range p.orders {
		oids[i] = p.orders[i].Order.ID
	}
	dropoffs, err := store.DropOffsOfOrders(ctx, q, oids)
	if err != nil {
		return err
	}
	for i := range p.orders {
		if d, ok := dropoffs[p.orders[i].Order.ID]; ok {
			p.orders[i].DropOff = &d
		}
	}
	return nil
}

// frozenStops maps each order to the stop underway that holds it, on the
// vehicles still running (a broken vehicle's frozen stops go back to
// planning).
func frozenStops(states map[int64]*vehicleState, active map[int64]bool) map[int64]*store.PlanStop {
	frozenOf := map[int64]*store.PlanStop{}
	for vid, vs := range states {
		if !active[vid] {
			continue
		}
		for i := range vs.frozen {
			for _, oid := range vs.frozen[i].OrderIDs {
				frozenOf[oid] = &vs.frozen[i]
			}
		}
	}
	return frozenOf
}

// openStops maps each order to the day's open stop a group may continue
// (keeping the stop's id): planned ones, and those underway on a vehicle
// that no longer runs.
func (p *planner) openStops(active map[int64]bool) map[int64]*store.PlanStop {
	prevOpenOf := map[int64]*store.PlanStop{}
	for i := range p.prev {
		st := &p.prev[i]
		if st.Kind == thugom.StopPickup && (st.Status == thugom.StopPlanned || (thugom.StopUnderway(st.Status) && !active[st.VehicleID])) {
			for _, oid := range st.OrderIDs {
				prevOpenOf[oid] = st
			}
		}
	}
	return prevOpenOf
}

// newGroup is the stop of the model its first order o opens: at the
// household, at the drop-off point a frozen stop is at, or at the point the
// household brings its produce to.
func newGroup(key string, o store.PlanOrder, frozen *store.PlanStop) *group {
	g := &group{key: key, household: o.Order.HouseholdID, phone: o.Household.Phone, point: o.Household.Point, frozen: frozen}
	if fs := g.frozen; fs != nil && fs.DropOffPoint != nil {
		g.household, g.phone, g.point = 0, "", *fs.DropOffPoint
		g.dropoff = &thugom.DropOffPoint{ID: *fs.DropOffPointID, Point: *fs.DropOffPoint, ClosesAt: 86400}
		if o.DropOff != nil && o.DropOff.Point.ID == g.dropoff.ID {
			g.dropoff = &o.DropOff.Point
		}
	} else if fs == nil && o.DropOff != nil {
		g.household, g.phone, g.point, g.dropoff = 0, "", o.DropOff.Point.Point, &o.DropOff.Point
	}
	return g
}

// stops adds the groups to the model as its stops, in key order: place,
// demand, service time, windows, deadlines, penalty, and the vehicle a
// frozen or locked stop must stay on. It returns the group of each stop.
func (p *planner) stops(in *routing.Instance, locs *locations, groups map[string]*group, keys []string,
	prevWindow map[int64]time.Time, active map[int64]bool) (map[string]*group, error) {
	stopGroup := map[string]*group{}
	for _, k := range keys {
		g := groups[k]
		st := routing.Stop{ID: k, Location: locs.add(g.point), Demand: []float64{g.kg, float64(g.parcels)}}
		st.Service = serviceTime(g.parcels)
		terms, slas, err := stopTerms(g.orders, p.deps, p.day, p.nowS)
		if err != nil {
			return nil, err
		}
		p.sla = append(p.sla, slas...)
		st.Windows, st.Deadline, st.MaxAge = terms.windows, terms.deadline, terms.maxAge
		toldAt, told := g.told(prevWindow)
		st.Windows = p.noticeWindows(st.Windows, g, toldAt) // noticefloor.go
		if g.dropoff != nil {
			// Its households agreed to bring their produce: they were told.
			st.Windows, told = []routing.Window{hubWindow(g.orders, p.day, p.nowS, g.dropoff.ClosesAt)}, true
		}
		st.Penalty = stopPenalty(len(g.orders), terms.urgent, told && p.req.Replan, terms.carried)
		if g.frozen != nil {
			st.Vehicle = strconv.FormatInt(g.frozen.VehicleID, 10)
		} else if g.lockedVeh != nil && active[*g.lockedVeh] {
			st.Vehicle = strconv.FormatInt(*g.lockedVeh, 10)
		}
		in.Stops = append(in.Stops, st)
		stopGroup[k] = g
	}
	return stopGroup, nil
}

// vehicle is one vehicle of the model: its shift from now, or from when it
// left its last stop or the phone last saw it; and, when it is on the road,
// where it resumes, with what on board and which stops it must do first.
func (p *planner) vehicle(ctx context.Context, q store.DBTX, locs *locations, v thugom.Vehicle, pr *progress, groups map[string]*group) (routing.Vehicle, error) {
	rv := routing.Vehicle{
		ID: strconv.FormatInt(v.ID, 10), Profile: v.Kind, Depot: p.depot.Code,
		Start: 0, End: 0,
		Shift:    routing.Window{Open: math.Max(float64(v.ShiftStart), p.nowS), Close: float64(v.ShiftEnd)},
		Capacity: []float64{v.CapacityKg, float64(v.CapacityParcels)},
		MaxTrips: v.MaxTrips, Reload: reloadS,
	}
	if pt, ok := p.home[v.ID]; ok {
		rv.Start = locs.add(pt) // borrowed: the empty run from its home depot is its first leg (borrow.go)
	}
	vs := pr.states[v.ID]
	if vs != nil {
		if left := p.leftAt(v, vs, pr.households); left < rv.Shift.Open && left >= float64(v.ShiftStart) {
			rv.Shift.Open = left
		}
	}
	phone, seen := p.phoneAt(ctx, q, v, vs)
	if phone != nil {
		rv.Shift.Open = math.Max(float64(v.ShiftStart), seen)
	}
	p.resumeAt[v.ID] = rv.Shift.Open
	if phone == nil && (vs == nil || (len(vs.finished) == 0 && len(vs.frozen) == 0)) {
		return rv, nil
	}
	if vs == nil {
		vs = &vehicleState{}
	}
	r, err := p.resume(ctx, q, locs, rv, v, vs, phone, groups)
	if err != nil {
		return rv, err
	}
	if r.Location != 0 || len(r.Frozen) > 0 || r.Load != nil {
		rv.Resume = r
	}
	return rv, nil
}

// leftAt is when a vehicle on the road left its last stop (or the depot,
// for the first stop it is underway to): it has been following the
// previous plan since, so it resumes from there and then, not from "now"
// (which would strand the load on board and lose the time already driven).
// +Inf when the previous plan does not say.
func (p *planner) leftAt(v thugom.Vehicle, vs *vehicleState, households map[int64]orb.Point) float64 {
	if n := len(vs.finished); n > 0 {
		last := vs.finished[n-1]
		return p.sec(last.ArriveAt) + float64(last.ServiceS)
	}
	if vs.next == nil || vs.next.HouseholdID == nil {
		return math.Inf(1)
	}
	pt, ok := households[*vs.next.HouseholdID]
	if !ok {
		return math.Inf(1)
	}
	prof, err := p.s.profile(v.Kind)
	if err != nil {
		return math.Inf(1)
	}
	start := p.startPoint(v.ID) // a borrowed vehicle leaves from its home depot (borrow.go)
	_, leg := prof.Leg(geo.Point{Lat: start[1], Lon: start[0]}, geo.Point{Lat: pt[1], Lon: pt[0]})
	return p.sec(vs.next.ArriveAt) - leg
}

// phoneAt is where the driver's phone says the vehicle is, and when it was
// seen (seconds of the day), when that is newer than the vehicle's last
// reported step and away from the depot; nil otherwise.
func (p *planner) phoneAt(ctx context.Context, q store.DBTX, v thugom.Vehicle, vs *vehicleState) (*orb.Point, float64) {
	pos, ok := p.positionOf(ctx, q, v.ID)
	if !ok {
		return nil, 0
	}
	left := float64(v.ShiftStart)
	if vs != nil && len(vs.finished) > 0 {
		last := vs.finished[len(vs.finished)-1]
		left = p.sec(last.ArriveAt) + float64(last.ServiceS)
	}
	pt := orb.Point{pos.Lon, pos.Lat}
	prof, err := p.s.profile(v.Kind)
	if err != nil || !phoneResume(p.sec(pos.At), left, p.nowS) {
		return nil, 0
	}
	if m, _ := prof.Leg(geo.Point{Lat: p.depot.Point[1], Lon: p.depot.Point[0]}, geo.Point{Lat: pt[1], Lon: pt[0]}); m <= atDepotM {
		return nil, 0
	}
	return &pt, p.sec(pos.At)
}

// positionOf returns the fresh phone position of a vehicle's driver.
func (p *planner) positionOf(ctx context.Context, q store.DBTX, vehicleID int64) (store.DriverPosition, bool) {
	if len(p.positions) == 0 {
		return store.DriverPosition{}, false
	}
	drv, err := store.DriverOfVehicle(ctx, q, vehicleID)
	if err != nil || drv == nil {
		return store.DriverPosition{}, false
	}
	pos, ok := p.positions[*drv]
	return pos, ok
}

// resume is where and when a vehicle on the road takes up the plan: at its
// last stop or where its phone is, with its load on board (which must still
// make its orders' departure) and its stops underway first.
func (p *planner) resume(ctx context.Context, q store.DBTX, locs *locations, rv routing.Vehicle, v thugom.Vehicle, vs *vehicleState,
	phone *orb.Point, groups map[string]*group) (*routing.Resume, error) {
	r := &routing.Resume{Time: rv.Shift.Open, Location: resumeLocation(rv, vs)}
	if vs.loc != nil {
		r.Location = locs.add(*vs.loc)
	}
	if phone != nil {
		r.Location = locs.add(*phone)
	}
	if vs.loadKg > 0 || vs.parcels > 0 {
		r.Load = []float64{math.Min(vs.loadKg, v.CapacityKg), math.Min(float64(vs.parcels), float64(v.CapacityParcels))}
		dls, err := store.OrderDeadlines(ctx, q, vs.onBoard)
		if err != nil {
			return nil, err
		}
		for _, dl := range dls {
			if d := p.sec(dl); d > p.nowS && d < 86400 && (r.LoadDeadline == 0 || d < r.LoadDeadline) {
				r.LoadDeadline = d
			}
		}
	}
	for _, f := range vs.frozen {
		if _, ok := groups[fmt.Sprintf("f%d", f.ID)]; ok {
			r.Frozen = append(r.Frozen, fmt.Sprintf("f%d", f.ID))
		}
	}
	return r, nil
}

// travel fills the model's travel matrices, one per vehicle kind in use.
func (p *planner) travel(in *routing.Instance, locs locations, vehicles []thugom.Vehicle) error {
	in.NumLocations = len(locs)
	in.Profiles = map[string]routing.Profile{}
	for _, v := range vehicles {
		if _, ok := in.Profiles[v.Kind]; ok {
			continue
		}
		prof, err := p.s.profile(v.Kind)
		if err != nil {
			return err
		}
		t, err := geo.Matrix(locs, prof)
		if err != nil {
			return fmt.Errorf("travel matrix: %w", err)
		}
		in.Profiles[v.Kind] = routing.Profile{Duration: t.Durations, Distance: t.Distances}
	}
	return nil
}
