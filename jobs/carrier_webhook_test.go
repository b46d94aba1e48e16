package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// vtpHook is a ViettelPost webhook body.
func vtpHook(token, waybill, date string, code int, extra map[string]any) []byte {
	data := map[string]any{"ORDER_NUMBER": waybill, "ORDER_REFERENCE": "", "ORDER_STATUSDATE": date, "ORDER_STATUS": code,
		"STATUS_NAME": fmt.Sprintf("status %d", code), "LOCALION_CURRENTLY": "Bưu cục Chi Lăng", "MONEY_COLLECTION": 225000, "EXPECTED_DELIVERY": "2 ngày"}
	for k, v := range extra {
		data[k] = v
	}
	b, _ := json.Marshal(map[string]any{"DATA": data, "TOKEN": token})
	return b
}

// vnpHook is a VNPost webhook body, signed with key.
func vnpHook(key, waybill, sendDate string, code int) []byte {
	data, _ := json.Marshal(map[string]any{"ItemCode": waybill, "OrderCode": "", "OrderStatusId": code, "StatusName": fmt.Sprintf("trạng thái %d", code), "Unknown": true})
	b, _ := json.Marshal(map[string]any{"Data": string(data), "SendDate": sendDate, "SignData": jobs.VNPostSign(string(data), key)})
	return b
}

