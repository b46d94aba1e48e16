package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	pgtest.Main(m)
}

// The harvest day of the tests and a clock in its morning, after the SMS
// quiet hours.
var (
	testDay     = time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	testMorning = testDay.Add(7*time.Hour + 30*time.Minute)
)

// clock is a settable business clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type bundle struct {
	db     *store.DB
	url    string
	svc    *jobs.Service
	clock  *clock
	seeded *demo.Seeded
	sc     *demo.Scenario
}

type setupOpts struct {
	households int
	workers    int
	afterRead  func(depotID int64, day time.Time, attempt int)
	afterBuild func(in *routing.Instance)
	// minNotice is Deps.MinNotice (0: the default 2 h; negative: none).
	minNotice time.Duration
}

// setup seeds a small demo day in a fresh database and builds a service on
// it (insert-only unless workers > 0; the test starts it).
func setup(t testing.TB, o setupOpts) *bundle {
	t.Helper()
	db, url := pgtest.NewWithURL(t)
	ctx := context.Background()
	b := &bundle{db: db, url: url, clock: &clock{t: testMorning}}
	if o.households > 0 {
		sc, err := demo.Build(geo.Default().Gazetteer(), demo.Options{Seed: 7, Households: o.households, Day: testDay})
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx pgx.Tx) error {
			b.seeded, err = demo.Seed(ctx, tx, sc, testMorning)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		b.sc = sc
	}
	svc, err := jobs.NewWithHooks(db, jobs.Deps{
		Clock: b.clock.now, Workers: o.workers, PlanIterations: 3000, SLAWatchEvery: -1,
		FetchPollInterval: 200 * time.Millisecond, Logger: testLogger(t), MinNotice: o.minNotice,
	}, jobs.Hooks{AfterPlanRead: o.afterRead, AfterPlanBuild: o.afterBuild})
	if err != nil {
		t.Fatal(err)
	}
	b.svc = svc
	return b
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.DiscardHandler)
}

