package sim

import (
	"context"
	"time"

	"github.com/thugom/thugom"
)

// readings are what the week's account reads of the database besides
// its orders.
type readings struct {
	failed    map[int64]bool        // orders a pickup failed for
	picked    map[int64]time.Time   // order → window start of the stop that collected it
	windowSMS map[int64][]time.Time // household → its window notifications, in order
}

// samples are the week's lateness, age and notice samples by day; the
// last slot is the week's.
type samples struct {
	lates, ages, notices [][]float64
}

// account counts every order of the week by the day it was for, the
// messages by the day they were written, and the week's total.
func (w *week) account(ctx context.Context, rep *WeekReport) error {
	r, err := w.read(ctx, rep)
	if err != nil {
		return err
	}
	n := len(w.days)
	s := &samples{lates: make([][]float64, n+1), ages: make([][]float64, n+1), notices: make([][]float64, n+1)}
	for i := range w.days {
		w.days[i].LateHistogram = make([]int, len(LateBins)+1)
		w.days[i].AgeHistogram = make([]int, len(AgeBins)+1)
	}
	orders, err := weekOrderRows(ctx, w.db)
	if err != nil {
		return err
	}
	for _, o := range orders {
		if i, ok := w.orderDay[o.id]; ok {
			w.countOrder(rep, r, s, o, i)
		}
	}
	w.total(rep, s)
	rep.Promises = w.promiseFigures(rep)
	return nil
}

// read reads the pickups and messages of the week, and counts the
// messages by the day they were written.
func (w *week) read(ctx context.Context, rep *WeekReport) (*readings, error) {
	var r readings
	var err error
	if r.failed, err = failedOrders(ctx, w.db); err != nil {
		return nil, err
	}
	if r.picked, err = pickedWindows(ctx, w.db); err != nil {
		return nil, err
	}
	if r.windowSMS, err = windowNotifications(ctx, w.db); err != nil {
		return nil, err
	}
	times, err := notificationTimes(ctx, w.db)
	if err != nil {
		return nil, err
	}
	for _, at := range times {
		if i := dayIndex(at, w.dayOf, len(w.days)); i >= 0 {
			w.days[i].SMS++
		} else if at.Before(w.dayOf(0)) {
			w.days[0].SMS++ // the evening before the first day
		} else if rep.After != nil {
			rep.After.SMS++
		}
	}
	if rep.Total.NightSMS, rep.Total.NightSMSNonUrgent, err = nightNotifications(ctx, w.db); err != nil {
		return nil, err
	}
	return &r, nil
}

// countOrder counts order o, for day i, in its day's account and in the
// report's outcomes.
func (w *week) countOrder(rep *WeekReport, r *readings, s *samples, o weekOrderRow, i int) {
	a := &w.days[i]
	a.Placed++
	oc := w.outcome(o, i)
	if w.impossible[o.id] {
		a.ImpossibleAtPlacement++
	}
	if o.status == thugom.OrderCancelled {
		a.Cancelled++
		oc.Outcome = "cancelled"
		rep.Orders = append(rep.Orders, oc)
		return
	}
	at, handed := w.handedAt[o.id]
	if !handed {
		oc.Outcome = "never_collected"
		rep.Orders = append(rep.Orders, oc)
		a.NeverCollected++
		if a.NeverCollectedBy == nil {
			a.NeverCollectedBy = map[string]int{}
		}
		a.NeverCollectedBy[o.status]++
		if t := &rep.Total; t.NeverCollectedBy == nil {
			t.NeverCollectedBy = map[string]int{}
		}
		rep.Total.NeverCollectedBy[o.status]++
		p := w.points[o.household]
		rep.LateOrders = append(rep.LateOrders, LateOrder{Lon: p[0], Lat: p[1], Never: true, DayIndex: i})
		return
	}
	w.countCollected(rep, r, s, o, i, &oc, at)
}

