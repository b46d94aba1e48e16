package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom/jobs"
)

type draftBody struct {
	ID          int64    `json:"id"`
	State       string   `json:"state"`
	Cause       string   `json:"cause"`
	FromVersion int      `json:"from_version"`
	Lines       []string `json:"lines"`
	Counted     int      `json:"counted"`
	Changes     []struct {
		StopID int64  `json:"stop_id"`
		Change string `json:"change"`
		To     *struct {
			Orders []int64 `json:"orders"`
		} `json:"to"`
	} `json:"changes"`
}

// draftService is the service of a process started with --auto-publish
// draft, on the test's database: it runs the automatic re-plans as River
// would.
func (b *bundle) draftService() *jobs.Service {
	b.t.Helper()
	svc, err := jobs.New(b.db, jobs.Deps{Clock: func() time.Time { return testNow }, PlanIterations: 300, Logger: slog.New(slog.DiscardHandler),
		AutoPublish: jobs.PublishPolicy{Mode: jobs.PublishDraft}})
	if err != nil {
		b.t.Fatal(err)
	}
	return svc
}

// failFirstStop fails driver 1's first planned pickup by the driver's API
// and runs its follow-up; it returns the stop and its first order.
func (b *bundle) failFirstStop(key string) (stop, order int64) {
	b.t.Helper()
	ctx := context.Background()
	err := b.db.QueryRow(ctx, `SELECT s.id, min(so.order_id) FROM stops s JOIN routes r ON r.id = s.route_id JOIN stop_orders so ON so.stop_id = s.id
		WHERE r.driver_id = $1 AND s.kind = 'pickup' AND s.status = 'planned' GROUP BY s.id, s.arrive_at ORDER BY s.arrive_at, s.id LIMIT 1`,
		b.driver[0].ID).Scan(&stop, &order)
	if err != nil {
		b.t.Fatal(err)
	}
	wantStatus(b.t, b.do("POST", fmt.Sprintf("/v1/stops/%d/fail", stop), b.drv1, map[string]any{"happened_at": testNow.Format(time.RFC3339), "reason": "nobody_home"},
		"Idempotency-Key", key), http.StatusOK, "")
	if _, err := b.svc.FollowUpFailedPickup(ctx, stop, jobs.FailNobodyHome); err != nil {
		b.t.Fatal(err)
	}
	return stop, order
}

// TestDrafts: under --auto-publish draft a failed pickup's re-plan is a
// draft the console lists with its changes; nothing reaches the drivers
// until the dispatcher publishes it; then the order is on a driver's
// manifest again. A discarded draft changes nothing; bad requests are 4xx.
func TestDrafts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(8)
	ctx := context.Background()
	date := testNow.Format(time.DateOnly)
	auto := b.draftService()
	list := fmt.Sprintf("/v1/depots/%d/drafts?date=%s&state=pending", b.depot.ID, date)
	version := func() int {
		var v int
		if err := b.db.QueryRow(ctx, `SELECT max(version) FROM plans WHERE depot_id = $1 AND status = 'done'`, b.depot.ID).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	openStopOf := func(order int64) (stop, driver int64) {
		_ = b.db.QueryRow(ctx, `SELECT s.id, coalesce(r.driver_id, 0) FROM stops s JOIN routes r ON r.id = s.route_id JOIN stop_orders so ON so.stop_id = s.id
			JOIN plans p ON p.id = r.plan_id WHERE so.order_id = $1 AND s.status = 'planned' AND p.status = 'done'`, order).Scan(&stop, &driver)
		return stop, driver
	}
	v0 := version()

	failed, order := b.failFirstStop("d1")
	res, err := auto.PlanDepotDay(ctx, b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: jobs.CausePickupFailed,
		Subject: fmt.Sprintf("stop:%d", failed), RequestedAt: testNow})
	if err != nil || res.DraftID == 0 {
		t.Fatalf("failure's re-plan under draft: %+v %v", res, err)
	}
	if v := version(); v != v0 {
		t.Errorf("a draft wrote version %d", v)
	}
	if s, _ := openStopOf(order); s != 0 {
		t.Errorf("before the publish, order %d is on open stop %d", order, s)
	}

	r := b.do("GET", list, b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var got struct {
		Items []draftBody `json:"items"`
	}
	r.json(t, &got)
	if len(got.Items) != 1 || got.Items[0].ID != res.DraftID || got.Items[0].Cause != jobs.CausePickupFailed || got.Items[0].FromVersion != v0 {
		t.Fatalf("pending drafts %+v, want draft %d", got.Items, res.DraftID)
	}
	d := got.Items[0]
	added := false
	for i, c := range d.Changes {
		if c.Change == "added" && c.To != nil && len(c.To.Orders) > 0 && c.To.Orders[0] == order {
			added = strings.Contains(d.Lines[i], "thêm vào xe XM-")
		}
	}
	if !added || len(d.Lines) != len(d.Changes) {
		t.Errorf("draft changes %+v lines %q: the failed order is not listed as added", d.Changes, d.Lines)
	}

	// Another carrier's dispatcher, a driver, unknown drafts, bad states.
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/drafts?date=%s", b.depot.ID, date), b.disp2, nil), http.StatusForbidden, "")
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/depots/%d/drafts?date=%s&state=maybe", b.depot.ID, date), b.disp, nil), http.StatusUnprocessableEntity, "state")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/drafts/%d/publish", d.ID), b.disp2, nil), http.StatusForbidden, "")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/drafts/%d/publish", d.ID), b.drv1, nil), http.StatusForbidden, "")
	wantStatus(t, b.do("POST", "/v1/drafts/999999/publish", b.disp, nil), http.StatusNotFound, "")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/drafts/%d/discard", d.ID), b.disp, map[string]any{"why": 1}), http.StatusUnprocessableEntity, "why")

	// Published: the re-plan River runs, then the order is on a manifest.
	r = b.do("POST", fmt.Sprintf("/v1/drafts/%d/publish", d.ID), b.disp, nil)
	wantStatus(t, r, http.StatusAccepted, "")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/drafts/%d/publish", d.ID), b.disp, nil), http.StatusConflict, "id")
	// The job the publish queued may be superseded by a newer automatic
	// re-plan of the day (replan_unique.go): that one then publishes, as
	// the dispatcher asked.
	if res, err := auto.PlanDepotDay(ctx, b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: jobs.CauseAtRisk,
		Subject: "sla_watch", RequestedAt: testNow}); err != nil || res.DraftID != 0 {
		t.Fatalf("the re-plan after a publish: %+v %v; want it published", res, err)
	}
	if v := version(); v != v0+1 {
		t.Errorf("after the publish, version %d; want %d", v, v0+1)
	}
	stop, drv := openStopOf(order)
	if stop == 0 || drv == 0 {
		t.Fatalf("after the publish, order %d is on no driver's open stop", order)
	}
	tok := b.drv1
	if drv == b.driver[1].ID {
		tok = b.drv2
	}
	r = b.do("GET", fmt.Sprintf("/v1/drivers/%d/manifest?date=%s", drv, date), tok, nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), fmt.Sprintf(`"id":%d,`, stop)) {
		t.Errorf("driver %d's manifest (%d) lacks the published stop %d", drv, r.status, stop)
	}

	// Discarded: nothing changes.
	res, err = auto.PlanDepotDay(ctx, b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: jobs.CauseAtRisk, Subject: "sla_watch", RequestedAt: testNow.Add(time.Second)})
	if err != nil || res.DraftID == 0 {
		t.Fatalf("SLA watch's re-plan under draft: %+v %v", res, err)
	}
	r = b.do("POST", fmt.Sprintf("/v1/drafts/%d/discard", res.DraftID), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var dd draftBody
	r.json(t, &dd)
	if dd.State != "discarded" || version() != v0+1 {
		t.Errorf("discarded draft %+v, version %d", dd, version())
	}
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/drafts/%d/publish", res.DraftID), b.disp, nil), http.StatusConflict, "id")
	r = b.do("GET", list, b.disp, nil)
	got.Items = nil
	r.json(t, &got)
	if len(got.Items) != 0 {
		t.Errorf("%d pending drafts after the discard", len(got.Items))
	}
}

