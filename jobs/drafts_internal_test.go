package jobs

import (
	"testing"
	"time"

	"github.com/thugom/thugom"
)

func TestPublishPolicy(t *testing.T) {
	t.Parallel()
	always, draft, max3 := PublishPolicy{}, PublishPolicy{Mode: PublishDraft}, PublishPolicy{Mode: PublishMaxChanges, MaxChanges: 3}
	for _, c := range []struct {
		name      string
		pol       PublishPolicy
		cause     string
		requested bool
		changes   int
		want      bool
	}{
		{"zero value publishes a failure's re-plan", always, CausePickupFailed, false, 40, true},
		{"draft keeps a failure's re-plan", draft, CausePickupFailed, false, 0, false},
		{"draft keeps a driver's breakdown", draft, CauseVehicleBroken, false, 5, false},
		{"draft keeps the SLA watch's", draft, CauseAtRisk, false, 5, false},
		{"draft keeps new orders'", draft, CauseOrdersImported, false, 1, false},
		{"a dispatcher's breakdown is published", draft, CauseVehicleBroken, true, 5, true},
		{"a dispatcher's re-plan is published", draft, CauseDispatcher, false, 50, true},
		{"a household's cancel is published", draft, CauseCancelled, false, 2, true},
		{"a household's postponement is published", draft, CausePostponed, false, 2, true},
		{"max-changes: at the limit published", max3, CausePickupFailed, false, 3, true},
		{"max-changes: over the limit kept", max3, CausePickupFailed, false, 4, false},
		{"max-changes: requested over the limit published", max3, CausePickupFailed, true, 40, true},
	} {
		if got := c.pol.Publish(c.cause, c.requested, c.changes); got != c.want {
			t.Errorf("%s: Publish(%s, %v, %d) under %s = %v", c.name, c.cause, c.requested, c.changes, c.pol, got)
		}
	}
}

func TestParsePublishPolicy(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "always", "always": "always", "draft": "draft", "max-changes=0": "max-changes=0", " max-changes=12 ": "max-changes=12"} { //nolint:gocritic // the spaces are the case: the flag value is trimmed
		p, err := ParsePublishPolicy(in)
		if err != nil || p.String() != want {
			t.Errorf("ParsePublishPolicy(%q) = %s, %v; want %s", in, p, err, want)
		}
	}
	for _, bad := range []string{"never", "max-changes", "max-changes=-1", "max-changes=x", "Draft"} {
		if _, err := ParsePublishPolicy(bad); err == nil {
			t.Errorf("ParsePublishPolicy(%q) accepted", bad)
		}
	}
}

func TestCountChanges(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 9, 15, 9, 0, 0, 0, thugom.Local)
	v := func(veh int64, win time.Time) *thugom.StopVersion {
		return &thugom.StopVersion{VehicleID: veh, WindowStart: win, WindowEnd: win.Add(time.Hour)}
	}
	changes := []thugom.StopChange{
		{StopID: 1, Change: thugom.ChangeAdded, To: v(1, at)},
		{StopID: 2, Change: thugom.ChangeRemoved, From: v(1, at)},
		{StopID: 3, Change: thugom.ChangeVehicle, From: v(1, at), To: v(2, at)},                // same window: no SMS
		{StopID: 4, Change: thugom.ChangeVehicle, From: v(1, at), To: v(2, at.Add(time.Hour))}, // new window: SMS
		{StopID: 5, Change: thugom.ChangeWindow, From: v(1, at), To: v(1, at.Add(time.Hour))},
		{StopID: 6, Change: thugom.ChangeSequence, From: v(1, at), To: v(1, at)},
		{StopID: 7, Change: thugom.ChangeTime, From: v(1, at), To: v(1, at)},
		{StopID: 8, Change: thugom.ChangeStatus, From: v(1, at), To: v(1, at)},
	}
	counted, sms := CountChanges(changes)
	if counted != 6 || sms != 4 {
		t.Errorf("CountChanges = %d counted, %d SMS; want 6, 4", counted, sms)
	}
}
