package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// borrowScene is the test depot with a full fleet (one motorbike in
// service, more produce than it carries) and a neighbouring depot of the
// same carrier with an idle van and its driver.
type borrowScene struct {
	lender   *thugom.Depot
	van      *thugom.Vehicle
	vanToken string // the van driver's token
	vtVan    *thugom.Vehicle
}

func (b *bundle) borrowScene(orders int) *borrowScene {
	b.t.Helper()
	ctx := context.Background()
	must := func(err error) {
		b.t.Helper()
		if err != nil {
			b.t.Fatal(err)
		}
	}
	sc := &borrowScene{}
	sc.lender = &thugom.Depot{CarrierID: b.depot.CarrierID, Code: "BC-CL", Name: "Bưu cục Cao Lộc", Address: "Cao Lộc, Lạng Sơn",
		CommuneCode: "05977", Point: orb.Point{106.76, 21.87}, OpensAt: 6 * 3600, ClosesAt: 20 * 3600}
	must(store.InsertDepot(ctx, b.db, sc.lender))
	sc.van = &thugom.Vehicle{CarrierID: b.depot.CarrierID, DepotID: sc.lender.ID, Code: "CL-VAN1", Kind: thugom.VehicleVan,
		CapacityKg: 700, CapacityParcels: 90, ShiftStart: 7 * 3600, ShiftEnd: 17 * 3600, MaxTrips: 2}
	must(store.InsertVehicle(ctx, b.db, sc.van))
	drv := &thugom.Driver{CarrierID: b.depot.CarrierID, DepotID: sc.lender.ID, Name: "Tài xế Cao Lộc", Phone: "+84912345999", VehicleID: &sc.van.ID, Active: true}
	must(store.InsertDriver(ctx, b.db, drv))
	s, hash, err := api.NewToken()
	must(err)
	_, err = store.InsertToken(ctx, b.db, thugom.Token{Role: thugom.RoleDriver, CarrierID: &b.depot.CarrierID, DriverID: &drv.ID, CreatedAt: testNow}, hash)
	must(err)
	sc.vanToken = s
	sc.vtVan = &thugom.Vehicle{CarrierID: b.depot2.CarrierID, DepotID: b.depot2.ID, Code: "VT-VAN1", Kind: thugom.VehicleVan,
		CapacityKg: 700, CapacityParcels: 90, ShiftStart: 7 * 3600, ShiftEnd: 17 * 3600, MaxTrips: 2}
	must(store.InsertVehicle(ctx, b.db, sc.vtVan))
	// The depot's fleet: one motorbike in service.
	must(store.SetVehicleStatus(ctx, b.db, b.vehicle[1].ID, thugom.VehicleOff))
	for i := 0; i < orders; i++ {
		r := b.do("POST", "/v1/orders", b.disp, order(fmt.Sprintf("PM-B%02d", i), fmt.Sprintf("09130000%02d", i), addresses[i%len(addresses)], 60))
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
	return sc
}

// fleetFullIssues counts the console's orders left out because the fleet
// is full, and whether each offers a borrow of the van.
func fleetFullIssues(c consoleBody, van int64) (full, offered int) {
	for _, is := range c.Issues {
		if is.Kind != "unassigned" || !jobs.FleetFullReason(is.Code) {
			continue
		}
		full++
		for _, f := range is.Fixes {
			if f.Kind == "borrow" && f.VehicleID == van {
				offered++
				break
			}
		}
	}
	return full, offered
}

func TestBorrowAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sc := b.borrowScene(8)
	date := testNow.Format(time.DateOnly)
	cands := fmt.Sprintf("/v1/depots/%d/borrow-candidates?date=%s", b.depot.ID, date)
	borrow := fmt.Sprintf("/v1/depots/%d/borrow", b.depot.ID)

	// The console offers the van to the orders left out.
	c := b.console(b.disp)
	full, offered := fleetFullIssues(c, sc.van.ID)
	if full == 0 || offered != full {
		t.Fatalf("%d orders left out for a full fleet, %d offered the borrow: %+v", full, offered, c.Issues)
	}

	// Its capacity panel advises borrowing the van for them.
	r := b.do("GET", fmt.Sprintf("/v1/depots/%d/console?date=%s", b.depot.ID, date), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var adv struct {
		Capacity *struct {
			Orders int     `json:"orders"`
			Kg     float64 `json:"kg"`
			Borrow []struct {
				VehicleID int64  `json:"vehicle_id"`
				DepotName string `json:"depot_name"`
			} `json:"borrow"`
			Text string `json:"text"`
		} `json:"capacity"`
	}
	r.json(t, &adv)
	if a := adv.Capacity; a == nil || a.Orders < full || a.Kg <= 0 || len(a.Borrow) == 0 || a.Borrow[0].VehicleID != sc.van.ID || a.Borrow[0].DepotName != sc.lender.Name || a.Text == "" {
		t.Fatalf("console capacity %+v: want the %d orders left out and the van of %s to borrow", adv.Capacity, full, sc.lender.Name)
	}

	r = b.do("GET", cands, b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var got struct {
		RadiusKm   float64 `json:"radius_km"`
		Candidates []struct {
			VehicleID   int64   `json:"vehicle_id"`
			VehicleCode string  `json:"vehicle_code"`
			DepotID     int64   `json:"depot_id"`
			DepotName   string  `json:"depot_name"`
			EmptyRunKm  float64 `json:"empty_run_km"`
			EmptyRunMin int     `json:"empty_run_min"`
		} `json:"candidates"`
	}
	r.json(t, &got)
	if len(got.Candidates) != 1 || got.Candidates[0].VehicleID != sc.van.ID || got.Candidates[0].DepotName != sc.lender.Name ||
		got.Candidates[0].EmptyRunKm <= 0 || got.Candidates[0].EmptyRunKm > got.RadiusKm {
		t.Fatalf("candidates %+v (radius %.0f km), want the van of %s", got.Candidates, got.RadiusKm, sc.lender.Name)
	}

	// Bad input, another carrier, nothing written.
	wantStatus(t, b.do("GET", cands, b.disp2, nil), http.StatusForbidden, "")
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/borrow-candidates?date=23-11-2026", b.depot.ID), b.disp, nil), http.StatusUnprocessableEntity, "date")
	wantStatus(t, b.do("GET", "/v1/depots/999999/borrow-candidates", b.disp, nil), http.StatusNotFound, "")
	wantStatus(t, b.do("GET", cands, b.drv1, nil), http.StatusForbidden, "")
	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
		field  string
	}{
		{"malformed", b.disp, `{"vehicle_id":`, http.StatusBadRequest, ""},
		{"unknown field", b.disp, map[string]any{"vehicle_id": sc.van.ID, "car": 1}, http.StatusUnprocessableEntity, "car"},
		{"no vehicle", b.disp, map[string]any{"date": date}, http.StatusUnprocessableEntity, "vehicle_id"},
		{"bad date", b.disp, map[string]any{"vehicle_id": sc.van.ID, "date": "tomorrow"}, http.StatusUnprocessableEntity, "date"},
		{"a day past", b.disp, map[string]any{"vehicle_id": sc.van.ID, "date": testNow.AddDate(0, 0, -1).Format(time.DateOnly)}, http.StatusUnprocessableEntity, "date"},
		{"own vehicle", b.disp, map[string]any{"vehicle_id": b.vehicle[0].ID, "date": date}, http.StatusUnprocessableEntity, "vehicle_id"},
		{"another carrier's vehicle", b.disp, map[string]any{"vehicle_id": sc.vtVan.ID, "date": date}, http.StatusForbidden, ""},
		{"another carrier's dispatcher", b.disp2, map[string]any{"vehicle_id": sc.van.ID, "date": date}, http.StatusForbidden, ""},
		{"no such vehicle", b.disp, map[string]any{"vehicle_id": 999999, "date": date}, http.StatusNotFound, "vehicle_id"},
		{"a driver", b.drv1, map[string]any{"vehicle_id": sc.van.ID, "date": date}, http.StatusForbidden, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, b.do("POST", borrow, tc.token, tc.body), tc.status, tc.field)
		})
	}
	if n := count(t, b, `SELECT count(*) FROM loans`); n != 0 {
		t.Fatalf("%d loans written by refused borrows", n)
	}

	// The preview of the day with the van borrowed: fewer left out, nothing
	// written.
	preview := fmt.Sprintf("/v1/depots/%d/preview", b.depot.ID)
	r = b.do("POST", preview, b.disp, map[string]any{"date": date, "borrow_vehicle_id": sc.van.ID})
	wantStatus(t, r, http.StatusOK, "")
	var pv struct {
		Unassigned []struct {
			OrderID int64 `json:"order_id"`
		} `json:"unassigned"`
		Lines []string `json:"lines"`
	}
	r.json(t, &pv)
	if len(pv.Unassigned) >= full || len(pv.Lines) == 0 || !strings.Contains(strings.Join(pv.Lines, "\n"), "xe CL-VAN1") {
		t.Errorf("preview with the van: %d unassigned (were %d), lines %q", len(pv.Unassigned), full, pv.Lines)
	}
	wantStatus(t, b.do("POST", preview, b.disp, map[string]any{"date": date, "borrow_vehicle_id": b.vehicle[0].ID}), http.StatusConflict, "borrow_vehicle_id")
	wantStatus(t, b.do("POST", preview, b.disp, map[string]any{"date": date, "borrow_vehicle_id": 999999}), http.StatusNotFound, "vehicle_id")
	wantStatus(t, b.do("POST", preview, b.disp, map[string]any{"date": date, "borrow_vehicle_id": -1}), http.StatusUnprocessableEntity, "borrow_vehicle_id")
	if n := count(t, b, `SELECT count(*) FROM loans`); n != 0 {
		t.Fatalf("a preview wrote %d loans", n)
	}

	// The borrow: 202, a re-plan queued; the second is a conflict.
	r = b.do("POST", borrow, b.disp, map[string]any{"vehicle_id": sc.van.ID, "date": date})
	wantStatus(t, r, http.StatusAccepted, "")
	var out struct {
		Loan struct {
			FromDepotID int64 `json:"from_depot_id"`
			ToDepotID   int64 `json:"to_depot_id"`
			EmptyRunM   int   `json:"empty_run_m"`
		} `json:"loan"`
		Job struct {
			JobID int64  `json:"job_id"`
			Kind  string `json:"kind"`
		} `json:"job"`
		Label string `json:"label"`
	}
	r.json(t, &out)
	if out.Loan.FromDepotID != sc.lender.ID || out.Loan.ToDepotID != b.depot.ID || out.Job.Kind != jobs.KindReplan ||
		!strings.HasPrefix(out.Label, "Mượn xe CL-VAN1 của Bưu cục Cao Lộc, chạy rỗng ") {
		t.Fatalf("borrow: %s", r.body)
	}
	wantStatus(t, b.do("POST", borrow, b.disp, map[string]any{"vehicle_id": sc.van.ID, "date": date}), http.StatusConflict, "vehicle_id")
	r = b.do("GET", cands, b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &got)
	if len(got.Candidates) != 0 {
		t.Errorf("the lent van is still a candidate: %+v", got.Candidates)
	}

	// The re-plan (River's job, run here) uses the van: fewer left out,
	// the van in the console, its route in its driver's manifest.
	if _, err := b.svc.PlanDepotDay(context.Background(), b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: jobs.CauseBorrowed}); err != nil {
		t.Fatal(err)
	}
	c2 := b.console(b.disp)
	if after, _ := fleetFullIssues(c2, sc.van.ID); after >= full {
		t.Errorf("left out for a full fleet %d → %d after the borrow", full, after)
	}
	listed := false
	for _, v := range c2.Vehicles {
		listed = listed || v.ID == sc.van.ID && v.Planned > 0
	}
	if !listed {
		t.Errorf("the borrowed van is not among the console's vehicles with stops: %+v", c2.Vehicles)
	}
	// The lender's console says the van is lent.
	r = b.do("GET", fmt.Sprintf("/v1/depots/%d/console?date=%s", sc.lender.ID, date), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var lc consoleBody
	r.json(t, &lc)
	if len(lc.Vehicles) != 1 || lc.Vehicles[0].Status != "lent" {
		t.Errorf("the lender's console vehicles: %+v", lc.Vehicles)
	}
	r = b.do("GET", "/v1/me/manifest?date="+date, sc.vanToken, nil)
	wantStatus(t, r, http.StatusOK, "")
	var m struct {
		Routes []struct {
			Vehicle struct {
				ID   int64  `json:"id"`
				Code string `json:"code"`
			} `json:"vehicle"`
			Stops []struct {
				Kind string `json:"kind"`
			} `json:"stops"`
		} `json:"routes"`
	}
	r.json(t, &m)
	if len(m.Routes) != 1 || m.Routes[0].Vehicle.ID != sc.van.ID || len(m.Routes[0].Stops) == 0 {
		t.Errorf("the van driver's manifest: %s", r.body)
	}
}