// countCollected counts an order handed over at the depot at at: its
// age, its household's notice, and whether it reached its buyer within
// its promise (else why not).
func (w *week) countCollected(rep *WeekReport, r *readings, s *samples, o weekOrderRow, i int, oc *OrderOutcome, at time.Time) {
	a := &w.days[i]
	a.KgCollected += o.kg
	from := o.placed
	if o.ready != nil && o.ready.After(from) {
		from = *o.ready
	}
	// Its first possible day is its own, or the day the household
	// moved it to (a postponement: the same hours a day later).
	first := w.dayOf(i)
	if d := thugom.Day(from); d.After(first) {
		first = d
	}
	oc.Handed, oc.FirstDay = at, thugom.Day(at).Equal(first)
	if w.impossible[o.id] && oc.FirstDay {
		a.ImpossibleFirstDay++
	}
	age := at.Sub(from).Minutes()
	s.ages[i] = append(s.ages[i], age)
	a.AgeHistogram[bin(age/60, AgeBins)]++
	if ws, ok := r.picked[o.id]; ok && !o.placed.After(w.dayOf(i).Add(-7*time.Hour)) {
		w.countNotice(a, s, r.windowSMS[o.household], ws, i)
	}
	promised := oc.Promised
	dl, ok := delivery(w.depotDeps[o.depot], o.dest, at)
	if ok && !dl.After(promised) {
		a.WithinPromise++
		oc.Outcome, oc.Delivered = "within_promise", dl
		rep.Orders = append(rep.Orders, *oc)
		return
	}
	if !ok {
		dl = at.Add(24 * time.Hour)
	}
	a.Late++
	cause := w.lateCause(a, r, o, i, from, at, promised)
	if a.LateBy == nil {
		a.LateBy = map[string]int{}
	}
	a.LateBy[cause]++
	late := dl.Sub(promised).Minutes()
	oc.Outcome, oc.Cause, oc.Delivered, oc.LateMin = "late", cause, dl, late
	rep.Orders = append(rep.Orders, *oc)
	s.lates[i] = append(s.lates[i], late)
	a.LateHistogram[bin(late, LateBins)]++
	p := w.points[o.household]
	rep.LateOrders = append(rep.LateOrders, LateOrder{Lon: p[0], Lat: p[1], LateMin: late, DayIndex: i})
}

// countNotice counts an order known by 17:00 the day before its day, and
// the notice its household had: from its first window message since the
// day before to the window start ws.
func (w *week) countNotice(a *Account, s *samples, sms []time.Time, ws time.Time, i int) {
	a.KnownBy17++
	var firstSMS time.Time
	for _, t := range sms {
		if !t.Before(w.dayOf(i).Add(-24*time.Hour)) && !t.After(ws) {
			firstSMS = t
			break
		}
	}
	if !firstSMS.IsZero() {
		n := ws.Sub(firstSMS).Hours()
		s.notices[i] = append(s.notices[i], n)
		if n >= 12 {
			a.WindowNotice12h++
		}
	}
}

// lateCause is why an order handed over at at, ready from from, missed
// its promise (Account.LateBy's causes).
func (w *week) lateCause(a *Account, r *readings, o weekOrderRow, i int, from, at, promised time.Time) string {
	// No plan could keep it: flagged at placement, on the readiness the
	// household gave then (a failed pickup or a postponement moves the
	// stored one later, and is its own cause).
	given := o.placed
	if rd, ok := w.readyAt[o.id]; ok && rd.After(given) {
		given = rd
	}
	deps := w.depotDeps[o.depot]
	switch {
	case o.flagged:
		// The core's check at placement (thugom.Promise, the one
		// function): not even its earliest arrival keeps the promise.
		if !reachable(deps, o.dest, o.placed, promised) {
			a.NoDeparture++
		}
		return "promise_unreachable"
	case r.failed[o.id]:
		return "after_failed_pickup"
	case from.After(given):
		return "household_later"
	case dayIndex(at, w.dayOf, len(w.days)) != i:
		return "later_day"
	}
	return "same_day"
}

// total sums the days (and the work of the days after the week) into the
// week's account and derives every account's rates and quantiles.
func (w *week) total(rep *WeekReport, s *samples) {
	t := &rep.Total
	n := len(w.days)
	t.LateHistogram = make([]int, len(LateBins)+1)
	t.AgeHistogram = make([]int, len(AgeBins)+1)
	for i := range w.days {
		a := &w.days[i]
		a.finish(s.lates[i], s.ages[i], s.notices[i])
		s.lates[n] = append(s.lates[n], s.lates[i]...)
		s.ages[n] = append(s.ages[n], s.ages[i]...)
		s.notices[n] = append(s.notices[n], s.notices[i]...)
		t.addDay(a)
	}
	if a := rep.After; a != nil {
		// The days after the week: their work, not their orders.
		t.addWork(a)
		a.finish(nil, nil, nil)
	}
	t.finish(s.lates[n], s.ages[n], s.notices[n])
}

// addDay adds a day's account (already finished) to the week's.
func (t *Account) addDay(a *Account) {
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
	t.Breakdowns += a.Breakdowns
	t.BorrowedVehicles += a.BorrowedVehicles
	t.KgCollected += a.KgCollected
	t.DropOffs += a.DropOffs
	t.addWork(a)
	for k := range a.LateHistogram {
		t.LateHistogram[k] += a.LateHistogram[k]
	}
	for k := range a.AgeHistogram {
		t.AgeHistogram[k] += a.AgeHistogram[k]
	}
}

// addWork adds a day's work (its driving, plans and messages) to the
// week's.
func (t *Account) addWork(a *Account) {
	t.PickupFailures += a.PickupFailures
	t.Replans += a.Replans
	t.PlannedLate += a.PlannedLate
	t.KM += a.KM
	t.Litres += a.Litres
	t.VehiclesUsed = max(t.VehiclesUsed, a.VehiclesUsed)
	t.DriverHours += a.DriverHours
	t.SMS += a.SMS
	t.WallSeconds += a.WallSeconds
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
