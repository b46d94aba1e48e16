package api_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/thugom/thugom/jobs"
)

// browser starts headless Chromium at a viewport size; the context ends
// with the test.
func browser(t *testing.T, w, h int) context.Context {
	t.Helper()
	exe := chromium(t)
	profile, err := os.MkdirTemp("", "thugom-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 5 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(200 * time.Millisecond)
		}
	})
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("lang", "en-US"), chromedp.UserDataDir(profile), chromedp.WindowSize(w, h))
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 150*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// waitJS evaluates a boolean expression until it holds.
func waitJS(ctx context.Context, expr string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var ok bool
			if err := chromedp.Evaluate(expr, &ok).Do(ctx); err != nil {
				return err
			}
			if ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// pageStatus is the console's status line, for a failure's message.
func pageStatus(ctx context.Context) string {
	var s string
	_ = chromedp.Run(ctx, chromedp.Text("#status", &s, chromedp.ByQuery))
	return s
}

// phase bounds one step of a browser test, so that the test's context is
// still there to say where the page was when a step times out.
func phase(ctx context.Context) context.Context {
	c, cancel := context.WithTimeout(ctx, 40*time.Second)
	go func() { <-c.Done(); cancel() }()
	return c
}

func shot(t *testing.T, name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var png []byte
		if err := chromedp.FullScreenshot(&png, 100).Do(ctx); err != nil {
			return err
		}
		dir := filepath.Join("..", "testdata", "artifacts")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), png, 0o644)
	})
}

