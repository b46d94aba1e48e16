package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

var jsonUnmarshal = json.Unmarshal

// seedBig plans a day of n orders of n households for six more vans.
func (b *bundle) seedBig(n int) {
	b.t.Helper()
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		v := &thugom.Vehicle{CarrierID: b.depot.CarrierID, DepotID: b.depot.ID, Code: fmt.Sprintf("XT-%d", i+1), Kind: thugom.VehicleVan,
			CapacityKg: 800, CapacityParcels: 120, ShiftStart: 7 * 3600, ShiftEnd: 18 * 3600, MaxTrips: 2}
		if err := store.InsertVehicle(ctx, b.db, v); err != nil {
			b.t.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		r := b.do("POST", "/v1/orders", b.disp, order(fmt.Sprintf("PM-B%03d", i), fmt.Sprintf("0913%06d", i), addresses[i%len(addresses)], float64(3+i%5)))
		wantStatus(b.t, r, http.StatusCreated, "")
		var o struct {
			HouseholdID int64 `json:"household_id"`
		}
		r.json(b.t, &o)
		if _, err := b.svc.GeocodeHousehold(ctx, o.HouseholdID); err != nil {
			b.t.Fatal(err)
		}
	}
	if _, err := b.svc.PlanDepotDay(ctx, b.depot.ID, testNow, jobs.PlanRequest{Cause: "test"}); err != nil {
		b.t.Fatal(err)
	}
}

type consoleBody struct {
	Date string `json:"date"`
	Plan *struct {
		Version int `json:"version"`
	} `json:"plan"`
	Vehicles []struct {
		ID       int64  `json:"id"`
		Code     string `json:"code"`
		Status   string `json:"status"`
		Done     int    `json:"done"`
		Planned  int    `json:"planned"`
		Position *struct {
			At    time.Time  `json:"at"`
			Point [2]float64 `json:"point"`
		} `json:"position"`
		Trips []struct {
			ReturnAt time.Time  `json:"return_at"`
			CutoffAt *time.Time `json:"cutoff_at"`
		} `json:"trips"`
	} `json:"vehicles"`
	Routes []struct {
		Vehicle struct {
			ID int64 `json:"id"`
		} `json:"vehicle"`
		Stops []struct {
			ID     int64     `json:"id"`
			Kind   string    `json:"kind"`
			ETA    time.Time `json:"eta"`
			Status string    `json:"status"`
		} `json:"stops"`
	} `json:"routes"`
	Issues []struct {
		OrderID int64  `json:"order_id"`
		Kind    string `json:"kind"`
		Code    string `json:"code"`
		Reason  string `json:"reason"`
		Phone   string `json:"phone"`
		Fixes   []struct {
			Kind      string `json:"kind"`
			VehicleID int64  `json:"vehicle_id"`
			Phone     string `json:"phone"`
		} `json:"fixes"`
	} `json:"issues"`
}

func (b *bundle) console(token string) consoleBody {
	b.t.Helper()
	r := b.do("GET", fmt.Sprintf("/v1/depots/%d/console?date=%s", b.depot.ID, testNow.Format(time.DateOnly)), token, nil)
	wantStatus(b.t, r, http.StatusOK, "")
	var c consoleBody
	r.json(b.t, &c)
	return c
}

// lateOrder adds an order after the day was planned, of a household of
// its own (its phone follows the id's length): it is outside the plan
// until a re-plan.
func (b *bundle) lateOrder(id string) int64 {
	b.t.Helper()
	o := order(id, fmt.Sprintf("09129990%02d", len(id)), addresses[1], 6)
	o["destination_province"] = "Hồ Chí Minh" // promised in 48 h: tomorrow still keeps it
	r := b.do("POST", "/v1/orders", b.disp, o)
	wantStatus(b.t, r, http.StatusCreated, "")
	var out struct {
		ID          int64     `json:"id"`
		HouseholdID int64     `json:"household_id"`
		PromisedBy  time.Time `json:"promised_by"`
	}
	r.json(b.t, &out)
	if want := testNow.Add(47 * time.Hour); !out.PromisedBy.Equal(want) {
		b.t.Fatalf("order %s promised by %s, want %s", id, out.PromisedBy, want)
	}
	if _, err := b.svc.GeocodeHousehold(context.Background(), out.HouseholdID); err != nil {
		b.t.Fatal(err)
	}
	return out.ID
}

