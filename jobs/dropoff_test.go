package jobs_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// dropOffHouseholds returns a commune of the depot with at least n
// households with open orders of the test day, and n of those households
// with one of their orders each.
func dropOffHouseholds(t *testing.T, b *bundle, depot int64, n int) (string, []int64, []int64) {
	t.Helper()
	rows, err := b.db.Query(context.Background(), `
		SELECT h.commune_code, h.id, min(o.id)
		FROM orders o JOIN households h ON h.id = o.household_id
		WHERE o.depot_id = $1 AND o.status IN ('received', 'planned') AND h.commune_code <> '' AND o.placed_at < $2
		GROUP BY h.commune_code, h.id ORDER BY h.commune_code, h.id`, depot, testDay.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	by := map[string][][2]int64{}
	var communes []string
	for rows.Next() {
		var c string
		var h, o int64
		if err := rows.Scan(&c, &h, &o); err != nil {
			t.Fatal(err)
		}
		if by[c] == nil {
			communes = append(communes, c)
		}
		by[c] = append(by[c], [2]int64{h, o})
	}
	sort.SliceStable(communes, func(i, j int) bool { return len(by[communes[i]]) > len(by[communes[j]]) })
	if len(communes) == 0 || len(by[communes[0]]) < n {
		t.Fatalf("no commune of depot %d has %d households with orders", depot, n)
	}
	var hs, os []int64
	for _, x := range by[communes[0]][:n] {
		hs, os = append(hs, x[0]), append(os, x[1])
	}
	return communes[0], hs, os
}

func pointOf(t *testing.T, b *bundle, depot int64, commune string) *thugom.DropOffPoint {
	t.Helper()
	pts, err := b.svc.DropOffPoints(context.Background(), depot, jobs.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range pts {
		if pts[i].CommuneCode == commune {
			if !pts[i].Approximate || pts[i].OpensAt != 7*3600 || pts[i].ClosesAt != 17*3600 {
				t.Fatalf("point %+v: want approximate, 07:00-17:00", pts[i])
			}
			return &pts[i]
		}
	}
	t.Fatalf("no drop-off point for commune %s among the depot's %d", commune, len(pts))
	return nil
}

// hubStops returns the open stops of the day's current plan at a point.
func hubStops(t *testing.T, b *bundle, depot, point int64) []store.PlanStop {
	t.Helper()
	head, err := store.CurrentPlan(context.Background(), b.db, depot, testDay)
	if err != nil || head == nil {
		t.Fatalf("current plan: %v %v", head, err)
	}
	stops, err := store.PlanStops(context.Background(), b.db, head.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.PlanStop
	for _, st := range stops {
		if st.DropOffPointID != nil && *st.DropOffPointID == point && st.Status != thugom.StopSkipped {
			out = append(out, st)
		}
	}
	return out
}

func openOrdersOf(t *testing.T, b *bundle, depot int64, hs []int64) []int64 {
	t.Helper()
	rows, err := b.db.Query(context.Background(), `SELECT id FROM orders WHERE household_id = ANY($1) AND depot_id = $2
		AND status IN ('received', 'planned') AND placed_at < $3 ORDER BY id`, hs, depot, testDay.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func sameIDs(a, b []int64) bool {
	a, b = append([]int64(nil), a...), append([]int64(nil), b...)
	sort.Slice(a, func(i, j int) bool { return a[i] < a[j] })
	sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Three households of a commune agree to bring their produce to its point:
// one hub stop (no household) collects all their orders, keeps its id over
// re-plans, is picked up as one, and undoing one household's drop-off sends
// it back home while the hub keeps its id.
func TestDropOffHubStop(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 200})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	commune, hs, orders := dropOffHouseholds(t, b, depot, 3)
	pt := pointOf(t, b, depot, commune)
	before := count(t, b.db, `SELECT count(*) FROM notifications`)
	for _, o := range orders {
		res, err := b.svc.AcceptDropOff(ctx, jobs.DropOff{OrderID: o, PointID: pt.ID, Day: testDay}, jobs.System("dispatcher:test"))
		if err != nil {
			t.Fatal(err)
		}
		if res.By == nil || res.By.Before(b.clock.t.Add(thugom.DropOffTravel)) || res.SMS != 1 {
			t.Fatalf("accept %d: %+v", o, res)
		}
	}
	// Accepting again (a retried request) changes nothing and texts nobody.
	repeat, err := b.svc.AcceptDropOff(ctx, jobs.DropOff{OrderID: orders[0], PointID: pt.ID, Day: testDay}, jobs.System("dispatcher:test"))
	if err != nil || repeat.SMS != 0 || repeat.By == nil {
		t.Fatalf("accepting again: %+v %v", repeat, err)
	}
	want := openOrdersOf(t, b, depot, hs)
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE dropoff_point_id = $1 AND dropoff_by IS NOT NULL`, pt.ID); n != len(want) {
		t.Fatalf("%d orders go to the point, want %d", n, len(want))
	}
	// One drop-off SMS per household, in one GSM-7 segment, naming the point.
	rows, err := b.db.Query(ctx, `SELECT body FROM notifications WHERE kind = 'drop_off' AND household_id = ANY($1)`, hs)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, s)
	}
	rows.Close()
	if len(bodies) != 3 {
		t.Fatalf("%d drop-off SMS, want 3", len(bodies))
	}
	for _, s := range bodies {
		if l, ok := thugom.GSM7Len(s); !ok || l > thugom.SMSMaxLen || !strings.Contains(s, "Diem BDVH") || !strings.Contains(s, "truoc") {
			t.Fatalf("drop-off SMS %q (%d septets, gsm %v)", s, l, ok)
		}
	}
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CauseDropOff}); err != nil {
		t.Fatal(err)
	}
	hub := hubStops(t, b, depot, pt.ID)
	if len(hub) != 1 {
		t.Fatalf("%d hub stops at point %d, want 1", len(hub), pt.ID)
	}
	h := hub[0]
	if h.HouseholdID != nil || h.Kind != thugom.StopPickup || h.Status != thugom.StopPlanned || !sameIDs(h.OrderIDs, want) {
		t.Fatalf("hub stop %+v, want the orders %v and no household", h, want)
	}
	var latestBy time.Time
	if err := b.db.QueryRow(ctx, `SELECT max(dropoff_by) FROM orders WHERE dropoff_point_id = $1`, pt.ID).Scan(&latestBy); err != nil {
		t.Fatal(err)
	}
	if h.WindowStart.Before(latestBy) || h.ArriveAt.Before(latestBy) || !h.WindowEnd.Equal(testDay.Add(17*time.Hour)) {
		t.Fatalf("hub window %s–%s, ETA %s: want from %s to 17:00", h.WindowStart, h.WindowEnd, h.ArriveAt, latestBy)
	}
	// Their packing reminders for a window at home are off.
	if n := count(t, b.db, `SELECT count(*) FROM tasks WHERE kind = 'packaging' AND household_id = ANY($1) AND status = 'open'`, hs); n != 0 {
		t.Fatalf("%d packaging tasks still open for households that bring their produce", n)
	}
	// Households of the hub get no pickup window SMS.
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE household_id = ANY($1) AND kind IN ('pickup_window', 'pickup_changed')
		AND status IN ('queued', 'sent') AND id > (SELECT max(id) FROM notifications WHERE kind = 'drop_off')`, hs); n != 0 {
		t.Fatalf("%d pickup window SMS for households that bring their produce", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications`) - before; n < 3 {
		t.Fatalf("%d new notifications", n)
	}

	// Re-plans, later in the morning, keep the hub's id and its window.
	b.clock.t = latestBy.Add(15 * time.Minute) // past the households' time: the window stays as told
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	if again := hubStops(t, b, depot, pt.ID); len(again) != 1 || again[0].ID != h.ID || !again[0].WindowStart.Equal(h.WindowStart) ||
		!again[0].WindowEnd.Equal(h.WindowEnd) {
		t.Fatalf("after a re-plan the hub is %+v, want stop %d %s–%s", again, h.ID, h.WindowStart, h.WindowEnd)
	}

	// A draft of the next re-plan keeps the hub's window (nobody is told a
	// new one).
	pv, err := b.svc.PreviewPlan(ctx, depot, testDay, jobs.PreviewRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pv.Changes {
		if c.StopID == h.ID && (c.Change == thugom.ChangeWindow || c.Change == thugom.ChangeAdded || c.Change == thugom.ChangeRemoved) {
			t.Fatalf("the draft changes the hub: %+v → %+v (%s)", c.From, c.To, c.Change)
		}
	}

	// Undo one household's drop-off: its orders go home, the hub keeps its id.
	res, err := b.svc.CancelDropOff(ctx, jobs.DropOff{OrderID: orders[0], Day: testDay}, jobs.System("dispatcher:test"))
	if err != nil {
		t.Fatal(err)
	}
	home := openOrdersOf(t, b, depot, hs[:1])
	if !sameIDs(res.Orders, home) {
		t.Fatalf("undo changed %v, want %v", res.Orders, home)
	}
	b.clock.t = b.clock.t.Add(10 * time.Minute)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	again := hubStops(t, b, depot, pt.ID)
	rest := openOrdersOf(t, b, depot, hs[1:])
	if len(again) != 1 || again[0].ID != h.ID || !sameIDs(again[0].OrderIDs, rest) {
		t.Fatalf("after the undo the hub is %+v, want stop %d with %v", again, h.ID, rest)
	}
	if n := count(t, b.db, `SELECT count(*) FROM stops s JOIN stop_orders so ON so.stop_id = s.id
		WHERE so.order_id = ANY($1) AND s.household_id = $2 AND s.status = 'planned'`, home, hs[0]); n != len(home) {
		t.Fatalf("%d of the undone orders on the household's own stop, want %d", n, len(home))
	}

	// The driver picks the hub up: every order it holds is collected.
	b.clock.t = again[0].ArriveAt
	if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: h.ID, Status: thugom.StopPickedUp, Parcels: again[0].Parcels,
		WeightKg: again[0].LoadKg, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = ANY($1) AND status = 'picked_up'`, rest); n != len(rest) {
		t.Fatalf("%d of %d hub orders picked up", n, len(rest))
	}
	// A re-plan after the pickup keeps it as it is.
	b.clock.t = b.clock.t.Add(5 * time.Minute)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM stops WHERE id = $1 AND status = 'picked_up' AND household_id IS NULL`, h.ID); n != 1 {
		t.Fatal("the picked-up hub stop changed after a re-plan")
	}
}

// Bad input changes nothing: unknown order or point, no point, a day out of
// range, another carrier, an undo of nothing, a cancelled order.
func TestDropOffBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 60})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	commune, hs, orders := dropOffHouseholds(t, b, depot, 1)
	pt := pointOf(t, b, depot, commune)
	var other int64
	if err := b.db.QueryRow(ctx, `SELECT id FROM carriers WHERE id <> (SELECT carrier_id FROM orders WHERE id = $1) LIMIT 1`, orders[0]).Scan(&other); err != nil {
		t.Fatal(err)
	}
	sys := jobs.System("test")
	for _, c := range []struct {
		name   string
		accept bool
		req    jobs.DropOff
		a      jobs.Actor
		code   string
	}{
		{"no point", true, jobs.DropOff{OrderID: orders[0]}, sys, thugom.EInvalid},
		{"no order", true, jobs.DropOff{PointID: pt.ID}, sys, thugom.EInvalid},
		{"unknown order", true, jobs.DropOff{OrderID: 1 << 40, PointID: pt.ID}, sys, thugom.ENotFound},
		{"unknown point", true, jobs.DropOff{OrderID: orders[0], PointID: 1 << 40}, sys, thugom.ENotFound},
		{"day out of range", true, jobs.DropOff{OrderID: orders[0], PointID: pt.ID, Day: testDay.AddDate(1, 0, 0)}, sys, thugom.EInvalid},
		{"another carrier", true, jobs.DropOff{OrderID: orders[0], PointID: pt.ID}, jobs.Actor{Name: "d", CarrierID: other}, thugom.EForbidden},
		{"a day without its orders", true, jobs.DropOff{OrderID: orders[0], PointID: pt.ID, Day: testDay.AddDate(0, 0, -1)}, sys, thugom.EConflict},
		{"undo of nothing", false, jobs.DropOff{OrderID: orders[0], Day: testDay}, sys, thugom.EConflict},
	} {
		var err error
		if c.accept {
			_, err = b.svc.AcceptDropOff(ctx, c.req, c.a)
		} else {
			_, err = b.svc.CancelDropOff(ctx, c.req, c.a)
		}
		if thugom.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	// A point that closes before the produce can be there.
	b.clock.t = testDay.Add(16*time.Hour + 45*time.Minute)
	if _, err := b.svc.AcceptDropOff(ctx, jobs.DropOff{OrderID: orders[0], PointID: pt.ID, Day: testDay}, sys); thugom.ErrorCode(err) != thugom.EConflict {
		t.Errorf("after closing: %v, want conflict", err)
	}
	b.clock.t = testMorning
	if err := b.svc.CancelOrder(ctx, orders[0], "test", sys); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.AcceptDropOff(ctx, jobs.DropOff{OrderID: orders[0], PointID: pt.ID, Day: testDay}, sys); thugom.ErrorCode(err) != thugom.EConflict {
		t.Errorf("cancelled order: %v, want conflict", err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE dropoff_point_id IS NOT NULL`); n != 0 {
		t.Fatalf("%d orders changed by bad input", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'drop_off' AND household_id = $1`, hs[0]); n != 0 {
		t.Fatalf("%d drop-off SMS after bad input", n)
	}
	// Correcting a point: bad positions and hours are refused, a good one
	// is kept and no longer approximate.
	for _, p := range []thugom.DropOffPoint{
		{ID: pt.ID, Point: pt.Point, OpensAt: 17 * 3600, ClosesAt: 7 * 3600},
		{ID: pt.ID, Point: [2]float64{0, 0}, OpensAt: 7 * 3600, ClosesAt: 17 * 3600},
	} {
		if _, err := b.svc.SetDropOffPoint(ctx, p, sys); thugom.ErrorCode(err) != thugom.EInvalid {
			t.Errorf("set point %+v: %v, want invalid", p, err)
		}
	}
	if _, err := b.svc.SetDropOffPoint(ctx, thugom.DropOffPoint{ID: 1 << 40, Point: pt.Point, OpensAt: 0, ClosesAt: 3600}, sys); thugom.ErrorCode(err) != thugom.ENotFound {
		t.Errorf("set unknown point: %v", err)
	}
	fixed := *pt
	fixed.Point[0] += 0.01
	got, err := b.svc.SetDropOffPoint(ctx, fixed, sys)
	if err != nil || got.Approximate || got.Point != fixed.Point || got.H3 == "" {
		t.Fatalf("set point: %+v %v", got, err)
	}
}

// A household's "cancel" by SMS meets a drop-off: cancelled first, the
// drop-off is refused and nothing is sent; accepted first, a re-plan that
// read the day before the household's cancel plans again and its hub holds
// only the other household's orders.
func TestDropOffMeetsHouseholdCancel(t *testing.T) {
	t.Parallel()
	var b *bundle
	var hook func()
	b = setup(t, setupOpts{households: 200, afterRead: func(depotID int64, day time.Time, attempt int) {
		if attempt == 0 && hook != nil {
			h := hook
			hook = nil
			h()
		}
	}})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	commune, hs, orders := dropOffHouseholds(t, b, depot, 3)
	pt := pointOf(t, b, depot, commune)
	sys := jobs.System("dispatcher:test")

	// Cancelled first: nothing left to bring.
	if _, err := b.svc.AnswerHousehold(ctx, jobs.Answer{HouseholdID: hs[0], Reply: thugom.ReplyCancel, Via: "sms", Key: "t1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.AcceptDropOff(ctx, jobs.DropOff{OrderID: orders[0], PointID: pt.ID, Day: testDay}, sys); thugom.ErrorCode(err) != thugom.EConflict {
		t.Fatalf("drop-off after the household's cancel: %v, want conflict", err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'drop_off'`); n != 0 {
		t.Fatalf("%d drop-off SMS for a cancelled household", n)
	}

	// Accepted first; the household cancels while the re-plan solves.
	for _, o := range orders[1:] {
		if _, err := b.svc.AcceptDropOff(ctx, jobs.DropOff{OrderID: o, PointID: pt.ID, Day: testDay}, sys); err != nil {
			t.Fatal(err)
		}
	}
	cancelled := openOrdersOf(t, b, depot, hs[1:2])
	hook = func() {
		if _, err := b.svc.AnswerHousehold(ctx, jobs.Answer{HouseholdID: hs[1], Reply: thugom.ReplyCancel, Via: "sms", Key: "t2"}); err != nil {
			t.Error(err)
		}
	}
	b.clock.t = b.clock.t.Add(time.Minute)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CauseDropOff}); err != nil {
		t.Fatal(err)
	}
	if hook != nil {
		t.Fatal("the household's cancel did not run during the re-plan")
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = ANY($1) AND status = 'cancelled'`, cancelled); n != len(cancelled) {
		t.Fatalf("%d of %d orders cancelled", n, len(cancelled))
	}
	hub := hubStops(t, b, depot, pt.ID)
	rest := openOrdersOf(t, b, depot, hs[2:])
	if len(hub) != 1 || !sameIDs(hub[0].OrderIDs, rest) {
		t.Fatalf("hub %+v, want one stop with %v only", hub, rest)
	}
	// A postpone ends the drop-off (agreed for that day): tomorrow the
	// orders are collected at home unless a new one is agreed; the hub goes.
	if _, err := b.svc.AnswerHousehold(ctx, jobs.Answer{HouseholdID: hs[2], Reply: thugom.ReplyPostpone, Via: "sms", Key: "t3"}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = ANY($1) AND (dropoff_point_id IS NOT NULL OR dropoff_by IS NOT NULL)`, rest); n != 0 {
		t.Fatalf("%d postponed orders still brought to the point", n)
	}
	b.clock.t = b.clock.t.Add(time.Minute)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	if hub := hubStops(t, b, depot, pt.ID); len(hub) != 0 {
		t.Fatalf("the hub is still planned with no household bringing anything: %+v", hub)
	}
}

// Candidates: with no plan yet, households far from the depot whose
// commune point is nearer it; an accepted one is no longer offered.
func TestDropOffCandidates(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 200})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	cands, err := b.svc.DropOffCandidates(ctx, depot, testDay)
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) == 0 {
		t.Fatal("no drop-off candidates for a depot without a plan")
	}
	for i, c := range cands {
		if c.HomeKm <= jobs.DefaultDropOffMinKm || c.PointKm >= c.HomeKm || c.WalkKm > 20 || c.Point.ID == 0 || c.Phone == "" {
			t.Fatalf("candidate %+v breaks the rules", c)
		}
		if i > 0 && cands[i-1].HomeKm-cands[i-1].PointKm < c.HomeKm-c.PointKm {
			t.Fatalf("candidates not sorted by the distance saved at %d", i)
		}
	}
	best := cands[0]
	if _, err := b.svc.AcceptDropOff(ctx, jobs.DropOff{OrderID: best.OrderID, PointID: best.Point.ID, Day: testDay}, jobs.System("test")); err != nil {
		t.Fatal(err)
	}
	again, err := b.svc.DropOffCandidates(ctx, depot, testDay)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range again {
		if c.HouseholdID == best.HouseholdID {
			t.Fatalf("household %d still offered a drop-off after accepting one", c.HouseholdID)
		}
	}
	if _, err := b.svc.DropOffCandidates(ctx, depot, testDay.AddDate(0, 1, 0)); thugom.ErrorCode(err) != thugom.EInvalid {
		t.Fatalf("a day out of range: %v", err)
	}
}

