package jobs_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/rivertype"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/fakecarrier"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

type carrierBundle struct {
	*bundle
	svc *jobs.Service // the service with the carriers' connectors
	vtp *fakecarrier.ViettelPost
	vnp *fakecarrier.VNPost
	url string // the fakes' server
}

// carrierSetup seeds a small day, geocodes it, runs both fake carriers and
// builds a service telling them (workers > 0: the test starts it).
func carrierSetup(t *testing.T, shipAt string, workers int) *carrierBundle {
	t.Helper()
	b := setup(t, setupOpts{households: 60})
	b.geocodeAll(t)
	cb := &carrierBundle{bundle: b, vtp: fakecarrier.NewViettelPost("0988000111", "vtp-secret"), vnp: fakecarrier.NewVNPost("thugom", "vnp-secret")}
	mux := http.NewServeMux()
	mux.Handle("/vtp/", cb.vtp)
	mux.Handle("/vnp/", cb.vnp)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cb.url = srv.URL
	cfg, err := jobs.CarriersFromEnv(env{
		"THUGOM_CARRIERS": "viettelpost, vnpost", "THUGOM_CARRIER_SHIP_AT": shipAt,
		"THUGOM_VIETTELPOST_USERNAME": "0988000111", "THUGOM_VIETTELPOST_PASSWORD": "vtp-secret", "THUGOM_VIETTELPOST_URL": srv.URL + "/vtp/v2",
		"THUGOM_VIETTELPOST_STATUS_URL": srv.URL + "/vtp" + fakecarrier.StatusPath, "THUGOM_VNPOST_STATUS_URL": srv.URL + "/vnp" + fakecarrier.StatusPath,
		"THUGOM_VIETTELPOST_GROUPADDRESS_ID": "5818802", "THUGOM_VIETTELPOST_WEBHOOK_TOKEN": vtpHookToken,
		"THUGOM_VNPOST_USERNAME": "thugom", "THUGOM_VNPOST_PASSWORD": "vnp-secret", "THUGOM_VNPOST_URL": srv.URL + "/vnp/api/api",
		"THUGOM_VNPOST_WEBHOOK_KEY": vnpHookKey,
	}.get)
	if err != nil {
		t.Fatal(err)
	}
	cb.svc, err = jobs.NewWithHooks(b.db, jobs.Deps{
		Clock: b.clock.now, Workers: workers, PlanIterations: 3000, SLAWatchEvery: -1,
		FetchPollInterval: 100 * time.Millisecond, Logger: testLogger(t), Carriers: cfg,
	}, jobs.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

// The webhooks' secrets of the tests.
const (
	vtpHookToken = "vtp-webhook-token-0123"
	vnpHookKey   = "vnp-webhook-key-0123"
)

type env map[string]string

func (e env) get(k string) string { return e[k] }

// firstStop plans the busiest depot and returns its first pickup stop and
// that stop's driver.
func (cb *carrierBundle) firstStop(t *testing.T) (stop, driver int64) {
	t.Helper()
	ctx := context.Background()
	res, err := cb.svc.PlanDepotDay(ctx, cb.busiestDepot(t), testDay, jobs.PlanRequest{})
	if err != nil {
		t.Fatal(err)
	}
	err = cb.db.QueryRow(ctx, `SELECT s.id, r.driver_id FROM stops s JOIN routes r ON r.id = s.route_id
		WHERE r.plan_id = $1 AND s.kind = 'pickup' ORDER BY r.id, s.seq LIMIT 1`, res.PlanID).Scan(&stop, &driver)
	if err != nil {
		t.Fatal(err)
	}
	return stop, driver
}

// pickUp picks up the first stop of the busiest depot's plan (reported
// twice); it returns the orders picked up.
func (cb *carrierBundle) pickUp(t *testing.T) []int64 {
	t.Helper()
	ctx := context.Background()
	stop, driver := cb.firstStop(t)
	for _, st := range []string{thugom.StopEnRoute, thugom.StopArrived, thugom.StopPickedUp, thugom.StopPickedUp} {
		if _, err := cb.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: stop, DriverID: driver, Status: st, Parcels: 1, WeightKg: 5}); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	ids := idsOf(t, cb.db, `SELECT order_id FROM stop_orders WHERE stop_id = $1 ORDER BY order_id`, stop)
	if len(ids) == 0 {
		t.Fatal("no order picked up")
	}
	return ids
}

// outbox returns the ids of the carrier messages of an action, by order.
func (cb *carrierBundle) outbox(t *testing.T, action string) []int64 {
	t.Helper()
	return idsOf(t, cb.db, `SELECT id FROM carrier_outbox WHERE action = $1 ORDER BY order_id`, action)
}

// idsOf returns the ids a query selects.
func idsOf(t *testing.T, db *store.DB, q string, args ...any) []int64 {
	t.Helper()
	rows, err := db.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func (cb *carrierBundle) fakeOrders() int { return len(cb.vtp.Orders()) + len(cb.vnp.Orders()) }

// A pickup writes one create per order in its own transaction (a repeated
// report adds nothing); sending makes one order at the carrier per order,
// keeps the waybill, and sending again, or again after a lost answer,
// makes no second one.
func TestCarrierShipmentOncePerOrder(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtPickup, 0)
	ctx := context.Background()
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox`); n != 0 {
		t.Fatalf("%d carrier messages before any pickup", n)
	}
	picked := cb.pickUp(t)
	msgs := cb.outbox(t, "create")
	if len(msgs) != len(picked) {
		t.Fatalf("%d create messages for %d orders picked up", len(msgs), len(picked))
	}
	// One job per message: the creates, the pickups, the plan's (waiting
	// for a create where the order is not picked up yet).
	if n, m := count(t, cb.db, `SELECT count(*) FROM river_job WHERE kind = $1`, jobs.KindSendCarrier), count(t, cb.db, `SELECT count(*) FROM carrier_outbox`); n != m {
		t.Fatalf("%d send jobs for %d messages", n, m)
	}
	// The first answer is lost after the carrier made the order: the
	// message stays queued, and the resend gets the same order back.
	cb.vtp.Fail(fakecarrier.Fault{Lose: true})
	cb.vnp.Fail(fakecarrier.Fault{Lose: true})
	if err := cb.svc.SendCarrier(ctx, msgs[0]); err == nil || errors.Is(err, jobs.ErrCarrierRefused) {
		t.Fatalf("lost answer: %v, want a retried error", err)
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE id = $1 AND status = 'queued' AND error <> ''`, msgs[0]); n != 1 {
		t.Fatal("a lost answer does not leave the message queued with its error")
	}
	for _, id := range msgs {
		if err := cb.svc.SendCarrier(ctx, id); err != nil {
			// The other carrier's lost answer: its retry.
			if err := cb.svc.SendCarrier(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := cb.svc.SendCarrier(ctx, id); err != nil { // a repeated job
			t.Fatal(err)
		}
	}
	if n := cb.fakeOrders(); n != len(picked) {
		t.Errorf("%d orders at the carriers for %d picked up", n, len(picked))
	}
	for _, id := range picked {
		sh, err := cb.svc.ShipmentOf(ctx, id)
		if err != nil || sh == nil || sh.Waybill == "" || sh.Status != thugom.ShipmentCreated {
			t.Fatalf("order %d: shipment %+v, %v", id, sh, err)
		}
		var ref string
		if err := cb.db.QueryRow(ctx, `SELECT marketplace_order_id FROM orders WHERE id = $1`, id).Scan(&ref); err != nil {
			t.Fatal(err)
		}
		o, ok := cb.vnp.Order(ref)
		if !ok {
			o, ok = cb.vtp.Order(ref)
		}
		if !ok || o.Waybill != sh.Waybill {
			t.Errorf("order %d: the carrier has %+v, thugom keeps waybill %q", id, o, sh.Waybill)
		}
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE action = 'create' AND status = 'sent' AND sent_at IS NOT NULL`); n != len(picked) {
		t.Errorf("%d messages sent of %d", n, len(picked))
	}
	if n := count(t, cb.db, `SELECT count(*) FROM events WHERE action = 'carrier.create'`); n != len(picked) {
		t.Errorf("%d carrier.create events for %d orders", n, len(picked))
	}
}

// Two senders of one message meet: the second finds it leased and waits;
// the carrier makes one order.
func TestCarrierConcurrentSend(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtPickup, 0)
	ctx := context.Background()
	cb.pickUp(t)
	id := cb.outbox(t, "create")[0]
	arrivedVTP, releaseVTP := cb.vtp.Hold()
	arrivedVNP, releaseVNP := cb.vnp.Hold()
	defer releaseVTP()
	defer releaseVNP()
	first := make(chan error, 1)
	go func() { first <- cb.svc.SendCarrier(ctx, id) }()
	select { // the first sender's create is at the carrier, held there
	case <-arrivedVTP:
		releaseVNP()
	case <-arrivedVNP:
		releaseVTP()
	case <-time.After(30 * time.Second):
		t.Fatal("the first create never reached a carrier")
	}
	if err := cb.svc.SendCarrier(ctx, id); !errors.Is(err, jobs.ErrCarrierBusy) {
		t.Fatalf("second sender: %v, want busy", err)
	}
	releaseVTP()
	releaseVNP()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := cb.svc.SendCarrier(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := cb.fakeOrders(); n != 1 {
		t.Errorf("%d orders at the carriers, want 1", n)
	}
	if n := cb.vtp.Creates() + cb.vnp.Creates(); n != 1 {
		t.Errorf("%d create requests, want 1", n)
	}
}

// Through River: a 429 is honoured (the job waits its Retry-After), a 5xx
// is retried with backoff; every message ends sent, its job completed, and
// /metrics counts them.
func TestCarrierRetriesThroughRiver(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtPickup, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	picked := cb.pickUp(t)
	// Both carriers' next creates: 429 (retry after 1 s), then 503, then
	// ok.
	for _, f := range []interface{ Fail(f ...fakecarrier.Fault) }{cb.vtp, cb.vnp} {
		f.Fail(fakecarrier.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1}, fakecarrier.Fault{Status: http.StatusServiceUnavailable})
	}
	if err := cb.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cb.svc.Stop(context.Background()) }()
	waitFor(t, ctx, func() bool {
		// Each order picked up: its create, then planned and picked up.
		return count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE status = 'sent'`) == 3*len(picked)
	})
	if n := cb.fakeOrders(); n != len(picked) {
		t.Errorf("%d orders at the carriers for %d", n, len(picked))
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE attempts >= 3`); n == 0 {
		t.Error("no message went through the 429 and the 503")
	}
	var snoozed int
	if err := cb.db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND errors IS NOT NULL`, jobs.KindSendCarrier).Scan(&snoozed); err != nil {
		t.Fatal(err)
	}
	if snoozed == 0 {
		t.Error("the 503 left no error on its job (not retried by River?)")
	}

	rec := httptest.NewRecorder()
	cb.svc.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{`outcome="sent"`, `outcome="retried"`} {
		if !strings.Contains(rec.Body.String(), "thugom_carrier_messages_total") || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack carrier messages %s", want)
		}
	}
	waitFor(t, ctx, func() bool { // the others' wait for their creates
		return count(t, cb.db, `SELECT count(*) FROM river_job j JOIN carrier_outbox m ON m.job_id = j.id
			WHERE m.order_id = ANY($1) AND j.state <> $2`, picked, rivertype.JobStateCompleted) == 0
	})
}

