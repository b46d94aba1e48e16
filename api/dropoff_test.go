package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom/jobs"
)

// farOrder adds, after the day was planned, the order of a household in Văn
// Quan (some 30 km from the depot), pinned 5 km beyond the commune's point
// seen from the depot: far from every route, its commune's point nearer.
func (b *bundle) farOrder(id string) (orderID, householdID int64) {
	b.t.Helper()
	r := b.do("POST", "/v1/orders", b.disp, order(id, "0912777001", "Xã Văn Quan, Lạng Sơn", 12))
	wantStatus(b.t, r, http.StatusCreated, "")
	var o struct {
		ID          int64 `json:"id"`
		HouseholdID int64 `json:"household_id"`
	}
	r.json(b.t, &o)
	wantStatus(b.t, b.do("PATCH", fmt.Sprintf("/v1/households/%d", o.HouseholdID), b.disp, map[string]any{"point": []float64{106.462, 21.85}}), http.StatusOK, "")
	if _, err := b.svc.GeocodeHousehold(context.Background(), o.HouseholdID); err != nil {
		b.t.Fatal(err)
	}
	return o.ID, o.HouseholdID
}

type dropOffFix struct {
	OrderID int64 `json:"order_id"`
	Kind    string
	Fixes   []struct {
		Kind    string `json:"kind"`
		Label   string `json:"label"`
		PointID int64  `json:"point_id"`
	} `json:"fixes"`
}

