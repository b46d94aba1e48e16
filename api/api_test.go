package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/jobs"
)

func TestEndToEndDay(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(8)

	// The dispatcher sees the plan.
	r := b.do("GET", fmt.Sprintf("/v1/depots/%d/plan?date=%s", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var plan struct {
		Plan   *struct{ Status string } `json:"plan"`
		Routes []struct {
			ID     int64
			Driver *struct{ ID int64 }
			Stops  []struct {
				ID   int64
				Kind string
			}
		}
	}
	r.json(t, &plan)
	if plan.Plan == nil || plan.Plan.Status != "done" || len(plan.Routes) == 0 {
		t.Fatalf("no plan: %s", r.body)
	}
	// Another carrier's dispatcher may not.
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/plan", b.depot.ID), b.disp2, nil), http.StatusForbidden, "")

	// The driver of the first route reads the manifest.
	var drvTok string
	var drvID int64
	var stopID int64
	for _, rt := range plan.Routes {
		if rt.Driver == nil {
			continue
		}
		drvID = rt.Driver.ID
		drvTok = map[int64]string{b.driver[0].ID: b.drv1, b.driver[1].ID: b.drv2}[drvID]
		for _, st := range rt.Stops {
			if st.Kind == "pickup" {
				stopID = st.ID
				break
			}
		}
		break
	}
	if drvTok == "" || stopID == 0 {
		t.Fatalf("no driver route with a pickup: %s", r.body)
	}
	otherTok := b.drv1
	if drvTok == b.drv1 {
		otherTok = b.drv2
	}
	path := fmt.Sprintf("/v1/drivers/%d/manifest?date=%s", drvID, testNow.Format(time.DateOnly))
	r = b.do("GET", path, drvTok, nil)
	wantStatus(t, r, http.StatusOK, "")
	for _, want := range []string{`"h3"`, `"phone"`, `"window_start"`, `"collect"`, `"cod_amount"`, `"line"`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("manifest lacks %s", want)
		}
	}
	etag := r.header.Get("ETag")
	if etag == "" {
		t.Fatal("manifest has no ETag")
	}
	wantStatus(t, b.do("GET", path, drvTok, nil, "If-None-Match", etag), http.StatusNotModified, "")
	wantStatus(t, b.do("GET", path, otherTok, nil), http.StatusForbidden, "")
	r = b.do("GET", strings.Replace(path, "manifest?", "manifest.geojson?", 1), drvTok, nil)
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `"LineString"`) || !strings.Contains(string(r.body), `"Point"`) {
		t.Errorf("geojson manifest: %s", r.body)
	}
	r = b.do("GET", strings.Replace(path, "manifest?", "manifest.html?", 1), drvTok, nil)
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), "break-inside:avoid") || !strings.Contains(string(r.body), "class=\"stop\"") {
		t.Errorf("printable manifest: %s", r.body)
	}

	// Pickup confirmation, replayed by an offline queue.
	body := map[string]any{"happened_at": testNow.Add(-5 * time.Minute).Format(time.RFC3339), "parcels": 2, "weight_kg": 9.5}
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/pickup", stopID), drvTok, body), http.StatusUnprocessableEntity, "Idempotency-Key")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/pickup", stopID), otherTok, body, "Idempotency-Key", "k1"), http.StatusForbidden, "")
	r1 := b.do("POST", fmt.Sprintf("/v1/stops/%d/pickup", stopID), drvTok, body, "Idempotency-Key", "k1")
	wantStatus(t, r1, http.StatusOK, "")
	r2 := b.do("POST", fmt.Sprintf("/v1/stops/%d/pickup", stopID), drvTok, body, "Idempotency-Key", "k1")
	wantStatus(t, r2, http.StatusOK, "")
	if string(r1.body) != string(r2.body) || r2.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay differs: %s vs %s (%v)", r1.body, r2.body, r2.header)
	}
	body["parcels"] = 3
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/pickup", stopID), drvTok, body, "Idempotency-Key", "k1"), http.StatusUnprocessableEntity, "Idempotency-Key")
	// The same pickup sent again under a new key changes nothing.
	r3 := b.do("POST", fmt.Sprintf("/v1/stops/%d/pickup", stopID), drvTok, body, "Idempotency-Key", "k2")
	wantStatus(t, r3, http.StatusOK, "")
	if !strings.Contains(string(r3.body), `"unchanged":true`) {
		t.Errorf("second pickup: %s", r3.body)
	}
	var picked int
	if err := b.db.QueryRow(context.Background(), "SELECT count(*) FROM events WHERE action = 'stop.picked_up'").Scan(&picked); err != nil || picked != 1 {
		t.Errorf("stop.picked_up events = %d (%v), want 1", picked, err)
	}

	// Positions.
	wantStatus(t, b.do("POST", "/v1/me/positions", drvTok, map[string]any{"positions": []map[string]any{
		{"at": testNow.Format(time.RFC3339), "lon": 106.77, "lat": 21.8}}}), http.StatusNoContent, "")
	wantStatus(t, b.do("POST", "/v1/me/positions", drvTok, map[string]any{"positions": []map[string]any{
		{"at": testNow.Format(time.RFC3339), "lon": 206.77, "lat": 21.8}}}), http.StatusUnprocessableEntity, "positions[0]")

	// Board and report.
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/sla?depot_id=%d&date=%s", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil), http.StatusOK, "")
	r = b.do("GET", fmt.Sprintf("/v1/depots/%d/report?date=%s", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `"picked_up":1`) {
		t.Errorf("report: %s", r.body)
	}
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/unassigned", b.depot.ID), b.disp, nil), http.StatusOK, "")

	// Re-plan keeping locks.
	var lockID int64 // an order not on the stop already picked up
	if err := b.db.QueryRow(context.Background(), "SELECT order_id FROM stop_orders WHERE stop_id <> $1 ORDER BY order_id LIMIT 1", stopID).Scan(&lockID); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/orders/%d/lock", lockID), b.disp, map[string]any{"vehicle_id": b.vehicle[1].ID}), http.StatusOK, "")
	r = b.do("POST", fmt.Sprintf("/v1/depots/%d/replan", b.depot.ID), b.disp, map[string]any{"date": testNow.Format(time.DateOnly)})
	wantStatus(t, r, http.StatusAccepted, "")
	// Run the re-plan here (no workers in tests): the lock holds.
	if _, err := b.svc.PlanDepotDay(context.Background(), b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: jobs.CauseDispatcher}); err != nil {
		t.Fatal(err)
	}
	r = b.do("GET", fmt.Sprintf("/v1/depots/%d/plan?date=%s", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var after struct {
		Plan   struct{ Version int }
		Routes []struct {
			Vehicle struct{ ID int64 }
			Stops   []struct {
				Collect []struct {
					OrderID int64 `json:"order_id"`
				}
			}
		}
	}
	r.json(t, &after)
	onVehicle := int64(0)
	for _, rt := range after.Routes {
		for _, st := range rt.Stops {
			for _, c := range st.Collect {
				if c.OrderID == lockID {
					onVehicle = rt.Vehicle.ID
				}
			}
		}
	}
	if after.Plan.Version < 2 || onVehicle != b.vehicle[1].ID {
		t.Errorf("after the re-plan (v%d) order %d is on vehicle %d, locked to %d", after.Plan.Version, lockID, onVehicle, b.vehicle[1].ID)
	}
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/depots/%d/plans", b.depot.ID), b.disp, map[string]any{"date": "2026-13-01"}), http.StatusUnprocessableEntity, "date")
	// Days out of range are refused, and a plan of a day that has started
	// (a stop was picked up) asks for a re-plan or an explicit force.
	for _, d := range []string{"9999-12-31", "0001-01-01", testNow.AddDate(0, 0, 30).Format(time.DateOnly)} {
		wantStatus(t, b.do("POST", fmt.Sprintf("/v1/depots/%d/plans", b.depot.ID), b.disp, map[string]any{"date": d}), http.StatusUnprocessableEntity, "date")
		wantStatus(t, b.do("POST", fmt.Sprintf("/v1/depots/%d/replan", b.depot.ID), b.disp, map[string]any{"date": d}), http.StatusUnprocessableEntity, "date")
	}
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/depots/%d/plans", b.depot.ID), b.disp, map[string]any{"date": testNow.Format(time.DateOnly)}), http.StatusConflict, "date")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/depots/%d/plans", b.depot.ID), b.disp, map[string]any{"date": testNow.Format(time.DateOnly), "force": true}), http.StatusAccepted, "")
	// What changed since version 1: the picked-up stop, by its own id.
	r = b.do("GET", fmt.Sprintf("/v1/depots/%d/plan/changes?date=%s&since=1", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var ch struct {
		ToVersion int `json:"to_version"`
		Changes   []struct {
			StopID int64  `json:"stop_id"`
			Change string `json:"change"`
		}
	}
	r.json(t, &ch)
	found := false
	for _, c := range ch.Changes {
		found = found || (c.StopID == stopID && c.Change == "status")
	}
	if ch.ToVersion < 2 || !found {
		t.Errorf("changes since version 1: %+v (picked-up stop %d not reported as a status change)", ch, stopID)
	}
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/plan/changes?since=0", b.depot.ID), b.disp, nil), http.StatusUnprocessableEntity, "since")
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/plan/changes?date=%s&since=99", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil), http.StatusNotFound, "since")
	// The picked-up stop keeps its id and its report through the re-plan.
	var st string
	if err := b.db.QueryRow(context.Background(), "SELECT status FROM stops WHERE id = $1", stopID).Scan(&st); err != nil || st != "picked_up" {
		t.Errorf("picked-up stop %d after the re-plan: %q %v", stopID, st, err)
	}
}

func TestHouseholdPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(3)
	var hid int64
	if err := b.db.QueryRow(context.Background(), "SELECT household_id FROM orders ORDER BY id LIMIT 1").Scan(&hid); err != nil {
		t.Fatal(err)
	}
	link := api.SignHouseholdLink(secret, hid, testNow.Add(48*time.Hour))
	r := b.do("GET", "/h/"+link, "", nil)
	wantStatus(t, r, http.StatusOK, "")
	page := string(r.body)
	for _, want := range []string{"Bưu điện sẽ đến lấy hàng", "Na Chi Lăng", "Hàng đã sẵn sàng", "pickup.ics"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The post office the household knows, not a vehicle code it does not.
	if !strings.Contains(page, b.depot.Name) || strings.Contains(page, b.vehicle[0].Code) || strings.Contains(page, b.vehicle[1].Code) {
		t.Errorf("page names %q? vehicle codes %q %q?", b.depot.Name, b.vehicle[0].Code, b.vehicle[1].Code)
	}
	if len(r.body) > 50_000 {
		t.Errorf("household page is %d bytes, want < 50 kB", len(r.body))
	}
	wantStatus(t, b.do("GET", "/h/"+link, "", nil, "If-None-Match", r.header.Get("ETag")), http.StatusNotModified, "")
	r = b.do("GET", "/h/"+link+"/pickup.ics", "", nil)
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), "BEGIN:VEVENT") || !strings.Contains(string(r.body), "DTSTART:") {
		t.Errorf("ics: %s", r.body)
	}

	// Tampered, foreign and expired links.
	tampered := link[:len(link)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(link, "AA")]
	wantStatus(t, b.do("GET", "/h/"+tampered, "", nil), http.StatusUnauthorized, "")
	other := api.SignHouseholdLink([]byte("another-secret-entirely-000"), hid, testNow.Add(time.Hour))
	wantStatus(t, b.do("GET", "/h/"+other, "", nil), http.StatusUnauthorized, "")
	expired := api.SignHouseholdLink(secret, hid, testNow.Add(-time.Minute))
	wantStatus(t, b.do("GET", "/h/"+expired, "", nil), http.StatusUnauthorized, "")
	wantStatus(t, b.do("POST", "/h/"+expired+"/ready", "", nil), http.StatusUnauthorized, "")
	wantStatus(t, b.do("GET", "/h/garbage", "", nil), http.StatusUnauthorized, "")

	// Ready.
	r = b.do("POST", "/h/"+link+"/ready", "", nil)
	wantStatus(t, r, http.StatusSeeOther, "")
	r = b.do("GET", "/h/"+link+"?done=ready", "", nil)
	if !strings.Contains(string(r.body), "Bạn đã báo hàng sẵn sàng") {
		t.Errorf("after ready: %s", r.body)
	}
	var n int
	if err := b.db.QueryRow(context.Background(), "SELECT count(*) FROM events WHERE action = 'household.ready' AND actor = $1", fmt.Sprintf("household:%d", hid)).Scan(&n); err != nil || n != 1 {
		t.Errorf("household.ready events = %d (%v)", n, err)
	}
	// The acknowledgement does not say "you texted" to a tap on the page.
	var ack string
	if err := b.db.QueryRow(context.Background(), "SELECT body FROM notifications WHERE household_id = $1 AND kind = $2", hid, "reply_ready").Scan(&ack); err != nil ||
		strings.Contains(ack, "nhan tin SAN SANG") || !strings.Contains(ack, "da ghi nhan hang SAN SANG") {
		t.Errorf("acknowledgement of the page's ready: %q (%v)", ack, err)
	}
	wantStatus(t, b.do("POST", "/h/"+link+"/explode", "", nil), http.StatusNotFound, "")
}

