package sim

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// Litres per km by vehicle kind (motorbike ~2.2 L/100 km, small van ~9).
var litresPerKm = map[string]float64{thugom.VehicleMotorbike: 0.022, thugom.VehicleVan: 0.09}

// vstate is a vehicle on a simulated day: where it is, what it carries,
// when it first and last moved and how far it went.
type vstate struct {
	at          orb.Point
	onBoard     []int64
	first, last time.Time
	km          float64
}

// weekDay is day i of the week (−1: the evening before it) as it runs.
type weekDay struct {
	w        *week
	i        int
	day      time.Time
	harvest  bool // a day of the week: new orders, replies and a breakdown
	svc      *jobs.Service
	vehicles map[int64]*vstate
	// The day's events, each once.
	postponed, cancelled, broke bool
	// rescued is the broken-down vehicle's load, on the rescue van until
	// rescueAt.
	rescued  []int64
	rescueAt time.Time
}

// runDay runs day i on the simulated clock, from 05:30 (08:00 the evening
// before the week) to 05:30 the next morning.
func (w *week) runDay(ctx context.Context, i int) error {
	d := &weekDay{w: w, i: i, day: w.dayOf(i), harvest: i >= 0 && i < w.opt.Days}
	if i >= 0 {
		d.vehicles = map[int64]*vstate{}
		for _, dep := range w.depots {
			vs, err := store.VehiclesOfDepot(ctx, w.db, dep)
			if err != nil {
				return err
			}
			for _, v := range vs {
				d.vehicles[v.ID] = &vstate{at: w.depotPoint[dep]}
			}
		}
		var err error
		if d.svc, err = w.service(w.rainy(i), w.opt.Iterations(0)); err != nil {
			return err
		}
	}
	begin := d.day.Add(5*time.Hour + 30*time.Minute)
	if i < 0 {
		begin = d.day.Add(8 * time.Hour)
	}
	end := d.day.Add(24*time.Hour + 5*time.Hour + 30*time.Minute)
	for w.clk.t = begin; w.clk.t.Before(end); w.clk.t = w.clk.t.Add(w.opt.Step) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.step(ctx, w.clk.t); err != nil {
			return err
		}
		if err := w.carriers.step(ctx, w.clk.t); err != nil {
			return err
		}
	}
	return nil
}

// step is one tick of the simulated clock: the orders placed by now come
// in, then whatever the hour brings, in the day's order.
func (d *weekDay) step(ctx context.Context, now time.Time) error {
	w, since, today := d.w, now.Sub(d.day), d.i >= 0
	if err := w.importDue(ctx, now); err != nil {
		return err
	}
	phases := []struct {
		due bool
		run func() error
	}{
		{today && since == 5*time.Hour+30*time.Minute, func() error { return d.morning(ctx, now) }},
		// Orders for today that came in during the morning: re-plan at
		// the hour, 06:00–14:00.
		{today && since%time.Hour == 0 && since >= 6*time.Hour && since <= 14*time.Hour, func() error { return d.replanNewOrders(ctx) }},
		{today && since >= 6*time.Hour && since <= 21*time.Hour, func() error { return d.runStops(ctx, now) }},
		{d.harvest && !d.postponed && since >= 8*time.Hour, func() error { return d.postpone(ctx) }},
		{d.harvest && !d.cancelled && since >= 9*time.Hour, func() error { return d.cancel(ctx) }},
		{d.harvest && !d.broke && since >= w.opt.BreakdownAt, func() error { return d.breakDown(ctx, now) }},
		{len(d.rescued) > 0 && !now.Before(d.rescueAt), func() error { return d.rescue(ctx) }},
		{today && since == 21*time.Hour, func() error { return d.end(ctx, now) }},
		// The SLA watch every half hour (escalations and metrics).
		{today && since >= 6*time.Hour && since <= 21*time.Hour && since%(30*time.Minute) == 0, func() error { _, err := d.svc.WatchSLA(ctx); return err }},
		{since == w.opt.EveningAt && d.i+1 < w.horizon, func() error { return d.evening(ctx) }},
		{d.lastCallDue(since), func() error { return d.lastCall(ctx) }}, // lastcall.go
	}
	for _, p := range phases {
		if !p.due {
			continue
		}
		if err := p.run(); err != nil {
			return err
		}
	}
	return nil
}

