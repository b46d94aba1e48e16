package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

var testLinkSecret = []byte("test household link secret 32 by")

// TestWindowSMSCarriesLink plans every depot of a seeded demo day with a
// link base set: each window message in the outbox is one SMS of at most
// 160 septets; those that carry the link carry the household's own valid
// short code on their last line, and the others are the complete text
// without it. It logs the share that carry the link.
func TestWindowSMSCarriesLink(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 400})
	ctx := context.Background()
	b.geocodeAll(t)
	svc, err := jobs.New(b.db, jobs.Deps{Clock: b.clock.now, PlanIterations: 1000, SLAWatchEvery: -1, Logger: testLogger(t),
		LinkBase: "https://thugom.vn", LinkSecret: testLinkSecret})
	if err != nil {
		t.Fatal(err)
	}
	for _, depot := range b.seeded.DepotIDs {
		if _, err := svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
			t.Fatalf("plan depot %d: %v", depot, err)
		}
	}
	rows, err := b.db.Query(ctx, `SELECT household_id, body FROM notifications WHERE kind IN ('pickup_window', 'pickup_changed') ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	total, linked := 0, 0
	forms := map[string]int{} // how the linked messages made room
	for rows.Next() {
		var hh int64
		var body string
		if err := rows.Scan(&hh, &body); err != nil {
			t.Fatal(err)
		}
		total++
		if n, ok := thugom.GSM7Len(body); !ok || n > thugom.SMSMaxLen {
			t.Errorf("household %d: %d septets (GSM-7 %v): %q", hh, n, ok, body)
		}
		for _, need := range []string{" don", "ngay ", "luc ", "1=san sang", "2=hoan", "0=huy"} {
			if !strings.Contains(body, need) {
				t.Errorf("household %d: %q missing: %q", hh, need, body)
			}
		}
		text, link, ok := strings.Cut(body, "\n")
		if !ok {
			if !strings.Contains(text, "Tra loi 1=san sang, 2=hoan sang mai, 0=huy") {
				t.Errorf("household %d: no link and not the complete text: %q", hh, body)
			}
			continue
		}
		linked++
		switch {
		case strings.Contains(text, "Tra loi 1=san sang, 2=hoan sang mai, 0=huy"):
			forms["full hint"]++
		case strings.Contains(text, "Tra loi 1=san sang, 2=hoan, 0=huy"):
			forms["medium hint"]++
		case strings.Contains(text, "Thugom: BC "), strings.Contains(text, "(BC "):
			forms["short hint, BC"]++
		default:
			forms["short hint"]++
		}
		code, ok := strings.CutPrefix(link, "thugom.vn/s/")
		if !ok {
			t.Errorf("household %d: last line %q is not the short link", hh, link)
			continue
		}
		// Valid on the day itself, for this household.
		if id, err := thugom.VerifyShortLink(testLinkSecret, code, testDay.Add(20*60*60)); err != nil || id != hh {
			t.Errorf("household %d: code %q verifies as %d, %v", hh, code, id, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if total == 0 {
		t.Fatal("no window message")
	}
	t.Logf("window messages with the link: %d of %d (%.1f %%); %v", linked, total, 100*float64(linked)/float64(total), forms)
	if linked == 0 {
		t.Error("no window message carries the link")
	}
	// Without a link base (the default), no message carries one.
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE body LIKE '%/s/%' AND kind NOT IN ('pickup_window', 'pickup_changed')`); n != 0 {
		t.Errorf("%d messages of other kinds carry the link", n)
	}
}

// TestWindowSMSNoLinkBase: the default service (no LinkBase) sends today's
// messages, with no link.
func TestWindowSMSNoLinkBase(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 150})
	ctx := context.Background()
	b.geocodeAll(t)
	if _, err := b.svc.PlanDepotDay(ctx, b.busiestDepot(t), testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE kind = 'pickup_window'`); n == 0 {
		t.Fatal("no window message")
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE body LIKE '%/s/%' OR body LIKE E'%\n%'`); n != 0 {
		t.Errorf("%d messages carry a link without a link base", n)
	}
}

// TestChangedSMSCarriesLink: a breakdown re-plans the day; households told
// a window that moved get a changed message that carries the link too.
func TestChangedSMSCarriesLink(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 200})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	b.geocodeAll(t)
	svc, err := jobs.New(b.db, jobs.Deps{Clock: b.clock.now, Workers: 2, PlanIterations: 1000, SLAWatchEvery: -1, EveningAt: -1,
		FetchPollInterval: 200 * time.Millisecond, Logger: testLogger(t), LinkBase: "thugom.vn", LinkSecret: testLinkSecret})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = svc.Stop(context.Background()) }()
	depot := b.busiestDepot(t)
	if _, err := svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	idle := func() bool {
		return count(t, b.db, `SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded') AND kind IN ('send_sms', 'plan_depot_day')`) == 0
	}
	waitFor(t, ctx, idle) // the windows are sent: a move is now a change
	var vehicle int64
	if err := b.db.QueryRow(ctx, `SELECT r.vehicle_id FROM routes r JOIN plans p ON p.id = r.plan_id JOIN stops s ON s.route_id = r.id
		WHERE p.depot_id = $1 AND p.status = 'done' AND s.kind = 'pickup' GROUP BY r.vehicle_id ORDER BY count(*) DESC, r.vehicle_id LIMIT 1`, depot).Scan(&vehicle); err != nil {
		t.Fatal(err)
	}
	if err := svc.ReportBreakdown(ctx, vehicle, "test"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, func() bool {
		return count(t, b.db, `SELECT count(*) FROM plans WHERE depot_id = $1 AND status = 'done'`, depot) >= 1 &&
			count(t, b.db, `SELECT count(*) FROM plans WHERE depot_id = $1`, depot) >= 2 && idle()
	})
	rows, err := b.db.Query(ctx, `SELECT household_id, body FROM notifications WHERE kind = 'pickup_changed' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	changed, linked := 0, 0
	for rows.Next() {
		var hh int64
		var body string
		if err := rows.Scan(&hh, &body); err != nil {
			t.Fatal(err)
		}
		changed++
		if n, ok := thugom.GSM7Len(body); !ok || n > thugom.SMSMaxLen {
			t.Errorf("household %d: %d septets: %q", hh, n, body)
		}
		if _, link, ok := strings.Cut(body, "\nthugom.vn/s/"); ok {
			linked++
			if id, err := thugom.VerifyShortLink(testLinkSecret, link, b.clock.now()); err != nil || id != hh {
				t.Errorf("household %d: link %q verifies as %d, %v", hh, link, id, err)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("changed messages after the breakdown: %d, %d with the link", changed, linked)
	if changed == 0 || linked == 0 {
		t.Errorf("%d changed messages, %d with the link; want some with it", changed, linked)
	}
}

// TestLinkBaseNeedsSecret: a link base without a signing secret is a
// configuration error, not silently no link.
func TestLinkBaseNeedsSecret(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	if _, err := jobs.New(b.db, jobs.Deps{LinkBase: "thugom.vn", LinkSecret: []byte("short")}); err == nil {
		t.Error("LinkBase with a 5-byte secret accepted")
	}
	if _, err := jobs.New(b.db, jobs.Deps{LinkBase: "thugom.vn", LinkSecret: testLinkSecret}); err != nil {
		t.Error(err)
	}
}
