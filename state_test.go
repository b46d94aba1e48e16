package thugom_test

import (
	"testing"
	"time"

	"github.com/thugom/thugom"
)

func TestStopCanMove(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind, from, to string
		ok             bool
	}{
		{thugom.StopPickup, thugom.StopPlanned, thugom.StopPickedUp, true}, // offline: straight to the outcome
		{thugom.StopPickup, thugom.StopPlanned, thugom.StopEnRoute, true},
		{thugom.StopPickup, thugom.StopArrived, thugom.StopFailed, true},
		{thugom.StopPickup, thugom.StopPickedUp, thugom.StopPlanned, false}, // never back
		{thugom.StopPickup, thugom.StopPickedUp, thugom.StopFailed, false},
		{thugom.StopPickup, thugom.StopFailed, thugom.StopPickedUp, false},
		{thugom.StopPickup, thugom.StopArrived, thugom.StopEnRoute, false},
		{thugom.StopPickup, thugom.StopArrived, thugom.StopSkipped, false}, // a re-plan drops only untouched stops
		{thugom.StopPickup, thugom.StopPlanned, thugom.StopDone, false},
		{thugom.StopDepot, thugom.StopPlanned, thugom.StopDone, true},
		{thugom.StopDepot, thugom.StopDone, thugom.StopArrived, false},
		{thugom.StopDepot, thugom.StopPlanned, thugom.StopPickedUp, false},
	}
	for _, c := range cases {
		if got := thugom.StopCanMove(c.kind, c.from, c.to); got != c.ok {
			t.Errorf("StopCanMove(%s, %s → %s) = %v, want %v", c.kind, c.from, c.to, got, c.ok)
		}
	}
}

func TestStopClasses(t *testing.T) {
	t.Parallel()
	all := []string{thugom.StopPlanned, thugom.StopEnRoute, thugom.StopArrived, thugom.StopPickedUp,
		thugom.StopFailed, thugom.StopSkipped, thugom.StopDone}
	for _, s := range all {
		// Every status is exactly one of open or finished.
		if thugom.StopOpen(s) == thugom.StopFinished(s) {
			t.Errorf("%s: open %v finished %v", s, thugom.StopOpen(s), thugom.StopFinished(s))
		}
		if thugom.ReplanMayRewrite(s) != (s == thugom.StopPlanned) {
			t.Errorf("ReplanMayRewrite(%s) = %v", s, thugom.ReplanMayRewrite(s))
		}
		if thugom.StopUnderway(s) && !thugom.StopOpen(s) {
			t.Errorf("%s underway but not open", s)
		}
	}
}

func TestOrderRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status                       string
		cancel, postpone, plan, open bool
	}{
		{thugom.OrderReceived, true, true, true, true},
		{thugom.OrderPlanned, true, true, true, true},
		{thugom.OrderPostponed, true, false, false, true},
		{thugom.OrderPickedUp, false, false, false, false},
		{thugom.OrderHandedOver, false, false, false, false},
		{thugom.OrderFailed, false, false, false, false},
		{thugom.OrderCancelled, false, false, false, false},
	}
	for _, c := range cases {
		if got := thugom.OrderCancellable(c.status); got != c.cancel {
			t.Errorf("OrderCancellable(%s) = %v", c.status, got)
		}
		if got := thugom.OrderPostponable(c.status); got != c.postpone {
			t.Errorf("OrderPostponable(%s) = %v", c.status, got)
		}
		if got := thugom.OrderPlannable(c.status); got != c.plan {
			t.Errorf("OrderPlannable(%s) = %v", c.status, got)
		}
		if got := thugom.OrderOpen(c.status); got != c.open {
			t.Errorf("OrderOpen(%s) = %v", c.status, got)
		}
		// What may be cancelled may move to cancelled, and nothing collected
		// goes back to planning.
		if c.cancel != thugom.OrderCanMove(c.status, thugom.OrderCancelled) {
			t.Errorf("%s: cancellable %v but OrderCanMove to cancelled %v", c.status, c.cancel, !c.cancel)
		}
	}
	if thugom.OrderCanMove(thugom.OrderPickedUp, thugom.OrderPlanned) || thugom.OrderCanMove(thugom.OrderPickedUp, thugom.OrderReceived) {
		t.Error("a picked-up order went back to planning")
	}
}

func TestDayRange(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 20, 0, 0, 0, thugom.Local)
	r := thugom.DefaultDayRange
	for _, c := range []struct {
		day string
		ok  bool
	}{
		{"2026-12-01", true}, {"2026-12-02", true}, {"2026-11-24", true}, {"2026-12-15", true},
		{"2026-11-23", false}, {"2026-12-16", false}, {"0001-01-01", false}, {"9999-12-31", false},
	} {
		d, _ := time.ParseInLocation(time.DateOnly, c.day, thugom.Local)
		err := r.Check("date", d, now)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok %v", c.day, err, c.ok)
		}
		if err != nil && thugom.ErrorCode(err) != thugom.EInvalid {
			t.Errorf("%s: code %s", c.day, thugom.ErrorCode(err))
		}
	}
}
