package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/thugom/thugom/jobs"
)

// TestConsoleDropAtPlace drags a stop between two stops of another
// vehicle's timeline row: the mark shows, the verdict names the place
// ("sau điểm …") before the drop, and after the drop and the re-plan the
// stop is right after the stop on the left of the mark.
func TestConsoleDropAtPlace(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 1366, 768)
	b := setup(t)
	b.seedDay(8)
	bg := context.Background()
	date := testNow.Format(time.DateOnly)
	v0, v1 := b.vehicle[0].ID, b.vehicle[1].ID
	byVeh := b.routePickups()
	// the row to drop on needs two stops, the other vehicle one to drag
	to, from := v0, v1
	if len(byVeh[v1]) > len(byVeh[v0]) {
		to, from = v1, v0
	}
	if len(byVeh[from]) == 0 {
		s := byVeh[to][len(byVeh[to])-1]
		if _, err := b.svc.MoveStop(bg, s, from, jobs.System("test")); err != nil {
			t.Fatal(err)
		}
		b.replan()
		byVeh = b.routePickups()
	}
	if len(byVeh[to]) < 2 || len(byVeh[from]) == 0 {
		t.Fatalf("routes %v: need two stops on one vehicle and one on the other", byVeh)
	}
	// a drop the engine accepts (the test is about the page, not the day)
	var stop, after int64
	for _, s := range byVeh[from] {
		for _, x := range byVeh[to][:len(byVeh[to])-1] {
			pv, err := b.svc.PreviewPlan(bg, b.depot.ID, testNow, jobs.PreviewRequest{StopID: s, VehicleID: to, Place: &jobs.Place{AfterStopID: x}})
			if err != nil {
				t.Fatal(err)
			}
			if stop == 0 && (pv.Verdict.Verdict == jobs.VerdictFits || pv.Verdict.Verdict == jobs.VerdictLate) {
				stop, after = s, x
			}
		}
	}
	if stop == 0 {
		t.Fatalf("no stop of vehicle %d fits between two stops of vehicle %d", from, to)
	}
	next := byVeh[to][0]
	for i, x := range byVeh[to] {
		if x == after {
			next = byVeh[to][i+1]
		}
	}

	var sx, sy, tx, ty float64
	err := chromedp.Run(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/?depot=%d&date=%s#token=%s", b.srv.URL, b.depot.ID, date, b.disp)),
		chromedp.WaitVisible(`#timeline[data-render-ms]`, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`(()=>{const r=document.querySelector('#timeline [data-stop-id="%d"]').getBoundingClientRect();return r.left+r.width/2})()`, stop), &sx),
		chromedp.Evaluate(fmt.Sprintf(`(()=>{const r=document.querySelector('#timeline [data-stop-id="%d"]').getBoundingClientRect();return r.top+r.height/2})()`, stop), &sy),
		// the mark between the two blocks
		chromedp.Evaluate(fmt.Sprintf(`(()=>{const a=document.querySelector('.tl-row[data-vehicle-id="%d"] [data-stop-id="%d"]').getBoundingClientRect(),b=document.querySelector('.tl-row[data-vehicle-id="%d"] [data-stop-id="%d"]').getBoundingClientRect();return (a.right+b.left)/2})()`, to, after, to, next), &tx),
		chromedp.Evaluate(fmt.Sprintf(`(()=>{const r=document.querySelector('.tl-row[data-vehicle-id="%d"] .tl-track').getBoundingClientRect();return r.top+r.height/2})()`, to), &ty),
	)
	if err != nil {
		t.Fatalf("console: %v", err)
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
	var verdict, slot string
	steps := []chromedp.Action{mouse(input.MousePressed, sx, sy)}
	for i := 1; i <= 8; i++ {
		steps = append(steps, mouse(input.MouseMoved, sx+(tx-sx)*float64(i)/8, sy+(ty-sy)*float64(i)/8))
	}
	steps = append(steps,
		waitJS(ctx, fmt.Sprintf(`document.querySelector('#verdict[data-verdict][data-after-stop-id="%d"]') !== null && !document.querySelector("#verdict").hidden`, after)),
		chromedp.Text(`#verdict`, &verdict, chromedp.ByQuery),
		chromedp.AttributeValue(fmt.Sprintf(`.tl-row[data-vehicle-id="%d"] .tl-slot`, to), "data-after-stop-id", &slot, nil, chromedp.ByQuery),
		shot(t, "console-drop-place.png"),
		mouse(input.MouseReleased, tx, ty),
		waitJS(ctx, `document.querySelector("#status").textContent.includes("Đã khóa")`),
		chromedp.ActionFunc(func(context.Context) error {
			_, err := b.svc.PlanDepotDay(bg, b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: "test"})
			return err
		}),
		chromedp.WaitReady(fmt.Sprintf(`.tl-row[data-vehicle-id="%d"] [data-stop-id="%d"]`, to, stop), chromedp.ByQuery),
		shot(t, "console-dropped-place.png"),
	)
	if err := chromedp.Run(phase(ctx), steps...); err != nil {
		t.Fatalf("drag and drop at a place: %v (status %q)", err, pageStatus(ctx))
	}
	if !strings.Contains(verdict, "sau điểm") || slot != fmt.Sprint(after) {
		t.Errorf("verdict %q, mark after %q: want the place after stop %d named", verdict, slot, after)
	}
	got := b.routePickups()[to]
	held := false
	for i, x := range got {
		if x == after && i+1 < len(got) && got[i+1] == stop {
			held = true
		}
	}
	if !held {
		t.Errorf("after the drop vehicle %d's stops are %v, want %d right after %d", to, got, stop, after)
	}
}
