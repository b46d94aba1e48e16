package thugom

import (
	"slices"
	"testing"
)

// The state machines name only statuses of their type's list: a status
// added to a machine and not to the list (so not to the database's CHECK)
// fails here.
func TestMachinesUseTheLists(t *testing.T) {
	t.Parallel()
	for name, m := range map[string]struct {
		next map[string][]string
		list []string
	}{"order": {orderNext, OrderStatuses}, "stop": {stopNext, StopStatuses}, "depot stop": {depotNext, StopStatuses}} {
		for from, tos := range m.next {
			for _, st := range append([]string{from}, tos...) {
				if !slices.Contains(m.list, st) {
					t.Errorf("%s machine: %q is not in the list %q", name, st, m.list)
				}
			}
		}
	}
	for _, list := range [][]string{OrderStatuses, StopStatuses, PlanStatuses, DraftStates, VehicleStatuses, NotificationStatuses, PackagingStatuses, TaskStatuses()} {
		for i, st := range list {
			if st == "" || slices.Contains(list[:i], st) {
				t.Errorf("%q empty or twice in %q", st, list)
			}
		}
	}
}
