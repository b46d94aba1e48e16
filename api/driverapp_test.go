package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// driverDay is a planned day seen from the busiest driver.
type driverDay struct {
	idx     int    // index of the driver in the bundle
	token   string // their token
	other   string // the other driver's token
	driver  int64
	pickups []int64 // their pickup stops, in order
	depots  []int64 // their depot stops (end of trips)
	foreign []int64 // the other driver's pickup stops
}

// seedHeavy plans a day of n orders of 45 kg: more than one motorbike
// carries (2 trips of 150 kg), so both drivers get pickups.
func (b *bundle) seedHeavy(n int) {
	b.t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		r := b.do("POST", "/v1/orders", b.disp, order(fmt.Sprintf("PM-H%03d", i), fmt.Sprintf("09130000%02d", i), addresses[i%len(addresses)], 45))
		wantStatus(b.t, r, http.StatusCreated, "")
		var o struct {
			HouseholdID int64 `json:"household_id"`
		}
		r.json(b.t, &o)
		if _, err := b.svc.GeocodeHousehold(ctx, o.HouseholdID); err != nil {
			b.t.Fatalf("geocode: %v", err)
		}
	}
	if _, err := b.svc.PlanDepotDay(ctx, b.depot.ID, testNow, jobs.PlanRequest{Cause: "test"}); err != nil {
		b.t.Fatalf("plan: %v", err)
	}
}

// driverPickups returns the pickup stops of a driver's routes in the
// current plan, in order.
func (b *bundle) driverPickups(driverID int64) []int64 { return b.driverStops(driverID, "pickup") }

func (b *bundle) driverStops(driverID int64, kind string) []int64 {
	b.t.Helper()
	rows, err := b.db.Query(context.Background(), `SELECT s.id FROM stops s JOIN routes r ON r.id = s.route_id
		JOIN plans p ON p.id = r.plan_id WHERE p.status = 'done' AND r.driver_id = $1 AND s.kind = $2 ORDER BY s.arrive_at, s.id`, driverID, kind)
	if err != nil {
		b.t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		b.t.Fatal(err)
	}
	return ids
}

func (b *bundle) driverDay(n int) driverDay {
	b.t.Helper()
	b.seedHeavy(n)
	d := driverDay{idx: 0, token: b.drv1, other: b.drv2}
	p0, p1 := b.driverPickups(b.driver[0].ID), b.driverPickups(b.driver[1].ID)
	if len(p1) > len(p0) {
		d = driverDay{idx: 1, token: b.drv2, other: b.drv1}
		p0, p1 = p1, p0
	}
	d.driver = b.driver[d.idx].ID
	d.pickups, d.foreign, d.depots = p0, p1, b.driverStops(d.driver, "depot")
	return d
}

type eventsAnswer struct {
	ReceivedAt  time.Time `json:"received_at"`
	SkewSeconds int       `json:"clock_skew_s"`
	SkewFlagged bool      `json:"clock_skew_flagged"`
	Accepted    int       `json:"accepted"`
	Refused     int       `json:"refused"`
	Results     []struct {
		ID         string         `json:"id"`
		StopID     int64          `json:"stop_id"`
		Status     int            `json:"status"`
		Outcome    string         `json:"outcome"`
		StopStatus string         `json:"stop_status"`
		Replayed   bool           `json:"replayed"`
		Problem    map[string]any `json:"problem"`
	} `json:"results"`
}

func (b *bundle) sendEvents(token string, body any) eventsAnswer {
	b.t.Helper()
	r := b.do("POST", "/v1/me/events", token, body)
	wantStatus(b.t, r, http.StatusOK, "")
	var a eventsAnswer
	r.json(b.t, &a)
	return a
}

func ev(id string, seq int, stop int64, status string, at time.Time, extra ...any) map[string]any {
	e := map[string]any{"id": id, "seq": seq, "stop_id": stop, "status": status, "happened_at": at.Format(time.RFC3339)}
	for i := 0; i+1 < len(extra); i += 2 {
		e[extra[i].(string)] = extra[i+1]
	}
	return e
}

