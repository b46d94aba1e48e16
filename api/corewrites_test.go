package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestCoreWritesRefuseWhole: the writes the API leaves to the core
// (tokens, vehicles, drivers, pins, positions, links) answer bad input with
// a problem naming the field and write nothing: no row, no event.
func TestCoreWritesRefuseWhole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(2)
	ctx := context.Background()
	var hh int64
	if err := b.db.QueryRow(ctx, `SELECT min(household_id) FROM orders WHERE carrier_id = $1`, b.depot.CarrierID).Scan(&hh); err != nil {
		t.Fatal(err)
	}
	now := testNow.Format(time.RFC3339)
	counts := func() string {
		var ev, tok, veh, drv, pos int
		err := b.db.QueryRow(ctx, `SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM tokens), (SELECT count(*) FROM vehicles),
			(SELECT count(*) FROM drivers), (SELECT count(*) FROM driver_positions)`).Scan(&ev, &tok, &veh, &drv, &pos)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("events %d tokens %d vehicles %d drivers %d positions %d", ev, tok, veh, drv, pos)
	}
	before := counts()
	for _, c := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		field                     string
	}{
		{"token of an unknown driver", "POST", "/v1/tokens", b.admin, map[string]any{"role": "driver", "driver_id": 999999}, http.StatusUnprocessableEntity, "driver_id"},
		{"dispatcher token without carrier", "POST", "/v1/tokens", b.admin, map[string]any{"role": "dispatcher"}, http.StatusUnprocessableEntity, "carrier"},
		{"revoke an unknown token", "DELETE", "/v1/tokens/999999", b.admin, nil, http.StatusNotFound, ""},
		{"vehicle of an unknown depot", "POST", "/v1/vehicles", b.disp, map[string]any{"depot_id": 999999, "code": "V-9", "kind": "van", "capacity_kg": 800, "capacity_parcels": 120}, http.StatusUnprocessableEntity, "depot_id"},
		{"vehicle of another carrier", "POST", "/v1/vehicles", b.disp2, map[string]any{"depot_id": b.depot.ID, "code": "V-9", "kind": "van", "capacity_kg": 800, "capacity_parcels": 120}, http.StatusForbidden, ""},
		{"driver with an unknown vehicle", "POST", "/v1/drivers", b.disp, map[string]any{"depot_id": b.depot.ID, "name": "Chị Mai", "phone": "0987 111 222", "vehicle_id": 999999}, http.StatusUnprocessableEntity, "vehicle_id"},
		{"pin outside Vietnam", "PATCH", fmt.Sprintf("/v1/households/%d", hh), b.disp, map[string]any{"point": []float64{21.8, 106.7}}, http.StatusUnprocessableEntity, "point"},
		{"pin of another carrier's household", "PATCH", fmt.Sprintf("/v1/households/%d", hh), b.disp2, map[string]any{"point": []float64{106.7, 21.8}}, http.StatusNotFound, ""},
		{"link of another carrier's household", "POST", fmt.Sprintf("/v1/households/%d/link", hh), b.disp2, nil, http.StatusNotFound, ""},
		{"positions, the second swapped", "POST", "/v1/me/positions", b.drv1, map[string]any{"positions": []map[string]any{
			{"at": now, "lon": 106.7, "lat": 21.8}, {"at": now, "lon": 21.8, "lat": 106.7}}}, http.StatusUnprocessableEntity, "positions[1]"},
		{"no positions", "POST", "/v1/me/positions", b.drv1, map[string]any{"positions": []any{}}, http.StatusUnprocessableEntity, "positions"},
	} {
		r := b.do(c.method, c.path, c.token, c.body)
		if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s: %d %s", c.name, r.status, ct)
		}
		wantStatus(t, r, c.status, c.field)
		if after := counts(); after != before {
			t.Errorf("%s wrote: %s → %s", c.name, before, after)
		}
	}
}
