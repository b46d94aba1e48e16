package jobs

import (
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// Orders brought to a drop-off point share one stop per point, whatever
// their households; a stop already underway keeps its own key.
func TestGroupKeyDropOff(t *testing.T) {
	pt := &store.OrderDropOff{Point: thugom.DropOffPoint{ID: 9}}
	a := store.PlanOrder{Order: thugom.Order{ID: 1, HouseholdID: 10}, DropOff: pt}
	b := store.PlanOrder{Order: thugom.Order{ID: 2, HouseholdID: 11}, DropOff: pt}
	b.Household.SharesCollection, b.Household.H3 = true, "8a1"
	home := store.PlanOrder{Order: thugom.Order{ID: 3, HouseholdID: 10}}
	if groupKey(a, 0) != "p9" || groupKey(b, 0) != "p9" {
		t.Fatalf("hub keys %q %q, want p9", groupKey(a, 0), groupKey(b, 0))
	}
	if groupKey(home, 0) != "h10" || groupKey(a, 5) != "f5" {
		t.Fatalf("keys %q %q", groupKey(home, 0), groupKey(a, 5))
	}
}

func TestHubWindow(t *testing.T) {
	day := time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	by := at(9, 0)
	ready := at(10, 0)
	told := store.PlanOrder{DropOff: &store.OrderDropOff{By: &by}}
	later := store.PlanOrder{Order: thugom.Order{ReadyFrom: &ready}, DropOff: &store.OrderDropOff{}}
	for _, c := range []struct {
		name   string
		orders []store.PlanOrder
		nowS   float64
		closes int
		open   float64
		close  float64
	}{
		{"told", []store.PlanOrder{told}, 8 * 3600, 17 * 3600, 9 * 3600, 17 * 3600},
		{"the latest household", []store.PlanOrder{told, later}, 8 * 3600, 17 * 3600, 10*3600 + 1800, 17 * 3600},
		{"kept as told later in the day", []store.PlanOrder{told}, 11 * 3600, 17 * 3600, 9 * 3600, 17 * 3600},
		{"nobody said when: from now", []store.PlanOrder{{DropOff: &store.OrderDropOff{}}}, 11 * 3600, 17 * 3600, 11 * 3600, 17 * 3600},
		{"closed: an hour", []store.PlanOrder{told}, 18 * 3600, 17 * 3600, 18 * 3600, 19 * 3600},
	} {
		w := hubWindow(c.orders, day, c.nowS, c.closes)
		if w.Open != c.open || w.Close != c.close {
			t.Errorf("%s: %v–%v, want %v–%v", c.name, w.Open, w.Close, c.open, c.close)
		}
	}
}