// A hub stop the driver reports failed (nobody brought the produce): each
// of its households is told once, its orders go back to planning, and the
// follow-up asks for a re-plan; a second run does nothing.
func TestDropOffHubFailed(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 200})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	commune, hs, orders := dropOffHouseholds(t, b, depot, 2)
	pt := pointOf(t, b, depot, commune)
	for _, o := range orders {
		if _, err := b.svc.AcceptDropOff(ctx, jobs.DropOff{OrderID: o, PointID: pt.ID, Day: testDay}, jobs.System("test")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CauseDropOff}); err != nil {
		t.Fatal(err)
	}
	hub := hubStops(t, b, depot, pt.ID)
	if len(hub) != 1 {
		t.Fatalf("%d hub stops", len(hub))
	}
	b.clock.t = hub[0].ArriveAt
	if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: hub[0].ID, Status: thugom.StopFailed, Reason: jobs.FailNotReady, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	again, err := b.svc.FollowUpFailedPickup(ctx, hub[0].ID, jobs.FailNotReady)
	if err != nil || !again {
		t.Fatalf("follow-up: re-plan %v, %v", again, err)
	}
	if n := count(t, b.db, `SELECT count(DISTINCT household_id) FROM notifications WHERE kind = 'pickup_failed' AND household_id = ANY($1)`, hs); n != 2 {
		t.Fatalf("%d of 2 households told of the failed hub", n)
	}
	if again, err := b.svc.FollowUpFailedPickup(ctx, hub[0].ID, jobs.FailNotReady); err != nil || again {
		t.Fatalf("a second follow-up: re-plan %v, %v", again, err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'pickup_failed' AND household_id = ANY($1)`, hs); n != 2 {
		t.Fatalf("%d failure SMS after two follow-ups, want 2", n)
	}
}

// A late order's own stop does not make its household "near a route": the
// distance is to the other stops.
func TestDropOffLateCandidate(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 200})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	svc, err := jobs.New(b.db, jobs.Deps{Clock: b.clock.now, PlanIterations: 300, SLAWatchEvery: -1, DropOffMinKm: 0.01, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	// Every planned order, marked late: each that is a candidate is
	// measured to the stops of other households.
	if _, err := b.db.Exec(ctx, `UPDATE orders SET at_risk = true, at_risk_reason = 'late: planned back 30 min after its handover deadline (next departure)'
		WHERE depot_id = $1 AND status = 'planned'`, depot); err != nil {
		t.Fatal(err)
	}
	cands, err := svc.DropOffCandidates(ctx, depot, testDay)
	if err != nil {
		t.Fatal(err)
	}
	late := 0
	for _, c := range cands {
		if !c.Late {
			continue
		}
		late++
		if c.HomeKm <= 0.01 || c.PointKm >= c.HomeKm {
			t.Fatalf("late candidate %+v", c)
		}
	}
	if late == 0 {
		t.Fatalf("no late order is a candidate (%d candidates): its own stop counted as a route nearby", len(cands))
	}
}
