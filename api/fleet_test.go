package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDispatcherOperations walks the rest of the dispatcher's API, so the
// OpenAPI check sees every answer shape.
func TestDispatcherOperations(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(4)
	day := testNow.Format(time.DateOnly)

	for _, p := range []string{"/healthz", "/readyz", "/openapi.json", "/", "/dispatcher", "/static/dispatcher.css", "/v1/communes"} {
		wantStatus(t, b.do("GET", p, "", nil), http.StatusOK, "")
	}
	r := b.do("GET", "/v1/communes", "", nil)
	if !strings.Contains(string(r.body), `"attribution"`) || r.header.Get("ETag") == "" {
		t.Errorf("communes without attribution or ETag")
	}

	// Fleet.
	wantStatus(t, b.do("GET", "/v1/vehicles?depot_id=1", b.disp, nil), http.StatusOK, "")
	r = b.do("POST", "/v1/vehicles", b.disp, map[string]any{"depot_id": b.depot.ID, "code": "VAN-1", "kind": "van", "capacity_kg": 800, "capacity_parcels": 120, "max_trips": 2})
	wantStatus(t, r, http.StatusCreated, "")
	wantStatus(t, b.do("POST", "/v1/vehicles", b.disp, map[string]any{"depot_id": b.depot.ID, "code": "VAN-1", "kind": "van", "capacity_kg": 800, "capacity_parcels": 120}), http.StatusConflict, "code")
	wantStatus(t, b.do("POST", "/v1/vehicles", b.disp, map[string]any{"depot_id": b.depot.ID, "code": "X", "kind": "truck", "capacity_kg": 800, "capacity_parcels": 120}), http.StatusUnprocessableEntity, "kind")
	wantStatus(t, b.do("POST", "/v1/vehicles", b.disp2, map[string]any{"depot_id": b.depot.ID, "code": "Y", "kind": "van", "capacity_kg": 800, "capacity_parcels": 120}), http.StatusForbidden, "")
	r = b.do("PATCH", fmt.Sprintf("/v1/vehicles/%d", b.vehicle[1].ID), b.disp, map[string]any{"status": "broken"})
	wantStatus(t, r, http.StatusOK, "")
	var replans int
	if err := b.db.QueryRow(context.Background(), "SELECT count(*) FROM river_job WHERE kind = 'replan'").Scan(&replans); err != nil || replans != 1 {
		t.Errorf("replan jobs after a breakdown: %d (%v)", replans, err)
	}
	wantStatus(t, b.do("PATCH", fmt.Sprintf("/v1/vehicles/%d", b.vehicle[1].ID), b.disp, map[string]any{"status": "exploded"}), http.StatusUnprocessableEntity, "status")
	wantStatus(t, b.do("GET", "/v1/drivers", b.disp, nil), http.StatusOK, "")
	wantStatus(t, b.do("POST", "/v1/drivers", b.disp, map[string]any{"depot_id": b.depot.ID, "name": "Chị Lan", "phone": "0987 654 321"}), http.StatusCreated, "")
	wantStatus(t, b.do("POST", "/v1/drivers", b.disp, map[string]any{"depot_id": b.depot.ID, "name": "Anh Ba", "phone": "12"}), http.StatusUnprocessableEntity, "phone")

	// Households: read, pin (the fix for an unplaced address), link.
	wantStatus(t, b.do("GET", "/v1/households/1", b.disp, nil), http.StatusOK, "")
	r = b.do("GET", "/v1/households?ungeocoded=false&limit=2", b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `"h3"`) {
		t.Errorf("households: %s", r.body)
	}
	wantStatus(t, b.do("GET", "/v1/households/1", b.disp2, nil), http.StatusNotFound, "")
	r = b.do("PATCH", "/v1/households/1", b.disp, map[string]any{"point": []float64{106.75, 21.85}})
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `"pinned":true`) {
		t.Errorf("pin: %s", r.body)
	}
	wantStatus(t, b.do("PATCH", "/v1/households/1", b.disp, map[string]any{"point": []float64{21.85, 106.75}}), http.StatusUnprocessableEntity, "point")
	wantStatus(t, b.do("POST", "/v1/households/1/link", b.disp, nil), http.StatusCreated, "")

	// Plans: request, move a stop, unlock.
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/depots/%d/plans", b.depot.ID), b.disp, map[string]any{"date": day}), http.StatusAccepted, "")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/depots/%d/plans", b.depot2.ID), b.disp, map[string]any{"date": day}), http.StatusForbidden, "")
	var stopID int64
	if err := b.db.QueryRow(context.Background(), "SELECT id FROM stops WHERE kind = 'pickup' ORDER BY id LIMIT 1").Scan(&stopID); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/move", stopID), b.disp, map[string]any{"vehicle_id": b.vehicle[0].ID}), http.StatusAccepted, "")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/move", stopID), b.disp, map[string]any{}), http.StatusUnprocessableEntity, "vehicle_id")
	wantStatus(t, b.do("DELETE", "/v1/orders/1/lock", b.disp, nil), http.StatusOK, "")
	wantStatus(t, b.do("GET", "/v1/orders?status=received&limit=2", b.disp, nil), http.StatusOK, "")

	// Driver reports through /status; the SMS webhook; tokens.
	var drvTok string
	var depotStop int64
	err := b.db.QueryRow(context.Background(), `SELECT s.id, r.driver_id FROM stops s JOIN routes r ON r.id = s.route_id
		WHERE s.kind = 'pickup' AND r.driver_id IS NOT NULL ORDER BY s.id DESC LIMIT 1`).Scan(&depotStop, new(int64))
	if err != nil {
		t.Fatal(err)
	}
	drvTok = b.admin
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/status", depotStop), drvTok, map[string]any{"status": "en_route", "happened_at": testNow.Format(time.RFC3339)}, "Idempotency-Key", "s1"), http.StatusOK, "")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/status", depotStop), drvTok, map[string]any{"status": "picked_up", "happened_at": testNow.Format(time.RFC3339)}, "Idempotency-Key", "s2"), http.StatusUnprocessableEntity, "status")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/fail", depotStop), drvTok, map[string]any{"happened_at": testNow.Format(time.RFC3339)}, "Idempotency-Key", "s3"), http.StatusUnprocessableEntity, "reason")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/fail", depotStop), drvTok, map[string]any{"happened_at": testNow.Format(time.RFC3339), "reason": "nobody_home"}, "Idempotency-Key", "s4"), http.StatusOK, "")
	r = b.do("POST", "/v1/sms/inbound", b.admin, map[string]any{"message_id": "gw-1", "from": "0912000001", "text": "1"})
	wantStatus(t, r, http.StatusOK, "")
	wantStatus(t, b.do("POST", "/v1/sms/inbound", b.admin, map[string]any{"message_id": "", "from": "0912000001", "text": "1"}), http.StatusUnprocessableEntity, "")
	r = b.do("POST", "/v1/tokens", b.admin, map[string]any{"role": "driver", "driver_id": b.driver[0].ID})
	wantStatus(t, r, http.StatusCreated, "")
	wantStatus(t, b.do("POST", "/v1/tokens", b.admin, map[string]any{"role": "root"}), http.StatusUnprocessableEntity, "role")
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/drivers/%d/manifest.geojson?date=%s", b.driver[0].ID, day), b.admin, nil), http.StatusOK, "")
}