func TestConsole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(8)
	late := b.lateOrder("PM-LATE")
	// A driver's phone posts a position: the console shows it on its vehicle.
	at := testNow.Add(-5 * time.Minute)
	wantStatus(t, b.do("POST", "/v1/me/positions", b.drv1, map[string]any{"positions": []map[string]any{
		{"at": at.Format(time.RFC3339), "lon": 106.76, "lat": 21.85}}}), http.StatusNoContent, "")

	c := b.console(b.disp)
	if c.Plan == nil || len(c.Routes) == 0 || len(c.Vehicles) != 2 {
		t.Fatalf("console: plan %v, %d routes, %d vehicles", c.Plan, len(c.Routes), len(c.Vehicles))
	}
	v0 := c.Vehicles[0]
	if v0.ID != b.vehicle[0].ID || v0.Position == nil || !v0.Position.At.Equal(at) || v0.Position.Point != [2]float64{106.76, 21.85} {
		t.Errorf("vehicle %s position %+v, want the driver's at %s", v0.Code, v0.Position, at)
	}
	if c.Vehicles[1].Position != nil {
		t.Errorf("vehicle 2 has a position no driver posted: %+v", c.Vehicles[1].Position)
	}
	planned := 0
	for _, v := range c.Vehicles {
		planned += v.Planned
		for _, tr := range v.Trips {
			if tr.CutoffAt == nil || tr.CutoffAt.Before(tr.ReturnAt) {
				t.Errorf("vehicle %s trip back %s, cutoff %v", v.Code, tr.ReturnAt, tr.CutoffAt)
			}
		}
	}
	if planned == 0 {
		t.Error("no planned stops counted on any vehicle")
	}
	var found bool
	for _, is := range c.Issues {
		if strings.ContainsAny(is.Reason, "abcdefghijklmnopqrstuvwxyz") && !strings.ContainsAny(is.Reason, "ăâđêôơư") {
			t.Errorf("issue %d: reason %q is not Vietnamese", is.OrderID, is.Reason)
		}
		if is.OrderID != late {
			continue
		}
		found = true
		if is.Kind != "unassigned" || is.Code != "after_plan" || is.Phone != "+84912999007" {
			t.Errorf("late order issue %+v", is)
		}
		kinds := map[string]int{}
		for _, f := range is.Fixes {
			kinds[f.Kind]++
			if f.Kind == "assign" && f.VehicleID != b.vehicle[0].ID && f.VehicleID != b.vehicle[1].ID {
				t.Errorf("assign fix names vehicle %d", f.VehicleID)
			}
		}
		if kinds["assign"] != 2 || kinds["widen_window"] != 1 || kinds["tomorrow"] != 1 {
			t.Errorf("fixes %+v, want assign to each vehicle and a call", is.Fixes)
		}
	}
	if !found {
		t.Fatalf("the order added after the plan is not among the issues: %+v", c.Issues)
	}

	// An order whose handover deadline its trip's return misses is late,
	// with the vehicle named by its code.
	var lateOrderID int64
	var back time.Time
	if err := b.db.QueryRow(context.Background(), `SELECT so.order_id, d.arrive_at FROM stops s JOIN stop_orders so ON so.stop_id = s.id
		JOIN stops d ON d.route_id = s.route_id AND d.trip = s.trip AND d.kind = 'depot'
		WHERE s.kind = 'pickup' AND s.status = 'planned' ORDER BY s.id LIMIT 1`).Scan(&lateOrderID, &back); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.Exec(context.Background(), "UPDATE orders SET handover_deadline = $2 WHERE id = $1", lateOrderID, back.Add(-30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	c = b.console(b.disp)
	found = false
	for _, is := range c.Issues {
		if is.OrderID == lateOrderID && is.Kind == "late" {
			found = true
			if !strings.Contains(is.Reason, "xe XM-") || !strings.Contains(is.Reason, "trễ 30 phút") || len(is.Fixes) != 2 {
				t.Errorf("late issue %+v", is)
			}
		}
	}
	if !found {
		t.Errorf("order %d, back 30 min after its deadline, is not late: %+v", lateOrderID, c.Issues)
	}

	// The household agrees by phone to tomorrow: its order leaves the day.
	var hh int64
	if err := b.db.QueryRow(context.Background(), "SELECT household_id FROM orders WHERE id = $1", late).Scan(&hh); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/households/%d/postpone", hh), b.disp2, nil), http.StatusNotFound, "")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/households/%d/postpone", hh), b.disp, `{"x":1}`), http.StatusUnprocessableEntity, "x")
	r := b.do("POST", fmt.Sprintf("/v1/households/%d/postpone", hh), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var ans jobs.AnswerResult
	r.json(t, &ans)
	if ans.Outcome != jobs.InboundPostponed || len(ans.Orders) != 1 || ans.Orders[0] != late {
		t.Errorf("postpone: %+v", ans)
	}
	c = b.console(b.disp)
	for _, is := range c.Issues {
		if is.OrderID == late {
			t.Errorf("the postponed order is still an issue of the day: %+v", is)
		}
	}

	// A broken vehicle stays on the console, to be put back in service.
	wantStatus(t, b.do("PATCH", fmt.Sprintf("/v1/vehicles/%d", b.vehicle[1].ID), b.disp, map[string]any{"status": "broken"}), http.StatusOK, "")
	c = b.console(b.disp)
	if len(c.Vehicles) != 2 || c.Vehicles[1].Status != "broken" {
		t.Errorf("after a breakdown: %+v", c.Vehicles)
	}

	// Scope and bad input.
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/console", b.depot.ID), b.disp2, nil), http.StatusForbidden, "")
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/console?date=23/11/2026", b.depot.ID), b.disp, nil), http.StatusUnprocessableEntity, "date")
	wantStatus(t, b.do("GET", "/v1/depots/999999/console", b.disp, nil), http.StatusNotFound, "")
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/console", b.depot.ID), b.drv1, nil), http.StatusForbidden, "")
}