func (b *bundle) count(sql string, args ...any) int {
	b.t.Helper()
	var n int
	if err := b.db.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		b.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func (b *bundle) stopStatus(id int64) string {
	b.t.Helper()
	var s string
	if err := b.db.QueryRow(context.Background(), "SELECT status FROM stops WHERE id = $1", id).Scan(&s); err != nil {
		b.t.Fatal(err)
	}
	return s
}

// TestDriverEventsBatch: a batch in any order, with bad events among good
// ones: each bad one refused alone with its 4xx, the good ones applied,
// the phone's times kept; the same batch again changes nothing.
func TestDriverEventsBatch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.driverDay(8)
	if len(d.pickups) < 3 || len(d.foreign) == 0 {
		t.Skipf("plan gave %d and %d pickups to the two drivers", len(d.pickups), len(d.foreign))
	}
	a, p, f := d.pickups[0], d.pickups[1], d.pickups[2]
	t1 := testNow.Add(-20 * time.Minute).Truncate(time.Second)
	big := strings.Repeat("A", 4*(201*1024)/3) // base64 of > 200 KB
	batch := map[string]any{"sent_at": testNow.Format(time.RFC3339), "events": []any{
		// Picked up listed before arrived: applied as arrived, then picked up.
		ev("e-2", 2, a, "picked_up", t1.Add(5*time.Minute), "parcels", 2, "weight_kg", 11.5, "note", "thùng hơi ướt"),
		ev("e-1", 1, a, "arrived", t1),
		ev("e-3", 3, f, "failed", t1.Add(10*time.Minute), "reason", "nobody_home"),
		ev("e-4", 4, d.foreign[0], "picked_up", t1),                                                   // another driver's stop: 403
		ev("e-5", 5, p, "picked_up", testNow.Add(2*time.Hour)),                                        // future: 422
		ev("e-6", 6, p, "picked_up", t1, "photo", big),                                                // photo too large: 413
		map[string]any{"id": "e-7", "seq": "seven", "stop_id": p},                                     // malformed: 422
		ev("e-8", 8, 999999, "arrived", t1),                                                           // no such stop: 404
		ev("e-9", 9, p, "picked_up", testNow.Add(-72*time.Hour)),                                      // days old: 422
		ev("e-10", 10, p, "failed", t1),                                                               // failure without a reason: 422
		ev("e-11", 11, p, "picked_up", t1.Add(15*time.Minute), "photo", []byte("\xff\xd8small jpeg")), // good
	}}
	got := b.sendEvents(d.token, batch)
	want := []struct {
		status  int
		outcome string
	}{{200, "applied"}, {200, "applied"}, {200, "applied"}, {403, ""}, {422, ""}, {413, ""}, {422, ""}, {404, ""}, {422, ""}, {422, ""}, {200, "applied"}}
	if len(got.Results) != len(want) {
		t.Fatalf("%d results: %+v", len(got.Results), got)
	}
	for i, w := range want {
		r := got.Results[i]
		if r.Status != w.status || r.Outcome != w.outcome || r.ID != fmt.Sprintf("e-%d", i+1) && i != 0 && i != 1 {
			t.Errorf("event %d: %+v, want %d %s", i, r, w.status, w.outcome)
		}
		if r.Status >= 400 && (r.Problem == nil || r.Problem["status"] != float64(r.Status) || r.Problem["detail"] == "") {
			t.Errorf("event %d: refusal without a problem: %+v", i, r)
		}
	}
	if got.Accepted != 4 || got.Refused != 7 || got.SkewFlagged {
		t.Errorf("accepted %d refused %d flagged %v", got.Accepted, got.Refused, got.SkewFlagged)
	}
	if st := b.stopStatus(a); st != thugom.StopPickedUp {
		t.Errorf("stop a %s", st)
	}
	if st := b.stopStatus(f); st != thugom.StopFailed {
		t.Errorf("stop f %s", st)
	}
	if st := b.stopStatus(d.foreign[0]); st != thugom.StopPlanned {
		t.Errorf("foreign stop %s: a refused event wrote", st)
	}
	if n := b.count("SELECT count(*) FROM orders o JOIN stop_orders so ON so.order_id = o.id WHERE so.stop_id = $1 AND o.status = 'picked_up'", a); n == 0 {
		t.Errorf("stop a's orders not picked up")
	}
	// The phone's time in the report, the server's beside it.
	var happened, recorded time.Time
	var note string
	if err := b.db.QueryRow(context.Background(), "SELECT happened_at, recorded_at, note FROM stop_reports WHERE stop_id = $1", a).Scan(&happened, &recorded, &note); err != nil {
		t.Fatal(err)
	}
	if !happened.Equal(t1.Add(5*time.Minute)) || !recorded.Equal(testNow) || note != "thùng hơi ướt" {
		t.Errorf("report: happened %s recorded %s note %q", happened, recorded, note)
	}
	if n := b.count("SELECT count(*) FROM driver_events WHERE driver_id = $1", d.driver); n != 4 {
		t.Errorf("%d driver events kept, want 4", n)
	}
	if n := b.count("SELECT count(*) FROM driver_events WHERE photo IS NOT NULL"); n != 1 {
		t.Errorf("%d photos kept, want 1", n)
	}

	// A flaky network: the same batch again changes nothing.
	journal := b.count("SELECT count(*) FROM events")
	again := b.sendEvents(d.token, batch)
	for i, w := range want {
		if r := again.Results[i]; r.Status != w.status || r.Outcome != w.outcome || (w.status == 200) != r.Replayed {
			t.Errorf("replay %d: %+v", i, r)
		}
	}
	if n := b.count("SELECT count(*) FROM events"); n != journal {
		t.Errorf("replay wrote %d journal entries", n-journal)
	}
	if n := b.count("SELECT count(*) FROM driver_events"); n != 4 {
		t.Errorf("replay: %d driver events", n)
	}
	// The same id for another event is refused.
	r := b.sendEvents(d.token, map[string]any{"events": []any{ev("e-1", 1, a, "arrived", t1.Add(time.Minute))}})
	if r.Results[0].Status != 422 {
		t.Errorf("reused id: %+v", r.Results[0])
	}

	// Never a step back: a late "arrived" on a picked-up stop is kept,
	// changes nothing.
	r = b.sendEvents(d.token, map[string]any{"events": []any{ev("late-1", 20, p, "arrived", t1)}})
	if x := r.Results[0]; x.Status != 200 || x.Outcome != "superseded" || x.StopStatus != thugom.StopPickedUp || b.stopStatus(p) != thugom.StopPickedUp {
		t.Errorf("late arrived: %+v, stop %s", x, b.stopStatus(p))
	}

	// Malformed batches: 4xx, nothing written.
	before := b.count("SELECT count(*) FROM driver_events")
	wantStatus(t, b.do("POST", "/v1/me/events", d.token, `{"events": [`), http.StatusBadRequest, "")
	wantStatus(t, b.do("POST", "/v1/me/events", d.token, `{"events": []}`), http.StatusUnprocessableEntity, "events")
	wantStatus(t, b.do("POST", "/v1/me/events", d.token, `{"events": {}}`), http.StatusUnprocessableEntity, "")
	wantStatus(t, b.do("POST", "/v1/me/events", b.disp, map[string]any{"events": []any{ev("x", 1, a, "arrived", t1)}}), http.StatusForbidden, "")
	if n := b.count("SELECT count(*) FROM driver_events"); n != before {
		t.Errorf("malformed batches wrote %d events", n-before)
	}
}

