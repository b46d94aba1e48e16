package thugom_test

import (
	"fmt"
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

func TestDiffVersions(t *testing.T) {
	t.Parallel()
	at := func(h, m int) time.Time { return time.Date(2026, 9, 15, h, m, 0, 0, thugom.Local) }
	v := func(id, veh int64, seq int, status string, eta time.Time, win time.Time) thugom.StopVersion {
		return thugom.StopVersion{StopID: id, VehicleID: veh, Seq: seq, Kind: thugom.StopPickup, Status: status,
			ArriveAt: eta, WindowStart: win, WindowEnd: win.Add(time.Hour)}
	}
	from := []thugom.StopVersion{
		v(1, 10, 0, thugom.StopPickedUp, at(8, 0), at(7, 45)),
		v(2, 10, 1, thugom.StopPlanned, at(9, 0), at(8, 45)),
		v(3, 10, 2, thugom.StopPlanned, at(10, 0), at(9, 45)),
		v(4, 11, 0, thugom.StopPlanned, at(9, 0), at(8, 45)),
		v(5, 11, 1, thugom.StopPlanned, at(9, 30), at(9, 15)),
		v(6, 11, 2, thugom.StopPlanned, at(11, 0), at(10, 45)),
		v(7, 11, 3, thugom.StopPlanned, at(12, 0), at(11, 45)),
	}
	to := []thugom.StopVersion{
		v(1, 10, 0, thugom.StopPickedUp, at(8, 0), at(7, 45)),  // unchanged
		v(2, 10, 1, thugom.StopFailed, at(9, 0), at(8, 45)),    // reported
		v(3, 11, 3, thugom.StopPlanned, at(10, 30), at(9, 45)), // other vehicle
		v(4, 11, 0, thugom.StopPlanned, at(9, 2), at(8, 45)),   // 2 min: nothing to say
		v(5, 11, 1, thugom.StopPlanned, at(10, 30), at(10, 15)),
		v(6, 11, 2, thugom.StopSkipped, at(11, 0), at(10, 45)),
		v(8, 10, 2, thugom.StopPlanned, at(13, 0), at(12, 45)), // new; 7 is gone
	}
	got := map[int64]string{}
	for _, c := range thugom.DiffVersions(from, to) {
		got[c.StopID] = c.Change
	}
	want := map[int64]string{2: thugom.ChangeStatus, 3: thugom.ChangeVehicle, 5: thugom.ChangeWindow,
		6: thugom.ChangeRemoved, 7: thugom.ChangeRemoved, 8: thugom.ChangeAdded}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("changes %v, want %v", got, want)
	}
	if len(thugom.DiffVersions(from, from)) != 0 {
		t.Error("a version differs from itself")
	}
}

func TestOrderRestorable(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 9, 15, 8, 0, 0, 0, thugom.Local)
	for _, c := range []struct {
		status string
		after  time.Duration
		want   bool
	}{
		{thugom.OrderCancelled, time.Minute, true}, {thugom.OrderCancelled, 10 * time.Minute, true},
		{thugom.OrderCancelled, 11 * time.Minute, false}, {thugom.OrderCancelled, -time.Minute, false},
		{thugom.OrderPickedUp, time.Minute, false},
	} {
		if got := thugom.OrderRestorable(c.status, at, at.Add(c.after)); got != c.want {
			t.Errorf("OrderRestorable(%s, +%v) = %v", c.status, c.after, got)
		}
	}
}