// geocodeAll geocodes every seeded household directly (the worker's code).
func (b *bundle) geocodeAll(t testing.TB) {
	t.Helper()
	for _, id := range b.seeded.HouseholdIDs {
		if _, err := b.svc.GeocodeHousehold(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// busiestDepot returns the seeded depot with the most orders.
func (b *bundle) busiestDepot(t *testing.T) int64 {
	t.Helper()
	var id int64
	err := b.db.QueryRow(context.Background(), `SELECT depot_id FROM orders GROUP BY depot_id ORDER BY count(*) DESC, depot_id LIMIT 1`).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestPlanDepotDay(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 300})
	ctx := context.Background()
	b.geocodeAll(t)
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE handover_deadline IS NULL`); n != 0 {
		t.Fatalf("%d orders without a handover deadline after geocoding", n)
	}
	depot := b.busiestDepot(t)
	res, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Orders == 0 || res.Stats.Assigned == 0 {
		t.Fatalf("nothing planned: %+v", res.Stats)
	}
	if res.Stats.Assigned+res.Stats.Unassigned != res.Stats.Orders {
		t.Fatalf("assigned %d + unassigned %d != orders %d", res.Stats.Assigned, res.Stats.Unassigned, res.Stats.Orders)
	}
	// Every assigned order is on exactly one stop of the plan; every pickup
	// stop has one pickup task; each household one packaging task and one
	// window SMS.
	if n := count(t, b.db, `SELECT count(*) FROM stop_orders so JOIN stops s ON s.id = so.stop_id JOIN routes r ON r.id = s.route_id WHERE r.plan_id = $1`, res.PlanID); n != res.Stats.Assigned {
		t.Errorf("%d stop orders, %d assigned", n, res.Stats.Assigned)
	}
	pickups := count(t, b.db, `SELECT count(*) FROM stops s JOIN routes r ON r.id = s.route_id WHERE r.plan_id = $1 AND s.kind = 'pickup'`, res.PlanID)
	if n := count(t, b.db, `SELECT count(*) FROM tasks WHERE kind = 'pickup'`); n != pickups {
		t.Errorf("%d pickup tasks for %d pickup stops", n, pickups)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'pickup_window'`); n != pickups {
		t.Errorf("%d window SMS for %d pickup stops", n, pickups)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE length(body) > 160`); n != 0 {
		t.Errorf("%d SMS longer than 160", n)
	}
	// Each trip ends at the depot by its orders' handover deadline.
	if n := count(t, b.db, `
		SELECT count(*) FROM stops s JOIN routes r ON r.id = s.route_id
		JOIN stop_orders so ON so.stop_id = s.id JOIN orders o ON o.id = so.order_id
		JOIN stops d ON d.route_id = s.route_id AND d.kind = 'depot' AND d.trip = s.trip
		WHERE r.plan_id = $1 AND NOT o.at_risk AND o.handover_deadline < d.arrive_at - interval '1 second'
		  AND o.handover_deadline > $2`, res.PlanID, testMorning); n != 0 {
		t.Errorf("%d orders come back after their handover deadline", n)
	}

	// The same plan asked again gives a new version, no duplicate task, and
	// no SMS to households whose window did not change.
	sms := count(t, b.db, `SELECT count(*) FROM notifications`)
	res2, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "again"})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Version != res.Version+1 {
		t.Errorf("version %d after %d", res2.Version, res.Version)
	}
	if n := count(t, b.db, `SELECT count(*) FROM tasks WHERE kind = 'packaging'`); n > pickups {
		t.Errorf("%d packaging tasks for %d households", n, pickups)
	}
	if n := count(t, b.db, `SELECT count(*) FROM plans WHERE depot_id = $1 AND status = 'done'`, depot); n != 1 {
		t.Errorf("%d current plans", n)
	}
	t.Logf("plan: %+v; again: %d new SMS", res.Stats, count(t, b.db, `SELECT count(*) FROM notifications`)-sms)
}

func TestPickupStateMachine(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 200})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	res, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var stop, driver int64
	err = b.db.QueryRow(ctx, `SELECT s.id, r.driver_id FROM stops s JOIN routes r ON r.id = s.route_id
		WHERE r.plan_id = $1 AND s.kind = 'pickup' ORDER BY r.id, s.seq LIMIT 1`, res.PlanID).Scan(&stop, &driver)
	if err != nil {
		t.Fatal(err)
	}
	ev := func(status string, drv int64) error {
		_, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: stop, DriverID: drv, Status: status, Parcels: 1, WeightKg: 5, Reason: jobs.FailNotReady})
		return err
	}
	// Another driver's stop: forbidden, nothing changed.
	if err := ev(thugom.StopEnRoute, driver+100000); !errors.Is(err, thugom.ErrForbidden) {
		t.Fatalf("other driver: %v", err)
	}
	for _, st := range []string{thugom.StopEnRoute, thugom.StopArrived} {
		if err := ev(st, driver); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	// Repeated report: fine, unchanged. Going back: conflict.
	if err := ev(thugom.StopArrived, driver); err != nil {
		t.Fatalf("repeat: %v", err)
	}
	if err := ev(thugom.StopEnRoute, driver); !errors.Is(err, thugom.ErrConflict) {
		t.Fatalf("back to en_route: %v", err)
	}
	if err := ev("teleported", driver); !errors.Is(err, thugom.ErrInvalid) {
		t.Fatalf("bad status: %v", err)
	}
	if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: stop, Status: thugom.StopFailed}); !errors.Is(err, thugom.ErrInvalid) {
		t.Fatalf("failure without reason: %v", err)
	}
	if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: 1 << 40, Status: thugom.StopArrived}); !errors.Is(err, thugom.ErrNotFound) {
		t.Fatalf("no such stop: %v", err)
	}
	// Failure: orders back to planning, a follow-up job, and after it a
	// re-plan and one SMS to the household.
	b.clock.t = testMorning.Add(5 * time.Minute)
	if err := ev(thugom.StopFailed, driver); err != nil {
		t.Fatal(err)
	}
	if err := ev(thugom.StopPickedUp, driver); !errors.Is(err, thugom.ErrConflict) {
		t.Fatalf("picked up after failed: %v", err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders o JOIN stop_orders so ON so.order_id = o.id WHERE so.stop_id = $1 AND o.status = 'received' AND o.ready_from IS NOT NULL`, stop); n == 0 {
		t.Fatal("failed stop's orders not back to planning")
	}
	replanned, err := b.svc.FollowUpFailedPickup(ctx, stop, jobs.FailNotReady)
	if err != nil || !replanned {
		t.Fatalf("follow-up: %v %v", replanned, err)
	}
	if _, err := b.svc.FollowUpFailedPickup(ctx, stop, jobs.FailNotReady); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE idempotency_key = $1`, "failed:"+itoa(stop)); n != 1 {
		t.Errorf("%d failure SMS", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM river_job WHERE kind = 'replan'`); n != 1 {
		t.Errorf("%d replan jobs", n)
	}
	// The re-plan keeps the failed stop as it is and plans its orders again
	// from an hour later.
	b.clock.t = testMorning.Add(10 * time.Minute)
	res2, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CausePickupFailed, RequestedAt: testMorning.Add(5 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM stops s JOIN routes r ON r.id = s.route_id WHERE r.plan_id = $1 AND s.id = $2 AND s.status = 'failed'`, res2.PlanID, stop); n != 1 {
		t.Errorf("failed stop not kept, with its id, in the re-plan (%d)", n)
	}
	// A report on the stop is still on the same stop: still failed.
	if err := ev(thugom.StopFailed, driver); err != nil {
		t.Errorf("report on re-planned stop: %v", err)
	}
	// A re-plan requested before the current plan's inputs is skipped.
	res3, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, RequestedAt: testMorning.Add(5 * time.Minute)})
	if err != nil || !res3.Skipped {
		t.Errorf("covered re-plan not skipped: %+v %v", res3, err)
	}
}

func TestInboundSMS(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 200})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	var hh []int64
	var phones []string
	rows, err := b.db.Query(ctx, `SELECT h.id, h.phone FROM tasks t JOIN households h ON h.id = t.household_id WHERE t.kind = 'packaging' ORDER BY h.id LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		hh, phones = append(hh, id), append(phones, p)
	}
	if len(hh) < 3 {
		t.Fatalf("only %d households planned", len(hh))
	}
	in := func(id, from, text string) *jobs.InboundResult {
		t.Helper()
		r, err := b.svc.HandleInboundSMS(ctx, jobs.InboundSMS{ProviderMessageID: id, From: from, Text: text})
		if err != nil {
			t.Fatalf("%s %q: %v", from, text, err)
		}
		return r
	}
	local := "0" + phones[0][3:] // the same number as a household writes it
	if r := in("m1", local, " 1 "); r.Outcome != jobs.InboundReady || r.HouseholdID != hh[0] {
		t.Errorf("reply 1: %+v", r)
	}
	if r := in("m1", local, " 1 "); !r.Duplicate || r.Outcome != jobs.InboundReady {
		t.Errorf("duplicate delivery: %+v", r)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'reply_ready'`); n != 1 {
		t.Errorf("%d acknowledgements of reply 1", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM tasks WHERE kind = 'packaging' AND household_id = $1 AND status = 'packed'`, hh[0]); n != 1 {
		t.Errorf("packaging task not packed")
	}
	if r := in("m2", phones[1], "2"); r.Outcome != jobs.InboundPostponed {
		t.Errorf("reply 2: %+v", r)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE household_id = $1 AND status = 'postponed' AND ready_from >= $2`, hh[1], testDay.Add(24*time.Hour)); n == 0 {
		t.Errorf("orders not postponed")
	}
	if r := in("m3", phones[2], "0"); r.Outcome != jobs.InboundCancelled {
		t.Errorf("reply 0: %+v", r)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE household_id = $1 AND status <> 'cancelled'`, hh[2]); n != 0 {
		t.Errorf("%d orders not cancelled", n)
	}
	if n := count(t, b.db, `SELECT count(*) FROM river_job WHERE kind = 'replan'`); n != 2 {
		t.Errorf("%d replan jobs after a postponement and a cancellation", n)
	}
	// Bad input: nothing changes, each answered.
	before := count(t, b.db, `SELECT count(*) FROM orders WHERE status = 'cancelled'`)
	if r := in("m4", "+84 999 000 111", "0"); r.Outcome != jobs.InboundUnknownNumber {
		t.Errorf("unknown number: %+v", r)
	}
	if r := in("m5", "not a phone", "1"); r.Outcome != jobs.InboundUnknownNumber {
		t.Errorf("garbage number: %+v", r)
	}
	if r := in("m6", phones[0], "vâng, xong rồi"); r.Outcome != jobs.InboundInvalidReply {
		t.Errorf("words: %+v", r)
	}
	if r := in("m7", phones[0], "7"); r.Outcome != jobs.InboundInvalidReply {
		t.Errorf("7: %+v", r)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'reply_help' AND household_id = $1`, hh[0]); n != 1 {
		t.Errorf("%d help messages for two bad replies (want one a day)", n)
	}
	if after := count(t, b.db, `SELECT count(*) FROM orders WHERE status = 'cancelled'`); after != before {
		t.Errorf("bad replies changed orders")
	}
	if _, err := b.svc.HandleInboundSMS(ctx, jobs.InboundSMS{From: phones[0], Text: "1"}); !errors.Is(err, thugom.ErrInvalid) {
		t.Errorf("no message id: %v", err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM sms_inbox`); n != 7 {
		t.Errorf("%d inbox rows for 7 distinct messages", n)
	}
}

