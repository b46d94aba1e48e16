package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

type quoteBundle struct {
	*bundle
	market      jobs.Actor // the household's carrier's marketplace
	other       jobs.Actor // another carrier's
	marketplace string
	household   int64
	product     string
	depot       int64
}

// setupQuotes seeds a geocoded demo day and picks a household with an
// order, its carrier's marketplace and another carrier.
func setupQuotes(t testing.TB) *quoteBundle {
	t.Helper()
	b := setup(t, setupOpts{households: 20})
	b.geocodeAll(t)
	q := &quoteBundle{bundle: b}
	var carrier int64
	err := b.db.QueryRow(context.Background(), `SELECT o.household_id, o.carrier_id, o.marketplace, p.code, o.depot_id
		FROM orders o JOIN products p ON p.id = o.product_id WHERE o.depot_id IS NOT NULL ORDER BY o.id LIMIT 1`).
		Scan(&q.household, &carrier, &q.marketplace, &q.product, &q.depot)
	if err != nil {
		t.Fatal(err)
	}
	q.market = jobs.Actor{Name: "marketplace:test", CarrierID: carrier}
	for _, id := range b.seeded.CarrierIDs {
		if id != carrier {
			q.other = jobs.Actor{Name: "marketplace:other", CarrierID: id}
		}
	}
	if q.other.CarrierID == 0 {
		t.Fatal("the demo has one carrier")
	}
	return q
}

func kg(v float64) *float64 { return &v }

func (q *quoteBundle) ask(t *testing.T, w float64) *thugom.Quote {
	t.Helper()
	x, err := q.svc.Quote(context.Background(), jobs.QuoteRequest{HouseholdID: q.household, DestinationProvince: "Hà Nội",
		WeightKg: kg(w), Product: q.product}, q.market)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// place places one order with the quote; an order refused comes back as
// its own error.
func (q *quoteBundle) place(quoteID int64, ref string) (*jobs.Imported, error) {
	res, err := q.svc.ImportOrders(context.Background(), []thugom.NewOrder{{Marketplace: q.marketplace, MarketplaceOrderID: ref, QuoteID: quoteID}}, false, q.market)
	var rej *jobs.RejectedOrders
	if errors.As(err, &rej) {
		err = append(rej.Invalid, rej.Duplicates...)[0].Err
	}
	return res, err
}

// A quote is stored, sane, and gives its promise to the one order placed
// with it (household, product, province and weight from the quote); a
// second order with it is a conflict.
func TestQuoteGivesItsPromise(t *testing.T) {
	t.Parallel()
	q := setupQuotes(t)
	x := q.ask(t, 12)
	now := q.clock.now()
	if x.ID == 0 || x.EarliestBy.After(x.LikelyBy) || x.LikelyBy.After(x.PromiseBy) || x.OrderBy.Before(now) ||
		x.ExpiresAt.After(now.Add(thugom.QuoteTTL)) || x.Confidence < thugom.DefaultConfidence || x.DepotID != q.depot {
		t.Fatalf("quote %+v", x)
	}
	if x.AtDepot.Before(now) || !x.EarliestBy.After(x.AtDepot) {
		t.Fatalf("earlier than possible: %+v", x)
	}
	res, err := q.place(x.ID, "quoted-1")
	if err != nil {
		t.Fatal(err)
	}
	id := res.OrderIDs[0]
	if res.Quoted[id] != x.ID {
		t.Fatalf("quoted %v, want order %d from quote %d", res.Quoted, id, x.ID)
	}
	o, err := store.OrderByID(context.Background(), q.db, id)
	if err != nil {
		t.Fatal(err)
	}
	if !o.PromisedBy.Equal(x.PromiseBy) || o.HouseholdID != q.household || o.WeightKg != 12 {
		t.Fatalf("order promised by %s household %d %g kg; quote %s household %d", o.PromisedBy, o.HouseholdID, o.WeightKg, x.PromiseBy, q.household)
	}
	if _, err := q.place(x.ID, "quoted-2"); thugom.ErrorCode(err) != thugom.EConflict {
		t.Fatalf("second order with the quote: %v, want a conflict", err)
	}
	if n := count(t, q.db, `SELECT count(*) FROM orders WHERE marketplace_order_id LIKE 'quoted-%'`); n != 1 {
		t.Fatalf("%d quoted orders, want 1", n)
	}
}

// TestQuotedOrdersMeet: two orders placed with the same quote, both
// waiting on the quote's row (held, then released at once: no sleep): one
// order, the other a conflict, nothing else written.
func TestQuotedOrdersMeet(t *testing.T) {
	t.Parallel()
	q := setupQuotes(t)
	x := q.ask(t, 10)
	ctx := context.Background()
	hold, err := q.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Exec(ctx, `SELECT 1 FROM quotes WHERE id = $1 FOR UPDATE`, x.ID); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for i := range 2 {
		go func() {
			_, err := q.place(x.ID, fmt.Sprintf("meet-%d", i))
			errs <- err
		}()
	}
	waitFor(t, ctx, func() bool {
		return count(t, q.db, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) >= 2
	})
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	var ok, conflicts int
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			ok++
		case thugom.ErrorCode(err) == thugom.EConflict:
			conflicts++
		default:
			t.Errorf("an order failed: %v", err)
		}
	}
	if ok != 1 || conflicts != 1 {
		t.Fatalf("%d orders, %d conflicts; want 1 and 1", ok, conflicts)
	}
	if n := count(t, q.db, `SELECT count(*) FROM orders WHERE marketplace_order_id LIKE 'meet-%'`); n != 1 {
		t.Fatalf("%d orders written, want 1", n)
	}
	if n := count(t, q.db, `SELECT count(*) FROM quotes WHERE id = $1 AND order_id IS NOT NULL`, x.ID); n != 1 {
		t.Fatal("the quote has no order")
	}
}