// TestConsoleBrowser drives the dispatcher console at 1366×768: the
// timeline shows every route with ETAs; a stop dragged onto another
// vehicle's row shows the engine's verdict and, dropped, moves there; a fix
// from the unassigned list, previewed and published, places the order; a
// re-plan's draft lists its changes and, published, reaches the manifests.
// The re-plan jobs the page queues are run here as River's worker would.
func TestConsoleBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 1366, 768)
	b := setup(t)
	b.seedDay(8)
	late := b.lateOrder("PM-LATE")
	bg := context.Background()
	date := testNow.Format(time.DateOnly)
	replan := chromedp.ActionFunc(func(context.Context) error {
		_, err := b.svc.PlanDepotDay(bg, b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: "test"})
		return err
	})

	c := b.console(b.disp)
	var rows, blocks int
	var etas []string
	var status, dateField string
	var renderMS string
	err := chromedp.Run(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/?depot=%d&date=%s#token=%s", b.srv.URL, b.depot.ID, date, b.disp)),
		chromedp.WaitVisible(`#timeline[data-render-ms]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#timeline .tl-row[data-vehicle-id]").length`, &rows),
		chromedp.Evaluate(`document.querySelectorAll("#timeline [data-stop-id][data-eta]").length`, &blocks),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("#timeline [data-stop-id][data-eta]")).map(e => e.closest(".tl-row").dataset.vehicleId + "/" + e.dataset.stopId + "@" + e.dataset.eta)`, &etas),
		chromedp.Text(`#status`, &status, chromedp.ByQuery),
		chromedp.Value(`#date`, &dateField, chromedp.ByQuery),
		chromedp.AttributeValue(`#timeline`, "data-render-ms", &renderMS, nil, chromedp.ByQuery),
		shot(t, "console.png"),
	)
	if err != nil {
		t.Fatalf("console: %v", err)
	}
	t.Logf("console rendered in %s ms", renderMS)
	want := map[string]bool{}
	var from, to, stop int64
	for _, rt := range c.Routes {
		for _, s := range rt.Stops {
			if s.Kind == "pickup" {
				want[fmt.Sprintf("%d/%d@%s", rt.Vehicle.ID, s.ID, s.ETA.Format(time.RFC3339))] = true
			}
		}
	}
	if rows != len(c.Vehicles) || blocks != len(want) {
		t.Errorf("timeline: %d rows, %d stop blocks; want %d vehicles, %d stops", rows, blocks, len(c.Vehicles), len(want))
	}
	for _, e := range etas {
		if !want[e] {
			t.Errorf("timeline block %s is not a stop of the plan at its ETA", e)
		}
	}
	if !strings.Contains(status, "xong") || dateField != testNow.Format("02/01/2006") {
		t.Errorf("status %q, date field %q", status, dateField)
	}
	// A fix from the unassigned list: preview, publish, placed.
	var before, after, draftItems int
	var summary string
	fix := fmt.Sprintf(`li[data-order-id="%d"] button[data-fix="assign"][data-vehicle-id="%d"]`, late, b.vehicle[1].ID)
	err = chromedp.Run(phase(ctx),
		chromedp.Evaluate(`document.querySelectorAll('#issues li[data-kind="unassigned"]').length`, &before),
		chromedp.Click(fix, chromedp.ByQuery),
		chromedp.WaitVisible(`#draft-changes li`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#draft-changes li").length`, &draftItems),
		chromedp.Text(`#draft-summary`, &summary, chromedp.ByQuery),
		shot(t, "console-fix-draft.png"),
		chromedp.Click(`#publish`, chromedp.ByQuery),
		waitJS(ctx, `document.querySelector("#status").textContent.includes("Đã gửi")`),
		replan,
		chromedp.WaitNotPresent(fmt.Sprintf(`#issues li[data-order-id="%d"]`, late), chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#issues li[data-kind="unassigned"]').length`, &after),
	)
	if err != nil {
		t.Fatalf("fix: %v (status %q)", err, pageStatus(ctx))
	}
	if after >= before || draftItems == 0 || !strings.Contains(summary, "SMS") {
		t.Errorf("fix: unassigned %d → %d, draft of %d changes (%q)", before, after, draftItems, summary)
	}

	// The stop to drag, on the day as the fix left it.
	c = b.console(b.disp)
	for _, rt := range c.Routes {
		for _, s := range rt.Stops {
			if s.Kind == "pickup" && stop == 0 {
				stop, from = s.ID, rt.Vehicle.ID
			}
		}
	}
	to = b.vehicle[0].ID
	if from == to {
		to = b.vehicle[1].ID
	}

	// Drag the stop onto the other vehicle's row: the verdict first.
	var sx, sy, tx, ty float64
	var verdict, verdictKind string
	err = chromedp.Run(ctx,
		chromedp.Evaluate(fmt.Sprintf(`(()=>{const r=document.querySelector('#timeline [data-stop-id="%d"]').getBoundingClientRect();return r.left+r.width/2})()`, stop), &sx),
		chromedp.Evaluate(fmt.Sprintf(`(()=>{const r=document.querySelector('#timeline [data-stop-id="%d"]').getBoundingClientRect();return r.top+r.height/2})()`, stop), &sy),
		chromedp.Evaluate(fmt.Sprintf(`(()=>{const r=document.querySelector('.tl-row[data-vehicle-id="%d"] .tl-track').getBoundingClientRect();return r.left+r.width*0.97})()`, to), &tx),
		chromedp.Evaluate(fmt.Sprintf(`(()=>{const r=document.querySelector('.tl-row[data-vehicle-id="%d"] .tl-track').getBoundingClientRect();return r.top+r.height/2})()`, to), &ty),
	)
	if err != nil {
		t.Fatalf("drag coordinates: %v", err)
	}
	mouse := func(typ input.MouseType, x, y float64) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			ev := input.DispatchMouseEvent(typ, x, y).WithButton(input.Left).WithClickCount(1)
			if typ != input.MouseReleased {
				ev = ev.WithButtons(1)
			}
			return ev.Do(ctx)
		})
	}
	steps := []chromedp.Action{mouse(input.MousePressed, sx, sy)}
	for i := 1; i <= 8; i++ {
		steps = append(steps, mouse(input.MouseMoved, sx+(tx-sx)*float64(i)/8, sy+(ty-sy)*float64(i)/8))
	}
	steps = append(steps,
		waitJS(ctx, `document.querySelector("#verdict").hasAttribute("data-verdict") && !document.querySelector("#verdict").hidden`),
		chromedp.Text(`#verdict`, &verdict, chromedp.ByQuery),
		chromedp.AttributeValue(`#verdict`, "data-verdict", &verdictKind, nil, chromedp.ByQuery),
		shot(t, "console-drag.png"),
		mouse(input.MouseReleased, tx, ty),
		waitJS(ctx, `document.querySelector("#status").textContent.includes("Đã khóa")`),
		replan,
		chromedp.WaitReady(fmt.Sprintf(`.tl-row[data-vehicle-id="%d"] [data-stop-id="%d"]`, to, stop), chromedp.ByQuery),
		shot(t, "console-dropped.png"),
	)
	if err := chromedp.Run(phase(ctx), steps...); err != nil {
		t.Fatalf("drag and drop: %v (status %q)", err, pageStatus(ctx))
	}
	if verdictKind != jobs.VerdictFits || !strings.Contains(verdict, "Vừa") {
		t.Errorf("verdict %q (%s), want it fits", verdict, verdictKind)
	}
	var onVeh int64
	var stopDay, planDay time.Time
	if err := b.db.QueryRow(bg, `SELECT r.vehicle_id, p.day, p.day FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id WHERE s.id = $1`, stop).Scan(&onVeh, &stopDay, &planDay); err != nil {
		t.Fatal(err)
	}
	if onVeh != to || !planDay.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("after the drop the stop is on vehicle %d of day %s, want %d of %s", onVeh, planDay, to, date)
	}

	// A re-plan draft after a new order: its changes listed, then published
	// to the manifests.
	late2 := b.lateOrder("PM-LATE2")
	var lines []string
	err = chromedp.Run(phase(ctx),
		chromedp.Click(`#pick button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitReady(fmt.Sprintf(`#issues li[data-order-id="%d"]`, late2), chromedp.ByQuery),
		chromedp.Click(`#replan`, chromedp.ByQuery),
		waitJS(ctx, `!document.querySelector("#draft").hidden && document.querySelector("#draft-title").textContent.includes("lập lại")`),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("#draft-changes li")).map(l => l.dataset.change + ": " + l.textContent)`, &lines),
		shot(t, "console-replan-draft.png"),
		chromedp.Click(`#publish`, chromedp.ByQuery),
		waitJS(ctx, `document.querySelector("#status").textContent.includes("Đã gửi")`),
		replan,
		chromedp.WaitNotPresent(fmt.Sprintf(`#issues li[data-order-id="%d"]`, late2), chromedp.ByQuery),
		shot(t, "console-published.png"),
	)
	if err != nil {
		t.Fatalf("re-plan draft: %v (status %q)", err, pageStatus(ctx))
	}
	var addedLine bool
	for _, l := range lines {
		addedLine = addedLine || strings.HasPrefix(l, "added: ")
	}
	if !addedLine {
		t.Errorf("re-plan draft %q lists no added stop", lines)
	}
	var drv int64
	if err := b.db.QueryRow(bg, `SELECT r.driver_id FROM stops s JOIN routes r ON r.id = s.route_id JOIN stop_orders so ON so.stop_id = s.id WHERE so.order_id = $1 AND s.status = 'planned'`, late2).Scan(&drv); err != nil {
		t.Fatalf("the published order's stop: %v", err)
	}
	tok := b.drv1
	if drv == b.driver[1].ID {
		tok = b.drv2
	}
	r := b.do("GET", fmt.Sprintf("/v1/drivers/%d/manifest?date=%s", drv, date), tok, nil)
	if r.status != 200 || !strings.Contains(string(r.body), "PM-LATE2") {
		t.Errorf("driver %d's manifest (%d) lacks the published order", drv, r.status)
	}
}

