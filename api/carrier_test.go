package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// An order's page carries its carrier's waybill once the shipment exists,
// and the carrier's refusal when there is one; without a shipment,
// neither.
func TestOrderCarrierWaybill(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.seedDay(2)
	ctx := context.Background()
	if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: ids[0], Carrier: thugom.CarrierVNPost, Waybill: "EB100000001VN", Status: thugom.ShipmentCreated, UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: ids[1], Carrier: thugom.CarrierVNPost, Status: thugom.ShipmentFailed, Error: "vnpost: refused: 422", UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Waybill string `json:"carrier_waybill"`
		Error   string `json:"carrier_error"`
	}
	r := b.do("GET", fmt.Sprintf("/v1/orders/%d", ids[0]), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &got)
	if got.Waybill != "EB100000001VN" || got.Error != "" {
		t.Errorf("created: %+v", got)
	}
	got.Waybill, got.Error = "", ""
	r = b.do("GET", fmt.Sprintf("/v1/orders/%d", ids[1]), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &got)
	if got.Waybill != "" || got.Error == "" {
		t.Errorf("refused: %+v", got)
	}
}

// The carriers' webhooks over HTTP: a bad signature is a 401 problem and
// changes nothing; a good one applies once (a repeat is answered, not
// applied); the delivery shows on the order; an unconfigured carrier and
// bad JSON are problems, never a 500.
func TestCarrierHooksHTTP(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.seedDay(1)
	ctx := context.Background()
	if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: ids[0], Carrier: thugom.CarrierVNPost, Waybill: "EB100000002VN", Status: thugom.ShipmentCreated, UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	const key = "vnpost-webhook-key-16"
	svc, err := jobs.New(b.db, jobs.Deps{Clock: func() time.Time { return testNow }, Carriers: jobs.CarrierConfig{
		Connectors: map[string]jobs.CarrierConnector{thugom.CarrierVNPost: &jobs.VNPost{Username: "u", Password: "p", WebhookKey: key}}}})
	if err != nil {
		t.Fatal(err)
	}
	b.srv = httptest.NewServer(checkOpenAPI(t, api.New(api.Deps{DB: b.db, Service: svc, Clock: func() time.Time { return testNow }, Secret: secret})))
	t.Cleanup(b.srv.Close)
	hook := func(signKey, sendDate string, code int) map[string]any {
		data, _ := json.Marshal(map[string]any{"ItemCode": "EB100000002VN", "OrderStatusId": code, "StatusName": "Phát thành công"})
		return map[string]any{"Data": string(data), "SendDate": sendDate, "SignData": jobs.VNPostSign(string(data), signKey)}
	}
	wantStatus(t, b.do("POST", "/hooks/vnpost", "", hook("wrong-key-wrong-key", "2026-09-16T09:00:00+07:00", 100)), http.StatusUnauthorized, "SignData")
	if n := countRows(t, b, `SELECT count(*) FROM carrier_events`); n != 0 {
		t.Fatalf("%d events after a bad signature", n)
	}
	var res struct {
		Applied, Duplicate, Delivered bool
	}
	r := b.do("POST", "/hooks/vnpost", "", hook(key, "2026-09-16T09:00:00+07:00", 100))
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &res)
	if !res.Applied || !res.Delivered {
		t.Errorf("delivered: %s", r.body)
	}
	r = b.do("POST", "/hooks/vnpost", "", hook(key, "2026-09-16T09:00:00+07:00", 100))
	wantStatus(t, r, http.StatusOK, "")
	res = struct{ Applied, Duplicate, Delivered bool }{}
	r.json(t, &res)
	if res.Applied || !res.Duplicate {
		t.Errorf("repeat: %s", r.body)
	}
	var o struct {
		DeliveredAt   *time.Time `json:"delivered_at"`
		CarrierStatus *struct {
			Code int    `json:"code"`
			Name string `json:"name"`
		} `json:"carrier_status"`
	}
	r = b.do("GET", fmt.Sprintf("/v1/orders/%d", ids[0]), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &o)
	if o.DeliveredAt == nil || !o.DeliveredAt.Equal(time.Date(2026, 9, 16, 9, 0, 0, 0, thugom.Local)) || o.CarrierStatus == nil || o.CarrierStatus.Code != 100 {
		t.Errorf("order after delivery: %s", r.body)
	}
	wantStatus(t, b.do("POST", "/hooks/viettelpost", "", map[string]any{"DATA": map[string]any{}, "TOKEN": "x"}), http.StatusNotFound, "carrier")
	r = b.do("POST", "/hooks/vnpost", "", `{"Data": `)
	if r.status < 400 || r.status >= 500 {
		t.Errorf("bad JSON: %d %s", r.status, r.body)
	}
}