// TestDriverEventsRevokedToken: a revoked token's batch is refused whole.
func TestDriverEventsRevokedToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.driverDay(6)
	var id int64
	if err := b.db.QueryRow(context.Background(), "SELECT id FROM tokens WHERE driver_id = $1", d.driver).Scan(&id); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, b.do("DELETE", fmt.Sprintf("/v1/tokens/%d", id), b.admin, nil), http.StatusNoContent, "")
	r := b.do("POST", "/v1/me/events", d.token, map[string]any{"events": []any{ev("x", 1, d.pickups[0], "arrived", testNow)}})
	wantStatus(t, r, http.StatusUnauthorized, "")
	if n := b.count("SELECT count(*) FROM driver_events"); n != 0 {
		t.Errorf("%d events from a revoked token", n)
	}
}

// TestDriverEventsClockSkew: a phone 5 minutes ahead: its times are kept
// as sent, flagged, and judged against the server's clock corrected.
func TestDriverEventsClockSkew(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.driverDay(6)
	skew := 5 * time.Minute
	r := b.sendEvents(d.token, map[string]any{"sent_at": testNow.Add(skew).Format(time.RFC3339),
		"events": []any{ev("s-1", 1, d.pickups[0], "picked_up", testNow.Add(skew-time.Minute))}})
	if r.SkewSeconds != 300 || !r.SkewFlagged || r.Results[0].Status != 200 {
		t.Fatalf("skewed phone: %+v", r)
	}
	var flagged bool
	var skewS int
	var happened time.Time
	if err := b.db.QueryRow(context.Background(), "SELECT skew_flagged, skew_seconds, happened_at FROM driver_events WHERE event_key = 's-1'").Scan(&flagged, &skewS, &happened); err != nil {
		t.Fatal(err)
	}
	if !flagged || skewS != 300 || !happened.Equal(testNow.Add(skew-time.Minute)) {
		t.Errorf("kept: flagged %v skew %d happened %s", flagged, skewS, happened)
	}
}