// TestConsoleTablet: the console at a tablet's size, and its keyboard
// path: a stop block takes the focus, Enter selects it, the move is
// previewed from a select.
func TestConsoleTablet(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 1024, 768)
	b := setup(t)
	b.seedDay(6)
	var title, draftTitle string
	err := chromedp.Run(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/?depot=%d&date=%s#token=%s", b.srv.URL, b.depot.ID, testNow.Format(time.DateOnly), b.disp)),
		chromedp.WaitVisible(`#timeline [data-stop-id]`, chromedp.ByQuery),
		chromedp.Focus(`#timeline [data-stop-id]`, chromedp.ByQuery),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(`#stopbox`, chromedp.ByQuery),
		chromedp.Text(`#stoptitle`, &title, chromedp.ByQuery),
		chromedp.Click(`#movebtn`, chromedp.ByQuery),
		waitJS(ctx, `!document.querySelector("#draft").hidden`),
		chromedp.Text(`#draft-title`, &draftTitle, chromedp.ByQuery),
		shot(t, "console-tablet.png"),
	)
	if err != nil {
		t.Fatalf("tablet: %v", err)
	}
	if !strings.Contains(title, "xe XM-") || !strings.Contains(draftTitle, "chuyển") {
		t.Errorf("stop title %q, draft %q", title, draftTitle)
	}

	// Search by phone; a broken vehicle put back in service from the page.
	var found int
	v := b.vehicle[1].ID
	wantStatus(t, b.do("PATCH", fmt.Sprintf("/v1/vehicles/%d", v), b.disp, map[string]any{"status": "broken"}), 200, "")
	err = chromedp.Run(phase(ctx),
		chromedp.SendKeys(`#search`, "0912000003", chromedp.ByQuery),
		chromedp.WaitVisible(`#found li`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#found li").length`, &found),
		chromedp.Click(`#pick button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`#vehiclelist li[data-vehicle-id="%d"] button[data-action="activate"]`, v), chromedp.ByQuery),
		chromedp.WaitReady(fmt.Sprintf(`.tl-row.broken[data-vehicle-id="%d"]`, v), chromedp.ByQuery),
		shot(t, "console-broken.png"),
		chromedp.Click(fmt.Sprintf(`#vehiclelist li[data-vehicle-id="%d"] button[data-action="activate"]`, v), chromedp.ByQuery),
		chromedp.WaitReady(fmt.Sprintf(`.tl-row[data-vehicle-id="%d"]:not(.broken)`, v), chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("search and back in service: %v (status %q)", err, pageStatus(ctx))
	}
	if found != 1 {
		t.Errorf("search by phone found %d, want the one household", found)
	}
	var st string
	if err := b.db.QueryRow(context.Background(), "SELECT status FROM vehicles WHERE id = $1", v).Scan(&st); err != nil || st != "active" {
		t.Errorf("vehicle status %q (%v), want active", st, err)
	}
}

// TestConsoleDrafts: under --auto-publish draft, a failed pickup's re-plan
// waits in the console as a draft listing its changes; published from the
// page, it reaches the drivers' manifests. "Báo hỏng" shows the rescue
// plan as a draft first: discarded, the vehicle stays in service;
// published, it is broken and its stops go to the others.
func TestConsoleDrafts(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 1366, 768)
	b := setup(t)
	b.seedDay(8)
	bg := context.Background()
	date := testNow.Format(time.DateOnly)
	auto := b.draftService()
	failed, order := b.failFirstStop("bd1")
	res, err := auto.PlanDepotDay(bg, b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: jobs.CausePickupFailed,
		Subject: fmt.Sprintf("stop:%d", failed), RequestedAt: testNow})
	if err != nil || res.DraftID == 0 {
		t.Fatalf("failure's re-plan under draft: %+v %v", res, err)
	}
	replan := chromedp.ActionFunc(func(context.Context) error {
		_, err := b.svc.PlanDepotDay(bg, b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: jobs.CausePickupFailed, Requested: true, RequestedAt: testNow})
		return err
	})
	var lines []string
	var title string
	err = chromedp.Run(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/?depot=%d&date=%s#token=%s", b.srv.URL, b.depot.ID, date, b.disp)),
		chromedp.WaitVisible(fmt.Sprintf(`#draft[data-draft-id="%d"] #draft-changes li`, res.DraftID), chromedp.ByQuery),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("#draft-changes li")).map(l => l.dataset.change + ": " + l.textContent)`, &lines),
		chromedp.Text(`#draft-title`, &title, chromedp.ByQuery),
		shot(t, "console-auto-draft.png"),
		chromedp.Click(`#publish`, chromedp.ByQuery),
		waitJS(ctx, `document.querySelector("#status").textContent.includes("Đã gửi")`),
		replan,
		waitJS(ctx, `document.querySelector("#draft").hidden && document.querySelector("#status").textContent.includes("đã cập nhật")`),
	)
	if err != nil {
		t.Fatalf("automatic draft: %v (status %q)", err, pageStatus(ctx))
	}
	added := false
	for _, l := range lines {
		added = added || strings.HasPrefix(l, "added: ")
	}
	if !added || !strings.Contains(title, "lấy hàng không được") {
		t.Errorf("draft %q lists %q: want the failed order added back", title, lines)
	}
	var stop, drv int64
	if err := b.db.QueryRow(bg, `SELECT s.id, r.driver_id FROM stops s JOIN routes r ON r.id = s.route_id JOIN stop_orders so ON so.stop_id = s.id
		WHERE so.order_id = $1 AND s.status = 'planned'`, order).Scan(&stop, &drv); err != nil {
		t.Fatalf("the published order's stop: %v", err)
	}
	tok := b.drv1
	if drv == b.driver[1].ID {
		tok = b.drv2
	}
	if r := b.do("GET", fmt.Sprintf("/v1/drivers/%d/manifest?date=%s", drv, date), tok, nil); r.status != 200 || !strings.Contains(string(r.body), fmt.Sprintf(`"id":%d,`, stop)) {
		t.Errorf("driver %d's manifest (%d) lacks the published stop %d", drv, r.status, stop)
	}

	// A breakdown's rescue plan: discarded, then published.
	c := b.console(b.disp)
	var veh int64
	for _, rt := range c.Routes {
		for _, s := range rt.Stops {
			if s.Kind == "pickup" && s.Status == "planned" && veh == 0 {
				veh = rt.Vehicle.ID
			}
		}
	}
	vstatus := func() string {
		var s string
		if err := b.db.QueryRow(bg, `SELECT status FROM vehicles WHERE id = $1`, veh).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	button := fmt.Sprintf(`#vehiclelist li[data-vehicle-id="%d"] button[data-action="broken"]`, veh)
	var rescue []string
	err = chromedp.Run(phase(ctx),
		chromedp.Click(button, chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`#draft[data-broken-vehicle-id="%d"] #draft-changes li`, veh), chromedp.ByQuery),
		chromedp.Click(`#discard`, chromedp.ByQuery),
		waitJS(ctx, `document.querySelector("#draft").hidden`),
	)
	if err != nil {
		t.Fatalf("rescue discarded: %v (status %q)", err, pageStatus(ctx))
	}
	if s := vstatus(); s != "active" {
		t.Errorf("after a discarded rescue the vehicle is %s", s)
	}
	err = chromedp.Run(phase(ctx),
		chromedp.Click(button, chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`#draft[data-broken-vehicle-id="%d"] #draft-changes li`, veh), chromedp.ByQuery),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("#draft-changes li")).map(l => l.dataset.change + ": " + l.textContent)`, &rescue),
		shot(t, "console-rescue-draft.png"),
		chromedp.Click(`#publish`, chromedp.ByQuery),
		waitJS(ctx, `document.querySelector("#status").textContent.includes("Đã gửi")`),
		replan,
		chromedp.WaitReady(fmt.Sprintf(`.tl-row.broken[data-vehicle-id="%d"]`, veh), chromedp.ByQuery),
		shot(t, "console-rescue-published.png"),
	)
	if err != nil {
		t.Fatalf("rescue published: %v (status %q)", err, pageStatus(ctx))
	}
	moved := false
	for _, l := range rescue {
		moved = moved || strings.HasPrefix(l, "vehicle: ")
	}
	if !moved || vstatus() != "broken" {
		t.Errorf("rescue draft %q (vehicle %s): want its stops moved to other vehicles, the vehicle broken", rescue, vstatus())
	}
	if n := count(t, b, `SELECT count(*) FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
		WHERE p.status = 'done' AND r.vehicle_id = $1 AND s.kind = 'pickup' AND s.status = 'planned'`, veh); n != 0 {
		t.Errorf("the broken vehicle still has %d planned pickups", n)
	}
}
