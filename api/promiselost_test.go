package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/thugom/thugom/jobs"
)

// The console lists the orders whose promise was lost at placement apart
// from the planning misses: the lost order is in promise_lost with what can
// be kept and why, an issue of it is marked lost_at_placement, and the
// orders whose promise could be kept are neither.
func TestConsolePromiseLost(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.seedDay(2)
	// A located household's order promised in 2 h: lost at intake.
	r := b.do("POST", "/v1/orders", b.disp, with(order("PM-L", "0912000000", addresses[0], 5), "promise_hours", 2))
	wantStatus(t, r, http.StatusCreated, "")
	var placed struct {
		ID            int64      `json:"id"`
		PromiseAtRisk bool       `json:"promise_at_risk"`
		KeepableBy    *time.Time `json:"keepable_by"`
	}
	r.json(t, &placed)
	if !placed.PromiseAtRisk || placed.KeepableBy == nil {
		t.Fatalf("not lost at intake: %+v", placed)
	}
	if _, err := b.svc.PlanDepotDay(context.Background(), b.depot.ID, testNow, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	r = b.do("GET", fmt.Sprintf("/v1/depots/%d/console?date=%s", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var c struct {
		Issues []struct {
			OrderID         int64 `json:"order_id"`
			LostAtPlacement bool  `json:"lost_at_placement"`
		} `json:"issues"`
		PromiseLost []struct {
			OrderID            int64      `json:"order_id"`
			MarketplaceOrderID string     `json:"marketplace_order_id"`
			PromisedBy         time.Time  `json:"promised_by"`
			KeepableBy         *time.Time `json:"keepable_by"`
			Reason             string     `json:"reason"`
		} `json:"promise_lost"`
	}
	r.json(t, &c)
	if len(c.PromiseLost) != 1 {
		t.Fatalf("promise_lost: %+v, want the one order %d", c.PromiseLost, placed.ID)
	}
	l := c.PromiseLost[0]
	if l.OrderID != placed.ID || l.MarketplaceOrderID != "PM-L" || l.KeepableBy == nil || !l.KeepableBy.Equal(*placed.KeepableBy) ||
		!l.KeepableBy.After(l.PromisedBy) || l.Reason == "" {
		t.Fatalf("promise_lost: %+v, placed %+v", l, placed)
	}
	for _, is := range c.Issues {
		if is.LostAtPlacement != (is.OrderID == placed.ID) {
			t.Fatalf("issue of order %d lost_at_placement %v (lost: %d, kept: %v)", is.OrderID, is.LostAtPlacement, placed.ID, ids)
		}
	}
	// Another depot's console does not list it.
	r = b.do("GET", fmt.Sprintf("/v1/depots/%d/console?date=%s", b.depot2.ID, testNow.Format(time.DateOnly)), b.admin, nil)
	if r.status == http.StatusOK {
		r.json(t, &c)
		if len(c.PromiseLost) != 0 {
			t.Fatalf("another depot lists %+v", c.PromiseLost)
		}
	}
}