// TestDriverEventsAfterReplan: a stop moved to the other vehicle while the
// driver was offline; the driver's report on it is applied to the
// household's pickup and the dispatcher alerted.
func TestDriverEventsAfterReplan(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.driverDay(8)
	ctx := context.Background()
	stop := d.pickups[0]
	otherVehicle := b.vehicle[1-d.idx].ID
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/move", stop), b.disp, map[string]any{"vehicle_id": otherVehicle}), http.StatusAccepted, "")
	if _, err := b.svc.PlanDepotDay(ctx, b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	var vehicle int64
	if err := b.db.QueryRow(ctx, "SELECT r.vehicle_id FROM stops s JOIN routes r ON r.id = s.route_id WHERE s.id = $1", stop).Scan(&vehicle); err != nil {
		t.Fatal(err)
	}
	if vehicle != otherVehicle {
		t.Fatalf("stop %d still on vehicle %d after the move", stop, vehicle)
	}
	r := b.sendEvents(d.token, map[string]any{"events": []any{ev("r-1", 1, stop, "picked_up", testNow.Add(-5*time.Minute), "parcels", 1)}})
	if x := r.Results[0]; x.Status != 200 || x.Outcome != "reassigned" || x.StopStatus != thugom.StopPickedUp {
		t.Fatalf("report after re-plan: %+v", x)
	}
	if n := b.count("SELECT count(*) FROM events WHERE action = 'alert.stop_reported_after_replan' AND subject = $1", fmt.Sprintf("stop:%d", stop)); n != 1 {
		t.Errorf("%d dispatcher alerts", n)
	}
	if n := b.count("SELECT count(*) FROM orders o JOIN stop_orders so ON so.order_id = o.id WHERE so.stop_id = $1 AND o.status <> 'picked_up'", stop); n != 0 {
		t.Errorf("%d orders of the stop not picked up", n)
	}
	// The other driver, who held stop f in the first version, reports on
	// it now that the re-plan gave it to this driver: applied too.
	f := d.foreign[0]
	r = b.sendEvents(d.other, map[string]any{"events": []any{ev("r-2", 1, f, "arrived", testNow.Add(-time.Minute))}})
	if x := r.Results[0]; x.Status != 200 || b.stopStatus(f) != thugom.StopArrived {
		t.Errorf("other driver's report: %+v, stop %s", x, b.stopStatus(f))
	}
}

// waitLockWaiters returns once n backends of the test's database wait on a
// lock: the writers have met.
func waitLockWaiters(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := 0; i < 3000; i++ {
		var c int
		if err := db.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").Scan(&c); err != nil {
			t.Fatal(err)
		}
		if c >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d writers never met on the day's lock", n)
}

// TestDriverEventsMeet: the same queued event sent twice at once (a phone
// retrying on a flaky network) and a re-plan of the day meet on the day's
// lock; the event is applied exactly once, the re-plan keeps it.
func TestDriverEventsMeet(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.driverDay(8)
	ctx := context.Background()
	stop := d.pickups[0]
	batch := map[string]any{"events": []any{ev("m-1", 1, stop, "picked_up", testNow.Add(-time.Minute), "parcels", 1)}}
	body, _ := json.Marshal(batch)

	// Hold the day's lock, start both copies and a re-plan, let them queue
	// on it, then let go.
	tx, err := b.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.LockDepotDay(ctx, tx, b.depot.ID, testNow); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	answers := make([]eventsAnswer, 2)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", b.srv.URL+"/v1/me/events", strings.NewReader(string(body)))
			req.Header.Set("Authorization", "Bearer "+d.token)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			if res.StatusCode != 200 {
				t.Errorf("copy %d: status %d", i, res.StatusCode)
			}
			if err := json.NewDecoder(res.Body).Decode(&answers[i]); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Add(1)
	var planErr error
	go func() {
		defer wg.Done()
		_, planErr = b.svc.PlanDepotDay(ctx, b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: "test"})
	}()
	waitLockWaiters(t, b.db, 3)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if planErr != nil {
		t.Fatal(planErr)
	}
	applied, replayed := 0, 0
	for _, a := range answers {
		if len(a.Results) != 1 || a.Results[0].Status != 200 {
			t.Fatalf("answer %+v", a)
		}
		if a.Results[0].Replayed {
			replayed++
		} else if a.Results[0].Outcome == "applied" {
			applied++
		}
	}
	if applied != 1 || replayed != 1 {
		t.Errorf("applied %d, replayed %d: want 1 and 1", applied, replayed)
	}
	if n := b.count("SELECT count(*) FROM events WHERE action = 'stop.picked_up' AND subject = $1", fmt.Sprintf("stop:%d", stop)); n != 1 {
		t.Errorf("stop picked up %d times in the journal", n)
	}
	if st := b.stopStatus(stop); st != thugom.StopPickedUp {
		t.Errorf("after the re-plan the stop is %s", st)
	}
}