func (d *weekDay) acc() *Account { return d.w.accOf(d.i) }

// replan re-plans depot dep's day now.
func (d *weekDay) replan(ctx context.Context, dep int64, cause string) error {
	return d.w.plan(ctx, dep, d.i, jobs.PlanRequest{Replan: true, Cause: cause, RequestedAt: d.w.clk.now()})
}

// move drives vehicle vid to a place, arriving at at.
func (d *weekDay) move(v *vstate, vid int64, to orb.Point, at time.Time) {
	prof, err := d.w.base.Profile(d.w.vehicleKind[vid])
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

// morning (05:30): today's plans take the night's orders; the dispatcher
// offers drop-offs and borrows vehicles for full fleets.
func (d *weekDay) morning(ctx context.Context, now time.Time) error {
	w := d.w
	if err := w.planAll(ctx, d.i, func(dep int64) jobs.PlanRequest {
		return jobs.PlanRequest{Replan: w.planned[dep], Cause: "morning", RequestedAt: now}
	}); err != nil {
		return err
	}
	if err := acceptDropOffs(ctx, w.base, w.depots, d.day, d.acc(), func(dep int64) error { return d.replan(ctx, dep, jobs.CauseDropOff) }); err != nil {
		return err
	}
	if err := borrowForFullFleets(ctx, w.db, w.base, w.depots, d.day, d.acc(), func(dep int64) error {
		return w.plan(ctx, dep, d.i, jobs.PlanRequest{Replan: true, Cause: jobs.CauseBorrowed})
	}); err != nil {
		return err
	}
	w.newToday = map[int64]bool{}
	w.opt.Progress(fmt.Sprintf("%s 05:30: morning plans; %d orders in so far", jobs.DayString(d.day), w.next))
	return nil
}

// replanNewOrders re-plans the depots with new orders for today.
func (d *weekDay) replanNewOrders(ctx context.Context) error {
	w := d.w
	var due []int64
	for _, dep := range w.depots {
		if w.newToday[dep] {
			due = append(due, dep)
		}
	}
	if err := eachDepot(due, w.depotOrders, func(dep int64) error { return d.replan(ctx, dep, "new_orders") }); err != nil {
		return err
	}
	w.newToday = map[int64]bool{}
	return nil
}

// runStops has the drivers do the stops due by now, depots side by side:
// a vehicle's state is its depot's alone (a borrowed one is on the
// borrower's plan only); what they share is counted under mu.
func (d *weekDay) runStops(ctx context.Context, now time.Time) error {
	w := d.w
	return eachDepot(w.depots, w.depotOrders, func(dep int64) error {
		return runDueStops(ctx, w.db, d.svc, w.depotRng[dep], w.opt.FailureRate, dep, d.day, now, w.points, dueStops{
			known:  func(id int64) bool { return d.vehicles[id] != nil },
			arrive: func(st store.PlanStop, to orb.Point) { d.move(d.vehicles[st.VehicleID], st.VehicleID, to, st.ArriveAt) },
			handOver: func(st store.PlanStop) {
				v := d.vehicles[st.VehicleID]
				d.move(v, st.VehicleID, w.depotPoint[dep], st.ArriveAt)
				w.mu.Lock()
				for _, o := range v.onBoard {
					w.handedAt[o] = st.ArriveAt
				}
				w.mu.Unlock()
				v.onBoard = nil
			},
			picked: func(st store.PlanStop) {
				v := d.vehicles[st.VehicleID]
				v.onBoard = append(v.onBoard, st.OrderIDs...)
			},
			failed: func(store.PlanStop) error { w.mu.Lock(); d.acc().PickupFailures++; w.mu.Unlock(); return nil },
			replan: func() error { return d.replan(ctx, dep, jobs.CausePickupFailed) },
		})
	})
}

// postpone (08:00): households with a pickup later today reply 2.
func (d *weekDay) postpone(ctx context.Context) error {
	d.postponed = true
	n, err := simReply(ctx, d.svc, d.w.db, d.day, d.w.opt.Postponements, "2", jobs.InboundPostponed, d.w.rng,
		func(dep int64, cause string) error { return d.replan(ctx, dep, cause) })
	if err != nil {
		return err
	}
	d.acc().Postponed += n
	return nil
}

// cancel (09:00): households with a pickup later today reply 0.
func (d *weekDay) cancel(ctx context.Context) error {
	d.cancelled = true
	_, err := simReply(ctx, d.svc, d.w.db, d.day, d.w.opt.Cancellations, "0", jobs.InboundCancelled, d.w.rng,
		func(dep int64, cause string) error { return d.replan(ctx, dep, cause) })
	return err
}

// breakDown (BreakdownAt): the vehicle with the most stops left breaks
// down; a rescue van takes its load to the depot within the hour.
func (d *weekDay) breakDown(ctx context.Context, now time.Time) error {
	d.broke = true
	w := d.w
	vid, depot, err := simBusiestVehicle(ctx, w.db, w.depots, d.day)
	if err != nil || vid == 0 {
		return err
	}
	if err := d.svc.ReportBreakdown(ctx, vid, "simulation"); err != nil {
		return err
	}
	d.acc().Breakdowns++
	v := d.vehicles[vid]
	for _, o := range v.onBoard {
		w.handedAt[o] = now.Add(time.Hour)
	}
	// Handed over when the rescue van is at the depot (rescue), not at
	// the breakdown: thugom, then its carriers, are told then.
	d.rescued, d.rescueAt = append(d.rescued, v.onBoard...), now.Add(time.Hour)
	v.onBoard = nil
	return d.replan(ctx, depot, jobs.CauseVehicleBroken)
}

// rescue: the rescue van is at the depot with the broken-down vehicle's
// load, handed over.
func (d *weekDay) rescue(ctx context.Context) error {
	ids := d.rescued
	d.rescued = nil
	_, err := d.svc.HandOver(ctx, ids, jobs.System("simulation:rescue"))
	return err
}

// end (21:00): anything still on board is handed over (the broken
// vehicles are back tomorrow), and the day's driving is counted.
func (d *weekDay) end(ctx context.Context, now time.Time) error {
	var left []int64
	for _, v := range d.vehicles {
		for _, o := range v.onBoard {
			d.w.handedAt[o] = now
		}
		left = append(left, v.onBoard...)
		v.onBoard = nil
	}
	if len(left) > 0 {
		if _, err := d.svc.HandOver(ctx, left, jobs.System("simulation:evening")); err != nil {
			return err
		}
	}
	for _, v := range d.vehicles {
		if !v.first.IsZero() {
			d.acc().VehiclesUsed++
			d.acc().DriverHours += v.last.Sub(v.first).Hours()
		}
	}
	for vid, v := range d.vehicles {
		d.acc().KM += v.km
		d.acc().Litres += v.km * litresPerKm[d.w.vehicleKind[vid]]
	}
	return nil
}

// evening (EveningAt): the day's broken vehicles are repaired and
// tomorrow's plans made, with the dispatcher's borrows and drop-offs.
func (d *weekDay) evening(ctx context.Context) error {
	w, next := d.w, d.i+1
	if err := repairAll(ctx, w.db, w.base, w.depots); err != nil {
		return err
	}
	if err := w.planAll(ctx, next, func(int64) jobs.PlanRequest { return jobs.PlanRequest{Cause: "evening"} }); err != nil {
		return err
	}
	for _, dep := range w.depots {
		w.planned[dep] = true
	}
	if err := borrowForFullFleets(ctx, w.db, w.base, w.depots, w.dayOf(next), w.accOf(next), func(dep int64) error {
		return w.plan(ctx, dep, next, jobs.PlanRequest{Replan: true, Cause: jobs.CauseBorrowed})
	}); err != nil {
		return err
	}
	if err := acceptDropOffs(ctx, w.base, w.depots, w.dayOf(next), w.accOf(next), func(dep int64) error {
		return w.plan(ctx, dep, next, jobs.PlanRequest{Replan: true, Cause: jobs.CauseDropOff, RequestedAt: w.clk.now()})
	}); err != nil {
		return err
	}
	w.opt.Progress(fmt.Sprintf("%s %s: tomorrow's plans made; %d orders in so far", jobs.DayString(d.day), hhmm(w.opt.EveningAt), w.next))
	return nil
}
