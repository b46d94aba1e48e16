package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/thugom/thugom/jobs"
)

// routePickups returns the console's pickups per vehicle, in route order.
func (b *bundle) routePickups() map[int64][]int64 {
	b.t.Helper()
	out := map[int64][]int64{}
	for _, rt := range b.console(b.disp).Routes {
		for _, s := range rt.Stops {
			if s.Kind == "pickup" && s.Status != "skipped" {
				out[rt.Vehicle.ID] = append(out[rt.Vehicle.ID], s.ID)
			}
		}
	}
	return out
}

// TestMoveStopPlaceRefused: a move or a drag's preview with a bad place
// answers a clear 4xx problem and changes nothing; a good one is stored.
func TestMoveStopPlaceRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(8)
	ctx := context.Background()
	date := testNow.Format(time.DateOnly)
	byVeh := b.routePickups()
	v0, v1 := b.vehicle[0].ID, b.vehicle[1].ID
	if len(byVeh[v0]) == 0 || len(byVeh[v1]) == 0 {
		// one vehicle took every stop: give the other one
		from, to := v0, v1
		if len(byVeh[v0]) == 0 {
			from, to = v1, v0
		}
		s := byVeh[from][len(byVeh[from])-1]
		wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/move", s), b.disp, map[string]any{"vehicle_id": to}), http.StatusAccepted, "")
		b.replan()
		byVeh = b.routePickups()
	}
	s, other := byVeh[v0][0], byVeh[v1][0]
	state := func() string {
		var lv, la *int64
		if err := b.db.QueryRow(ctx, `SELECT locked_vehicle_id, locked_after_stop_id FROM stops WHERE id = $1`, s).Scan(&lv, &la); err != nil {
			t.Fatal(err)
		}
		f := func(p *int64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprint(*p)
		}
		return f(lv) + "/" + f(la)
	}
	before := state()
	move := fmt.Sprintf("/v1/stops/%d/move", s)
	preview := fmt.Sprintf("/v1/depots/%d/preview", b.depot.ID)
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
	}{
		{"negative", move, map[string]any{"vehicle_id": v0, "after_stop_id": -1}, http.StatusUnprocessableEntity},
		{"not a number", move, map[string]any{"vehicle_id": v0, "after_stop_id": "x"}, http.StatusUnprocessableEntity},
		{"a stop of another vehicle", move, map[string]any{"vehicle_id": v0, "after_stop_id": other}, http.StatusUnprocessableEntity},
		{"itself", move, map[string]any{"vehicle_id": v1, "after_stop_id": s}, http.StatusUnprocessableEntity},
		{"no stop", move, map[string]any{"vehicle_id": v1, "after_stop_id": 1 << 40}, http.StatusUnprocessableEntity},
		{"preview without a stop", preview, map[string]any{"date": date, "after_stop_id": other}, http.StatusUnprocessableEntity},
		{"preview of a stop of another vehicle", preview, map[string]any{"date": date, "stop_id": s, "vehicle_id": v0, "after_stop_id": other}, http.StatusUnprocessableEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.do("POST", tc.path, b.disp, tc.body)
			wantStatus(t, r, tc.status, "after_stop_id")
		})
	}
	if got := state(); got != before {
		t.Errorf("refused moves changed the stop's lock/place %s → %s", before, got)
	}

	// The drag's verdict names the place; the move stores it.
	r := b.do("POST", preview, b.disp, map[string]any{"date": date, "stop_id": s, "vehicle_id": v1, "after_stop_id": other})
	wantStatus(t, r, http.StatusOK, "")
	var pv struct {
		Verdict struct {
			Verdict     string `json:"verdict"`
			AfterStopID *int64 `json:"after_stop_id"`
		} `json:"verdict"`
	}
	r.json(t, &pv)
	if pv.Verdict.AfterStopID == nil || *pv.Verdict.AfterStopID != other || pv.Verdict.Verdict == "" {
		t.Errorf("verdict %+v names no place", pv.Verdict)
	}
	wantStatus(t, b.do("POST", move, b.disp, map[string]any{"vehicle_id": v1, "after_stop_id": other}), http.StatusAccepted, "")
	if got, want := state(), fmt.Sprintf("%d/%d", v1, other); got != want {
		t.Errorf("after the move: %s, want %s", got, want)
	}
}

// replan runs the day's re-plan a move queued (as River's worker would).
func (b *bundle) replan() {
	b.t.Helper()
	if _, err := b.svc.PlanDepotDay(context.Background(), b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: "test"}); err != nil {
		b.t.Fatal(err)
	}
}