// Bad questions and bad quoted orders: a clear error, nothing stored.
func TestQuoteRefuses(t *testing.T) {
	t.Parallel()
	q := setupQuotes(t)
	ctx := context.Background()
	now := q.clock.now()
	past, future := now.Add(-2*time.Hour), now.Add(15*24*time.Hour)
	ok := jobs.QuoteRequest{HouseholdID: q.household, DestinationProvince: "01", WeightKg: kg(5), Product: q.product}
	with := func(f func(*jobs.QuoteRequest)) jobs.QuoteRequest { r := ok; f(&r); return r }
	for _, tc := range []struct {
		name  string
		r     jobs.QuoteRequest
		a     jobs.Actor
		code  string
		field string
	}{
		{"unknown household", with(func(r *jobs.QuoteRequest) { r.HouseholdID = 999999 }), q.market, thugom.EInvalid, "household_id"},
		{"another carrier's household", ok, q.other, thugom.EForbidden, "household_id"},
		{"no carrier", ok, jobs.Actor{Name: "admin"}, thugom.EForbidden, ""},
		{"unknown province", with(func(r *jobs.QuoteRequest) { r.DestinationProvince = "Atlantis" }), q.market, thugom.EInvalid, "destination_province"},
		{"no weight", with(func(r *jobs.QuoteRequest) { r.WeightKg = nil }), q.market, thugom.EInvalid, "weight_kg"},
		{"zero kg", with(func(r *jobs.QuoteRequest) { r.WeightKg = kg(0) }), q.market, thugom.EInvalid, "weight_kg"},
		{"absurd kg", with(func(r *jobs.QuoteRequest) { r.WeightKg = kg(50000) }), q.market, thugom.EInvalid, "weight_kg"},
		{"unknown product", with(func(r *jobs.QuoteRequest) { r.Product = "durian" }), q.market, thugom.EInvalid, "product"},
		{"at 2 h ago", with(func(r *jobs.QuoteRequest) { r.At = &past }), q.market, thugom.EInvalid, "at"},
		{"at in 15 days", with(func(r *jobs.QuoteRequest) { r.At = &future }), q.market, thugom.EInvalid, "at"},
	} {
		_, err := q.svc.Quote(ctx, tc.r, tc.a)
		var e *thugom.Error
		if thugom.ErrorCode(err) != tc.code || (tc.field != "" && (!errors.As(err, &e) || e.Field != tc.field)) {
			t.Errorf("%s: %v, want %s on %q", tc.name, err, tc.code, tc.field)
		}
	}
	if n := count(t, q.db, `SELECT count(*) FROM quotes`); n != 0 {
		t.Fatalf("%d quotes stored by bad questions", n)
	}
	x := q.ask(t, 5)
	orders := count(t, q.db, `SELECT count(*) FROM orders`)
	if _, err := q.svc.ImportOrders(ctx, []thugom.NewOrder{{Marketplace: q.marketplace, MarketplaceOrderID: "x-1", QuoteID: x.ID}}, false, q.other); thugom.ErrorCode(err) == "" {
		t.Error("another carrier's quote was accepted")
	}
	if _, err := q.place(x.ID+1000, "x-2"); err == nil {
		t.Error("an unknown quote was accepted")
	}
	heavy := 6.0
	if _, err := q.svc.ImportOrders(ctx, []thugom.NewOrder{{Marketplace: q.marketplace, MarketplaceOrderID: "x-3", QuoteID: x.ID, WeightKg: &heavy}}, false, q.market); err == nil {
		t.Error("an order heavier than its quote was accepted")
	}
	q.clock.t = x.ExpiresAt
	if _, err := q.place(x.ID, "x-4"); err == nil {
		t.Error("an expired quote was accepted")
	}
	if n := count(t, q.db, `SELECT count(*) FROM orders`); n != orders {
		t.Fatalf("%d orders written by bad quoted orders", n-orders)
	}
}