type previewBody struct {
	FromVersion int `json:"from_version"`
	Changes     []struct {
		StopID int64  `json:"stop_id"`
		Change string `json:"change"`
		To     *struct {
			VehicleID int64 `json:"vehicle_id"`
		} `json:"to"`
	} `json:"changes"`
	Unassigned []struct {
		OrderID int64 `json:"order_id"`
	} `json:"unassigned"`
	Lines   []string `json:"lines"`
	SMS     int      `json:"sms"`
	Verdict *struct {
		Verdict   string    `json:"verdict"`
		VehicleID int64     `json:"vehicle_id"`
		ETA       time.Time `json:"eta"`
	} `json:"verdict"`
}

func TestPreview(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(8)
	ctx := context.Background()
	path := fmt.Sprintf("/v1/depots/%d/preview", b.depot.ID)
	date := testNow.Format(time.DateOnly)
	var rev0 int64
	revision := func() int64 {
		var rev int64
		if err := b.db.QueryRow(ctx, "SELECT revision FROM depot_days WHERE depot_id = $1", b.depot.ID).Scan(&rev); err != nil {
			t.Fatal(err)
		}
		return rev
	}
	rev0 = revision()

	// A stop of vehicle 1 dragged onto vehicle 2.
	c := b.console(b.disp)
	var stop, from int64
	for _, rt := range c.Routes {
		for _, s := range rt.Stops {
			if s.Kind == "pickup" && stop == 0 {
				stop, from = s.ID, rt.Vehicle.ID
			}
		}
	}
	to := b.vehicle[0].ID
	if from == to {
		to = b.vehicle[1].ID
	}
	r := b.do("POST", path, b.disp, map[string]any{"date": date, "stop_id": stop, "vehicle_id": to})
	wantStatus(t, r, http.StatusOK, "")
	var p previewBody
	r.json(t, &p)
	if p.Verdict == nil || p.Verdict.VehicleID != to || p.Verdict.Verdict != jobs.VerdictFits || p.Verdict.ETA.IsZero() {
		t.Fatalf("verdict %+v, want fits on vehicle %d", p.Verdict, to)
	}
	var moved bool
	for i, ch := range p.Changes {
		if ch.StopID == stop && ch.Change == "vehicle" && ch.To.VehicleID == to {
			moved = true
		}
		if i >= len(p.Lines) || p.Lines[i] == "" {
			t.Errorf("change %d has no line", i)
		}
	}
	if !moved || p.FromVersion != c.Plan.Version {
		t.Errorf("changes %+v from version %d: the stop's move to vehicle %d is not listed", p.Changes, p.FromVersion, to)
	}
	// Onto a vehicle too small for it: over capacity.
	tiny := &thugom.Vehicle{CarrierID: b.depot.CarrierID, DepotID: b.depot.ID, Code: "XM-NHO", Kind: thugom.VehicleMotorbike,
		CapacityKg: 1, CapacityParcels: 1, ShiftStart: 7 * 3600, ShiftEnd: 17 * 3600, MaxTrips: 1}
	if err := store.InsertVehicle(ctx, b.db, tiny); err != nil {
		t.Fatal(err)
	}
	r = b.do("POST", path, b.disp, map[string]any{"date": date, "stop_id": stop, "vehicle_id": tiny.ID})
	wantStatus(t, r, http.StatusOK, "")
	p = previewBody{}
	r.json(t, &p)
	if p.Verdict == nil || p.Verdict.Verdict != jobs.VerdictOverCapacity {
		t.Errorf("verdict onto a 1 kg vehicle: %+v", p.Verdict)
	}
	if _, err := b.db.Exec(ctx, "UPDATE vehicles SET status = 'off' WHERE id = $1", tiny.ID); err != nil {
		t.Fatal(err)
	}

	// The whole re-plan's draft of an unchanged day: a little or nothing.
	r = b.do("POST", path, b.disp, map[string]any{"date": date})
	wantStatus(t, r, http.StatusOK, "")
	var q previewBody
	r.json(t, &q)
	if q.Verdict != nil {
		t.Errorf("a re-plan draft has a verdict: %+v", q.Verdict)
	}
	// The added order's fix: its preview places it.
	late := b.lateOrder("PM-LATE")
	r = b.do("POST", path, b.disp, map[string]any{"date": date, "locks": []map[string]any{{"order_id": late, "vehicle_id": to}}})
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &q)
	for _, u := range q.Unassigned {
		if u.OrderID == late {
			t.Errorf("the locked order is still unassigned in the draft")
		}
	}
	var added bool
	for _, ch := range q.Changes {
		added = added || (ch.Change == "added" && ch.StopID < 0 && ch.To.VehicleID == to)
	}
	if !added || q.SMS == 0 {
		t.Errorf("draft %+v: want the new stop on vehicle %d and its SMS", q, to)
	}

	// Bad input changes nothing.
	wantStatus(t, b.do("POST", path, b.disp, map[string]any{"stop_id": stop}), http.StatusUnprocessableEntity, "vehicle_id")
	wantStatus(t, b.do("POST", path, b.disp, map[string]any{"date": date, "stop_id": 99999999, "vehicle_id": to}), http.StatusNotFound, "stop_id")
	wantStatus(t, b.do("POST", path, b.disp, map[string]any{"date": date, "stop_id": stop, "vehicle_id": 99999999}), http.StatusUnprocessableEntity, "vehicle_id")
	wantStatus(t, b.do("POST", path, b.disp, map[string]any{"date": "2026-13-01"}), http.StatusUnprocessableEntity, "date")
	wantStatus(t, b.do("POST", path, b.disp, map[string]any{"locks": []map[string]any{{"order_id": 0}}}), http.StatusUnprocessableEntity, "locks")
	wantStatus(t, b.do("POST", path, b.disp, `{"nope": 1}`), http.StatusUnprocessableEntity, "nope")
	wantStatus(t, b.do("POST", path, b.disp, `{"date": `), http.StatusBadRequest, "")
	wantStatus(t, b.do("POST", path, b.disp2, map[string]any{"date": date}), http.StatusForbidden, "")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/depots/%d/preview", b.depot2.ID), b.disp2, map[string]any{"date": date}), http.StatusConflict, "date")
	wantStatus(t, b.do("PATCH", fmt.Sprintf("/v1/vehicles/%d", to), b.disp, map[string]any{"status": "broken"}), http.StatusOK, "")
	rev1 := revision()
	wantStatus(t, b.do("POST", path, b.disp, map[string]any{"date": date, "stop_id": stop, "vehicle_id": to}), http.StatusConflict, "vehicle_id")
	if got := revision(); got != rev1 || rev1 == rev0 {
		t.Errorf("revisions %d → %d → %d: previews must not write, the breakdown must", rev0, rev1, got)
	}
	var versions int
	if err := b.db.QueryRow(ctx, "SELECT count(*) FROM plans WHERE depot_id = $1", b.depot.ID).Scan(&versions); err != nil || versions != 1 {
		t.Errorf("%d plan versions after previews (%v), want 1", versions, err)
	}
}

