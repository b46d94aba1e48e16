package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// TestEstimatedDeliveryStored: the estimate of a collected order's
// delivery is thugom.EstimatedDelivery's, stored at pickup and again at the
// hand-over, and the day report and the SLA board read it. The depot's
// timetable has what migration 00855's SQL got wrong: a truck to every
// province ("*") beside one to Hà Nội by code, and orders whose province
// is written by name. (The departures table refuses an overnight truck,
// cutoff after departure: TestNetworkConstraintsNameFields; the rule's
// overnight case is TestEstimatedDelivery's.)
func TestEstimatedDeliveryStored(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 60})
	b.geocodeAll(t)
	ctx := context.Background()
	depot := b.busiestDepot(t)
	if _, err := b.db.Exec(ctx, `UPDATE departures SET active = false WHERE depot_id = $1`, depot); err != nil {
		t.Fatal(err)
	}
	timetable := []thugom.Departure{
		{DepotID: depot, Name: "evening", CutoffAt: 19 * 3600, DepartsAt: 20 * 3600, TransitHours: 4, Destinations: []string{"01"}},
		{DepotID: depot, Name: "star", CutoffAt: 13 * 3600, DepartsAt: 14 * 3600, TransitHours: 30, Destinations: []string{"*"}},
	}
	for i := range timetable {
		if err := store.InsertDeparture(ctx, b.db, &timetable[i]); err != nil {
			t.Fatal(err)
		}
	}
	res, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{})
	if err != nil {
		t.Fatal(err)
	}
	stops := idsOf(t, b.db, `SELECT s.id FROM stops s JOIN routes r ON r.id = s.route_id
		WHERE r.plan_id = $1 AND s.kind = 'pickup' ORDER BY r.id, s.seq LIMIT 2`, res.PlanID)
	if len(stops) != 2 {
		t.Fatalf("%d pickup stops", len(stops))
	}
	provinces := []string{"Thành phố Hà Nội", "Cà Mau"}
	var ids []int64
	province := map[int64]string{}
	pickedAt := testDay.Add(9 * time.Hour)
	for i, stop := range stops {
		if _, err := b.db.Exec(ctx, `UPDATE orders SET destination_province = $2 WHERE id IN (SELECT order_id FROM stop_orders WHERE stop_id = $1)`,
			stop, provinces[i]); err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{thugom.StopEnRoute, thugom.StopArrived, thugom.StopPickedUp} {
			if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: stop, Status: st, Parcels: 1, WeightKg: 5, At: pickedAt, Actor: "test"}); err != nil {
				t.Fatalf("stop %d %s: %v", stop, st, err)
			}
		}
		unload, err := store.StopUnloadAt(ctx, b.db, stop)
		if err != nil {
			t.Fatal(err)
		}
		atDepot := pickedAt
		if unload != nil && unload.After(atDepot) {
			atDepot = *unload
		}
		want, ok := thugom.EstimatedDelivery(timetable, provinces[i], atDepot)
		if !ok {
			t.Fatalf("no estimate for %s at %s", provinces[i], atDepot)
		}
		for _, id := range idsOf(t, b.db, `SELECT order_id FROM stop_orders WHERE stop_id = $1 ORDER BY order_id`, stop) {
			ids = append(ids, id)
			province[id] = provinces[i]
			if got := stored(t, b.db, id); got == nil || !got.Equal(want) {
				t.Errorf("order %d (%s) picked up, at the depot %s: estimate %v, want %s", id, provinces[i], atDepot, got, want)
			}
		}
	}
	// Handed over at 15:00: the evening truck reaches Hà Nội at midnight;
	// Cà Mau, past today's 13:00 cutoff, rides tomorrow's star truck
	// (14:00 + 30 h).
	b.clock.t = testDay.Add(15 * time.Hour)
	if _, err := b.svc.HandOver(ctx, ids, jobs.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		provinces[0]: testDay.Add(24 * time.Hour),
		provinces[1]: testDay.Add(24*time.Hour + 14*time.Hour + 30*time.Hour),
	}
	for _, id := range ids {
		if got := stored(t, b.db, id); got == nil || !got.Equal(want[province[id]]) {
			t.Errorf("order %d (%s) handed over at 15:00: estimate %v, want %s", id, province[id], got, want[province[id]])
		}
	}
	// The day report and the SLA board read it.
	dl, err := store.DayDeliveriesOf(ctx, b.db, depot, testDay)
	if err != nil {
		t.Fatal(err)
	}
	if dl.Estimated != len(ids) || dl.Unknown != 0 {
		t.Errorf("day report: %d estimated, %d unknown, want %d estimated", dl.Estimated, dl.Unknown, len(ids))
	}
	for _, d := range dl.Orders {
		if w, ok := want[province[d.OrderID]]; ok && (d.DeliveredAt == nil || !d.DeliveredAt.Equal(w) || d.Source != store.DeliveredEstimate) {
			t.Errorf("day report order %d: %+v, want the estimate %s", d.OrderID, d, w)
		}
	}
	// Every order promised before its estimate is on the board, late, with
	// that estimate.
	for _, id := range ids {
		if _, err := b.db.Exec(ctx, `UPDATE orders SET promised_by = $2 WHERE id = $1`, id, want[province[id]].Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	items, err := store.SLABoard(ctx, b.db, depot, 0, testDay, b.clock.t)
	if err != nil {
		t.Fatal(err)
	}
	listed := 0
	for _, it := range items {
		if w, ok := want[province[it.OrderID]]; ok {
			listed++
			if !it.Late || it.DeliveredAt == nil || !it.DeliveredAt.Equal(w) || it.DeliveredSource != store.DeliveredEstimate {
				t.Errorf("board order %d: %+v, want late on the estimate %s", it.OrderID, it, w)
			}
		}
	}
	if listed != len(ids) {
		t.Errorf("board lists %d of the %d late orders", listed, len(ids))
	}
}

func stored(t *testing.T, db *store.DB, orderID int64) *time.Time {
	t.Helper()
	var at *time.Time
	if err := db.QueryRow(context.Background(), `SELECT estimated_delivery FROM orders WHERE id = $1`, orderID).Scan(&at); err != nil {
		t.Fatal(err)
	}
	return at
}
