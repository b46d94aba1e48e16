package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/thugom/thugom/jobs"
)

// TestDropOffBrowser: a household far from every route shows a drop_off
// fix in the console; applied (the dispatcher confirms the household agreed
// by phone), the day is re-planned, the order leaves the unassigned list
// and the point's hub stop appears on a vehicle's timeline.
func TestDropOffBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 1366, 768)
	b := setup(t)
	b.seedDay(6)
	far, _ := b.farOrder("PM-FAR")
	date := testNow.Format(time.DateOnly)
	replan := chromedp.ActionFunc(func(context.Context) error {
		_, err := b.svc.PlanDepotDay(context.Background(), b.depot.ID, testNow, jobs.PlanRequest{Replan: true, Cause: jobs.CauseDropOff})
		return err
	})
	fix := fmt.Sprintf(`#issues li[data-order-id="%d"] button[data-fix="drop_off"]`, far)
	var before, after int
	var label, status, hubs string
	err := chromedp.Run(phase(ctx),
		chromedp.Navigate(fmt.Sprintf("%s/?depot=%d&date=%s#token=%s", b.srv.URL, b.depot.ID, date, b.disp)),
		chromedp.WaitVisible(`#timeline[data-render-ms]`, chromedp.ByQuery),
		chromedp.WaitVisible(fix, chromedp.ByQuery),
		chromedp.Text(fix, &label, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#issues li[data-kind="unassigned"]').length`, &before),
		shot(t, "console-dropoff-fix.png"),
		chromedp.Evaluate(`window.confirm = () => true; true`, nil),
		chromedp.Click(fix, chromedp.ByQuery),
		waitJS(ctx, `document.querySelector("#status").textContent.includes("Đã hẹn hộ")`),
		chromedp.Text(`#status`, &status, chromedp.ByQuery),
		replan,
		chromedp.WaitNotPresent(fmt.Sprintf(`#issues li[data-order-id="%d"]`, far), chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#issues li[data-kind="unassigned"]').length`, &after),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("#timeline [data-stop-id]")).map(e => e.textContent).filter(t => t.includes("Điểm BĐVH")).join("|")`, &hubs),
		shot(t, "console-dropoff-applied.png"),
	)
	if err != nil {
		t.Fatalf("drop-off fix: %v (status %q)", err, pageStatus(ctx))
	}
	if !strings.Contains(label, "Điểm BĐVH xã Văn Quan") || !strings.Contains(status, "07:30") {
		t.Errorf("fix %q, status %q", label, status)
	}
	if after >= before {
		t.Errorf("unassigned %d → %d after the drop-off", before, after)
	}
	if !strings.Contains(hubs, "Điểm BĐVH xã Văn Quan") {
		t.Errorf("no hub stop on the timeline (%q)", hubs)
	}
}