func countRows(t *testing.T, b *bundle, q string) int {
	t.Helper()
	var n int
	if err := b.db.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// stopOrderIDs returns the orders a stop collects.
func stopOrderIDs(t *testing.T, b *bundle, stopID int64) []int64 {
	t.Helper()
	rows, err := b.db.Query(context.Background(), "SELECT order_id FROM stop_orders WHERE stop_id = $1 ORDER BY order_id", stopID)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		t.Fatalf("orders of stop %d: %v %v", stopID, ids, err)
	}
	return ids
}

// The carrier's waybill where users look: the driver's manifest stops
// (the manifest's version moves when it arrives), the console's stops and
// the household page (an order still to collect, and one collected);
// without a shipment, no field and no line.
func TestWaybillShown(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.driverDay(6)
	if len(d.pickups) < 3 {
		t.Skipf("the plan gave the driver %d pickups", len(d.pickups))
	}
	ctx := context.Background()
	type stopJSON struct {
		ID      int64 `json:"id"`
		Collect []struct {
			OrderID int64   `json:"order_id"`
			Waybill *string `json:"carrier_waybill"`
		} `json:"collect"`
	}
	var man struct {
		Routes []struct {
			Stops []stopJSON `json:"stops"`
		} `json:"routes"`
	}
	path := fmt.Sprintf("/v1/drivers/%d/manifest?date=%s", d.driver, testNow.Format(time.DateOnly))
	waybills := func() (map[int64]*string, string) {
		t.Helper()
		r := b.do("GET", path, d.token, nil)
		wantStatus(t, r, http.StatusOK, "")
		man.Routes = nil
		r.json(t, &man)
		out := map[int64]*string{}
		for _, rt := range man.Routes {
			for _, st := range rt.Stops {
				for _, c := range st.Collect {
					out[c.OrderID] = c.Waybill
				}
			}
		}
		return out, r.header.Get("ETag")
	}
	before, etag := waybills()
	for id, w := range before {
		if w != nil {
			t.Errorf("order %d: carrier_waybill %q before any shipment", id, *w)
		}
	}
	picked, intake, none := stopOrderIDs(t, b, d.pickups[0]), stopOrderIDs(t, b, d.pickups[1]), stopOrderIDs(t, b, d.pickups[2])
	want := map[int64]string{}
	for i, id := range append(append([]int64{}, picked...), intake...) {
		want[id] = fmt.Sprintf("VTP%09d", 100+i)
		if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: id, Carrier: thugom.CarrierViettelPost, Waybill: want[id], Status: thugom.ShipmentCreated, UpdatedAt: testNow}); err != nil {
			t.Fatal(err)
		}
	}
	after, etag2 := waybills()
	if etag2 == etag {
		t.Errorf("manifest ETag %s unchanged after the waybills arrived", etag)
	}
	for id, w := range after {
		switch {
		case want[id] == "" && w != nil:
			t.Errorf("order %d: carrier_waybill %q without a shipment", id, *w)
		case want[id] != "" && (w == nil || *w != want[id]):
			t.Errorf("order %d: carrier_waybill %v, want %s", id, w, want[id])
		}
	}

	// The console's stops carry the same field.
	r := b.do("GET", fmt.Sprintf("/v1/depots/%d/console?date=%s", b.depot.ID, testNow.Format(time.DateOnly)), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `"carrier_waybill":"`+want[picked[0]]+`"`) {
		t.Errorf("console lacks the waybill %s", want[picked[0]])
	}

	// The household pages: the first stop collected, the second still to
	// collect (shipment made at intake), the third without a shipment.
	body := map[string]any{"happened_at": testNow.Add(-5 * time.Minute).Format(time.RFC3339), "parcels": 2, "weight_kg": 9.5}
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/pickup", d.pickups[0]), d.token, body, "Idempotency-Key", "wb1"), http.StatusOK, "")
	page := func(orderID int64) string {
		t.Helper()
		var hid int64
		if err := b.db.QueryRow(ctx, "SELECT household_id FROM orders WHERE id = $1", orderID).Scan(&hid); err != nil {
			t.Fatal(err)
		}
		r := b.do("GET", "/h/"+api.SignHouseholdLink(secret, hid, testNow.Add(48*time.Hour)), "", nil)
		wantStatus(t, r, http.StatusOK, "")
		return string(r.body)
	}
	if p := page(picked[0]); !strings.Contains(p, `id="shipped"`) || !strings.Contains(p, "Mã vận đơn: <strong>"+want[picked[0]]+"</strong>") {
		t.Errorf("collected household's page lacks its waybill %s:\n%s", want[picked[0]], p)
	}
	if p := page(intake[0]); !strings.Contains(p, "Mã vận đơn: "+want[intake[0]]) || strings.Contains(p, `id="shipped"`) {
		t.Errorf("household to collect: page lacks the waybill %s or shows it shipped:\n%s", want[intake[0]], p)
	}
	if p := page(none[0]); strings.Contains(p, "Mã vận đơn") {
		t.Errorf("household without a shipment shows a waybill line:\n%s", p)
	}
}