// At intake: a refusal (4xx) is recorded on its message and its shipment,
// alerted once, and not sent again; a cancel waits for its create, then
// cancels the carrier's order; a cancel of a refused shipment is skipped.
func TestCarrierRefusalAndCancel(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtIntake, 0)
	ctx := context.Background()
	a := jobs.Actor{Name: "test"}

	refused, refusedOrder := importOrder(t, cb, "PM-REFUSED")
	cb.vnp.Fail(fakecarrier.Fault{Status: http.StatusUnprocessableEntity})
	if err := cb.svc.SendCarrier(ctx, refused); !errors.Is(err, jobs.ErrCarrierRefused) {
		t.Fatalf("refusal: %v", err)
	}
	if err := cb.svc.SendCarrier(ctx, refused); err != nil { // recorded: nothing more to do
		t.Fatal(err)
	}
	if cb.vnp.Creates() != 1 {
		t.Errorf("%d creates: a refusal was sent again", cb.vnp.Creates())
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE id = $1 AND status = 'failed' AND error LIKE '%422%'`, refused); n != 1 {
		t.Error("the refusal is not kept on its message")
	}
	if sh, err := cb.svc.ShipmentOf(ctx, refusedOrder); err != nil || sh == nil || sh.Status != thugom.ShipmentFailed || sh.Error == "" {
		t.Errorf("refused shipment: %+v %v", sh, err)
	}
	if n := count(t, cb.db, `SELECT count(*) FROM events WHERE action = 'alert.carrier_refused'`); n != 1 {
		t.Errorf("%d refusal alerts, want 1", n)
	}
	if err := cb.svc.CancelOrder(ctx, refusedOrder, "test", a); err != nil {
		t.Fatal(err)
	}
	cancelRefused := msgOf(t, cb, refusedOrder, "cancel")
	if err := cb.svc.SendCarrier(ctx, cancelRefused); err != nil {
		t.Fatal(err)
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE id = $1 AND status = 'skipped'`, cancelRefused); n != 1 {
		t.Error("the cancel of a refused shipment is not skipped")
	}

	// Cancelled before its create was sent: the cancel waits, in order.
	create, order := importOrder(t, cb, "PM-CANCEL")
	if err := cb.svc.CancelOrder(ctx, order, "test", a); err != nil {
		t.Fatal(err)
	}
	if err := cb.svc.CancelOrder(ctx, order, "again", a); err != nil { // cancelled already: nothing more
		t.Fatal(err)
	}
	cancelMsg := msgOf(t, cb, order, "cancel")
	if err := cb.svc.SendCarrier(ctx, cancelMsg); !errors.Is(err, jobs.ErrCarrierBusy) {
		t.Fatalf("cancel before its create: %v, want busy", err)
	}
	if err := cb.svc.SendCarrier(ctx, create); err != nil {
		t.Fatal(err)
	}
	if err := cb.svc.SendCarrier(ctx, cancelMsg); err != nil {
		t.Fatal(err)
	}
	o, ok := cb.vnp.Order("PM-CANCEL")
	if !ok || !o.Cancelled {
		t.Fatalf("the carrier's order: %+v %v", o, ok)
	}
	if sh, err := cb.svc.ShipmentOf(ctx, order); err != nil || sh.Status != thugom.ShipmentCancelled || sh.Waybill != o.Waybill {
		t.Errorf("cancelled shipment: %+v %v", sh, err)
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE order_id = $1`, order); n != 2 {
		t.Errorf("%d messages for one order (create, cancel)", n)
	}
}

func msgOf(t *testing.T, cb *carrierBundle, order int64, action string) int64 {
	t.Helper()
	var id int64
	if err := cb.db.QueryRow(context.Background(), `SELECT id FROM carrier_outbox WHERE order_id = $1 AND action = $2`, order, action).Scan(&id); err != nil {
		t.Fatalf("no %s message for order %d: %v", action, order, err)
	}
	return id
}

// importOrder imports one postmart (VNPost) order for the seeded first
// household; it returns its create message (the service ships at intake)
// and the order.
func importOrder(t *testing.T, cb *carrierBundle, ref string) (msg, order int64) {
	t.Helper()
	return importOrderOf(t, cb, thugom.MarketplacePostmart, ref)
}

// importOrderOf imports one order of a marketplace (its carrier's).
func importOrderOf(t *testing.T, cb *carrierBundle, marketplace, ref string) (msg, order int64) {
	t.Helper()
	ctx := context.Background()
	var name, phone, addr string
	if err := cb.db.QueryRow(ctx, `SELECT name, phone, address FROM households ORDER BY id LIMIT 1`).Scan(&name, &phone, &addr); err != nil {
		t.Fatal(err)
	}
	w := 4.0
	imp, err := cb.svc.ImportOrders(ctx, []thugom.NewOrder{{Marketplace: marketplace, MarketplaceOrderID: ref,
		HouseholdName: name, HouseholdPhone: phone, HouseholdAddress: addr, Product: "na", WeightKg: &w, Parcels: 1, DestinationProvince: "01"}},
		false, jobs.Actor{Name: "test"})
	if err != nil || len(imp.OrderIDs) != 1 {
		t.Fatalf("import: %+v %v", imp, err)
	}
	return msgOf(t, cb, imp.OrderIDs[0], "create"), imp.OrderIDs[0]
}

// Two reports of one pickup meet (the phone's and its offline replay):
// both wait on the depot day another transaction holds, then run one
// after the other; the orders get one create each.
func TestCarrierConcurrentPickups(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtPickup, 0)
	ctx := context.Background()
	stop, driver := cb.firstStop(t)
	if _, err := cb.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: stop, DriverID: driver, Status: thugom.StopArrived}); err != nil {
		t.Fatal(err)
	}
	hold, err := cb.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hold.Rollback(ctx) }()
	dd, err := store.DepotDayOfStop(ctx, hold, stop)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.BumpDepotDay(ctx, hold, dd.DepotID, dd.Day, testMorning); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := cb.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: stop, DriverID: driver, Status: thugom.StopPickedUp, Parcels: 1, WeightKg: 5})
			errs <- err
		}()
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	waitFor(t, wctx, func() bool {
		return count(t, cb.db, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 2
	})
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	orders := count(t, cb.db, `SELECT count(*) FROM stop_orders WHERE stop_id = $1`, stop)
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE action = 'create'`); n != orders {
		t.Errorf("%d creates for %d orders", n, orders)
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_outbox WHERE action = 'picked_up'`); n != orders {
		t.Errorf("%d pickups told for %d orders", n, orders)
	}
	if n, m := count(t, cb.db, `SELECT count(*) FROM river_job WHERE kind = $1`, jobs.KindSendCarrier), count(t, cb.db, `SELECT count(*) FROM carrier_outbox`); n != m {
		t.Errorf("%d send jobs for %d messages", n, m)
	}
}
