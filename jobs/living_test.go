package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/routing"
)

// pauser holds the planner between its read and its solve, once armed: the
// window in which a report meets a re-plan, made deterministic.
type pauser struct {
	armed       atomic.Bool
	reached     chan struct{}
	release     chan struct{}
	maxAttempts atomic.Int32
}

func newPauser() *pauser {
	return &pauser{reached: make(chan struct{}, 1), release: make(chan struct{})}
}

func (p *pauser) hook(_ int64, _ time.Time, attempt int) {
	if int32(attempt) > p.maxAttempts.Load() {
		p.maxAttempts.Store(int32(attempt))
	}
	if attempt == 0 && p.armed.CompareAndSwap(true, false) {
		p.reached <- struct{}{}
		<-p.release
	}
}

// plannedStop is a pickup stop of the current plan with its driver.
type plannedStop struct {
	id, driver, household int64
	orders                []int64
}

// firstPlannedStop returns the earliest planned pickup stop of the depot's
// day that has a driver.
func (b *bundle) firstPlannedStop(t *testing.T, depot int64) plannedStop {
	t.Helper()
	var s plannedStop
	err := b.db.QueryRow(context.Background(), `
		SELECT s.id, r.driver_id, s.household_id, array_agg(so.order_id ORDER BY so.order_id)
		FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
		JOIN stop_orders so ON so.stop_id = s.id
		WHERE p.depot_id = $1 AND p.status = 'done' AND s.kind = 'pickup' AND s.status = 'planned' AND r.driver_id IS NOT NULL
		GROUP BY s.id, r.driver_id, s.household_id, s.arrive_at
		ORDER BY s.arrive_at, s.id LIMIT 1`, depot).Scan(&s.id, &s.driver, &s.household, &s.orders)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openStopsHolding counts the open stops of current plans that hold any of
// the orders.
func (b *bundle) openStopsHolding(t *testing.T, orders []int64) int {
	return count(t, b.db, `SELECT count(DISTINCT s.id) FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
		JOIN stop_orders so ON so.stop_id = s.id
		WHERE p.status = 'done' AND s.status IN ('planned', 'en_route', 'arrived') AND so.order_id = ANY($1::bigint[])`, orders)
}

// TestReportDuringReplan: a driver's pickup, a failure, a dispatcher's
// cancel and a household's SMS "0", each committed while a re-plan of the
// same day is between its read and its write. The report stands, the stop
// id the driver holds still resolves, the re-plan folds the report in
// (planning again), and the report answered within a second.
func TestReportDuringReplan(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"pickup", "failure", "cancel", "sms_cancel"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			pz := newPauser()
			b := setup(t, setupOpts{households: 200, afterRead: pz.hook})
			ctx := context.Background()
			b.geocodeAll(t)
			depot := b.busiestDepot(t)
			if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
				t.Fatal(err)
			}
			st := b.firstPlannedStop(t, depot)
			stopsBefore := count(t, b.db, `SELECT count(*) FROM stops`)

			pz.armed.Store(true)
			done := make(chan error, 1)
			var res *jobs.PlanResult
			go func() {
				var err error
				res, err = b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: "test", RequestedAt: b.clock.t})
				done <- err
			}()
			<-pz.reached

			// The report, with no planning transaction in its way.
			actx, cancel := context.WithTimeout(ctx, time.Second)
			var err error
			switch kind {
			case "pickup":
				_, err = b.svc.RecordPickup(actx, jobs.PickupEvent{StopID: st.id, DriverID: st.driver, Status: thugom.StopPickedUp, Parcels: 1, WeightKg: 5})
			case "failure":
				_, err = b.svc.RecordPickup(actx, jobs.PickupEvent{StopID: st.id, DriverID: st.driver, Status: thugom.StopFailed, Reason: jobs.FailNobodyHome})
			case "cancel":
				err = b.svc.CancelOrder(actx, st.orders[0], "buyer cancelled", jobs.System("test"))
			case "sms_cancel":
				var phone string
				if err = b.db.QueryRow(ctx, `SELECT phone FROM households WHERE id = $1`, st.household).Scan(&phone); err == nil {
					_, err = b.svc.HandleInboundSMS(actx, jobs.InboundSMS{From: phone, Text: "0", ProviderMessageID: "race-1"})
				}
			}
			cancel()
			if err != nil {
				t.Fatalf("%s during the re-plan: %v", kind, err)
			}
			close(pz.release)
			if err := <-done; err != nil {
				t.Fatalf("re-plan: %v", err)
			}
			if res.Skipped {
				t.Fatal("re-plan skipped")
			}
			if pz.maxAttempts.Load() < 1 {
				t.Error("the re-plan wrote over a change it had not read (no second attempt)")
			}

			status := func() string {
				var s string
				if err := b.db.QueryRow(ctx, `SELECT status FROM stops WHERE id = $1`, st.id).Scan(&s); err != nil {
					t.Fatal(err)
				}
				return s
			}
			switch kind {
			case "pickup":
				if s := status(); s != thugom.StopPickedUp {
					t.Errorf("stop %d is %s after the re-plan", st.id, s)
				}
				if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = ANY($1::bigint[]) AND status <> 'picked_up'`, st.orders); n != 0 {
					t.Errorf("%d collected orders planned again", n)
				}
				if n := b.openStopsHolding(t, st.orders); n != 0 {
					t.Errorf("collected orders on %d open stops", n)
				}
				if n := count(t, b.db, `SELECT count(*) FROM events WHERE action = 'stop.picked_up' AND subject = $1`, fmt.Sprintf("stop:%d", st.id)); n != 1 {
					t.Errorf("%d stop.picked_up events", n)
				}
				// The stop id the driver holds still resolves; a replay changes nothing.
				r, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: st.id, DriverID: st.driver, Status: thugom.StopPickedUp, Parcels: 1, WeightKg: 5})
				if err != nil || !r.Unchanged || r.StopID != st.id {
					t.Errorf("replayed pickup: %+v %v", r, err)
				}
			case "failure":
				if s := status(); s != thugom.StopFailed {
					t.Errorf("stop %d is %s after the re-plan", st.id, s)
				}
				// Its orders are planned again on another stop, later.
				if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = ANY($1::bigint[]) AND status IN ('planned', 'received')`, st.orders); n != len(st.orders) {
					t.Errorf("%d of %d failed orders back to planning", n, len(st.orders))
				}
			case "cancel", "sms_cancel":
				if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = $1 AND status = 'cancelled'`, st.orders[0]); n != 1 {
					t.Error("cancelled order not cancelled after the re-plan")
				}
				if n := b.openStopsHolding(t, st.orders[:1]); n != 0 {
					t.Errorf("cancelled order still on %d open stops", n)
				}
			}
			// Stops are amended, not copied: no version doubled them.
			if after := count(t, b.db, `SELECT count(*) FROM stops`); after > stopsBefore+len(st.orders) {
				t.Errorf("stops %d → %d: the re-plan copied the day", stopsBefore, after)
			}
		})
	}
}

// TestReplanKeepsStopIDs: a re-plan with nothing changed keeps every stop's
// id; a second version holds the same stops.
func TestReplanKeepsStopIDs(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 200})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	before := count(t, b.db, `SELECT count(*) FROM stops WHERE kind = 'pickup'`)
	st := b.firstPlannedStop(t, depot)
	res, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, RequestedAt: b.clock.t})
	if err != nil || res.Version != 2 {
		t.Fatalf("re-plan: %+v %v", res, err)
	}
	if after := count(t, b.db, `SELECT count(*) FROM stops WHERE kind = 'pickup'`); after != before {
		t.Errorf("pickup stops %d → %d", before, after)
	}
	if n := count(t, b.db, `SELECT count(*) FROM stops s JOIN routes r ON r.id = s.route_id WHERE s.id = $1 AND r.plan_id = $2`, st.id, res.PlanID); n != 1 {
		t.Error("the driver's stop id is not on the new version")
	}
	if n := count(t, b.db, `SELECT jsonb_array_length(snapshot) FROM plans WHERE id = $1`, res.PlanID); n == 0 {
		t.Error("the version keeps no snapshot")
	}
}

// TestOtherDayLeavesToday: planning tomorrow never touches today's planned
// orders; a day out of range is refused.
func TestOtherDayLeavesToday(t *testing.T) {
	t.Parallel()
	// Planned at 07:30 with 2 h of notice, today's fleet leaves orders for
	// tomorrow: this test needs an empty tomorrow (the floor: noticefloor_test.go).
	b := setup(t, setupOpts{households: 200, minNotice: -1})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	planned := count(t, b.db, `SELECT count(*) FROM orders WHERE status = 'planned' AND planned_day = $1`, testDay.Format(time.DateOnly))
	if planned == 0 {
		t.Fatal("nothing planned today")
	}
	sms := count(t, b.db, `SELECT count(*) FROM notifications`)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay.AddDate(0, 0, 1), jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE status = 'planned' AND planned_day = $1`, testDay.Format(time.DateOnly)); n != planned {
		t.Errorf("today's planned orders %d → %d after planning tomorrow", planned, n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications`); n != sms {
		t.Errorf("planning an empty tomorrow sent %d messages", n-sms)
	}
	for _, day := range []time.Time{time.Date(9999, 12, 31, 0, 0, 0, 0, thugom.Local), time.Date(1, 1, 1, 0, 0, 0, 0, thugom.Local), testDay.AddDate(0, 0, 15)} {
		if _, err := b.svc.PlanDepotDay(ctx, depot, day, jobs.PlanRequest{}); thugom.ErrorCode(err) != thugom.EInvalid {
			t.Errorf("plan of %s: %v, want invalid", day.Format(time.DateOnly), err)
		}
	}
	// A from-scratch plan of a started day is refused; a re-plan is not.
	st := b.firstPlannedStop(t, depot)
	if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: st.id, Status: thugom.StopPickedUp}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.RequestPlan(ctx, depot, testDay, false, false, jobs.System("test")); thugom.ErrorCode(err) != thugom.EConflict {
		t.Errorf("plan of a started day: %v, want conflict", err)
	}
	if _, err := b.svc.RequestPlan(ctx, depot, testDay, true, false, jobs.System("test")); err != nil {
		t.Errorf("re-plan of a started day: %v", err)
	}
}

// TestAnswerSameByPageAndSMS: the household's cancel by its page and by
// SMS "0" (and "ready" by page and "1") leave the same rows and the same
// messages, but for the channel each acknowledgement names (the same
// action is the same change and the same kind of SMS, which says which
// channel it heard: thugom.ViaText).
func TestAnswerSameByPageAndSMS(t *testing.T) {
	t.Parallel()
	type outcome struct {
		orders []string
		sms    []string
		tasks  []string
	}
	run := func(viaSMS bool, reply thugom.SMSReply, text string) outcome {
		b := setup(t, setupOpts{households: 120})
		ctx := context.Background()
		b.geocodeAll(t)
		depot := b.busiestDepot(t)
		if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{}); err != nil {
			t.Fatal(err)
		}
		st := b.firstPlannedStop(t, depot)
		before := count(t, b.db, `SELECT coalesce(max(id), 0) FROM notifications`)
		if viaSMS {
			var phone string
			if err := b.db.QueryRow(ctx, `SELECT phone FROM households WHERE id = $1`, st.household).Scan(&phone); err != nil {
				t.Fatal(err)
			}
			if _, err := b.svc.HandleInboundSMS(ctx, jobs.InboundSMS{From: phone, Text: text, ProviderMessageID: "m1"}); err != nil {
				t.Fatal(err)
			}
		} else if _, err := b.svc.AnswerHousehold(ctx, jobs.Answer{HouseholdID: st.household, Reply: reply, Via: "page"}); err != nil {
			t.Fatal(err)
		}
		var o outcome
		rows, _ := b.db.Query(ctx, `SELECT status || coalesce(to_char(ready_from, ' HH24:MI'), '') FROM orders WHERE household_id = $1 ORDER BY id`, st.household)
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			o.orders = append(o.orders, s)
		}
		rows, _ = b.db.Query(ctx, `SELECT kind || ': ' || body FROM notifications WHERE id > $1 ORDER BY id`, before)
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			o.sms = append(o.sms, s)
		}
		rows, _ = b.db.Query(ctx, `SELECT kind || ' ' || status FROM tasks WHERE household_id = $1 ORDER BY id`, st.household)
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			o.tasks = append(o.tasks, s)
		}
		if len(o.sms) != 1 {
			t.Errorf("answer acknowledged by %d messages: %v", len(o.sms), o.sms)
		}
		return o
	}
	for _, c := range []struct {
		reply thugom.SMSReply
		text  string
	}{{thugom.ReplyCancel, "0"}, {thugom.ReplyReady, "1"}, {thugom.ReplyPostpone, "2"}} {
		page, sms := run(false, c.reply, c.text), run(true, c.reply, c.text)
		for _, o := range []struct {
			out       *outcome
			says, not string
		}{{&page, thugom.ViaText("page"), thugom.ViaText("sms")}, {&sms, thugom.ViaText("sms"), thugom.ViaText("page")}} {
			for i, m := range o.out.sms {
				if !strings.Contains(m, " "+o.says) || strings.Contains(m, o.not) {
					t.Errorf("%s: acknowledgement %q does not name its channel (%q)", c.reply, m, o.says)
				}
				o.out.sms[i] = strings.Replace(m, " "+o.says, "", 1)
			}
		}
		if fmt.Sprint(page) != fmt.Sprint(sms) {
			t.Errorf("%s: page and SMS differ:\npage %v\nsms  %v", c.reply, page, sms)
		}
	}
}

// TestSoakReportsDuringReplans: four drivers confirm and fail stops
// continuously while re-plans of their depot run back to back (bounded in
// time). Every report is kept exactly once; no order is both collected and
// planned; the invariants hold in SQL at the end.
//
// It runs only when asked: THUGOM_SOAK=1 for 60 s (10 s with -short), or
// THUGOM_SOAK=5m for a duration of one's choosing.
func TestSoakReportsDuringReplans(t *testing.T) {
	t.Parallel()
	soak := os.Getenv("THUGOM_SOAK")
	if soak == "" {
		t.Skip("the soak runs when asked: THUGOM_SOAK=1 (60 s) or THUGOM_SOAK=<duration>")
	}
	dur := 60 * time.Second
	if testing.Short() {
		dur = 10 * time.Second
	}
	if d, err := time.ParseDuration(soak); err == nil && d >= time.Second {
		dur = d
	}
	b := setup(t, setupOpts{households: 500})
	ctx := context.Background()
	b.geocodeAll(t)
	// The two busiest depots, two drivers each: four drivers report while
	// both depots are re-planned back to back.
	var depots []int64
	rows, err := b.db.Query(ctx, `SELECT depot_id FROM orders GROUP BY depot_id ORDER BY count(*) DESC, depot_id LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d int64
		_ = rows.Scan(&d)
		depots = append(depots, d)
	}
	var drivers []int64
	for _, depot := range depots {
		if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{}); err != nil {
			t.Fatal(err)
		}
		rows, err := b.db.Query(ctx, `SELECT DISTINCT r.driver_id FROM routes r JOIN plans p ON p.id = r.plan_id
			WHERE p.depot_id = $1 AND p.status = 'done' AND r.driver_id IS NOT NULL ORDER BY 1 LIMIT 2`, depot)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var d int64
			_ = rows.Scan(&d)
			drivers = append(drivers, d)
		}
	}
	if len(drivers) < 3 {
		t.Fatalf("only %d drivers on the plans", len(drivers))
	}
	deadline := time.Now().Add(dur)
	var picked, failed, replans, refused atomic.Int64
	var mu sync.Mutex
	reported := map[int64]string{} // stop → what the driver reported
	errc := make(chan error, len(drivers)+1)
	var wg sync.WaitGroup
	for i, d := range drivers {
		wg.Add(1)
		go func(driver int64, seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			for time.Now().Before(deadline) {
				var stop int64
				err := b.db.QueryRow(ctx, `SELECT s.id FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
					WHERE r.driver_id = $1 AND p.status = 'done' AND s.kind = 'pickup' AND s.status = 'planned'
					ORDER BY s.seq LIMIT 1`, driver).Scan(&stop)
				if err != nil {
					time.Sleep(20 * time.Millisecond) // nothing to do now
					continue
				}
				e := jobs.PickupEvent{StopID: stop, DriverID: driver, Status: thugom.StopPickedUp, Parcels: 1, WeightKg: 3}
				if rng.IntN(5) == 0 {
					e.Status, e.Reason = thugom.StopFailed, jobs.FailNotReady
				}
				r, err := b.svc.RecordPickup(ctx, e)
				switch {
				case thugom.ErrorCode(err) == thugom.EConflict || thugom.ErrorCode(err) == thugom.EForbidden:
					refused.Add(1) // re-planned to another vehicle or skipped meanwhile: a clear answer
					continue
				case err != nil:
					errc <- fmt.Errorf("driver %d stop %d: %w", driver, stop, err)
					return
				case r.Unchanged:
					continue
				}
				mu.Lock()
				reported[stop] = e.Status
				mu.Unlock()
				if e.Status == thugom.StopPickedUp {
					picked.Add(1)
				} else {
					failed.Add(1)
				}
				// Spread the reports over the soak (a driver's minutes, compressed).
				time.Sleep(dur/150 + time.Duration(rng.IntN(int(dur/100/time.Millisecond)))*time.Millisecond)
			}
		}(d, uint64(i+1))
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; time.Now().Before(deadline); i++ {
			depot := depots[i%len(depots)]
			if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: "soak", RequestedAt: b.clock.t}); err != nil && !errors.Is(err, context.Canceled) {
				errc <- fmt.Errorf("re-plan: %w", err)
				return
			}
			replans.Add(1)
		}
	}()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	t.Logf("soak %s: %d pickups, %d failures, %d re-plans, %d reports refused (stop moved or skipped meanwhile), %d drivers",
		dur, picked.Load(), failed.Load(), replans.Load(), refused.Load(), len(drivers))
	if picked.Load() == 0 || replans.Load() < 2 {
		t.Fatalf("the soak did not exercise anything: %d pickups, %d re-plans", picked.Load(), replans.Load())
	}
	// Every report stands, exactly once.
	for stop, want := range reported {
		var got string
		if err := b.db.QueryRow(ctx, `SELECT status FROM stops WHERE id = $1`, stop).Scan(&got); err != nil || got != want {
			t.Errorf("stop %d reported %s, now %s (%v)", stop, want, got, err)
		}
	}
	if n := count(t, b.db, `SELECT count(*) FROM events WHERE action = 'stop.picked_up'`); int64(n) != picked.Load() {
		t.Errorf("%d stop.picked_up events for %d pickups", n, picked.Load())
	}
	if n := count(t, b.db, `SELECT count(*) FROM events WHERE action = 'stop.failed'`); int64(n) != failed.Load() {
		t.Errorf("%d stop.failed events for %d failures", n, failed.Load())
	}
	// No order both collected and planned; none on two open stops.
	if n := count(t, b.db, `SELECT count(*) FROM orders o WHERE o.status = 'picked_up' AND EXISTS (
		SELECT 1 FROM stop_orders so JOIN stops s ON s.id = so.stop_id WHERE so.order_id = o.id AND s.status IN ('planned', 'en_route', 'arrived'))`); n != 0 {
		t.Errorf("%d collected orders still on an open stop", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM (SELECT so.order_id FROM stop_orders so JOIN stops s ON s.id = so.stop_id
		WHERE s.status IN ('planned', 'en_route', 'arrived') GROUP BY so.order_id HAVING count(*) > 1) x`); n != 0 {
		t.Errorf("%d orders on two open stops", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders o WHERE o.status = 'planned' AND NOT EXISTS (
		SELECT 1 FROM stop_orders so JOIN stops s ON s.id = so.stop_id WHERE so.order_id = o.id AND s.status = 'planned')`); n != 0 {
		t.Errorf("%d planned orders on no planned stop", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders o WHERE o.status = 'picked_up' AND NOT EXISTS (
		SELECT 1 FROM stop_orders so JOIN stops s ON s.id = so.stop_id WHERE so.order_id = o.id AND s.status = 'picked_up')`); n != 0 {
		t.Errorf("%d collected orders with no picked-up stop", n)
	}
}

// TestDeadlineMissedStillCollected: an order whose handover deadline can no
// longer be met is planned anyway (late, flagged at risk with the reason),
// never dropped.
func TestDeadlineMissedStillCollected(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 200})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	st := b.firstPlannedStop(t, depot)
	// Its produce must now be at the depot within 5 minutes: impossible.
	if _, err := b.db.Exec(ctx, `UPDATE orders SET handover_deadline = $2 WHERE id = ANY($1::bigint[])`, st.orders, b.clock.t.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	res, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, RequestedAt: b.clock.t})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Unassigned {
		for _, o := range st.orders {
			if u.OrderID == o {
				t.Fatalf("order %d dropped: %s", o, u.Reason)
			}
		}
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = ANY($1::bigint[]) AND status = 'planned' AND at_risk AND at_risk_reason LIKE 'late:%'`, st.orders); n != len(st.orders) {
		t.Errorf("%d of %d orders planned late and flagged", n, len(st.orders))
	}
	if res.Stats.Late == 0 {
		t.Error("plan stats count no late stop")
	}
}

// TestImpossibleReportsRefused: reports that cannot be true answer a clear
// conflict and change nothing: a pickup of a stop whose orders the
// household cancelled, a move of a collected stop, a cancel of a collected
// order.
func TestImpossibleReportsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 150})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	st := b.firstPlannedStop(t, depot)
	if _, err := b.svc.AnswerHousehold(ctx, jobs.Answer{HouseholdID: st.household, Reply: thugom.ReplyCancel, Via: "page"}); err != nil {
		t.Fatal(err)
	}
	events := count(t, b.db, `SELECT count(*) FROM events`)
	if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: st.id, DriverID: st.driver, Status: thugom.StopPickedUp}); thugom.ErrorCode(err) != thugom.EConflict {
		t.Errorf("pickup of a cancelled stop: %v, want conflict", err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM stops WHERE id = $1 AND status = 'planned'`, st.id); n != 1 {
		t.Error("the refused pickup changed the stop")
	}
	if n := count(t, b.db, `SELECT count(*) FROM events`); n != events {
		t.Errorf("the refused pickup wrote %d events", n-events)
	}
	// A collected stop cannot move, nor its order be cancelled.
	other := count(t, b.db, `SELECT s.id FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
		WHERE p.depot_id = $1 AND p.status = 'done' AND s.kind = 'pickup' AND s.status = 'planned' AND s.id <> $2 ORDER BY s.id LIMIT 1`, depot, st.id)
	if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: int64(other), Status: thugom.StopPickedUp}); err != nil {
		t.Fatal(err)
	}
	var veh, order int64
	if err := b.db.QueryRow(ctx, `SELECT r.vehicle_id, so.order_id FROM stops s JOIN routes r ON r.id = s.route_id JOIN stop_orders so ON so.stop_id = s.id WHERE s.id = $1 LIMIT 1`, other).Scan(&veh, &order); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.MoveStop(ctx, int64(other), veh, jobs.System("test")); thugom.ErrorCode(err) != thugom.EConflict {
		t.Errorf("move of a collected stop: %v, want conflict", err)
	}
	if err := b.svc.CancelOrder(ctx, order, "late cancel", jobs.System("test")); thugom.ErrorCode(err) != thugom.EConflict {
		t.Errorf("cancel of a collected order: %v, want conflict", err)
	}
	if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: 1 << 40, Status: thugom.StopPickedUp}); thugom.ErrorCode(err) != thugom.ENotFound {
		t.Errorf("pickup of no stop: %v, want not found", err)
	}
}

// TestReplanResumesFromPhone: a re-plan starts a vehicle where its
// driver's phone last was (fresh, away from the depot), not at the depot.
func TestReplanResumesFromPhone(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var last *routing.Instance
	b := setup(t, setupOpts{households: 200, afterBuild: func(in *routing.Instance) { mu.Lock(); last = in; mu.Unlock() }})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	st := b.firstPlannedStop(t, depot)
	var vehicle int64
	var lon, lat float64
	if err := b.db.QueryRow(ctx, `SELECT d.vehicle_id, h.lon, h.lat FROM drivers d, households h WHERE d.id = $1 AND h.id = $2`, st.driver, st.household).Scan(&vehicle, &lon, &lat); err != nil {
		t.Fatal(err)
	}
	// The phone, two minutes ago, at the first household of its route.
	seen := b.clock.t.Add(-2 * time.Minute)
	if _, err := b.db.Exec(ctx, `INSERT INTO driver_positions (driver_id, at, lon, lat, accuracy_m) VALUES ($1, $2, $3, $4, 15)`, st.driver, seen, lon, lat); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, RequestedAt: b.clock.t}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, v := range last.Vehicles {
		if v.ID != fmt.Sprint(vehicle) {
			continue
		}
		want := float64(thugom.SecondsSince(testDay, seen))
		if v.Resume == nil || v.Resume.Location == 0 || v.Resume.Time != want {
			t.Fatalf("vehicle %d resumes %+v, want at the phone's position at %v", vehicle, v.Resume, want)
		}
		return
	}
	t.Fatalf("vehicle %d not in the re-plan", vehicle)
}

// TestUndoCancel: a household takes its cancel back within ten minutes —
// the orders come back to planning, its day is re-planned, one SMS says so;
// later, nothing changes.
func TestUndoCancel(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 150})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	st := b.firstPlannedStop(t, depot)
	if _, err := b.svc.AnswerHousehold(ctx, jobs.Answer{HouseholdID: st.household, Reply: thugom.ReplyCancel, Via: "page"}); err != nil {
		t.Fatal(err)
	}
	replans := count(t, b.db, `SELECT count(*) FROM river_job WHERE kind = 'replan'`)
	b.clock.t = b.clock.t.Add(5 * time.Minute)
	res, err := b.svc.UndoCancel(ctx, st.household, "page")
	if err != nil || res.Outcome != jobs.InboundRestored || len(res.Orders) != len(st.orders) {
		t.Fatalf("undo: %+v %v", res, err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = ANY($1::bigint[]) AND status = 'received'`, st.orders); n != len(st.orders) {
		t.Errorf("%d of %d orders back to planning", n, len(st.orders))
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE household_id = $1 AND kind = 'reply_restored'`, st.household); n != 1 {
		t.Errorf("%d restore messages", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM river_job WHERE kind = 'replan'`); n <= replans {
		t.Error("the undo asked for no re-plan")
	}
	// The re-plan plans them again.
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, RequestedAt: b.clock.t}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = ANY($1::bigint[]) AND status = 'planned'`, st.orders); n != len(st.orders) {
		t.Errorf("%d of %d restored orders planned again", n, len(st.orders))
	}
	// Cancelled again, then too late to take back.
	if _, err := b.svc.AnswerHousehold(ctx, jobs.Answer{HouseholdID: st.household, Reply: thugom.ReplyCancel, Via: "sms", Key: "m2"}); err != nil {
		t.Fatal(err)
	}
	b.clock.t = b.clock.t.Add(11 * time.Minute)
	res, err = b.svc.UndoCancel(ctx, st.household, "page")
	if err != nil || res.Outcome != jobs.InboundNothingToDo {
		t.Fatalf("late undo: %+v %v", res, err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = ANY($1::bigint[]) AND status = 'cancelled'`, st.orders); n != len(st.orders) {
		t.Errorf("a late undo brought %d orders back", len(st.orders)-n)
	}
}