// TestHouseholdUndoCancel: the page's cancel can be taken back right after
// (the undo button on the answer page), and an undo with nothing to take
// back changes nothing.
func TestHouseholdUndoCancel(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(3)
	var hid int64
	if err := b.db.QueryRow(context.Background(), "SELECT household_id FROM orders ORDER BY id LIMIT 1").Scan(&hid); err != nil {
		t.Fatal(err)
	}
	link := api.SignHouseholdLink(secret, hid, testNow.Add(48*time.Hour))
	r := b.do("POST", "/h/"+link+"/undo", "", nil, "Accept", "application/json")
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `"nothing_to_do"`) {
		t.Errorf("undo with nothing cancelled: %s", r.body)
	}
	wantStatus(t, b.do("POST", "/h/"+link+"/cancel", "", nil, "Accept", "application/json"), http.StatusOK, "")
	r = b.do("GET", "/h/"+link+"?done=cancelled", "", nil)
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `id="btn-undo"`) {
		t.Error("the answer page after a cancel offers no undo")
	}
	r = b.do("POST", "/h/"+link+"/undo", "", nil, "Accept", "application/json")
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `"restored"`) {
		t.Errorf("undo: %s", r.body)
	}
	var cancelled int
	if err := b.db.QueryRow(context.Background(), "SELECT count(*) FROM orders WHERE household_id = $1 AND status = 'cancelled'", hid).Scan(&cancelled); err != nil || cancelled != 0 {
		t.Errorf("%d orders still cancelled after the undo (%v)", cancelled, err)
	}
}