func (b *bundle) dropOffFixOf(orderID int64) (int64, string) {
	b.t.Helper()
	r := b.do("GET", fmt.Sprintf("/v1/depots/%d/console?date=%s", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil)
	wantStatus(b.t, r, http.StatusOK, "")
	var c struct {
		Issues []dropOffFix `json:"issues"`
	}
	r.json(b.t, &c)
	for _, is := range c.Issues {
		if is.OrderID != orderID {
			continue
		}
		for _, f := range is.Fixes {
			if f.Kind == "drop_off" {
				return f.PointID, f.Label
			}
		}
	}
	return 0, ""
}

// The drop-off endpoints: the console offers the fix for a far household,
// the points are listed as approximate, accepting puts the order on the
// point's hub stop (shown in the driver's manifest), undoing brings it
// home; bad input is a 4xx problem that changes nothing.
func TestDropOffAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(6)
	far, hh := b.farOrder("PM-FAR")
	near := b.lateOrder("PM-NEAR")
	pointID, label := b.dropOffFixOf(far)
	if pointID == 0 || !strings.Contains(label, "Điểm BĐVH xã Văn Quan") || !strings.Contains(label, "cách nhà") {
		t.Fatalf("drop_off fix of the far order: point %d, %q", pointID, label)
	}
	if p, _ := b.dropOffFixOf(near); p != 0 {
		t.Fatalf("a household next to the routes is offered a drop-off (point %d)", p)
	}

	r := b.do("GET", fmt.Sprintf("/v1/depots/%d/drop-off-points", b.depot.ID), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var pts struct {
		Points []struct {
			ID          int64  `json:"id"`
			Name        string `json:"name"`
			OpensAt     string `json:"opens_at"`
			ClosesAt    string `json:"closes_at"`
			Approximate bool   `json:"approximate"`
		} `json:"points"`
	}
	r.json(t, &pts)
	found := false
	for _, p := range pts.Points {
		if p.ID == pointID {
			found = p.Approximate && p.OpensAt == "07:00" && p.ClosesAt == "17:00" && p.Name == "Điểm BĐVH xã Văn Quan"
		}
	}
	if !found {
		t.Fatalf("point %d not listed as approximate 07:00–17:00: %s", pointID, r.body)
	}

	// Bad input: a 4xx problem, nothing changed.
	path := fmt.Sprintf("/v1/orders/%d/drop-off", far)
	for _, c := range []struct {
		method, path, token string
		body                any
		status              int
		field               string
	}{
		{"POST", path, b.disp, map[string]any{}, 422, "point_id"},
		{"POST", path, b.disp, map[string]any{"point_id": -1}, 422, "point_id"},
		{"POST", path, b.disp, `{"point_id": 1, "extra": 2}`, 422, "extra"},
		{"POST", path, b.disp, `not json`, 400, ""},
		{"POST", path, b.disp, map[string]any{"point_id": pointID, "date": "2026-13-45"}, 422, "date"},
		{"POST", path, b.disp, map[string]any{"point_id": pointID, "date": "2027-11-23"}, 422, "date"},
		{"POST", path, b.disp, map[string]any{"point_id": 1 << 40}, 404, ""},
		{"POST", "/v1/orders/99999999/drop-off", b.disp, map[string]any{"point_id": pointID}, 404, ""},
		{"POST", "/v1/orders/abc/drop-off", b.disp, map[string]any{"point_id": pointID}, 404, ""},
		{"POST", path, b.disp2, map[string]any{"point_id": pointID}, 403, ""},
		{"POST", path, b.drv1, map[string]any{"point_id": pointID}, 403, ""},
		{"POST", path, "", map[string]any{"point_id": pointID}, 401, ""},
		{"DELETE", path, b.disp, nil, 409, "order_id"},
		{"GET", "/v1/depots/99999999/drop-off-points", b.disp, nil, 404, ""},
		{"GET", fmt.Sprintf("/v1/depots/%d/drop-off-points", b.depot.ID), b.disp2, nil, 403, ""},
		{"PUT", fmt.Sprintf("/v1/drop-off-points/%d", pointID), b.disp, map[string]any{}, 422, "point"},
		{"PUT", fmt.Sprintf("/v1/drop-off-points/%d", pointID), b.disp, map[string]any{"point": []float64{21.85, 106.5}}, 422, "point"},
		{"PUT", fmt.Sprintf("/v1/drop-off-points/%d", pointID), b.disp, map[string]any{"point": []float64{106.5, 21.85}, "opens_at": "17:00", "closes_at": "07:00"}, 422, "closes_at"},
		{"PUT", fmt.Sprintf("/v1/drop-off-points/%d", pointID), b.disp, map[string]any{"point": []float64{106.5, 21.85}, "opens_at": "7h"}, 422, "opens_at"},
		{"PUT", "/v1/drop-off-points/99999999", b.disp, map[string]any{"point": []float64{106.5, 21.85}}, 404, ""},
	} {
		r := b.do(c.method, c.path, c.token, c.body)
		if r.status != c.status {
			t.Errorf("%s %s %v: %d, want %d: %s", c.method, c.path, c.body, r.status, c.status, r.body)
			continue
		}
		wantStatus(t, r, c.status, c.field)
	}
	var n int
	if err := b.db.QueryRow(context.Background(), `SELECT count(*) FROM orders WHERE dropoff_point_id IS NOT NULL`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d orders changed by bad input (%v)", n, err)
	}

	// Accept: the household's order goes to the point, one SMS.
	r = b.do("POST", path, b.disp, map[string]any{"point_id": pointID, "date": testNow.Format(time.DateOnly)})
	wantStatus(t, r, http.StatusOK, "")
	var res struct {
		HouseholdID int64     `json:"household_id"`
		Orders      []int64   `json:"orders"`
		By          time.Time `json:"by"`
		SMS         int       `json:"sms"`
		Point       struct {
			ID int64 `json:"id"`
		} `json:"point"`
	}
	r.json(t, &res)
	if res.HouseholdID != hh || len(res.Orders) != 1 || res.Orders[0] != far || res.SMS != 1 || res.Point.ID != pointID ||
		!res.By.Equal(time.Date(2026, 11, 23, 7, 30, 0, 0, testNow.Location())) {
		t.Fatalf("drop-off: %s", r.body)
	}
	if _, err := b.svc.PlanDepotDay(context.Background(), b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: jobs.CauseDropOff}); err != nil {
		t.Fatal(err)
	}
	if p, _ := b.dropOffFixOf(far); p != 0 {
		t.Fatal("the order is still offered a drop-off after accepting one")
	}
	// The hub stop is on a route, named after its point, in the manifest.
	r = b.do("GET", fmt.Sprintf("/v1/depots/%d/plan?date=%s", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var plan struct {
		Routes []struct {
			Driver *struct {
				ID int64 `json:"id"`
			} `json:"driver"`
			Stops []struct {
				ID        int64 `json:"id"`
				Household *struct {
					ID int64 `json:"id"`
				} `json:"household"`
				DropOff *struct {
					ID   int64  `json:"id"`
					Name string `json:"name"`
				} `json:"dropoff_point"`
				Collect []struct {
					OrderID int64 `json:"order_id"`
				} `json:"collect"`
			} `json:"stops"`
		} `json:"routes"`
	}
	r.json(t, &plan)
	var driver, hub int64
	for _, rt := range plan.Routes {
		for _, s := range rt.Stops {
			if s.DropOff != nil && s.DropOff.ID == pointID {
				if s.Household != nil || len(s.Collect) != 1 || s.Collect[0].OrderID != far || rt.Driver == nil {
					t.Fatalf("hub stop %+v", s)
				}
				driver, hub = rt.Driver.ID, s.ID
			}
		}
	}
	if hub == 0 {
		t.Fatalf("no hub stop at point %d in the plan: %s", pointID, r.body)
	}
	tok := b.drv1
	if driver == b.driver[1].ID {
		tok = b.drv2
	}
	for _, f := range []string{"manifest", "manifest.html", "manifest.geojson"} {
		r = b.do("GET", fmt.Sprintf("/v1/drivers/%d/%s?date=%s", driver, f, testNow.Format(time.DateOnly)), tok, nil)
		if r.status != 200 || !strings.Contains(string(r.body), "Điểm BĐVH xã Văn Quan") || !strings.Contains(string(r.body), "PM-FAR") && f == "manifest" {
			t.Errorf("driver's %s (%d) lacks the hub stop: %.400s", f, r.status, r.body)
		}
	}

	// The household's page says where to bring the produce and by when.
	r = b.do("POST", fmt.Sprintf("/v1/households/%d/link", hh), b.disp, nil)
	wantStatus(t, r, http.StatusCreated, "")
	var link struct {
		URL string `json:"url"`
	}
	r.json(t, &link)
	i := strings.Index(link.URL, "/h/")
	if i < 0 {
		t.Fatalf("link %q", link.URL)
	}
	page := b.do("GET", link.URL[i:], "", nil)
	if page.status != 200 || !strings.Contains(string(page.body), "Mang hàng đến Điểm BĐVH xã Văn Quan trước 07:30 ngày 23/11") {
		t.Errorf("household page (%d) does not say where to bring the produce: %.600s", page.status, page.body)
	}

	// Undo: back home.
	r = b.do("DELETE", path+"?date="+testNow.Format(time.DateOnly), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &res)
	if len(res.Orders) != 1 || res.Orders[0] != far || res.SMS != 0 {
		t.Fatalf("undo: %s", r.body)
	}
	if err := b.db.QueryRow(context.Background(), `SELECT count(*) FROM orders WHERE dropoff_point_id IS NOT NULL`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d orders still brought to a point after the undo (%v)", n, err)
	}

	// A dispatcher corrects the point: no longer approximate.
	r = b.do("PUT", fmt.Sprintf("/v1/drop-off-points/%d", pointID), b.disp, map[string]any{"point": []float64{106.51, 21.86}, "opens_at": "07:30", "closes_at": "16:30"})
	wantStatus(t, r, http.StatusOK, "")
	var pt struct {
		Approximate bool       `json:"approximate"`
		Point       [2]float64 `json:"point"`
		ClosesAt    string     `json:"closes_at"`
	}
	r.json(t, &pt)
	if pt.Approximate || pt.Point != [2]float64{106.51, 21.86} || pt.ClosesAt != "16:30" {
		t.Fatalf("corrected point: %s", r.body)
	}
}
