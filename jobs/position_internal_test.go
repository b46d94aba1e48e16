package jobs

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// The rule of a move's places, without a database: the stops that
// followed the moved stop close the gap, the stop at the new place now
// follows it, and a place that is not an open stop of the vehicle is
// refused.
func TestPlaceChanges(t *testing.T) {
	t.Parallel()
	p := func(x int64) *int64 { return &x }
	// vehicle 1: stops 1 2 3 (3 locked after 2); vehicle 2: stops 4 5, 6
	// collected; 7 is a depot stop; 8 is locked to vehicle 1.
	day := func() []store.PlanStop {
		mk := func(id, veh int64, status string, lock *int64, after *int64) store.PlanStop {
			s := store.PlanStop{VehicleID: veh, LockedAfterStopID: after}
			s.ID, s.Kind, s.Status, s.LockedVehicleID = id, thugom.StopPickup, status, lock
			return s
		}
		d := []store.PlanStop{
			mk(1, 1, thugom.StopPlanned, nil, nil),
			mk(2, 1, thugom.StopPlanned, p(1), p(0)),
			mk(3, 1, thugom.StopPlanned, p(1), p(2)),
			mk(4, 2, thugom.StopPlanned, nil, nil),
			mk(5, 2, thugom.StopPlanned, p(2), p(4)),
			mk(6, 2, thugom.StopPickedUp, nil, nil),
			mk(7, 2, thugom.StopPlanned, nil, nil),
			mk(8, 2, thugom.StopPlanned, p(1), nil), // moved to 1, not re-planned yet
		}
		d[6].Kind = thugom.StopDepot
		return d
	}
	show := func(ch map[int64]*int64) string {
		var out []string
		for id, a := range ch {
			v := "nil"
			if a != nil {
				v = fmt.Sprint(*a)
			}
			out = append(out, fmt.Sprintf("%d:%s", id, v))
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		name       string
		stop, veh  int64
		pl         *Place
		want, code string
	}{
		{"to a place on another vehicle: 5 now follows it", 2, 2, &Place{AfterStopID: 4}, "2:4 3:0 5:2", ""},
		{"first on another vehicle", 3, 2, &Place{AfterStopID: 0}, "3:0", ""},
		{"no place: its follower takes its old place", 2, 2, nil, "2:nil 3:0", ""},
		{"first on its own vehicle: the old first follows it", 3, 1, &Place{AfterStopID: 0}, "2:3 3:0", ""},
		{"after its own follower", 2, 1, &Place{AfterStopID: 3}, "2:3 3:0", ""},
		{"a stop of another vehicle", 1, 1, &Place{AfterStopID: 4}, "", thugom.EInvalid},
		{"itself", 1, 1, &Place{AfterStopID: 1}, "", thugom.EInvalid},
		{"a depot stop", 1, 2, &Place{AfterStopID: 7}, "", thugom.EInvalid},
		{"collected", 1, 2, &Place{AfterStopID: 6}, "", thugom.EConflict},
		{"locked to another vehicle", 1, 2, &Place{AfterStopID: 8}, "", thugom.EConflict},
		{"no stop", 1, 2, &Place{AfterStopID: 99}, "", thugom.EInvalid},
	} {
		ch, err := placeChanges(day(), tc.stop, tc.veh, tc.pl)
		if tc.code != "" || err != nil {
			if thugom.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
			continue
		}
		if got := show(ch); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