// TestSLABoardNotice: the board shows the notice the carrier's households
// got for the day's window messages, and not another carrier's.
func TestSLABoardNotice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(3)
	if _, err := b.svc.PlanDepotDay(context.Background(), b.depot.ID, testNow, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	// The window messages leave 14 h before their windows (as an evening plan's would).
	tag, err := b.db.Exec(context.Background(), `UPDATE notifications SET status = 'sent', sent_at = window_start - interval '14 hours'
		WHERE kind = 'pickup_window' AND window_start IS NOT NULL`)
	if err != nil || tag.RowsAffected() == 0 {
		t.Fatalf("no window message to send (%v)", err)
	}
	var board struct {
		Notice struct {
			WindowMessages int     `json:"window_messages"`
			AtLeast12h     float64 `json:"at_least_12h"`
		} `json:"notice"`
	}
	r := b.do("GET", fmt.Sprintf("/v1/sla?depot_id=%d&date=%s", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &board)
	if board.Notice.WindowMessages != int(tag.RowsAffected()) || board.Notice.AtLeast12h != 1 {
		t.Errorf("board notice %+v, want %d messages all ≥ 12 h", board.Notice, tag.RowsAffected())
	}
	r = b.do("GET", fmt.Sprintf("/v1/sla?date=%s", testNow.Format(time.DateOnly)), b.disp2, nil)
	wantStatus(t, r, http.StatusOK, "")
	board.Notice.WindowMessages = -1
	r.json(t, &board)
	if board.Notice.WindowMessages != 0 {
		t.Errorf("another carrier's board counts %d of these messages", board.Notice.WindowMessages)
	}
}