// Both carriers' webhooks: a bad token or signature is refused and
// changes nothing; a status applies forward only (a repeat, a late one
// change nothing) and is kept once with its unknown fields; a delivered
// status is the order's delivery fact; bad dates and codes are invalid;
// an unknown waybill is kept for an administrator and not found.
func TestCarrierWebhooks(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtIntake, 0)
	ctx := context.Background()
	vtpMsg, vtpOrder := importOrderOf(t, cb, thugom.MarketplaceVoso, "VS-HOOK")
	vnpMsg, vnpOrder := importOrderOf(t, cb, thugom.MarketplacePostmart, "PM-HOOK")
	for _, id := range []int64{vtpMsg, vnpMsg} {
		if err := cb.svc.SendCarrier(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	vtpSh, _ := cb.svc.ShipmentOf(ctx, vtpOrder)
	vnpSh, _ := cb.svc.ShipmentOf(ctx, vnpOrder)
	if vtpSh == nil || vnpSh == nil || vtpSh.Carrier != thugom.CarrierViettelPost || vnpSh.Carrier != thugom.CarrierVNPost {
		t.Fatalf("shipments: %+v %+v", vtpSh, vnpSh)
	}
	hook := func(carrier string, body []byte) (*jobs.CarrierStatusResult, error) {
		return cb.svc.CarrierWebhook(ctx, carrier, body)
	}
	vtp, vnp := thugom.CarrierViettelPost, thugom.CarrierVNPost

	for name, c := range map[string]struct {
		carrier string
		body    []byte
		code    string
	}{
		"vtp token":     {vtp, vtpHook("wrong-token-wrong-token", vtpSh.Waybill, "16/09/2026 08:00:00", 105, nil), thugom.EUnauthorized},
		"vtp no token":  {vtp, vtpHook("", vtpSh.Waybill, "16/09/2026 08:00:00", 105, nil), thugom.EUnauthorized},
		"vnp signature": {vnp, vnpHook("not-the-key-not-the-key", vnpSh.Waybill, "2026-09-16T08:00:00+07:00", 70), thugom.EUnauthorized},
		"vtp json":      {vtp, []byte(`{"DATA": `), thugom.EInvalid},
		"vtp date":      {vtp, vtpHook(vtpHookToken, vtpSh.Waybill, "2026-09-16 08:00", 105, nil), thugom.EInvalid},
		"vtp code":      {vtp, vtpHook(vtpHookToken, vtpSh.Waybill, "16/09/2026 08:00:00", 105, map[string]any{"ORDER_STATUS": "giao"}), thugom.EInvalid},
		"vnp date":      {vnp, vnpHook(vnpHookKey, vnpSh.Waybill, "hôm nay", 70), thugom.EInvalid},
		"vtp unknown":   {vtp, vtpHook(vtpHookToken, "999999999999", "16/09/2026 08:00:00", 105, nil), thugom.ENotFound},
		"not set up":    {"ghn", vtpHook(vtpHookToken, vtpSh.Waybill, "16/09/2026 08:00:00", 105, nil), thugom.ENotFound},
	} {
		if _, err := hook(c.carrier, c.body); thugom.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_events`); n != 1 {
		t.Errorf("%d carrier events after the refused webhooks, want 1 (the unknown waybill)", n)
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_events WHERE order_id IS NULL AND waybill = '999999999999' AND NOT applied`); n != 1 {
		t.Error("the unknown waybill is not kept for an administrator")
	}

	// Forward only: picked up (105) applies; a repeat and an older status
	// (-100 before it) do not; delivered (501) applies and is the fact.
	steps := []struct {
		body             []byte
		applied, dup     bool
		delivered, after bool
	}{
		{body: vtpHook(vtpHookToken, vtpSh.Waybill, "16/09/2026 08:00:00", 105, map[string]any{"NEW_FIELD": "kept"}), applied: true},
		{body: vtpHook(vtpHookToken, vtpSh.Waybill, "16/09/2026 08:00:00", 105, map[string]any{"NEW_FIELD": "kept"}), dup: true},
		{body: vtpHook(vtpHookToken, vtpSh.Waybill, "15/09/2026 20:00:00", -100, nil)},
		{body: vtpHook(vtpHookToken, vtpSh.Waybill, "17/09/2026 10:30:00", 501, nil), applied: true, delivered: true},
		{body: vtpHook(vtpHookToken, vtpSh.Waybill, "17/09/2026 09:00:00", 200, nil)},
	}
	for i, st := range steps {
		res, err := hook(vtp, st.body)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if res.OrderID != vtpOrder || res.Applied != st.applied || res.Duplicate != st.dup || res.Delivered != st.delivered {
			t.Errorf("step %d: %+v, want applied %v duplicate %v delivered %v", i, res, st.applied, st.dup, st.delivered)
		}
	}
	sh, err := cb.svc.ShipmentOf(ctx, vtpOrder)
	if err != nil {
		t.Fatal(err)
	}
	wantAt := time.Date(2026, 9, 17, 10, 30, 0, 0, thugom.Local)
	if sh.CarrierCode == nil || *sh.CarrierCode != 501 || sh.DeliveredAt == nil || !sh.DeliveredAt.Equal(wantAt) {
		t.Errorf("after delivery: code %v delivered %v, want 501 at %s", sh.CarrierCode, sh.DeliveredAt, wantAt)
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_events WHERE order_id = $1`, vtpOrder); n != 4 {
		t.Errorf("%d events kept for 4 distinct statuses", n)
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_events WHERE order_id = $1 AND payload->>'NEW_FIELD' = 'kept'`, vtpOrder); n != 1 {
		t.Error("the unknown field is not kept")
	}

	// VNPost: accepted at the office (70), then delivered (100).
	for i, code := range []int{70, thugom.VNPostDelivered} {
		res, err := hook(vnp, vnpHook(vnpHookKey, vnpSh.Waybill, fmt.Sprintf("2026-09-1%dT09:00:00+07:00", 6+i), code))
		if err != nil || !res.Applied || res.Delivered != (code == thugom.VNPostDelivered) {
			t.Fatalf("vnpost %d: %+v %v", code, res, err)
		}
	}
	if sh, _ := cb.svc.ShipmentOf(ctx, vnpOrder); sh.DeliveredAt == nil {
		t.Error("VNPost's delivery not recorded")
	}
	if _, err := hook(vnp, vnpHook(vnpHookKey, "EB000000000VN", "2026-09-16T09:00:00+07:00", 20)); !errors.Is(err, thugom.ErrNotFound) {
		t.Errorf("unknown item code: %v", err)
	}
}

// The same webhook twice at once (a carrier's retry racing its first
// send): both wait on the shipment another transaction holds, then one
// applies and the other is a repeat.
func TestCarrierWebhookRace(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtIntake, 0)
	ctx := context.Background()
	msg, order := importOrderOf(t, cb, thugom.MarketplacePostmart, "PM-RACE")
	if err := cb.svc.SendCarrier(ctx, msg); err != nil {
		t.Fatal(err)
	}
	sh, _ := cb.svc.ShipmentOf(ctx, order)
	hold, err := cb.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hold.Rollback(ctx) }()
	if _, err := hold.Exec(ctx, `SELECT 1 FROM shipments WHERE order_id = $1 FOR UPDATE`, order); err != nil {
		t.Fatal(err)
	}
	body := vnpHook(vnpHookKey, sh.Waybill, "2026-09-16T09:00:00+07:00", 70)
	results := make(chan *jobs.CarrierStatusResult, 2)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			res, err := cb.svc.CarrierWebhook(ctx, thugom.CarrierVNPost, body)
			results <- res
			errs <- err
		}()
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	waitFor(t, wctx, func() bool {
		return count(t, cb.db, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 2
	})
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	applied, dup := 0, 0
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		res := <-results
		if res.Applied {
			applied++
		}
		if res.Duplicate {
			dup++
		}
	}
	if applied != 1 || dup != 1 {
		t.Errorf("%d applied, %d repeats; want 1 and 1", applied, dup)
	}
	if n := count(t, cb.db, `SELECT count(*) FROM carrier_events WHERE order_id = $1`, order); n != 1 {
		t.Errorf("%d events kept, want 1", n)
	}
}
