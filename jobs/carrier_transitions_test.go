package jobs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/fakecarrier"
	"github.com/thugom/thugom/jobs"
)

// What each fake records for a message sent (fakecarrier's Updates).
var fakeSaw = map[string]map[string]string{
	thugom.CarrierViettelPost: {"planned": "approve", "picked_up": "105", "failed": "106", "handed_over": "200", "cancel": "cancel"},
	thugom.CarrierVNPost: {"planned": "Đã lên lịch lấy hàng", "picked_up": "Bưu tá đã lấy hàng",
		"failed": "Lấy hàng không thành công, hẹn lấy lại", "handed_over": "70", "cancel": "cancel"},
}

// A day through River against both fakes, which answer 503 and 429 first
// and refuse one message: a plan, a failed visit, its re-plan and second
// visit, pickups, the depot's hand-over and a cancel. Every transition is
// one message, written once; each order's messages reach its carrier in
// their order after its create (the fake's record equals the outbox's, in
// seq order), the refusal is kept (the failures list, /metrics) and the
// others go on.
func TestCarrierTransitionsInOrder(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtPickup, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	for _, f := range []interface{ Fail(f ...fakecarrier.Fault) }{cb.vtp, cb.vnp} {
		f.Fail(fakecarrier.Fault{Status: http.StatusServiceUnavailable}, fakecarrier.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1},
			fakecarrier.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1},
			fakecarrier.Fault{Status: http.StatusBadRequest}) // then a refusal of whichever message comes fourth
	}
	if err := cb.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cb.svc.Stop(context.Background()) }()
	failed, cancelled := carrierDay(t, ctx, cb)
	checkCarrierInOrder(t, ctx, cb, failed)
	// The cancelled order was never created: its messages are skipped.
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE order_id = $1 AND status <> 'skipped'`, cancelled); n != 0 {
		t.Errorf("the cancelled order has %d messages not skipped", n)
	}
	fails, err := cb.svc.CarrierFailures(ctx, 0)
	if err != nil || len(fails) == 0 || len(fails) > 2 {
		t.Fatalf("failures: %+v %v, want one per carrier that got four messages", fails, err)
	}
	rec := httptest.NewRecorder()
	cb.svc.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, f := range fails {
		if !strings.Contains(f.Error, "400") {
			t.Errorf("failure %+v is not the 400", f)
		}
		if !strings.Contains(rec.Body.String(), `action="`+f.Action+`",carrier="`+f.Carrier+`",outcome="refused"`) {
			t.Errorf("metrics lack the refusal of a %s at %s", f.Action, f.Carrier)
		}
	}
}

// carrierDay runs a day at the busiest depot through cb's service (started): a
// plan, a failed visit, a pickup, the depot's hand-over, a cancel, the re-plan
// and the failed orders' second visit. It returns the orders of the failed
// visit and the one cancelled.
func carrierDay(t *testing.T, ctx context.Context, cb *carrierBundle) (failed []int64, cancelled int64) {
	t.Helper()
	res, err := cb.svc.PlanDepotDay(ctx, cb.busiestDepot(t), testDay, jobs.PlanRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var route, driver int64
	if err := cb.db.QueryRow(ctx, `SELECT r.id, r.driver_id FROM routes r WHERE r.plan_id = $1
		AND (SELECT count(*) FROM stops s WHERE s.route_id = r.id AND s.kind = 'pickup') >= 3 ORDER BY r.id LIMIT 1`, res.PlanID).Scan(&route, &driver); err != nil {
		t.Fatal(err)
	}
	stops := idsOf(t, cb.db, `SELECT id FROM stops WHERE route_id = $1 AND kind = 'pickup' ORDER BY seq`, route)
	report := func(stop int64, st ...string) {
		t.Helper()
		for _, s := range st {
			if _, err := cb.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: stop, DriverID: driver, Status: s, Parcels: 1, WeightKg: 5,
				Reason: jobs.FailNobodyHome}); err != nil {
				t.Fatalf("stop %d %s: %v", stop, s, err)
			}
		}
	}

	failed = idsOf(t, cb.db, `SELECT order_id FROM stop_orders WHERE stop_id = $1`, stops[0])
	report(stops[0], thugom.StopArrived, thugom.StopFailed)
	report(stops[1], thugom.StopArrived, thugom.StopPickedUp)
	report(stops[1], thugom.StopPickedUp) // a repeated report tells nothing
	var depot int64
	if err := cb.db.QueryRow(ctx, `SELECT d.id FROM stops d JOIN stops p ON p.route_id = d.route_id AND p.trip = d.trip
		WHERE p.id = $1 AND d.kind = 'depot' AND d.seq > p.seq ORDER BY d.seq LIMIT 1`, stops[1]).Scan(&depot); err != nil {
		t.Fatal(err)
	}
	report(depot, thugom.StopDone)
	cancelled = idsOf(t, cb.db, `SELECT order_id FROM stop_orders WHERE stop_id = $1`, stops[2])[0]
	if err := cb.svc.CancelOrder(ctx, cancelled, "test", jobs.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	// The failed orders are planned again and collected on a second visit.
	res2, err := cb.svc.PlanDepotDay(ctx, cb.busiestDepot(t), testDay, jobs.PlanRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// The failed visit also queued a re-plan that River runs meanwhile:
	// the order's second visit is on this plan or the one after it.
	var second int64
	var driver2 *int64
	var lastErr error
	waitFor(t, ctx, func() bool {
		lastErr = cb.db.QueryRow(ctx, `SELECT s.id, r.driver_id FROM stops s JOIN routes r ON r.id = s.route_id JOIN stop_orders so ON so.stop_id = s.id
			JOIN plans p ON p.id = r.plan_id
			WHERE p.id >= $1 AND p.depot_id = (SELECT depot_id FROM plans WHERE id = $1) AND so.order_id = $2 AND s.status = 'planned'
			ORDER BY p.id DESC LIMIT 1`, res2.PlanID, failed[0]).Scan(&second, &driver2)
		return lastErr == nil
	})
	if lastErr != nil {
		t.Fatalf("the failed order is not planned again: %v", lastErr)
	}
	driver = *driver2
	report(second, thugom.StopArrived, thugom.StopPickedUp)
	return failed, cancelled
}

// checkCarrierInOrder waits for the messages of the orders picked up to be done,
// and checks each order's reached its carrier once, in order, after its create.
func checkCarrierInOrder(t *testing.T, ctx context.Context, cb *carrierBundle, failed []int64) {
	t.Helper()
	picked := idsOf(t, cb.db, `SELECT id FROM orders WHERE status IN ('picked_up', 'handed_over') ORDER BY id`)
	waitFor(t, ctx, func() bool {
		return count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE order_id = ANY($1) AND status IN ('queued', 'sending')`, picked) == 0
	})
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE action = 'create'`); n != len(picked) {
		t.Errorf("%d creates for %d orders picked up", n, len(picked))
	}
	seen := 0
	for _, o := range append(cb.vtp.Orders(), cb.vnp.Orders()...) {
		seen += len(o.Updates)
	}
	t.Logf("orders picked up %d; creates %d (sent %d); transitions written %d: sent %d, refused %d, skipped %d; updates the carriers saw %d; orders at the carriers %d",
		len(picked), count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE action = 'create'`),
		count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE action = 'create' AND status = 'sent'`),
		count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE action <> 'create' AND order_id = ANY($1)`, picked),
		count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE action <> 'create' AND status = 'sent'`),
		count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE status = 'failed'`),
		count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE action <> 'create' AND order_id = ANY($1) AND status = 'skipped'`, picked),
		seen, cb.fakeOrders())
	for _, id := range picked {
		msgs, err := cb.svc.CarrierMessages(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var ref, carrier string
		if err := cb.db.QueryRow(ctx, `SELECT o.marketplace_order_id, c.code FROM orders o JOIN carriers c ON c.id = o.carrier_id WHERE o.id = $1`, id).Scan(&ref, &carrier); err != nil {
			t.Fatal(err)
		}
		o, ok := cb.vtp.Order(ref)
		if carrier == thugom.CarrierVNPost {
			o, ok = cb.vnp.Order(ref)
		}
		if sh, err := cb.svc.ShipmentOf(ctx, id); err != nil || sh == nil {
			t.Fatalf("order %d: shipment %+v %v", id, sh, err)
		} else if sh.Status == thugom.ShipmentFailed { // the refused create: the rest skipped
			if ok || count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE order_id = $1 AND action <> 'create' AND status <> 'skipped'`, id) != 0 {
				t.Errorf("order %d: refused create, yet %+v at the carrier or messages not skipped", id, o)
			}
			continue
		}
		if !ok {
			t.Fatalf("order %d: no order at %s", id, carrier)
		}
		var actions, want []string
		for _, m := range msgs {
			actions = append(actions, m.Action)
			if m.Action != "create" && m.Status == thugom.CarrierSent {
				want = append(want, fakeSaw[carrier][m.Action])
			}
		}
		if !slices.Equal(o.Updates, want) {
			t.Errorf("order %d (%s): the carrier saw %q, thugom sent %q (messages %q)", id, carrier, o.Updates, want, actions)
		}
		wantActions := []string{"planned", "create", "picked_up"}
		if slices.Contains(failed, id) {
			wantActions = []string{"planned", "failed", "planned", "create", "picked_up"}
		}
		if !strings.HasPrefix(strings.Join(actions, ","), strings.Join(wantActions, ",")) || slices.Contains(actions, "cancel") {
			t.Errorf("order %d: messages %q, want %q (then handed_over if handed over)", id, actions, wantActions)
		}
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE action = 'handed_over'`); n != count(t, cb.db, `SELECT count(*) FROM orders WHERE status = 'handed_over'`) || n == 0 {
		t.Errorf("%d hand-overs told", n)
	}
}

// Both carriers down while the day happens (every create and update
// answered 503: an outage), then back: nothing is lost, the backlog drains
// in order (each order's messages reach its carrier once, in seq order,
// after its create), nothing is refused. The outage lasts the day's
// reports and two of River's retries of the first message.
func TestCarrierDownDrainsInOrder(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtPickup, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	cb.vtp.Down(true)
	cb.vnp.Down(true)
	if err := cb.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cb.svc.Stop(context.Background()) }()
	failed, _ := carrierDay(t, ctx, cb)
	waitFor(t, ctx, func() bool { return cb.vtp.Refused()+cb.vnp.Refused() >= 4 })
	if n := cb.fakeOrders(); n != 0 {
		t.Fatalf("%d orders made while the carriers were down", n)
	}
	backlog := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE status IN ('queued', 'sending')`)
	cb.vtp.Down(false)
	cb.vnp.Down(false)
	checkCarrierInOrder(t, ctx, cb, failed)
	t.Logf("backlog at the outage's end %d messages, 503s answered %d", backlog, cb.vtp.Refused()+cb.vnp.Refused())
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE status = 'failed'`); n != 0 {
		t.Errorf("%d messages refused after an outage", n)
	}
}
