package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// consoleIssues is the part of the console the test reads.
type consoleIssues struct {
	Plan *struct {
		Version int `json:"version"`
	} `json:"plan"`
	Issues []struct {
		OrderID int64  `json:"order_id"`
		Kind    string `json:"kind"`
		StopID  int64  `json:"stop_id"`
		LateMin int    `json:"late_min"`
		Advice  string `json:"advice"`
		Fixes   []struct {
			Kind      string `json:"kind"`
			Label     string `json:"label"`
			VehicleID int64  `json:"vehicle_id"`
		} `json:"fixes"`
	} `json:"issues"`
	Routes []struct {
		Vehicle struct {
			ID int64 `json:"id"`
		} `json:"vehicle"`
		Stops []struct {
			ID      int64 `json:"id"`
			Collect []struct {
				OrderID int64 `json:"order_id"`
			} `json:"collect"`
		} `json:"stops"`
	} `json:"routes"`
}

// vehicleOf is the vehicle the order is planned on (0: none) and the stop.
func (c consoleIssues) vehicleOf(order int64) (int64, int64) {
	for _, rt := range c.Routes {
		for _, st := range rt.Stops {
			for _, o := range st.Collect {
				if o.OrderID == order {
					return rt.Vehicle.ID, st.ID
				}
			}
		}
	}
	return 0, 0
}

func (c consoleIssues) lateMin(order int64) int {
	for _, is := range c.Issues {
		if is.OrderID == order && is.Kind == thugom.IssueLate {
			return is.LateMin
		}
	}
	return 0
}

// TestOfferedFixesFix: over the demo's day at its depots, planned the
// evening before at the evening planning's 17:00 (jobs.Deps.EveningAt) with
// the notice floor on (--min-notice 2h), every "Giao cho xe …" fix the
// console offers, applied as the console applies it (lock and re-plan for
// an order left out, move for a late stop), ends with the order on that
// vehicle, and a late one less late; an issue offered none says why. At
// 17:00 the windows are told tonight, so the floor leaves tomorrow whole
// and the day has orders left out that a vehicle can still take (planned
// at 21:00, every window starts at 08:30 or later, and the last session
// found no order left out there that one vehicle could take).
func TestOfferedFixesFix(t *testing.T) {
	evening := func() time.Time { return day.Add(-7 * time.Hour) }
	b := setupAt(t, demo.Options{Seed: 11, Households: 900, Day: day}, evening, 2*time.Hour, func(ctx context.Context, db *store.DB, sc *demo.Scenario) (out *demo.Seeded, err error) {
		err = db.InTx(ctx, func(tx pgx.Tx) error { out, err = demo.Seed(ctx, tx, sc, evening()); return err })
		return out, err
	})
	ctx, svc := context.Background(), b.svc
	for _, id := range b.network.HouseholdIDs {
		if _, err := svc.GeocodeHousehold(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	depots, err := store.DepotsWithOrders(ctx, b.db, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	date := day.Format(time.DateOnly)
	offered, advised := 0, 0
	for _, d := range depots {
		if _, err := svc.PlanDepotDay(ctx, d, day, jobs.PlanRequest{Cause: "test"}); err != nil {
			t.Fatal(err)
		}
		done := map[int64]bool{}
		for applied := 0; applied < 4; applied++ {
			var c consoleIssues
			b.json(b.do("GET", fmt.Sprintf("/v1/depots/%d/console?date=%s", d, date), b.admin, "", nil), http.StatusOK, &c)
			fixed := false
			for _, is := range c.Issues {
				for _, f := range is.Fixes {
					if f.Kind != "assign" || done[is.OrderID] || fixed {
						continue
					}
					offered++
					done[is.OrderID], fixed = true, true
					b.applyAssign(d, date, c.Plan.Version, is.OrderID, is.StopID, f.VehicleID, is.Kind)
					var after consoleIssues
					b.json(b.do("GET", fmt.Sprintf("/v1/depots/%d/console?date=%s", d, date), b.admin, "", nil), http.StatusOK, &after)
					if v, _ := after.vehicleOf(is.OrderID); v != f.VehicleID {
						t.Errorf("depot %d: %q applied to order %d (%s): the order is on vehicle %d", d, f.Label, is.OrderID, is.Kind, v)
					}
					if is.Kind == thugom.IssueLate && after.lateMin(is.OrderID) >= is.LateMin {
						t.Errorf("depot %d: %q applied to late order %d: %d min late, was %d", d, f.Label, is.OrderID, after.lateMin(is.OrderID), is.LateMin)
					}
				}
				if is.Advice != "" && !fixed {
					advised++
				}
			}
			if !fixed {
				break
			}
		}
	}
	t.Logf("%d depots: %d fixes offered and applied, %d issues advised", len(depots), offered, advised)
	if offered == 0 || advised == 0 {
		t.Fatalf("the demo day offers %d assign fixes and advises %d issues: the test proves nothing", offered, advised)
	}
}

// applyAssign applies an assign fix as the console does, and waits for
// the re-plan it starts.
func (b *bundle) applyAssign(depot int64, date string, v0 int, order, stop, vehicle int64, kind string) {
	b.t.Helper()
	if kind == thugom.IssueLate {
		b.json(b.do("POST", fmt.Sprintf("/v1/stops/%d/move", stop), b.admin, "application/json", []byte(fmt.Sprintf(`{"vehicle_id":%d}`, vehicle))), http.StatusAccepted, nil)
	} else {
		b.json(b.do("POST", fmt.Sprintf("/v1/orders/%d/lock", order), b.admin, "application/json", []byte(fmt.Sprintf(`{"vehicle_id":%d}`, vehicle))), http.StatusOK, nil)
		b.json(b.do("POST", fmt.Sprintf("/v1/depots/%d/replan", depot), b.admin, "application/json", []byte(`{"date":"`+date+`"}`)), http.StatusAccepted, nil)
	}
	b.eventually("the fix's re-plan", 90*time.Second, func() bool {
		var c consoleIssues
		b.json(b.do("GET", fmt.Sprintf("/v1/depots/%d/console?date=%s", depot, date), b.admin, "", nil), http.StatusOK, &c)
		return c.Plan != nil && c.Plan.Version > v0
	})
}