// TestBorrowBrowser: the console's unassigned list shows a borrow button
// on an order left out because the fleet is full; applying it shows the
// re-plan with the van as a draft (nothing borrowed yet); published, the
// van is borrowed, the day re-planned (River's job, run here) and fewer
// orders are left out.
func TestBorrowBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 1366, 768)
	b := setup(t)
	sc := b.borrowScene(8)
	date := testNow.Format(time.DateOnly)
	replan := chromedp.ActionFunc(func(context.Context) error {
		_, err := b.svc.PlanDepotDay(context.Background(), b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: jobs.CauseBorrowed})
		return err
	})
	var before, after, buttons, draftItems int
	var label, summary, title string
	err := chromedp.Run(phase(ctx),
		chromedp.Navigate(fmt.Sprintf("%s/?depot=%d&date=%s#token=%s", b.srv.URL, b.depot.ID, date, b.disp)),
		chromedp.WaitVisible(`#timeline[data-render-ms]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#issues li[data-kind="unassigned"] button[data-fix="borrow"]`, chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`#capacity li[data-vehicle-id="%d"]`, sc.van.ID), chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#issues li[data-kind="unassigned"]').length`, &before),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll('#issues li[data-order-id] button[data-fix="borrow"][data-vehicle-id="%d"]').length`, sc.van.ID), &buttons),
		chromedp.Text(`#issues li[data-kind="unassigned"] button[data-fix="borrow"]`, &label, chromedp.ByQuery),
		shot(t, "console-borrow-fix.png"),
	)
	if err != nil {
		t.Fatalf("console: %v (status %q)", err, pageStatus(ctx))
	}
	err = chromedp.Run(phase(ctx),
		chromedp.Click(`#issues li[data-kind="unassigned"] button[data-fix="borrow"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#draft-changes li`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#draft-changes li[data-change]").length`, &draftItems),
		chromedp.Text(`#draft-summary`, &summary, chromedp.ByQuery),
		chromedp.Text(`#draft-title`, &title, chromedp.ByQuery),
		shot(t, "console-borrow-draft.png"),
		chromedp.ActionFunc(func(context.Context) error {
			if n := count(t, b, `SELECT count(*) FROM loans`); n != 0 {
				return fmt.Errorf("the draft borrowed already (%d loans)", n)
			}
			return nil
		}),
		chromedp.Click(`#publish`, chromedp.ByQuery),
		waitJS(ctx, `document.querySelector("#status").textContent.includes("Đã gửi")`),
		replan,
		waitJS(ctx, fmt.Sprintf(`document.querySelectorAll('#issues li[data-kind="unassigned"]').length < %d`, before)),
		chromedp.Evaluate(`document.querySelectorAll('#issues li[data-kind="unassigned"]').length`, &after),
		shot(t, "console-borrow-applied.png"),
	)
	if err != nil {
		t.Fatalf("borrow fix: %v (status %q)", err, pageStatus(ctx))
	}
	if buttons == 0 || !strings.HasPrefix(label, "Mượn xe CL-VAN1 của Bưu cục Cao Lộc, chạy rỗng") {
		t.Errorf("%d borrow buttons, label %q", buttons, label)
	}
	if after >= before || draftItems == 0 || !strings.Contains(summary, "chưa xếp") || title != label {
		t.Errorf("unassigned %d → %d; draft %q of %d changes (%q)", before, after, title, draftItems, summary)
	}
	if n := count(t, b, `SELECT count(*) FROM loans WHERE vehicle_id = $1 AND to_depot_id = $2`, sc.van.ID, b.depot.ID); n != 1 {
		t.Errorf("%d loans of the van", n)
	}
}
