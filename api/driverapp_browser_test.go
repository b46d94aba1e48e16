package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// TestDriverAppOffline drives the driver's app in headless Chromium: load
// it once online, lose the network (DevTools emulation, and the server
// drops every connection meanwhile), reload — the stops are there; confirm
// 3 pickups and 1 failure offline while a dispatcher re-plans the depot;
// back online, the outbox empties and the server holds exactly those 4
// reports with the phone's times. It also measures the budgets: the first
// load's bytes and the time to a usable list on "Slow 3G".
func TestDriverAppOffline(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	b := setup(t)
	d := b.driverDay(8)
	if len(d.pickups) < 4 {
		t.Skipf("the plan gave the driver %d pickups", len(d.pickups))
	}
	ctx0 := context.Background()

	// The phone's network: while offline, the server drops every request
	// (and counts it), so nothing can come from it by mistake.
	var offline atomic.Bool
	var dropped atomic.Int64
	inner := b.srv.Config.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if offline.Load() {
			dropped.Add(1)
			panic(http.ErrAbortHandler)
		}
		inner.ServeHTTP(w, r)
	}))
	defer srv.Close()

	profile, err := os.MkdirTemp("", "thugom-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for i := 0; i < 5 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(200 * time.Millisecond)
		}
	}()
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(412, 915))
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 150*time.Second)
	defer cancel()
	artifacts := filepath.Join("..", "testdata", "artifacts")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	var shot []byte
	save := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			if err := chromedp.FullScreenshot(&shot, 90).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(artifacts, name), shot, 0o644)
		})
	}
	setOffline := func(off bool) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			offline.Store(off)
			return network.EmulateNetworkConditions(off, 0, -1, -1).Do(ctx)
		})
	}
	pendingIs := func(n int) chromedp.Action {
		return chromedp.Poll(fmt.Sprintf(`document.querySelector('#pending-count').textContent === '%d'`, n), nil,
			chromedp.WithPollingInterval(100*time.Millisecond))
	}
	click := func(stop int64, action string) chromedp.Action {
		return chromedp.Click(fmt.Sprintf(`[data-stop-id="%d"] [data-action="%s"]`, stop, action), chromedp.ByQuery)
	}

	// The carrier's waybill of every pickup's orders (shipments made at
	// intake): the open card says it on one line.
	for _, stop := range d.pickups {
		for _, id := range stopOrderIDs(t, b, stop) {
			if err := store.SaveShipment(ctx0, b.db, &store.Shipment{OrderID: id, Carrier: thugom.CarrierViettelPost, Waybill: fmt.Sprintf("VTP%09d", id),
				Status: thugom.ShipmentCreated, UpdatedAt: testNow}); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Online, once: the link carries the token in the fragment.
	var stops, firstLoad int
	var hashLeft, waybillLine string
	err = chromedp.Run(ctx,
		network.Enable(),
		// The phone at 07:50 of the test's day, within two hours of every
		// window (a pickup far outside its window is confirmed first).
		phoneAt(thugom.Day(testNow).Add(7*time.Hour+50*time.Minute)),
		chromedp.Navigate(fmt.Sprintf("%s/d/#token=%s", srv.URL, d.token)),
		chromedp.WaitVisible(`[data-stop-id]`, chromedp.ByQuery),
		chromedp.WaitReady(`body[data-sw="ready"]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('article[data-stop-id]').length`, &stops),
		chromedp.Evaluate(`location.hash`, &hashLeft),
		chromedp.Text(`article[data-open="true"] .waybill`, &waybillLine, chromedp.ByQuery),
		chromedp.Evaluate(`performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).reduce((s, e) => s + e.transferSize, 0)`, &firstLoad),
		save("driver-app.png"),
	)
	if err != nil {
		t.Fatalf("first load: %v", err)
	}
	if !regexp.MustCompile(`^Mã vận đơn: VTP\d{9}(, VTP\d{9})*$`).MatchString(waybillLine) {
		t.Errorf("open card's waybill line %q", waybillLine)
	}
	t.Logf("first load: %d bytes transferred (budget 150 KB compressed)", firstLoad)
	if firstLoad == 0 || firstLoad > 150*1024 {
		t.Errorf("first load transferred %d bytes, budget 150 KB", firstLoad)
	}
	if stops < len(d.pickups) || hashLeft != "" {
		t.Fatalf("%d stops shown (driver has %d pickups); hash left %q", stops, len(d.pickups), hashLeft)
	}

	// A phone camera's photo, several MB: the app compresses it to 200 KB.
	photo := filepath.Join(t.TempDir(), "photo.png")
	{
		img := image.NewRGBA(image.Rect(0, 0, 2000, 1500))
		rnd := rand.New(rand.NewPCG(1, 2))
		for y := 0; y < 1500; y++ {
			for x := 0; x < 2000; x++ {
				img.Set(x, y, color.RGBA{uint8(x / 8), uint8(y / 6), uint8(rnd.IntN(256)), 255})
			}
		}
		f, err := os.Create(photo)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if fi, _ := os.Stat(photo); fi.Size() < 1<<20 {
			t.Fatalf("photo of %d bytes: too small to need compressing", fi.Size())
		}
	}

	// Offline: reload, the stops are there; 3 pickups and 1 failure.
	picked, failed := d.pickups[:3], d.pickups[3]
	var shown, online int
	var queued string
	err = chromedp.Run(ctx,
		setOffline(true),
		chromedp.Reload(),
		chromedp.WaitVisible(`[data-stop-id]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('article[data-stop-id]').length`, &shown),
		chromedp.Evaluate(`navigator.onLine ? 1 : 0`, &online),
		click(picked[0], "pickup"), pendingIs(1),
		click(picked[1], "arrived"), pendingIs(2),
		click(picked[1], "pickup"), pendingIs(3),
		chromedp.SetUploadFiles(fmt.Sprintf(`[data-stop-id="%d"] input[name=photo]`, picked[2]), []string{photo}, chromedp.ByQuery),
		click(picked[2], "pickup"), pendingIs(4),
		click(failed, "fail"), pendingIs(5),
		// Shown as done at once, and still so after another offline reload.
		chromedp.Reload(),
		chromedp.WaitVisible(`[data-stop-id]`, chromedp.ByQuery),
		pendingIs(5),
		chromedp.Evaluate(`(async () => { const d = await new Promise(ok => { const r = indexedDB.open('thugom-driver'); r.onsuccess = () => ok(r.result); });
			return JSON.stringify(await new Promise(ok => { const q = d.transaction('outbox').objectStore('outbox').getAll(); q.onsuccess = () => ok(q.result); })); })()`,
			&queued, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
		save("driver-app-offline.png"),
	)
	if err != nil {
		t.Fatalf("offline: %v", err)
	}
	if shown != stops {
		t.Errorf("offline reload: %d stops, want %d", shown, stops)
	}
	// Headless Chromium does not always turn navigator.onLine off under
	// emulation; the app does not rely on it (a failed send keeps the
	// outbox), and the server's dropped requests prove the page was cut off.
	t.Logf("offline reload: navigator.onLine = %d", online)
	var doneShown int
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll('article[data-status=picked_up], article[data-status=failed]').length`, &doneShown)); err != nil || doneShown != 4 {
		t.Errorf("%d stops shown done offline (%v), want 4", doneShown, err)
	}
	var outbox []struct {
		ID         string    `json:"id"`
		StopID     int64     `json:"stop_id"`
		Status     string    `json:"status"`
		HappenedAt time.Time `json:"happened_at"`
	}
	if err := json.Unmarshal([]byte(queued), &outbox); err != nil || len(outbox) != 5 {
		t.Fatalf("outbox %s: %v", queued, err)
	}

	// Meanwhile the dispatcher moves one of the confirmed stops to the other
	// vehicle and re-plans the day.
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/stops/%d/move", picked[2]), b.disp, map[string]any{"vehicle_id": b.vehicle[1-d.idx].ID}), http.StatusAccepted, "")
	if _, err := b.svc.PlanDepotDay(ctx0, b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: "test"}); err != nil {
		t.Fatal(err)
	}

	// Online again: the outbox empties (the manual resend too).
	err = chromedp.Run(ctx,
		setOffline(false),
		chromedp.Click(`#resend`, chromedp.ByID),
		pendingIs(0),
		save("driver-app-synced.png"),
	)
	if err != nil {
		t.Fatalf("back online: %v", err)
	}
	// The plan changed under the phone: once its outbox is empty it fetches
	// the manifest (ETag) and says what changed before replacing the list.
	now := map[int64]bool{}
	for _, id := range b.driverPickups(d.driver) {
		now[id] = true
	}
	added, gone := 0, 0
	for id := range now {
		if !slices.Contains(d.pickups, id) {
			added++
		}
	}
	for _, id := range d.pickups {
		if !now[id] {
			gone++
		}
	}
	if added+gone > 0 {
		var text string
		err = chromedp.Run(ctx,
			chromedp.WaitVisible(`#changes`, chromedp.ByID),
			chromedp.Text(`#changes-text`, &text, chromedp.ByID),
			chromedp.Click(`#changes-apply`, chromedp.ByID),
			chromedp.WaitNotVisible(`#changes`, chromedp.ByID),
		)
		if err != nil {
			t.Fatalf("plan changes: %v", err)
		}
		if want := fmt.Sprintf("%d điểm mới, %d điểm bỏ", added, gone); !strings.Contains(text, want) {
			t.Errorf("changes shown %q, want %q", text, want)
		}
		var listed int
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll('article[data-stop-id] [data-action=pickup], article[data-status=picked_up], article[data-status=failed]').length`, &listed)); err != nil {
			t.Fatal(err)
		}
		t.Logf("plan changed under the phone: %d new, %d dropped; %d pickups listed now", added, gone, listed)
	} else {
		t.Logf("the re-plan left the driver's stops as they were")
	}

	var refused int
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll('[data-refused]').length`, &refused)); err != nil || refused != 0 {
		t.Errorf("%d refusals shown (%v)", refused, err)
	}
	var photoBytes int
	if err := b.db.QueryRow(ctx0, "SELECT coalesce(length(photo), 0) FROM driver_events WHERE stop_id = $1 AND status = 'picked_up'", picked[2]).Scan(&photoBytes); err != nil {
		t.Fatal(err)
	}
	t.Logf("photo compressed on the phone to %d bytes", photoBytes)
	if photoBytes == 0 || photoBytes > 200*1024 {
		t.Errorf("photo kept: %d bytes, want 1 to 200 KB", photoBytes)
	}

	// A refusal is shown to the driver: an event for a stop that does not
	// exist, slipped into the outbox.
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`(async () => { const d = await new Promise(ok => { const r = indexedDB.open('thugom-driver'); r.onsuccess = () => ok(r.result); });
			await new Promise(ok => { const t = d.transaction('outbox', 'readwrite'); t.objectStore('outbox').put({id: 'bogus-1', seq: 999, stop_id: 999999, status: 'arrived', happened_at: new Date().toISOString()}); t.oncomplete = ok; }); })()`,
			nil, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
		chromedp.Click(`#resend`, chromedp.ByID),
		chromedp.WaitVisible(`[data-refused="bogus-1"]`, chromedp.ByQuery),
		pendingIs(0),
		save("driver-app-refused.png"),
	)
	if err != nil {
		t.Fatalf("refusal: %v", err)
	}

	if dropped.Load() == 0 {
		t.Errorf("no request reached the server while offline: the offline part did not test the network")
	}
	t.Logf("requests dropped while offline: %d", dropped.Load())

	// The server holds exactly those reports, with the phone's times.
	rows, err := b.db.Query(ctx0, "SELECT event_key, stop_id, status, happened_at, outcome, skew_flagged FROM driver_events WHERE driver_id = $1", d.driver)
	if err != nil {
		t.Fatal(err)
	}
	type kept struct {
		stop     int64
		status   string
		at       time.Time
		outcome  string
		skewFlag bool
	}
	got := map[string]kept{}
	for rows.Next() {
		var k string
		var e kept
		if err := rows.Scan(&k, &e.stop, &e.status, &e.at, &e.outcome, &e.skewFlag); err != nil {
			t.Fatal(err)
		}
		got[k] = e
	}
	rows.Close()
	if len(got) != len(outbox) {
		t.Errorf("server holds %d events, the phone queued %d", len(got), len(outbox))
	}
	for _, e := range outbox {
		g, ok := got[e.ID]
		if !ok || g.stop != e.StopID || g.status != e.Status || !g.at.Equal(e.HappenedAt) {
			t.Errorf("event %s (%d %s at %s): server has %+v", e.ID, e.StopID, e.Status, e.HappenedAt, g)
		}
	}
	for _, e := range outbox {
		if e.StopID == picked[2] && e.Status == thugom.StopPickedUp {
			t.Logf("the moved stop's report: %s", got[e.ID].outcome)
		}
	}
	for _, id := range picked {
		if st := b.stopStatus(id); st != thugom.StopPickedUp {
			t.Errorf("stop %d is %s, want picked_up", id, st)
		}
		if n := b.count("SELECT count(*) FROM orders o JOIN stop_orders so ON so.order_id = o.id WHERE so.stop_id = $1 AND o.status <> 'picked_up'", id); n != 0 {
			t.Errorf("stop %d: %d orders not picked up", id, n)
		}
	}
	if st := b.stopStatus(failed); st != thugom.StopFailed {
		t.Errorf("stop %d is %s, want failed", failed, st)
	}
	if n := b.count("SELECT count(*) FROM stop_reports WHERE driver_id = $1", d.driver); n != 4 {
		t.Errorf("%d stop reports, want 4", n)
	}
	if n := b.count("SELECT count(*) FROM events WHERE action IN ('stop.picked_up', 'stop.failed')"); n != 4 {
		t.Errorf("%d pickups and failures in the journal, want 4", n)
	}

	// A flaky network replays the same events: nothing changes.
	journal := b.count("SELECT count(*) FROM events")
	var replay []map[string]any
	_ = json.Unmarshal([]byte(queued), &replay)
	// The phone's clock is the machine's, not the tests' business clock.
	a := b.sendEvents(d.token, map[string]any{"sent_at": time.Now().Format(time.RFC3339Nano), "events": replay})
	for _, r := range a.Results {
		if r.Status != 200 || !r.Replayed {
			t.Errorf("replay: %+v", r)
		}
	}
	if n := b.count("SELECT count(*) FROM events"); n != journal {
		t.Errorf("the replay wrote %d journal entries", n-journal)
	}

	// The phone's position reaches the dispatcher's map (last seen).
	wantStatus(t, b.do("POST", "/v1/me/positions", d.token, map[string]any{"positions": []any{
		map[string]any{"at": testNow.Add(-2 * time.Minute).Format(time.RFC3339), "lon": 106.76, "lat": 21.84, "accuracy_m": 20}}}), http.StatusNoContent, "")
	var vehicleOf int64 // the console shows the driver's vehicle where the phone last was
	if err := b.db.QueryRow(context.Background(), "SELECT vehicle_id FROM drivers WHERE id = $1", d.driver).Scan(&vehicleOf); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/dispatcher?depot=%d&date=%s#token=%s", srv.URL, b.depot.ID, testNow.Format(time.DateOnly), b.disp)),
		chromedp.WaitVisible(`#map[data-routes-rendered]`, chromedp.ByQuery),
		chromedp.WaitReady(fmt.Sprintf(`circle.veh[data-vehicle-pos="%d"]`, vehicleOf), chromedp.ByQuery),
		save("dispatcher-last-seen.png"),
	)
	if err != nil {
		t.Fatalf("dispatcher's last seen: %v", err)
	}

	// Slow 3G (DevTools' profile: 2 s latency, 50 KB/s), as a first visit:
	// the origin's storage (service worker, IndexedDB) cleared, no HTTP
	// cache. Time to a usable list.
	sctx, scancel := chromedp.NewContext(ctx)
	defer scancel()
	var start time.Time
	var usable time.Duration
	err = chromedp.Run(sctx,
		storage.ClearDataForOrigin(srv.URL, "all"),
		network.Enable(),
		network.SetCacheDisabled(true),
		network.SetBypassServiceWorker(true),
		network.EmulateNetworkConditions(false, 2000, 50000, 50000),
		chromedp.ActionFunc(func(context.Context) error { start = time.Now(); return nil }),
		chromedp.Navigate(fmt.Sprintf("%s/d/#token=%s", srv.URL, d.token)),
		chromedp.WaitVisible(`[data-stop-id] [data-action]`, chromedp.ByQuery),
		chromedp.ActionFunc(func(context.Context) error { usable = time.Since(start); return nil }),
	)
	if err != nil {
		t.Fatalf("slow 3G: %v", err)
	}
	// Logged, not asserted (no timed assertions): the closing note quotes it.
	t.Logf("usable on Slow 3G after %s (budget 5 s)", usable.Round(10*time.Millisecond))
	_ = os.WriteFile(filepath.Join(artifacts, "driver-app-budgets.txt"),
		[]byte(fmt.Sprintf("first_load_bytes=%d\nslow3g_usable_ms=%d\n", firstLoad, usable.Milliseconds())), 0o644)
	if strings.Contains(b.logs.String(), "level=ERROR") {
		t.Errorf("server errors logged")
	}
}