// TestWorkersEndToEnd runs the whole path on a real River client: geocode
// jobs, plan jobs, SMS jobs through the outbox, once each.
func TestWorkersEndToEnd(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 150, workers: 4})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var params []river.InsertManyParams
	for _, id := range b.seeded.HouseholdIDs {
		params = append(params, river.InsertManyParams{Args: jobs.GeocodeHouseholdArgs{HouseholdID: id}})
	}
	if _, err := b.svc.Client().InsertMany(ctx, params); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.svc.Stop(context.Background()) }()
	waitFor(t, ctx, func() bool {
		return count(t, b.db, `SELECT count(*) FROM households WHERE geocoded_at IS NULL`) == 0
	})
	depots, err := b.svc.EnqueueDay(ctx, testDay, "test")
	if err != nil || len(depots) == 0 {
		t.Fatalf("enqueue day: %v %v", depots, err)
	}
	// Asking twice is harmless: plans are unique per depot and day.
	if _, err := b.svc.EnqueueDay(ctx, testDay, "test"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, func() bool {
		return count(t, b.db, `SELECT count(DISTINCT depot_id) FROM plans WHERE status = 'done'`) == len(depots) &&
			count(t, b.db, `SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded') AND kind <> 'packaging_reminder'`) == 0
	})
	if n := count(t, b.db, `SELECT count(*) FROM plans`); n != len(depots) {
		t.Errorf("%d plans for %d depots (duplicates?)", n, len(depots))
	}
	sent := count(t, b.db, `SELECT count(*) FROM notifications WHERE status = 'sent'`)
	if sent == 0 || count(t, b.db, `SELECT count(*) FROM notifications WHERE status <> 'sent'`) != 0 {
		t.Errorf("%d sent, some not", sent)
	}
	if n := count(t, b.db, `SELECT count(*) FROM sms_outbox`); n != sent {
		t.Errorf("%d outbox messages for %d sent notifications", n, sent)
	}
	// Metrics of jobs and plans, and River's UI for administrators.
	rec := httptest.NewRecorder()
	b.svc.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{`thugom_jobs_total{kind="plan_depot_day",outcome="ok"}`, `thugom_plan_duration_seconds_count`, `thugom_sms_total{kind="pickup_window",outcome="sent"}`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	ui, err := b.svc.RiverUI(ctx, "/admin/river")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/admin/river/", "/admin/river/api/jobs?state=completed&limit=5"} {
		rec := httptest.NewRecorder()
		ui.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("river ui %s: %d", path, rec.Code)
		}
	}
	var failed int
	if err := b.db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state IN ('discarded', 'retryable') OR (errors IS NOT NULL AND array_length(errors, 1) > 0)`).Scan(&failed); err != nil {
		t.Fatal(err)
	}
	if failed != 0 {
		var msg string
		_ = b.db.QueryRow(ctx, `SELECT kind || ': ' || errors[1]::text FROM river_job WHERE errors IS NOT NULL LIMIT 1`).Scan(&msg)
		t.Errorf("%d jobs with errors, e.g. %s", failed, msg)
	}
}

func waitFor(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("timed out waiting")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestGeocodeLearnsVillages: households with GPS pins in one village teach
// its centre; a household of that village without a pin is placed there.
func TestGeocodeLearnsVillages(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	ctx := context.Background()
	const addr = "Thôn Nà Lầu, xã Chi Lăng, tỉnh Lạng Sơn"
	pins := [][2]float64{{106.6101, 21.6502}, {106.6110, 21.6497}, {106.6095, 21.6510}, {106.9, 21.9}} // the last one is an outlier
	var ids []int64
	for i, p := range pins {
		h := thugom.Household{Name: "Hộ " + itoa(int64(i)), Phone: "09123400" + itoa(int64(10+i)), Address: addr}
		if _, err := store.UpsertHousehold(ctx, b.db, &h); err != nil {
			t.Fatal(err)
		}
		if err := store.PinHousehold(ctx, b.db, h.ID, p[0], p[1], "", testMorning); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.ID)
	}
	var learned bool
	for _, id := range ids {
		r, err := b.svc.GeocodeHousehold(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.CommuneCode == "" {
			t.Fatalf("address not placed in a commune: %+v", r)
		}
		learned = learned || r.VillageLearned
	}
	if !learned || count(t, b.db, `SELECT count(*) FROM villages`) != 1 {
		t.Fatal("village centre not learned from three agreeing pins")
	}
	h := thugom.Household{Name: "Hộ mới", Phone: "0912340099", Address: "thon Na Lau, xa Chi Lang"}
	if _, err := store.UpsertHousehold(ctx, b.db, &h); err != nil {
		t.Fatal(err)
	}
	r, err := b.svc.GeocodeHousehold(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Precision != thugom.PrecisionVillage {
		t.Errorf("household of a learned village: precision %q (%+v)", r.Precision, r)
	}
	var lon, lat float64
	if err := b.db.QueryRow(ctx, `SELECT lon, lat FROM households WHERE id = $1`, h.ID).Scan(&lon, &lat); err != nil {
		t.Fatal(err)
	}
	if lon < 106.60 || lon > 106.62 || lat < 21.64 || lat > 21.66 {
		t.Errorf("placed at %v,%v, not at the pins' centre (the outlier must not pull it)", lon, lat)
	}
	if _, err := b.svc.GeocodeHousehold(ctx, 1<<40); !errors.Is(err, thugom.ErrNotFound) {
		t.Errorf("unknown household: %v", err)
	}
}
