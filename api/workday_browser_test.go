package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/thugom/thugom"
)

// phoneAt sets the phone's clock (every page's Date) to at, then running:
// the app reads the time of day from the phone, the tests' business clock
// is not the machine's. Before the first navigation.
func phoneAt(at time.Time) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(fmt.Sprintf(`(() => {
			const D = Date, off = %d - D.now();
			function F(...a) { if (!new.target) return new D(D.now() + off).toString(); return a.length ? new D(...a) : new D(D.now() + off); }
			F.prototype = D.prototype; F.now = () => D.now() + off; F.UTC = D.UTC; F.parse = D.parse;
			globalThis.Date = F;
		})()`, at.UnixMilli())).Do(ctx)
		return err
	})
}

// TestDriverAppEveningBefore drives the driver's app at 412×860 the evening
// before: today's stops done, the app shows today; tomorrow's plan is
// published while it is open and the app moves to it ("Ngày mai, ..."),
// keeps both days offline and switches between them. Tomorrow's stop (no
// cash on delivery) prints no "null"; the next stop is open, the others one
// line until tapped; the phone icon is drawn (SVG, no font); the sketch's
// numbers do not overlap; a pickup 12 hours before its window is confirmed
// first.
func TestDriverAppEveningBefore(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 412, 860)
	b := setup(t)
	d := b.driverDay(8)
	today := testNow.Format(time.DateOnly)
	evening := thugom.Day(testNow).Add(19 * time.Hour)
	b.moved.Store(evening.UnixNano())

	b.finishDay(d, evening) // today's work done

	var offline atomic.Bool
	inner := b.srv.Config.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if offline.Load() {
			panic(http.ErrAbortHandler)
		}
		inner.ServeHTTP(w, r)
	}))
	defer srv.Close()
	setOffline := func(off bool) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			offline.Store(off)
			return network.EmulateNetworkConditions(off, 0, -1, -1).Do(ctx)
		})
	}
	dayIs := func(date string) chromedp.Action {
		return waitJS(ctx, fmt.Sprintf(`document.querySelector('#day').dataset.date === %q`, date))
	}
	var dayText string
	err := chromedp.Run(phase(ctx),
		network.Enable(),
		phoneAt(evening),
		chromedp.Navigate(fmt.Sprintf("%s/d/#token=%s", srv.URL, d.token)),
		dayIs(today),
		chromedp.Text(`#day`, &dayText, chromedp.ByQuery),
		shot(t, "driver-evening-today.png"),
	)
	if err != nil {
		t.Fatalf("19:00, nothing tomorrow: %v", err)
	}
	if !strings.HasPrefix(dayText, "Hôm nay, thứ hai 23/11") {
		t.Errorf("today's heading %q", dayText)
	}
	b.readableSketch(ctx)

	// Tomorrow's plan is published while the app is open: it moves there.
	tomorrow := b.planTomorrow(d.idx).Format(time.DateOnly)
	if n := b.count(`SELECT count(*) FROM routes r JOIN plans p ON p.id = r.plan_id WHERE p.status = 'done' AND p.day = $1 AND r.driver_id = $2`,
		tomorrow, d.driver); n == 0 {
		t.Fatalf("tomorrow's plan gave driver %d no route", d.driver)
	}
	var tabs []string
	var body string
	err = chromedp.Run(phase(ctx),
		chromedp.Click(`#resend`, chromedp.ByID),
		dayIs(tomorrow),
		chromedp.Text(`#day`, &dayText, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll('#days button')].map(b => b.textContent)`, &tabs),
		chromedp.Evaluate(`document.body.innerText`, &body),
		shot(t, "driver-evening-tomorrow.png"),
	)
	if err != nil {
		t.Fatalf("tomorrow published: %v", err)
	}
	if dayText != "Ngày mai, thứ ba 24/11" || len(tabs) != 2 || tabs[0] != "Hôm nay" || tabs[1] != dayText {
		t.Errorf("tomorrow: heading %q, tabs %q", dayText, tabs)
	}
	noNull(t, "tomorrow", body)
	var widths []int
	var wide string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`[innerWidth, document.documentElement.scrollWidth]`, &widths),
		chromedp.Evaluate(`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className.baseVal + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')`, &wide)); err != nil {
		t.Fatal(err)
	}
	if len(widths) != 2 || widths[1] > widths[0] {
		t.Errorf("the page scrolls sideways on a %v px phone: %s", widths, wide)
	}

	// The next stop is open, the others one line; a tap opens another.
	var opened, lines, tel int
	var telText string
	err = chromedp.Run(phase(ctx),
		chromedp.Evaluate(`document.querySelectorAll('article[data-open=true]').length`, &opened),
		chromedp.Evaluate(`document.querySelectorAll('a[href^="tel:"] svg.icon path').length`, &tel),
		chromedp.Evaluate(`(document.querySelector('a[href^="tel:"]') || {}).textContent || ''`, &telText),
		chromedp.Click(`#days button[data-day="`+today+`"]`, chromedp.ByQuery),
		dayIs(today),
		chromedp.Evaluate(`document.querySelectorAll('article.line [data-expand]').length`, &lines),
		chromedp.Evaluate(`document.body.innerText`, &body),
	)
	if err != nil {
		t.Fatalf("cards: %v", err)
	}
	if opened != 1 || tel != 1 || strings.ContainsAny(telText, "📞☎") {
		t.Errorf("tomorrow: %d stops open (want 1: the next), phone icon paths %d, link text %q", opened, tel, telText)
	}
	if lines != len(d.pickups) {
		t.Errorf("today, all done: %d one-line stops, want %d", lines, len(d.pickups))
	}
	noNull(t, "today", body)
	var openID string
	err = chromedp.Run(phase(ctx),
		chromedp.Click(fmt.Sprintf(`[data-expand="%d"]`, d.pickups[2]), chromedp.ByQuery),
		waitJS(ctx, fmt.Sprintf(`document.querySelector('[data-stop-id="%d"]').dataset.open === 'true'`, d.pickups[2])),
		chromedp.Evaluate(`[...document.querySelectorAll('article[data-open=true]')].map(a => a.dataset.stopId).join(',')`, &openID),
	)
	if err != nil || openID != fmt.Sprint(d.pickups[2]) {
		t.Errorf("tapped stop %d: open %q (%v)", d.pickups[2], openID, err)
	}

	// Tomorrow's first pickup, confirmed at 19:00 today: 12 hours before
	// its window, the app asks first; "Không" sends nothing.
	var tmr int64
	if err := b.db.QueryRow(context.Background(), `SELECT s.id FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
		WHERE p.status = 'done' AND p.day = $1 AND r.driver_id = $2 AND s.kind = 'pickup' ORDER BY s.arrive_at LIMIT 1`, tomorrow, d.driver).Scan(&tmr); err != nil {
		t.Fatal(err)
	}
	sel := func(action string) string { return fmt.Sprintf(`[data-stop-id="%d"] [data-action="%s"]`, tmr, action) }
	var ask string
	var pickupHidden bool
	err = chromedp.Run(phase(ctx),
		chromedp.Click(`#days button[data-day="`+tomorrow+`"]`, chromedp.ByQuery),
		dayIs(tomorrow),
		chromedp.Click(sel("pickup"), chromedp.ByQuery),
		chromedp.WaitVisible(sel("pickup-confirm"), chromedp.ByQuery),
		chromedp.Text(fmt.Sprintf(`[data-stop-id="%d"] .confirm p`, tmr), &ask, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector('[data-stop-id="%d"] [data-action="pickup"]').offsetParent === null`, tmr), &pickupHidden),
		shot(t, "driver-evening-confirm.png"),
		chromedp.Click(sel("pickup-cancel"), chromedp.ByQuery),
		chromedp.WaitNotPresent(sel("pickup-confirm"), chromedp.ByQuery),
		waitJS(ctx, `document.querySelector('#pending-count').textContent === '0'`),
	)
	if err != nil {
		t.Fatalf("far pickup: %v", err)
	}
	if !strings.Contains(ask, "sớm") || !strings.Contains(ask, "giờ") || !pickupHidden {
		t.Errorf("the confirmation says %q; the plain pickup button hidden meanwhile: %v", ask, pickupHidden)
	}
	if n := b.count(`SELECT count(*) FROM driver_events WHERE stop_id = $1`, tmr); n != 0 {
		t.Errorf("a cancelled pickup reached the server: %d events", n)
	}

	// Offline: reload, tomorrow is there and today too.
	var shownTomorrow, shownToday int
	err = chromedp.Run(phase(ctx),
		setOffline(true),
		chromedp.Reload(),
		dayIs(tomorrow),
		chromedp.Evaluate(`document.querySelectorAll('article[data-stop-id]').length`, &shownTomorrow),
		chromedp.Click(`#days button[data-day="`+today+`"]`, chromedp.ByQuery),
		dayIs(today),
		chromedp.Evaluate(`document.querySelectorAll('article[data-stop-id]').length`, &shownToday),
		setOffline(false),
	)
	if err != nil {
		t.Fatalf("offline: %v", err)
	}
	if shownTomorrow == 0 || shownToday < len(d.pickups) {
		t.Errorf("offline: %d stops tomorrow, %d today (want > 0, %d+)", shownTomorrow, shownToday, len(d.pickups))
	}
	// At 02:28 the next day, 4 hours before the window: confirmed
	// ("Đúng"), the pickup is queued and sent; the day is today now.
	night := thugom.Day(testNow).Add(24*time.Hour + 2*time.Hour + 28*time.Minute)
	b.moved.Store(night.UnixNano())
	err = chromedp.Run(phase(ctx),
		phoneAt(night),
		chromedp.Reload(),
		dayIs(tomorrow),
		waitJS(ctx, `document.querySelector('#day').textContent.startsWith('Hôm nay, thứ ba 24/11')`),
		// The server's answer is in (one day left to show: no tabs) before
		// the tap, which a redraw would otherwise swallow.
		waitJS(ctx, `document.querySelector('#days').hidden`),
		chromedp.Click(sel("pickup"), chromedp.ByQuery),
		chromedp.WaitVisible(sel("pickup-confirm"), chromedp.ByQuery),
		chromedp.Click(sel("pickup-confirm"), chromedp.ByQuery),
		waitJS(ctx, fmt.Sprintf(`document.querySelector('[data-stop-id="%d"]').dataset.status === 'picked_up'`, tmr)),
		chromedp.Click(`#resend`, chromedp.ByID),
		waitJS(ctx, `document.querySelector('#pending-count').textContent === '0'`),
	)
	if err != nil {
		t.Fatalf("confirmed pickup: %v", err)
	}
	var refused string
	_ = chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('#refusals').innerText`, &refused))
	if n := b.count(`SELECT count(*) FROM driver_events WHERE stop_id = $1 AND status = 'picked_up'`, tmr); n != 1 {
		t.Errorf("the confirmed pickup: %d events on the server, want 1 (refused: %q)", n, refused)
	}
}

// noNull: nothing the driver reads says null or undefined.
func noNull(t *testing.T, what, body string) {
	t.Helper()
	for _, w := range []string{"null", "undefined", "NaN", "[object"} {
		if strings.Contains(body, w) {
			t.Errorf("%s: the app prints %q: %q", what, w, body)
		}
	}
}

// readableSketch: the route sketch's numbers, as drawn, overlap no other.
func (b *bundle) readableSketch(ctx context.Context) {
	t := b.t
	var sketches [][][]float64
	var unlabelled []string
	err := chromedp.Run(phase(ctx),
		chromedp.Evaluate(`[...document.querySelectorAll('svg.sketch')].map(s => [...s.querySelectorAll('text')].map(t => { const b = t.getBBox(); return [b.x, b.y, b.width, b.height]; }))`, &sketches),
		chromedp.Evaluate(`[...document.querySelectorAll('svg.sketch')].map(s => s.dataset.unlabelled)`, &unlabelled),
	)
	if err != nil {
		t.Fatalf("sketch: %v", err)
	}
	n := 0
	for k, boxes := range sketches {
		n += len(boxes)
		for i, a := range boxes {
			for _, c := range boxes[i+1:] {
				if a[0] < c[0]+c[2] && c[0] < a[0]+a[2] && a[1] < c[1]+c[3] && c[1] < a[1]+a[3] {
					t.Errorf("sketch %d: numbers overlap: %v and %v", k+1, a, c)
				}
			}
		}
	}
	if n == 0 {
		t.Fatalf("no numbers on the sketch")
	}
	t.Logf("sketch: %d numbers drawn over %d trips, none overlapping; left off per trip: %v", n, len(sketches), unlabelled)
}