// The manifest's stops carry each order's carrier_status and delivered_at:
// null (present) until the carrier says so, its code, name and time after.
func TestManifestCarrierStatus(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.driverDay(4)
	if len(d.pickups) < 1 {
		t.Skip("the plan gave the driver no pickup")
	}
	ctx := context.Background()
	orders := stopOrderIDs(t, b, d.pickups[0])
	id := orders[0]
	if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: id, Carrier: thugom.CarrierViettelPost, Waybill: "185500000001", Status: thugom.ShipmentCreated, UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/v1/drivers/%d/manifest?date=%s", d.driver, testNow.Format(time.DateOnly))
	collect := func() map[int64]map[string]json.RawMessage {
		t.Helper()
		r := b.do("GET", path, d.token, nil)
		wantStatus(t, r, http.StatusOK, "")
		var man struct {
			Routes []struct {
				Stops []struct {
					Collect []map[string]json.RawMessage `json:"collect"`
				} `json:"stops"`
			} `json:"routes"`
		}
		r.json(t, &man)
		out := map[int64]map[string]json.RawMessage{}
		for _, rt := range man.Routes {
			for _, st := range rt.Stops {
				for _, c := range st.Collect {
					var oid int64
					_ = json.Unmarshal(c["order_id"], &oid)
					out[oid] = c
				}
			}
		}
		return out
	}
	before := collect()
	for _, k := range []string{"carrier_status", "delivered_at"} {
		if v, ok := before[id][k]; !ok || string(v) != "null" {
			t.Errorf("before the carrier's status: %s = %s (present %v), want null", k, v, ok)
		}
	}
	at := time.Date(2026, 9, 16, 9, 30, 0, 0, thugom.Local)
	if err := store.SetShipmentCarrierStatus(ctx, b.db, id, 501, "Phát thành công", at, true, testNow); err != nil {
		t.Fatal(err)
	}
	after := collect()
	var st struct {
		Code int    `json:"code"`
		Name string `json:"name"`
	}
	var del time.Time
	if err := json.Unmarshal(after[id]["carrier_status"], &st); err != nil || st.Code != 501 || st.Name != "Phát thành công" {
		t.Errorf("carrier_status %s", after[id]["carrier_status"])
	}
	if err := json.Unmarshal(after[id]["delivered_at"], &del); err != nil || !del.Equal(at) {
		t.Errorf("delivered_at %s, want %s", after[id]["delivered_at"], at)
	}
	if len(orders) > 1 && string(after[orders[1]]["delivered_at"]) != "null" {
		t.Errorf("an order the carrier said nothing of: delivered_at %s", after[orders[1]]["delivered_at"])
	}
}

// A carrier's refusal of a message is on the console of the order's
// depot, for an administrator; none is an empty list.
func TestConsoleCarrierFailures(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.seedDay(1)
	path := fmt.Sprintf("/v1/depots/%d/console?date=%s", b.depot.ID, testNow.Format(time.DateOnly))
	r := b.do("GET", path, b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `"carrier_failures":[]`) {
		t.Errorf("console without refusals: no empty carrier_failures")
	}
	if _, err := b.db.Exec(context.Background(), `INSERT INTO carrier_outbox (order_id, carrier, action, status, error, created_at, seq)
		VALUES ($1, 'viettelpost', 'picked_up', 'failed', 'viettelpost: refused by the carrier: 400 Bad Request', $2, 1)`, ids[0], testNow); err != nil {
		t.Fatal(err)
	}
	r = b.do("GET", path, b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), fmt.Sprintf(`"carrier_failures":[{"order_id":%d,"carrier":"viettelpost","action":"picked_up","error":"viettelpost: refused by the carrier: 400 Bad Request"`, ids[0])) {
		t.Errorf("console lacks the refusal: %.2000s", r.body)
	}
}
