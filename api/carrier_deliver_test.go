package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/fakecarrier"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// The fakes deliver: an order handed over to each carrier (its shipment
// made at the fake, the handover told on the post office's status
// interface) is carried by the timetable, delivered, and told back by the
// carrier's webhook through thugom's real endpoint: the order then
// carries the carrier's delivered time as delivered_at. A first attempt
// that fails (FailShare 1) is delivered on the next day's round, the
// failure told before; a handover told twice is carried once.
func TestFakeCarrierDelivers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.seedDay(2)
	ctx := context.Background()
	const token, key = "viettelpost-webhook-token", "vnpost-webhook-key-16"
	vtp, vnp := fakecarrier.NewViettelPost("u", "p"), fakecarrier.NewVNPost("u", "p")
	mux := http.NewServeMux()
	mux.Handle("/viettelpost/", vtp)
	mux.Handle("/vnpost/", vnp)
	fake := httptest.NewServer(mux)
	t.Cleanup(fake.Close)
	conns := map[string]jobs.CarrierConnector{
		thugom.CarrierViettelPost: &jobs.ViettelPost{URL: fake.URL + "/viettelpost/v2", StatusURL: fake.URL + "/viettelpost" + fakecarrier.StatusPath,
			Username: "u", Password: "p", WebhookToken: token},
		thugom.CarrierVNPost: &jobs.VNPost{URL: fake.URL + "/vnpost/api/api", StatusURL: fake.URL + "/vnpost" + fakecarrier.StatusPath,
			Username: "u", Password: "p", WebhookKey: key},
	}
	svc, err := jobs.New(b.db, jobs.Deps{Clock: func() time.Time { return testNow }, Carriers: jobs.CarrierConfig{Connectors: conns}})
	if err != nil {
		t.Fatal(err)
	}
	b.srv = httptest.NewServer(checkOpenAPI(t, api.New(api.Deps{DB: b.db, Service: svc, Clock: func() time.Time { return testNow }, Secret: secret})))
	t.Cleanup(b.srv.Close)

	// One truck, 11:00 (cutoff 10:30), 7 h to every province.
	deps := []thugom.Departure{{Name: "Hà Nội 11:00", DepartsAt: 11 * 3600, CutoffAt: 10*3600 + 30*60, TransitHours: 7}}
	arrival := func(o fakecarrier.Order, at time.Time) (time.Time, bool) {
		return fakecarrier.Timetable(deps, "01", at)
	}
	couriers := map[string]*fakecarrier.Courier{
		thugom.CarrierViettelPost: vtp.Deliver(b.srv.URL+"/hooks/viettelpost", token, nil, 1),
		thugom.CarrierVNPost:      vnp.Deliver(b.srv.URL+"/hooks/vnpost", key, nil, 2),
	}
	couriers[thugom.CarrierVNPost].FailShare = 1
	handedAt := time.Date(2026, 9, 16, 10, 0, 0, 0, thugom.Local)
	carriers := []string{thugom.CarrierViettelPost, thugom.CarrierVNPost}
	for i, c := range carriers {
		couriers[c].Arrival = arrival
		ref := fmt.Sprintf("DELIVER-%d", i)
		wb, err := conns[c].CreateShipment(ctx, jobs.CarrierShipment{OrderID: ids[i], Reference: ref, SenderName: "Hộ", SenderPhone: "+84912000000",
			SenderAddress: "Lạng Sơn", DestinationProvince: "01", ProductName: "Na", WeightGrams: 5000, Parcels: 1})
		if err != nil {
			t.Fatalf("%s: create: %v", c, err)
		}
		if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: ids[i], Carrier: c, Waybill: wb.Number, CarrierRef: wb.Ref,
			Status: thugom.ShipmentCreated, UpdatedAt: testNow}); err != nil {
			t.Fatal(err)
		}
		for range 2 { // told twice: carried once
			if err := conns[c].UpdateShipment(ctx, wb, jobs.ShipmentUpdate{Transition: "handed_over", Reference: ref, At: handedAt}); err != nil {
				t.Fatalf("%s: handover: %v", c, err)
			}
		}
		if got := getDelivered(t, b, ids[i]); got.DeliveredAt != nil {
			t.Fatalf("%s: delivered_at %v before the carrier said so", c, got.DeliveredAt)
		}
	}
	// The truck is scheduled at the buyer at 18:00 (door to door):
	// nothing is delivered before.
	for i, c := range carriers {
		if n, err := couriers[c].Flush(ctx, handedAt.Add(8*time.Hour-time.Second)); err != nil || getDelivered(t, b, ids[i]).DeliveredAt != nil {
			t.Fatalf("%s: %d sent by 17:59:59 (%v), or delivered before its scheduled time", c, n, err)
		}
	}
	for i, c := range carriers {
		if _, err := couriers[c].Flush(ctx, handedAt.Add(7*24*time.Hour)); err != nil {
			t.Fatalf("%s: flush: %v", c, err)
		}
		if p := couriers[c].Pending(); len(p) != 0 {
			t.Fatalf("%s: %d webhooks still pending", c, len(p))
		}
		sent := couriers[c].Sent()
		last := sent[len(sent)-1]
		var codes []int
		for _, h := range sent {
			codes = append(codes, h.Code)
		}
		want := map[string]string{thugom.CarrierViettelPost: "[400 500 501]", thugom.CarrierVNPost: "[91 100]"}[c]
		if fmt.Sprint(codes) != want {
			t.Errorf("%s: statuses sent %v, want %s (carried once)", c, codes, want)
		}
		got := getDelivered(t, b, ids[i])
		if got.DeliveredAt == nil || !got.DeliveredAt.Equal(last.At) || got.Status == nil || got.Status.Code != last.Code {
			t.Fatalf("%s: order %+v, want delivered at %s (code %d)", c, got, last.At, last.Code)
		}
		// Delivered in a round (08:00–21:00), not before its scheduled
		// 18:00 on the 16th; after the failed attempt, on a later day.
		local := got.DeliveredAt.In(thugom.Local)
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, thugom.Local)
		earliest := handedAt.Add(8 * time.Hour)
		if c == thugom.CarrierVNPost {
			earliest = time.Date(2026, 9, 17, 8, 0, 0, 0, thugom.Local)
		}
		if local.Before(earliest) || local.Before(day.Add(8*time.Hour)) || local.After(day.Add(21*time.Hour)) {
			t.Errorf("%s: delivered at %s, want from %s, in a round (08:00-21:00)", c, local, earliest)
		}
	}
	if n := countRows(t, b, `SELECT count(*) FROM carrier_events`); n != 5 {
		t.Errorf("%d carrier events, want 5 (each status once)", n)
	}
}

