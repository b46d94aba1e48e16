package jobs_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

func TestHousekeepingPrunesOldIdempotencyKeys(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	ctx := context.Background()
	for _, key := range []string{"old", "recent"} {
		if _, err := store.ClaimIdempotencyKey(ctx, b.db, "driver:1", key, []byte("h")); err != nil {
			t.Fatal(err)
		}
	}
	old := b.clock.t.Add(-jobs.IdempotencyRetention - time.Hour)
	if _, err := b.db.Exec(ctx, `UPDATE idempotency_keys SET created_at = $1 WHERE key = 'old'`, old); err != nil {
		t.Fatal(err)
	}
	done, err := b.svc.Housekeep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := done.IdempotencyKeys; n != 1 {
		t.Errorf("pruned %d keys, want 1", n)
	}
	if got := count(t, b.db, `SELECT count(*) FROM idempotency_keys WHERE key = 'recent'`); got != 1 {
		t.Errorf("recent key kept %d times, want 1", got)
	}
}

// The buyer's details are blanked BuyerRetention after the carrier's
// delivered time or the cancellation, not before, and not on an order
// still on its way; an order without a buyer holds none to begin with.
func TestHousekeepingForgetsBuyers(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtIntake, 0)
	ctx := context.Background()
	ids := importBuyers(t, cb, testBuyer, "VS-H-DELIVERED", "VS-H-RECENT", "VS-H-CANCELLED", "VS-H-OPEN", "VS-H-NONE")
	if n := count(t, cb.db, `SELECT count(*) FROM orders WHERE id = $1 AND num_nonnulls(receiver_name, receiver_phone, receiver_address,
		receiver_district_id, receiver_ward_id, receiver_district, receiver_ward) = 0`, ids[4]); n != 1 {
		t.Error("an order without a buyer holds buyer's columns")
	}
	if b, err := store.OrderBuyer(ctx, cb.db, ids[0]); err != nil || b != testBuyer {
		t.Fatalf("stored buyer %+v %v", b, err)
	}
	for _, id := range ids[:2] { // created at ViettelPost, then delivered
		if err := cb.svc.SendCarrier(ctx, msgOf(t, cb, id, "create")); err != nil {
			t.Fatal(err)
		}
	}
	for i, at := range []string{"17/09/2026 10:30:00", "17/09/2026 12:00:00"} {
		sh, err := store.ShipmentOfOrder(ctx, cb.db, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if res, err := cb.svc.CarrierWebhook(ctx, thugom.CarrierViettelPost, vtpHook(vtpHookToken, sh.Waybill, at, 501, nil)); err != nil || !res.Delivered {
			t.Fatalf("delivered: %+v %v", res, err)
		}
	}
	if err := cb.svc.CancelOrder(ctx, ids[2], "test", jobs.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	// An hour before the cancellation's 30 days: nothing is old enough.
	cancelled := cb.clock.t
	cb.clock.t = cancelled.Add(thugom.BuyerRetention - time.Hour)
	if done, err := cb.svc.Housekeep(ctx); err != nil || len(done.Buyers) != 0 {
		t.Fatalf("an hour early: %+v %v", done, err)
	}
	// Half an hour after the first delivery's 30 days: it and the
	// cancellation (two days earlier) go; the second delivery (an hour and
	// a half later) and the open order stay.
	delivered := time.Date(2026, 9, 17, 10, 30, 0, 0, thugom.Local)
	cb.clock.t = delivered.Add(thugom.BuyerRetention + 30*time.Minute)
	done, err := cb.svc.Housekeep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Buyers) != 2 || !slices.Contains(done.Buyers, ids[0]) || !slices.Contains(done.Buyers, ids[2]) {
		t.Errorf("blanked %v, want %v", done.Buyers, []int64{ids[0], ids[2]})
	}
	for i, want := range []thugom.Buyer{{}, testBuyer, {}, testBuyer, {}} {
		if b, err := store.OrderBuyer(ctx, cb.db, ids[i]); err != nil || b != want {
			t.Errorf("order %d: buyer %+v %v, want %+v", i, b, err, want)
		}
	}
	if n := count(t, cb.db, `SELECT count(*) FROM orders WHERE id = ANY($1) AND weight_kg = 4 AND destination_province = '01'`, ids); n != 5 {
		t.Errorf("%d orders kept whole but their buyer, want 5", n)
	}
	if done, err := cb.svc.Housekeep(ctx); err != nil || len(done.Buyers) != 0 { // again: nothing more
		t.Errorf("again: %+v %v", done, err)
	}
}

// Two housekeepings meet (the hourly job and another run) on an order
// whose row a third transaction holds: both wait, then one blanks the
// buyer and the other, re-reading the row, finds nothing left to do; the
// order is reported once.
func TestHousekeepingConcurrentForget(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtIntake, 0)
	ctx := context.Background()
	order := importBuyers(t, cb, testBuyer, "VS-H-RACE")[0]
	if err := cb.svc.CancelOrder(ctx, order, "test", jobs.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	cb.clock.t = cb.clock.t.Add(thugom.BuyerRetention + time.Hour)
	hold, err := cb.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hold.Rollback(ctx) }()
	if _, err := hold.Exec(ctx, `SELECT id FROM orders WHERE id = $1 FOR UPDATE`, order); err != nil {
		t.Fatal(err)
	}
	type result struct {
		done jobs.Housekept
		err  error
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			done, err := cb.svc.Housekeep(ctx)
			results <- result{done, err}
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
	var blanked []int64
	for range 2 {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		blanked = append(blanked, r.done.Buyers...)
	}
	if len(blanked) != 1 || blanked[0] != order {
		t.Errorf("blanked %v, want [%d] once", blanked, order)
	}
	if b, err := store.OrderBuyer(ctx, cb.db, order); err != nil || !b.Empty() {
		t.Errorf("buyer after: %+v %v", b, err)
	}
}