// TestConsoleSize: the console's data for a 200-stop depot day, gzipped,
// within the issue's 60 KB.
func TestConsoleSize(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 200 orders")
	}
	t.Parallel()
	b := setup(t)
	b.seedBig(200)
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/depots/%d/console?date=%s", b.srv.URL, b.depot.ID, testNow.Format(time.DateOnly)), nil)
	req.Header.Set("Authorization", "Bearer "+b.disp)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var zipped bytes.Buffer
	if _, err := zipped.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	size := zipped.Len()
	zr, err := gzip.NewReader(&zipped)
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if _, err := plain.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	var c struct {
		Routes []struct {
			Stops []struct {
				Kind string `json:"kind"`
			} `json:"stops"`
		} `json:"routes"`
		Issues []any `json:"issues"`
	}
	if err := jsonUnmarshal(plain.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	stops := 0
	for _, r := range c.Routes {
		for _, s := range r.Stops {
			if s.Kind == "pickup" {
				stops++
			}
		}
	}
	t.Logf("console of %d planned stops, %d issues: %d bytes, %d gzipped", stops, len(c.Issues), plain.Len(), size)
	if stops+len(c.Issues) < 200 {
		t.Errorf("%d stops and %d issues, want 200 orders shown", stops, len(c.Issues))
	}
	if size > 60*1024 {
		t.Errorf("console data %d bytes gzipped, budget 60 KB", size)
	}
	// Its rendering, measured by the page (data-render-ms: from the data
	// to the map, timeline and lists drawn) and logged, not asserted.
	if _, err := exec.LookPath("chromium"); err != nil {
		return
	}
	ctx := browser(t, 1366, 768)
	var ms string
	var blocks int
	err = chromedp.Run(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/?depot=%d&date=%s#token=%s", b.srv.URL, b.depot.ID, testNow.Format(time.DateOnly), b.disp)),
		chromedp.WaitVisible(`#timeline[data-render-ms]`, chromedp.ByQuery),
		chromedp.AttributeValue(`#timeline`, "data-render-ms", &ms, nil, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#timeline [data-stop-id][data-eta]").length`, &blocks),
		shot(t, "console-200.png"),
	)
	if err != nil {
		t.Fatalf("console of 200 stops: %v", err)
	}
	t.Logf("console of %d stop blocks rendered in %s ms after its data", blocks, ms)
	if blocks != stops {
		t.Errorf("%d stop blocks on the timeline, want %d", blocks, stops)
	}
}
