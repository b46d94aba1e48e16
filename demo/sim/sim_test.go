package sim_test

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/thugom/thugom/demo/sim"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestRunOneDay: one harvest day is the week's machinery for one day (its
// orders placed from the day before, the evening plan, the day's failures,
// breakdown and replies, then the drain days): its account counts every
// order placed, adds up, collects every order not cancelled, and leaves the
// database consistent.
func TestRunOneDay(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	rep, err := sim.RunWeek(ctx, db, jobs.Deps{Logger: slog.New(slog.DiscardHandler)},
		sim.WeekOptions{Seed: 5, Households: 150, Days: 1, Iterations: func(int) int { return 500 }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Days) != 1 {
		t.Fatalf("%d days, want 1", len(rep.Days))
	}
	d, tot := rep.Days[0], rep.Total
	t.Logf("%s: placed %d cancelled %d within %d late %d %v never %d rate %.3f", d.Day, d.Placed, d.Cancelled, d.WithinPromise, d.Late, d.LateBy, d.NeverCollected, d.WithinPromiseRate)
	if d.Placed == 0 || d.Placed != d.WithinPromise+d.Late+d.NeverCollected+d.Cancelled || d.Placed != tot.Placed || d.WithinPromise != tot.WithinPromise {
		t.Errorf("the day's account does not add up: %+v, total %+v", d, tot)
	}
	// The denominator is every order placed, less the cancelled.
	if want := float64(tot.WithinPromise) / float64(tot.Placed-tot.Cancelled); tot.WithinPromiseRate < want-0.0001 || tot.WithinPromiseRate > want+0.0001 {
		t.Errorf("rate %v, want %v of all orders", tot.WithinPromiseRate, want)
	}
	if d.Breakdowns != 1 || d.PickupFailures == 0 || d.Replans == 0 || d.KM <= 0 || d.VehiclesUsed == 0 || !d.Rainy {
		t.Errorf("the day's events did not happen: %+v", d)
	}
	// The drain days collect what the day's 48 h promises left for later.
	if tot.NeverCollected != 0 {
		t.Errorf("%d orders never collected: %v", tot.NeverCollected, tot.NeverCollectedBy)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&n); err != nil || n != tot.Placed || len(rep.Orders) != n {
		t.Errorf("%d orders in the database, %d placed, %d outcomes (%v)", n, tot.Placed, len(rep.Orders), err)
	}
	if err := db.QueryRow(ctx, `SELECT count(*) FROM (SELECT stop_id FROM tasks WHERE kind = 'pickup' GROUP BY stop_id HAVING count(*) > 1) d`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d stops with two pickup tasks (%v)", n, err)
	}
	// No order both collected and on an open stop.
	if err := db.QueryRow(ctx, `SELECT count(*) FROM orders o WHERE o.status IN ('picked_up', 'handed_over') AND EXISTS (
		SELECT 1 FROM stop_orders so JOIN stops s ON s.id = so.stop_id WHERE so.order_id = o.id AND s.status IN ('planned', 'en_route', 'arrived'))`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d collected orders still on an open stop (%v)", n, err)
	}
}

// TestRunWeek runs a small harvest week through the core's functions and
// checks its account adds up, day by day and for the week.
func TestRunWeek(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	rep, err := sim.RunWeek(ctx, db, jobs.Deps{Logger: slog.New(slog.DiscardHandler)},
		sim.WeekOptions{Seed: 5, Households: 120, Days: 3, Iterations: func(int) int { return 500 }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Days) != 3 {
		t.Fatalf("%d days, want 3", len(rep.Days))
	}
	sum := sim.Account{}
	for _, a := range append(rep.Days, rep.Total) {
		t.Logf("%s: placed %d cancelled %d within %d late %d %v never %d (%v) rate %.3f", a.Day, a.Placed, a.Cancelled, a.WithinPromise, a.Late, a.LateBy, a.NeverCollected, a.NeverCollectedBy, a.WithinPromiseRate)
		if a.Placed == 0 || a.Placed != a.WithinPromise+a.Late+a.NeverCollected+a.Cancelled {
			t.Errorf("%s: placed %d != within %d + late %d + never %d + cancelled %d", a.Day, a.Placed, a.WithinPromise, a.Late, a.NeverCollected, a.Cancelled)
		}
		if want := float64(a.WithinPromise) / float64(a.Placed-a.Cancelled); a.WithinPromiseRate < want-0.0001 || a.WithinPromiseRate > want+0.0001 {
			t.Errorf("%s: rate %v, want %v", a.Day, a.WithinPromiseRate, want)
		}
		late := 0
		for _, n := range a.LateHistogram {
			late += n
		}
		if late != a.Late {
			t.Errorf("%s: late histogram holds %d, late %d", a.Day, late, a.Late)
		}
		byCause := 0
		for _, n := range a.LateBy {
			byCause += n
		}
		if byCause != a.Late {
			t.Errorf("%s: late by cause %v holds %d, late %d", a.Day, a.LateBy, byCause, a.Late)
		}
		// The ceiling: what no plan could keep bounds the rate, and the
		// rate of what could be kept is at least the honest one.
		if a.Unreachable != a.LateBy["promise_unreachable"] || a.NoDeparture > a.Unreachable || a.WithinPromiseRate > a.BestPossibleRate+0.0001 ||
			(a.WithinReachableRate < a.WithinPromiseRate-0.0001 && a.Placed > a.Cancelled) {
			t.Errorf("%s: unreachable %d, rate %v, best possible %v, of reachable %v", a.Day, a.Unreachable, a.WithinPromiseRate, a.BestPossibleRate, a.WithinReachableRate)
		}
	}
	for _, a := range rep.Days {
		sum.Placed += a.Placed
		sum.Cancelled += a.Cancelled
		sum.WithinPromise += a.WithinPromise
		sum.Late += a.Late
		sum.NeverCollected += a.NeverCollected
		sum.SMS += a.SMS
		if a.Breakdowns != 1 || a.PickupFailures == 0 || a.KM <= 0 || a.VehiclesUsed == 0 || a.WallSeconds <= 0 {
			t.Errorf("%s: the day's events did not happen: %+v", a.Day, a)
		}
	}
	tot := rep.Total
	// Nothing dropped: every order not cancelled reaches the depot, late
	// or not, by the end of the days after the week.
	if tot.NeverCollected != 0 {
		t.Errorf("%d orders never collected: %v", tot.NeverCollected, tot.NeverCollectedBy)
	}
	if a := rep.After; a != nil {
		// The days after the week add their work, not orders.
		sum.SMS += a.SMS
		if a.Placed != 0 {
			t.Errorf("days after the week hold orders: %+v", a)
		}
	}
	if sum.Placed != tot.Placed || sum.Cancelled != tot.Cancelled || sum.WithinPromise != tot.WithinPromise || sum.Late != tot.Late ||
		sum.NeverCollected != tot.NeverCollected || sum.SMS != tot.SMS {
		t.Errorf("days do not add up to the total: %+v vs %+v", sum, tot)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&n); err != nil || n != tot.Placed {
		t.Errorf("%d orders in the database, %d placed (%v)", n, tot.Placed, err)
	}
	if !rep.Days[2].Rainy || rep.Days[0].Rainy {
		t.Errorf("the rainy day is not day 3: %+v", rep.Days)
	}
	// Policy promises: the flags are the core's (promise_lost_at), every
	// order no plan could keep was flagged, no order was quoted.
	p := rep.Promises
	if err := db.QueryRow(ctx, `SELECT count(*) FROM orders WHERE promise_lost_at IS NOT NULL AND status <> 'cancelled'`).Scan(&n); err != nil || n != p.Flagged {
		t.Errorf("%d orders flagged in the database, %d counted (%v)", n, p.Flagged, err)
	}
	if p.Mode != sim.PromisesPolicy || p.Quoted != 0 || tot.Unreachable > p.Flagged || p.Keepable != p.Orders-p.Flagged || p.PolicyPromiseHoursP50 != p.PromiseHoursP50 {
		t.Errorf("policy promise figures %+v (unreachable %d)", p, tot.Unreachable)
	}
	var b strings.Builder
	if err := sim.WriteHTML(&b, rep, sim.LangVi); err != nil {
		t.Fatal(err)
	}
	if h := b.String(); !strings.Contains(h, "<svg") || strings.Contains(h, "http://") || strings.Contains(h, "https://") || strings.Contains(h, "<script") {
		t.Errorf("the report is not a self-contained page with plots")
	}
}

// TestRunWeekQuoted: in quoted mode every order asks its carrier's quote
// at its placement and is placed with it (or, refused, with the policy
// promise, counted); a quoted order's promise is its quote's, no quote is
// earlier than the timetable allows, and the promise figures add up.
func TestRunWeekQuoted(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	rep, err := sim.RunWeek(ctx, db, jobs.Deps{Logger: slog.New(slog.DiscardHandler)},
		sim.WeekOptions{Seed: 5, Households: 100, Days: 2, Iterations: func(int) int { return 300 }, Promises: sim.PromisesQuoted})
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Promises
	t.Logf("%+v", p)
	refused := 0
	for _, n := range p.QuoteRefused {
		refused += n
	}
	if p.Mode != sim.PromisesQuoted || p.Quoted == 0 || p.Quoted+refused < p.Orders || p.Orders != rep.Total.Placed-rep.Total.Cancelled {
		t.Fatalf("quoted %d, refused %v, of %d orders (%d placed)", p.Quoted, p.QuoteRefused, p.Orders, rep.Total.Placed)
	}
	var mismatched, quotes int
	if err := db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE o.promised_by <> q.promise_by), count(*)
		FROM orders o JOIN quotes q ON q.order_id = o.id`).Scan(&mismatched, &quotes); err != nil {
		t.Fatal(err)
	}
	if mismatched != 0 || quotes < p.Quoted {
		t.Errorf("%d of %d quoted orders without their quote's promise (%d counted quoted)", mismatched, quotes, p.Quoted)
	}
	if p.EarlierThanPossible != 0 || p.WithinPromiseRate != rep.Total.WithinPromiseRate || p.PromiseHoursP50 <= 0 || p.PromiseHoursP90 < p.PromiseHoursP50 {
		t.Errorf("promise figures: %+v", p)
	}
	var quoted int
	for _, o := range rep.Orders {
		if o.Source == sim.PromisesQuoted {
			quoted++
			if o.QuotedEarliest.IsZero() || o.QuotedEarliest.After(o.Promised) || o.EarliestPossible.IsZero() || !o.SecondTruck.After(o.EarliestPossible) {
				t.Fatalf("quoted order %+v", o)
			}
		}
	}
	if quoted != quotes {
		t.Errorf("%d quoted outcomes, %d quoted orders", quoted, quotes)
	}
}

// sampleReport is a report of n days with every part of the page filled
// (late causes, the days after, a what-if), without a simulation.
func sampleReport(n int, mode string) *sim.WeekReport {
	day := sim.Account{Placed: 1234, Cancelled: 4, WithinPromise: 1036, Late: 190, NeverCollected: 4, WithinPromiseRate: 0.8423,
		LateBy:      map[string]int{"promise_unreachable": 120, "after_failed_pickup": 30, "household_later": 10, "same_day": 20, "later_day": 10},
		Unreachable: 120, NoDeparture: 60, BestPossibleRate: 0.9024, WithinReachableRate: 0.9333, LateMinutesP50: 95, LateMinutesP95: 600,
		LateHistogram: []int{10, 20, 30, 40, 50, 30, 10}, AgeP50: 120, AgeP95: 450.5, AgeHistogram: []int{1, 2, 3, 4, 5, 6, 7, 8, 9},
		KnownBy17: 800, WindowNotice12h: 700, WindowNotice12hRate: 0.875, KM: 12345.6, KgCollected: 9876.5, LitresPerKg: 0.00123,
		VehiclesUsed: 40, DriverHours: 321.5, SMS: 4321, Breakdowns: 1, PickupFailures: 120, Replans: 300}
	rep := &sim.WeekReport{Seed: 42, Households: 3000, Depots: 12, Total: day, Budgets: sim.BudgetsSaid,
		WhatIf: "+2 motorbike(s) at Bưu cục Lộc Bình (VTP-04)", After: &sim.Account{Day: "2026-09-18…2026-09-19", KM: 321.5, PickupFailures: 3},
		Promises: sim.PromiseFigures{Mode: mode, Orders: 1230, WithinPromiseRate: 0.8423, PromiseHoursP50: 24, PromiseHoursP90: 36.9, AgeP95Min: 450}}
	for i := 0; i < n; i++ {
		d := day
		d.Day = fmt.Sprintf("2026-09-%02d", 15+i)
		d.Rainy = i == min(2, n-1)
		rep.Days = append(rep.Days, d)
	}
	return rep
}

// pageText is the text a reader sees on an HTML page: its tags, style and
// entities gone.
func pageText(h string) string {
	h = regexp.MustCompile(`(?s)<style>.*?</style>`).ReplaceAllString(h, " ")
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(h, " "))
}

// TestWriteHTMLLanguages: the report is in Vietnamese by default and in
// English with LangEn, titled by its days, its numbers written the
// language's way, with no English left in the Vietnamese page but names
// and codes; the compared runs' columns show in both.
func TestWriteHTMLLanguages(t *testing.T) {
	t.Parallel()
	english := regexp.MustCompile(`(?i)\b(the|of|and|orders?|late|within|promise|days?|week|never|collected|households?|vehicles?|truck|buyer|produce|placed|cancelled|flagged|quotes?|hours?|total|rate|rainy|depot|wall|time|what-if|pickups?|planning|solver)\b`)
	for _, c := range []struct {
		lang            sim.Lang
		days            int
		title           string
		labels          []string
		heads, headsNot string
	}{
		{sim.LangVi, 1, "Một ngày thu hoạch", []string{`<html lang="vi">`, "84,2 %", "1.036 trên 1.234 đơn đã đặt", "Vì sao đơn bị trễ?", "Từng ngày",
			"12.345,6", "7,5 giờ", "15/09/2026", "+2 xe máy tại Bưu cục Lộc Bình", "Lập kế hoạch: số vòng lặp"}, "<th>báo giá (quoted)</th><th>theo sàn (policy)</th>", "<th>quoted</th>"},
		{sim.LangVi, 3, "3 ngày thu hoạch", []string{"Đơn trong thời hạn hứa, theo từng ngày", "18/09/2026…19/09/2026"}, "", ""},
		{sim.LangEn, 1, "A harvest day", []string{`<html lang="en">`, "84.2 %", "1036 of 1234 placed", "Why were orders late?", "Day by day", "12345.6", "7.5 h"},
			"<th>quoted</th><th>policy</th>", "báo giá"},
		{sim.LangEn, 7, "A harvest of 7 days", []string{"Orders within the promise, day by day"}, "", ""},
	} {
		var b strings.Builder
		if err := sim.WriteHTML(&b, sampleReport(c.days, sim.PromisesQuoted), c.lang, sampleReport(c.days, sim.PromisesPolicy)); err != nil {
			t.Fatal(err)
		}
		h := b.String()
		if !strings.Contains(h, "<h1>"+c.title+"</h1>") || !strings.Contains(h, "<title>"+c.title+":") {
			t.Errorf("%s, %d days: not titled %q", c.lang, c.days, c.title)
		}
		for _, l := range append(c.labels, c.heads) {
			if !strings.Contains(h, l) {
				t.Errorf("%s, %d days: no %q", c.lang, c.days, l)
			}
		}
		if c.headsNot != "" && strings.Contains(h, c.headsNot) {
			t.Errorf("%s: %q in the page", c.lang, c.headsNot)
		}
		if c.lang == sim.LangVi {
			// What English may stay: names and codes (policy, quoted,
			// keepable_by, p90, p95, SMS, km, thugom).
			if m := english.FindAllString(pageText(h), -1); len(m) > 0 {
				t.Errorf("%d days: English words in the Vietnamese report: %q", c.days, m)
			}
		}
	}
	// The default language is Vietnamese.
	def, err := sim.ParseLang("")
	if err != nil || def != sim.LangVi {
		t.Errorf("default language %q (%v)", def, err)
	}
}