// Quotes that turn into orders take the depot's day: when the day has room
// for one more order only, the next quote moves out.
func TestQuotesTakeCapacity(t *testing.T) {
	t.Parallel()
	q := setupQuotes(t)
	ctx := context.Background()
	day := thugom.Day(q.clock.now())
	load, err := store.DepotLoad(ctx, q.db, q.depot, day, day.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	// One motorbike left, with room for today's orders and 30 kg more.
	if _, err := q.db.Exec(ctx, `UPDATE vehicles SET status = CASE WHEN id = (SELECT min(id) FROM vehicles WHERE depot_id = $1 AND status = 'active') THEN 'active' ELSE 'broken' END,
		capacity_kg = $2, max_trips = 1 WHERE depot_id = $1`, q.depot, load[day]+30); err != nil {
		t.Fatal(err)
	}
	first := q.ask(t, 25)
	res, err := q.place(first.ID, "cap-1")
	if err != nil {
		t.Fatal(err)
	}
	q.geocodeAll(t) // the order gets its depot (the geocoding job's work)
	if n := count(t, q.db, `SELECT count(*) FROM orders WHERE id = $1 AND depot_id = $2`, res.OrderIDs[0], q.depot); n != 1 {
		t.Fatal("the quoted order has no depot")
	}
	second := q.ask(t, 25)
	if thugom.Day(second.AtDepot).Equal(thugom.Day(first.AtDepot)) || !second.EarliestBy.After(first.EarliestBy) {
		t.Fatalf("a full day promised twice: first at the depot %s, second %s", first.AtDepot, second.AtDepot)
	}
	if small := q.ask(t, 4); !thugom.Day(small.AtDepot).Equal(thugom.Day(first.AtDepot)) {
		t.Fatalf("4 kg still fit today, quoted for %s", small.AtDepot)
	}
}

// An order whose policy promise cannot be kept even if everything goes
// right is told so at intake, with what can be kept, and journaled for the
// marketplace; one with room is not.
func TestLostPromiseAtIntake(t *testing.T) {
	t.Parallel()
	q := setupQuotes(t)
	ctx := context.Background()
	h, err := store.HouseholdByID(ctx, q.db, q.household)
	if err != nil {
		t.Fatal(err)
	}
	place := func(ref string, hours int) *jobs.Imported {
		res, err := q.svc.ImportOrders(ctx, []thugom.NewOrder{{Marketplace: q.marketplace, MarketplaceOrderID: ref, HouseholdName: h.Name,
			HouseholdPhone: h.Phone, HouseholdAddress: h.Address, Product: q.product, WeightKg: kg(5), DestinationProvince: "01",
			PromiseHours: hours}}, false, q.market)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := place("lost-1", 2) // two hours to Hà Nội: no truck can
	id := res.OrderIDs[0]
	l, ok := res.Lost[id]
	promised := q.clock.now().Add(2 * time.Hour)
	if !ok || l.KeepableBy == nil || !l.KeepableBy.After(promised) || l.Reason == "" {
		t.Fatalf("lost %v (%+v), want flagged with keepable_by after %s", ok, l, promised)
	}
	if n := count(t, q.db, `SELECT count(*) FROM events WHERE action = 'order.promise_at_risk' AND subject = $1`, fmt.Sprintf("order:%d", id)); n != 1 {
		t.Fatalf("%d events for the marketplace, want 1", n)
	}
	if res := place("kept-1", 14*24); len(res.Lost) != 0 {
		t.Fatalf("a 14-day promise flagged: %+v", res.Lost)
	}
}

// BenchmarkQuote: one quote (read, promise, stored) against a seeded demo
// day, as POST /v1/quotes makes it.
//
//	go test ./jobs -run '^$' -bench Quote -benchtime 2000x
func BenchmarkQuote(b *testing.B) {
	q := setupQuotes(b)
	ctx := context.Background()
	r := jobs.QuoteRequest{HouseholdID: q.household, DestinationProvince: "01", WeightKg: kg(8), Product: q.product}
	b.ResetTimer()
	for range b.N {
		if _, err := q.svc.Quote(ctx, r, q.market); err != nil {
			b.Fatal(err)
		}
	}
}

// A new seller (a household with no order yet) may be quoted by any
// carrier's marketplace; once one carrier has its order, another's
// marketplace may not.
func TestQuoteNewSeller(t *testing.T) {
	t.Parallel()
	q := setupQuotes(t)
	ctx := context.Background()
	var fresh int64
	if err := q.db.QueryRow(ctx, `INSERT INTO households (name, phone, address, commune_code, village, lon, lat, h3, precision, confidence, geocoded_at)
		SELECT 'Người bán mới', '+84912000777', address, commune_code, village, lon, lat, h3, precision, confidence, geocoded_at
		FROM households WHERE id = $1 RETURNING id`, q.household).Scan(&fresh); err != nil {
		t.Fatal(err)
	}
	r := jobs.QuoteRequest{HouseholdID: fresh, DestinationProvince: "01", WeightKg: kg(5), Product: q.product}
	if _, err := q.svc.Quote(ctx, r, q.other); err != nil {
		t.Fatalf("another carrier's marketplace, a new seller: %v", err)
	}
	x, err := q.svc.Quote(ctx, r, q.market)
	if err != nil {
		t.Fatalf("a new seller: %v", err)
	}
	if _, err := q.place(x.ID, "new-seller-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := q.svc.Quote(ctx, r, q.other); thugom.ErrorCode(err) != thugom.EForbidden {
		t.Fatalf("another carrier's seller quoted: %v, want forbidden", err)
	}
}

// An order counts on its depot's load on the day its produce is ready,
// not on the day of its truck: a 48 h promise's deadline is tomorrow's
// cutoff, its visit today's.
func TestDepotLoadOnReadyDay(t *testing.T) {
	t.Parallel()
	q := setupQuotes(t)
	ctx := context.Background()
	h, err := store.HouseholdByID(ctx, q.db, q.household)
	if err != nil {
		t.Fatal(err)
	}
	now := q.clock.now()
	day := thugom.Day(now)
	before, err := store.DepotLoad(ctx, q.db, q.depot, day, day.AddDate(0, 0, 3))
	if err != nil {
		t.Fatal(err)
	}
	ready := now.Add(time.Hour)
	res, err := q.svc.ImportOrders(ctx, []thugom.NewOrder{{Marketplace: q.marketplace, MarketplaceOrderID: "load-48h", HouseholdName: h.Name,
		HouseholdPhone: h.Phone, HouseholdAddress: h.Address, Product: q.product, WeightKg: kg(7), DestinationProvince: "79",
		PromiseHours: 48, ReadyFrom: &ready}}, false, q.market)
	if err != nil {
		t.Fatal(err)
	}
	q.geocodeAll(t)
	var dl time.Time
	if err := q.db.QueryRow(ctx, `SELECT handover_deadline FROM orders WHERE id = $1 AND depot_id = $2`, res.OrderIDs[0], q.depot).Scan(&dl); err != nil {
		t.Fatal(err)
	}
	if thugom.Day(dl).Equal(day) {
		t.Fatalf("the 48 h order's deadline %s is today's: the test needs a later one", dl)
	}
	after, err := store.DepotLoad(ctx, q.db, q.depot, day, day.AddDate(0, 0, 3))
	if err != nil {
		t.Fatal(err)
	}
	if got := after[day] - before[day]; got < 6.99 || got > 7.01 {
		t.Fatalf("today's load grew by %g kg, want 7 (loads %v → %v)", got, before, after)
	}
}

// TestQuotedOrderGoesToTheQuotesDepot: an order placed with a quote is
// collected by the quote's depot (its timetable gave the promise and its
// day took the capacity), even when the household, located better since,
// is now nearer another depot (the week found 16 quoted orders routed
// elsewhere, 7 of them promised earlier than their depot's first truck).
func TestQuotedOrderGoesToTheQuotesDepot(t *testing.T) {
	t.Parallel()
	q := setupQuotes(t)
	ctx := context.Background()
	x := q.ask(t, 5)
	var other int64
	if err := q.db.QueryRow(ctx, `SELECT id FROM depots WHERE carrier_id = $1 AND id <> $2 ORDER BY id LIMIT 1`, q.market.CarrierID, x.DepotID).Scan(&other); err != nil {
		t.Skipf("the carrier has one depot: %v", err)
	}
	// The quote was given when the household was placed nearer the other
	// depot.
	if _, err := q.db.Exec(ctx, `UPDATE quotes SET depot_id = $1 WHERE id = $2`, other, x.ID); err != nil {
		t.Fatal(err)
	}
	res, err := q.place(x.ID, "quoted-depot")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.svc.GeocodeHousehold(ctx, q.household); err != nil {
		t.Fatal(err)
	}
	o, err := store.OrderByID(ctx, q.db, res.OrderIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if o.DepotID == nil || *o.DepotID != other {
		t.Fatalf("quoted order at depot %v, want the quote's %d (nearest %d)", o.DepotID, other, x.DepotID)
	}
}

// TestDepotKeptBySlack: the depot's record of kept quotes counts the
// orders placed with its quotes by the half hours between readiness and
// their truck's cutoff: one delivered by its promise (the carrier's
// delivered time) is kept, one never collected is not, one cancelled is
// not counted, and promises outside the window are left out.
func TestDepotKeptBySlack(t *testing.T) {
	t.Parallel()
	q := setupQuotes(t)
	ctx := context.Background()
	var ids []int64
	for i := range 3 {
		x := q.ask(t, 4)
		res, err := q.place(x.ID, fmt.Sprintf("record-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.OrderIDs[0])
	}
	if _, err := q.svc.GeocodeHousehold(ctx, q.household); err != nil {
		t.Fatal(err)
	}
	if _, err := q.db.Exec(ctx, `INSERT INTO shipments (order_id, carrier, status, delivered_at)
		SELECT id, 'vnpost', 'created', promised_by - interval '1 hour' FROM orders WHERE id = $1`, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := q.db.Exec(ctx, `UPDATE orders SET status = 'cancelled' WHERE id = $1`, ids[2]); err != nil {
		t.Fatal(err)
	}
	var promised, deadline, asked time.Time
	if err := q.db.QueryRow(ctx, `SELECT o.promised_by, o.handover_deadline, greatest(q.asked_at, coalesce(q.ready_from, q.asked_at))
		FROM orders o JOIN quotes q ON q.order_id = o.id WHERE o.id = $1`, ids[0]).Scan(&promised, &deadline, &asked); err != nil {
		t.Fatal(err)
	}
	got, err := store.DepotKeptBySlack(ctx, q.db, q.depot, promised.Add(-time.Hour), promised.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []thugom.SlackKept{{Slack: deadline.Sub(asked).Truncate(30 * time.Minute), Aimed: 2, Kept: 1}}
	if !slices.Equal(got, want) {
		t.Fatalf("record %+v, want %+v", got, want)
	}
	if got, err := store.DepotKeptBySlack(ctx, q.db, q.depot, promised.Add(time.Hour), promised.Add(2*time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("outside the window: %+v, %v", got, err)
	}
}
