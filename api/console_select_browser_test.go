package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/thugom/thugom/jobs"
)

// TestConsoleRouteSelect: at 1366×768, with a driver's long name, every
// vehicle label of the timeline fits its row (nothing clipped, no label
// over another's); a route picked from its timeline label stays
// highlighted on the map and the timeline, and its stop list is brought
// into view.
func TestConsoleRouteSelect(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 1366, 768)
	b := setup(t)
	b.seedDay(8)
	bg := context.Background()
	if _, err := b.db.Exec(bg, `UPDATE drivers SET name = 'Hoàng Thị Phương Thảo Nguyễn Lương' WHERE id = $1`, b.driver[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.PlanDepotDay(bg, b.depot.ID, testNow, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	date := testNow.Format(time.DateOnly)
	// Each label: [clipped children, overflows its row, overlaps another label].
	var fit [][3]bool
	var selMap, selRow, listSeen bool
	var vid string
	err := chromedp.Run(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/?depot=%d&date=%s#token=%s", b.srv.URL, b.depot.ID, date, b.disp)),
		chromedp.WaitVisible(`#timeline[data-render-ms]`, chromedp.ByQuery),
		chromedp.Evaluate(`(() => {
			const labs = [...document.querySelectorAll('#timeline .tl-label')];
			const rects = labs.map(l => l.getBoundingClientRect());
			return labs.map((l, i) => {
				const r = rects[i], row = l.closest('.tl-row').getBoundingClientRect();
				const clipped = [...l.children].some(c => c.scrollWidth > c.clientWidth + 1 || c.getBoundingClientRect().right > r.right + 0.5 || c.getBoundingClientRect().bottom > r.bottom + 0.5);
				const out = r.top < row.top - 0.5 || r.bottom > row.bottom + 0.5;
				const over = rects.some((q, j) => j !== i && q.top < r.bottom - 0.5 && r.top < q.bottom - 0.5 && q.left < r.right && r.left < q.right);
				return [clipped, out, over];
			});
		})()`, &fit),
		chromedp.Evaluate(`document.querySelector('#timeline .tl-row[data-vehicle-id] .tl-label').closest('.tl-row').dataset.vehicleId`, &vid),
	)
	if err != nil {
		t.Fatalf("console: %v", err)
	}
	if len(fit) < 2 {
		t.Fatalf("%d timeline labels, want the depot's vehicles", len(fit))
	}
	for i, f := range fit {
		if f[0] || f[1] || f[2] {
			t.Errorf("timeline label %d: clipped %v, outside its row %v, over another %v", i, f[0], f[1], f[2])
		}
	}
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`window.scrollTo(0, 0)`, nil),
		chromedp.Click(`#timeline .tl-row[data-vehicle-id="`+vid+`"] .tl-label`, chromedp.ByQuery),
		waitJS(ctx, `!document.querySelector('#routebox').hidden && document.querySelector('#routebox').dataset.vehicleId === '`+vid+`'`),
		chromedp.Evaluate(`!!document.querySelector('#routes polyline.sel[data-vehicle-id="`+vid+`"]') && document.querySelectorAll('#routes polyline.sel').length === 1`, &selMap),
		chromedp.Evaluate(`document.querySelector('#timeline .tl-row[data-vehicle-id="`+vid+`"]').classList.contains('sel')`, &selRow),
		waitJS(ctx, `(() => { const r = document.querySelector('#stoplist').getBoundingClientRect(); return r.height > 0; })()`),
		chromedp.Evaluate(`(() => { const r = document.querySelector('#routebox').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight && r.bottom > 0; })()`, &listSeen),
		shot(t, "console-route-selected.png"),
	)
	if err != nil {
		t.Fatalf("select route: %v (%s)", err, pageStatus(ctx))
	}
	if !selMap || !selRow || !listSeen {
		t.Fatalf("route %s selected: on the map %v, on the timeline %v, its stop list in view %v", vid, selMap, selRow, listSeen)
	}
}