type deliveredOrder struct {
	DeliveredAt *time.Time `json:"delivered_at"`
	Status      *struct {
		Code int `json:"code"`
	} `json:"carrier_status"`
}

func getDelivered(t *testing.T, b *bundle, id int64) deliveredOrder {
	t.Helper()
	r := b.do("GET", fmt.Sprintf("/v1/orders/%d", id), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	var o deliveredOrder
	r.json(t, &o)
	return o
}

// The day report and the SLA board measure the promise on facts: an order
// collected and handed over is measured on thugom's estimate (the first
// truck after it is at the depot, plus its transit: BC-LS's 17:00, cutoff
// 16:00, 6 h) until its carrier tells its delivery, then on the carrier's
// time, and both say which; the report's counts follow, and the board
// lists the order late once delivered after its promise.
func TestDayReportDeliveredOnFacts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.seedDay(2)
	ctx := context.Background()
	for _, id := range ids {
		var stopID int64
		if err := b.db.QueryRow(ctx, `SELECT stop_id FROM stop_orders WHERE order_id = $1 ORDER BY stop_id DESC LIMIT 1`, id).Scan(&stopID); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.RecordPickup(ctx, jobs.PickupEvent{StopID: stopID, Status: thugom.StopPickedUp, Parcels: 1, At: testNow, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.svc.HandOver(ctx, ids, jobs.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	report := func() (out struct {
		Delivered struct {
			Within    int `json:"within_promise"`
			Late      int `json:"late"`
			ByCarrier int `json:"by_carrier"`
			Estimated int `json:"estimated"`
			Orders    []struct {
				OrderID     int64      `json:"order_id"`
				PromisedBy  time.Time  `json:"promised_by"`
				DeliveredAt *time.Time `json:"delivered_at"`
				Source      string     `json:"delivered_source"`
				Within      bool       `json:"within_promise"`
			} `json:"orders"`
		} `json:"delivered"`
	}) {
		r := b.do("GET", fmt.Sprintf("/v1/depots/%d/report?date=%s", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil)
		wantStatus(t, r, http.StatusOK, "")
		r.json(t, &out)
		return out
	}
	// The SLA board lists a collected order late when its delivery, on
	// the same measure, is after its promise, and says which measure.
	board := func() map[int64]store.SLAItem {
		r := b.do("GET", fmt.Sprintf("/v1/sla?depot_id=%d&date=%s", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil)
		wantStatus(t, r, http.StatusOK, "")
		var out struct {
			Late []store.SLAItem `json:"late"`
		}
		r.json(t, &out)
		m := map[int64]store.SLAItem{}
		for _, it := range out.Late {
			m[it.OrderID] = it
		}
		return m
	}
	estimate := time.Date(2026, 11, 23, 23, 0, 0, 0, thugom.Local)
	got := report().Delivered
	late := board()
	for _, o := range got.Orders {
		it, listed := late[o.OrderID]
		if listed == o.Within || (listed && (it.DeliveredSource != store.DeliveredEstimate || !it.DeliveredAt.Equal(estimate))) {
			t.Errorf("order %d within promise %v on the estimate: board %+v (listed %v)", o.OrderID, o.Within, it, listed)
		}
	}
	if len(got.Orders) != 2 || got.Estimated != 2 || got.ByCarrier != 0 {
		t.Fatalf("before the carrier: %+v", got)
	}
	for _, o := range got.Orders {
		if o.Source != store.DeliveredEstimate || o.DeliveredAt == nil || !o.DeliveredAt.Equal(estimate) || o.Within != !estimate.After(o.PromisedBy) {
			t.Errorf("order %d: %+v, want the estimate %s", o.OrderID, o, estimate)
		}
	}
	// The carrier delivers the first a day after its promise.
	first := got.Orders[0]
	fact := first.PromisedBy.Add(24 * time.Hour).Truncate(time.Second)
	if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: first.OrderID, Carrier: thugom.CarrierViettelPost, Waybill: "185500000001",
		Status: thugom.ShipmentCreated, UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetShipmentCarrierStatus(ctx, b.db, first.OrderID, 501, "Phát thành công", fact, true, testNow); err != nil {
		t.Fatal(err)
	}
	got = report().Delivered
	if got.ByCarrier != 1 || got.Estimated != 1 || got.Late < 1 {
		t.Fatalf("after the carrier: %+v", got)
	}
	it, listed := board()[first.OrderID]
	if !listed || it.DeliveredSource != store.DeliveredByCarrier || it.DeliveredAt == nil || !it.DeliveredAt.Equal(fact) || !it.Late {
		t.Errorf("board after the carrier's late delivery: %+v (listed %v)", it, listed)
	}
	for _, o := range got.Orders {
		if o.OrderID == first.OrderID && (o.Source != store.DeliveredByCarrier || o.DeliveredAt == nil || !o.DeliveredAt.Equal(fact) || o.Within) {
			t.Errorf("order %d: %+v, want the carrier's %s, late", o.OrderID, o, fact)
		}
	}
}