// TestPostponeKeepsAWindow: a postponed order comes back tomorrow with the
// hours it had (never before tomorrow morning), a window that opens before
// it closes, and is planned on that day.
func TestPostponeKeepsAWindow(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 150})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	st := b.firstPlannedStop(t, depot)
	type window struct{ from, until *time.Time }
	before := map[int64]window{}
	rows, err := b.db.Query(ctx, `SELECT id, ready_from, ready_until FROM orders WHERE id = ANY($1::bigint[])`, st.orders)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var w window
		_ = rows.Scan(&id, &w.from, &w.until)
		before[id] = w
	}
	if _, err := b.svc.AnswerHousehold(ctx, jobs.Answer{HouseholdID: st.household, Reply: thugom.ReplyPostpone, Via: "page"}); err != nil {
		t.Fatal(err)
	}
	tomorrow := testDay.AddDate(0, 0, 1)
	rows, err = b.db.Query(ctx, `SELECT id, ready_from, ready_until FROM orders WHERE id = ANY($1::bigint[])`, st.orders)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var w window
		_ = rows.Scan(&id, &w.from, &w.until)
		switch {
		case w.from == nil || w.from.Before(tomorrow.Add(7*time.Hour)) || !thugom.Day(*w.from).Equal(tomorrow):
			t.Errorf("order %d ready from %v, want tomorrow from 07:00", id, w.from)
		case w.until != nil && !w.until.After(*w.from):
			t.Errorf("order %d window %v–%v closes before it opens", id, w.from, w.until)
		case before[id].from != nil && before[id].until != nil && (w.until == nil || w.until.Sub(*w.from) != before[id].until.Sub(*before[id].from)):
			t.Errorf("order %d window length %v, was %v", id, w.until, before[id].until.Sub(*before[id].from))
		}
	}
	if _, err := b.svc.PlanDepotDay(ctx, depot, tomorrow, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = ANY($1::bigint[]) AND status = 'planned' AND planned_day = $2`, st.orders, tomorrow.Format(time.DateOnly)); n != len(st.orders) {
		t.Errorf("%d of %d postponed orders planned tomorrow", n, len(st.orders))
	}
}