// TestDriverPositionsRead: positions posted by the phone are read back by
// the driver and their dispatcher, not by another carrier's.
func TestDriverPositionsRead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	at := testNow.Add(-10 * time.Minute)
	wantStatus(t, b.do("POST", "/v1/me/positions", b.drv1, map[string]any{"positions": []any{
		map[string]any{"at": at.Format(time.RFC3339), "lon": 106.76, "lat": 21.85},
		map[string]any{"at": at.Add(5 * time.Minute).Format(time.RFC3339), "lon": 106.77, "lat": 21.86, "accuracy_m": 12},
	}}), http.StatusNoContent, "")
	var out struct {
		Positions []struct {
			At  time.Time `json:"at"`
			Lon float64   `json:"lon"`
		} `json:"positions"`
	}
	path := fmt.Sprintf("/v1/drivers/%d/positions?date=%s", b.driver[0].ID, testNow.Format(time.DateOnly))
	r := b.do("GET", path, b.disp, nil)
	wantStatus(t, r, 200, "")
	r.json(t, &out)
	if len(out.Positions) != 2 || out.Positions[1].Lon != 106.77 {
		t.Errorf("positions %+v", out)
	}
	wantStatus(t, b.do("GET", path, b.drv1, nil), 200, "")
	wantStatus(t, b.do("GET", path, b.drv2, nil), http.StatusForbidden, "")
	wantStatus(t, b.do("GET", path, b.disp2, nil), http.StatusForbidden, "")
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/drivers/%d/positions?date=x", b.driver[0].ID), b.disp, nil), http.StatusUnprocessableEntity, "date")

	var last struct {
		Drivers []struct {
			DriverID int64     `json:"driver_id"`
			At       time.Time `json:"at"`
		} `json:"drivers"`
	}
	r = b.do("GET", fmt.Sprintf("/v1/depots/%d/drivers/last-seen", b.depot.ID), b.disp, nil)
	wantStatus(t, r, 200, "")
	r.json(t, &last)
	if len(last.Drivers) != 1 || last.Drivers[0].DriverID != b.driver[0].ID || !last.Drivers[0].At.Equal(at.Add(5*time.Minute)) {
		t.Errorf("last seen %+v", last)
	}
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/drivers/last-seen?hours=0", b.depot.ID), b.disp, nil), http.StatusUnprocessableEntity, "hours")
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/drivers/last-seen", b.depot.ID), b.disp2, nil), http.StatusForbidden, "")

	var me struct {
		DriverID int64  `json:"driver_id"`
		Name     string `json:"name"`
	}
	r = b.do("GET", "/v1/me", b.drv1, nil)
	wantStatus(t, r, 200, "")
	r.json(t, &me)
	if me.DriverID != b.driver[0].ID || me.Name != b.driver[0].Name {
		t.Errorf("me %+v", me)
	}
	var m struct {
		Driver struct {
			ID int64 `json:"id"`
		} `json:"driver"`
	}
	r = b.do("GET", "/v1/me/manifest", b.drv1, nil)
	wantStatus(t, r, 200, "")
	r.json(t, &m)
	if m.Driver.ID != b.driver[0].ID {
		t.Errorf("my manifest is driver %d's", m.Driver.ID)
	}
	wantStatus(t, b.do("GET", "/v1/me/manifest", b.disp, nil), http.StatusForbidden, "")

	// The app's shell: one page with its script and style, allowed by hash.
	r = b.do("GET", "/d/", "", nil)
	wantStatus(t, r, 200, "")
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'sha256-") || strings.Contains(csp, "unsafe-inline") ||
		!strings.Contains(string(r.body), "<script>") || !strings.Contains(string(r.body), `rel="manifest"`) {
		t.Errorf("shell: CSP %q, %d bytes", csp, len(r.body))
	}
	for _, f := range []string{"sw.js", "app.js", "manifest.webmanifest", "icon.svg"} {
		wantStatus(t, b.do("GET", "/d/"+f, "", nil), 200, "")
	}
	wantStatus(t, b.do("GET", "/d/../openapi.json", "", nil), http.StatusNotFound, "")
	wantStatus(t, b.do("GET", "/d/nope.js", "", nil), http.StatusNotFound, "")
}