// TestPreviewBreakdown: the rescue plan of a breakdown, previewed: every
// open stop of the vehicle goes to another, nothing is written; a vehicle
// of another depot or already broken is refused.
func TestPreviewBreakdown(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(8)
	ctx := context.Background()
	path := fmt.Sprintf("/v1/depots/%d/preview", b.depot.ID)
	date := testNow.Format(time.DateOnly)
	c := b.console(b.disp)
	var veh int64
	stops := map[int64]bool{}
	for _, rt := range c.Routes {
		for _, s := range rt.Stops {
			if s.Kind == "pickup" && s.Status == "planned" && (veh == 0 || veh == rt.Vehicle.ID) {
				veh = rt.Vehicle.ID
				stops[s.ID] = true
			}
		}
	}
	var rev0 int64
	if err := b.db.QueryRow(ctx, "SELECT revision FROM depot_days WHERE depot_id = $1", b.depot.ID).Scan(&rev0); err != nil {
		t.Fatal(err)
	}
	r := b.do("POST", path, b.disp, map[string]any{"date": date, "broken_vehicle_id": veh})
	wantStatus(t, r, http.StatusOK, "")
	var p previewBody
	r.json(t, &p)
	moved := map[int64]bool{}
	for _, ch := range p.Changes {
		if stops[ch.StopID] && ch.To != nil && ch.To.VehicleID != veh {
			moved[ch.StopID] = true
		}
	}
	if len(moved) != len(stops) || len(stops) == 0 {
		t.Errorf("rescue of vehicle %d moves %d of its %d stops: %+v", veh, len(moved), len(stops), p.Changes)
	}
	var rev int64
	var status string
	if err := b.db.QueryRow(ctx, "SELECT d.revision, v.status FROM depot_days d, vehicles v WHERE d.depot_id = $1 AND v.id = $2", b.depot.ID, veh).Scan(&rev, &status); err != nil {
		t.Fatal(err)
	}
	if rev != rev0 || status != "active" {
		t.Errorf("a rescue preview changed the day: revision %d → %d, vehicle %s", rev0, rev, status)
	}
	wantStatus(t, b.do("POST", path, b.disp, map[string]any{"date": date, "broken_vehicle_id": 999999}), http.StatusUnprocessableEntity, "broken_vehicle_id")
	wantStatus(t, b.do("POST", path, b.disp, map[string]any{"date": date, "broken_vehicle_id": -1}), http.StatusUnprocessableEntity, "broken_vehicle_id")
	wantStatus(t, b.do("PATCH", fmt.Sprintf("/v1/vehicles/%d", veh), b.disp, map[string]any{"status": "broken"}), http.StatusOK, "")
	wantStatus(t, b.do("POST", path, b.disp, map[string]any{"date": date, "broken_vehicle_id": veh}), http.StatusConflict, "broken_vehicle_id")
}