// TestDriverManifestBudget measures the day's manifest of one driver with
// 40 stops, as the phone downloads it (gzip): budget 15 KB. The other
// motorbike is off, so one driver gets the whole day.
func TestDriverManifestBudget(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	wantStatus(t, b.do("PATCH", fmt.Sprintf("/v1/vehicles/%d", b.vehicle[1].ID), b.disp, map[string]any{"status": thugom.VehicleOff}), http.StatusOK, "")
	for i := 0; i < 40; i++ {
		r := b.do("POST", "/v1/orders", b.disp, order(fmt.Sprintf("PM-B%03d", i), fmt.Sprintf("09140000%02d", i), addresses[i%len(addresses)], 4))
		wantStatus(t, r, http.StatusCreated, "")
		var o struct {
			HouseholdID int64 `json:"household_id"`
		}
		r.json(t, &o)
		if _, err := b.svc.GeocodeHousehold(ctx, o.HouseholdID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.svc.PlanDepotDay(ctx, b.depot.ID, testNow, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	stops := b.count(`SELECT count(*) FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
		WHERE p.status = 'done' AND r.driver_id = $1 AND s.kind = 'pickup'`, b.driver[0].ID)
	r := b.do("GET", "/v1/me/manifest", b.drv1, nil, "Accept-Encoding", "gzip")
	wantStatus(t, r, 200, "")
	if r.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("manifest not compressed: %q", r.header.Get("Content-Encoding"))
	}
	t.Logf("manifest of %d pickup stops: %d bytes gzip (budget 15 KB for 40)", stops, len(r.body))
	if stops < 40 {
		t.Fatalf("the driver got %d stops of 40", stops)
	}
	if len(r.body) > 15*1024 {
		t.Errorf("manifest of %d stops: %d bytes compressed, budget 15 KB", stops, len(r.body))
	}
	// Unchanged: 304 by ETag, nothing sent.
	r2 := b.do("GET", "/v1/me/manifest", b.drv1, nil, "If-None-Match", r.header.Get("ETag"))
	wantStatus(t, r2, http.StatusNotModified, "")
}

// TestDriverEventsLate: a phone out of signal until the next day: its
// reports are taken until the day's end + 24 h, refused after.
func TestDriverEventsLate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.driverDay(6)
	ctx := context.Background()
	dayEnd := thugom.Day(testNow).AddDate(0, 0, 1)
	at := func(now time.Time) *jobs.Service {
		svc, err := jobs.New(b.db, jobs.Deps{Clock: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	happened := testNow.Add(2 * time.Hour)
	late := at(dayEnd.Add(23 * time.Hour))
	res, err := late.ApplyDriverEvents(ctx, jobs.DriverBatch{DriverID: d.driver, Events: []jobs.DriverEvent{
		{Key: "late-ok", Seq: 1, StopID: d.pickups[0], Status: thugom.StopArrived, HappenedAt: happened}}})
	if err != nil || res.Results[0].Err != nil || res.Results[0].Outcome != jobs.DriverEventApplied {
		t.Fatalf("23 h after the day: %+v %v", res, err)
	}
	tooLate := at(dayEnd.Add(25 * time.Hour))
	res, err = tooLate.ApplyDriverEvents(ctx, jobs.DriverBatch{DriverID: d.driver, Events: []jobs.DriverEvent{
		{Key: "late-ko", Seq: 2, StopID: d.pickups[1], Status: thugom.StopArrived, HappenedAt: happened}}})
	if err != nil || thugom.ErrorCode(res.Results[0].Err) != thugom.EInvalid {
		t.Fatalf("25 h after the day: %+v %v", res, err)
	}
	if st := b.stopStatus(d.pickups[1]); st != thugom.StopPlanned {
		t.Errorf("a refused late report wrote: stop %s", st)
	}
}
