package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/thugom/thugom/fakecarrier"
)

// TestLabelBrowser: in Chromium, the console's stop picked up has a link
// "In nhãn" per waybill and VNPost's price of the shipment; the link opens thugom's label for the VNPost order (the
// barcode drawn bar for bar as its Code 128 modules say, inside the
// label, the waybill, sender and COD printed), and ViettelPost's own label
// (the fake's print page) for the ViettelPost order.
func TestLabelBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 1366, 900)
	lb := labelSetup(t)
	lb.pickUp(t, lb.vnpOrder)
	var stop int64
	if err := lb.db.QueryRow(context.Background(), `SELECT stop_id FROM stop_orders WHERE order_id = $1 ORDER BY stop_id DESC LIMIT 1`, lb.vnpOrder).Scan(&stop); err != nil {
		t.Fatal(err)
	}
	var href, price string
	err := chromedp.Run(phase(ctx),
		chromedp.Navigate(fmt.Sprintf("%s/?depot=%d&date=%s#token=%s", lb.srv.URL, lb.depot.ID, testNow.Format(time.DateOnly), lb.disp)),
		chromedp.WaitVisible(`#timeline[data-render-ms]`, chromedp.ByQuery),
		chromedp.SendKeys(`#search`, vnpBill, chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`#found button[data-stop-id="%d"]`, stop), chromedp.ByQuery),
		chromedp.WaitVisible(`#stopinfo a.label-link`, chromedp.ByQuery),
		chromedp.AttributeValue(`#stopinfo a.label-link`, "href", &href, nil, chromedp.ByQuery),
		chromedp.WaitVisible(`#stopinfo .price`, chromedp.ByQuery),
		chromedp.Text(`#stopinfo .price`, &price, chromedp.ByQuery),
		shot(t, "label-console-link.png"),
	)
	if err != nil {
		t.Fatalf("console: %v (%s)", err, pageStatus(ctx))
	}
	if !strings.HasPrefix(href, fmt.Sprintf("/v1/orders/%d/label?access_token=", lb.vnpOrder)) {
		t.Fatalf("label link %q", href)
	}
	if !strings.Contains(price, "Cước "+vnpBill) || !strings.Contains(price, " đ (BK)") {
		t.Errorf("the stop box's price %q", price)
	}
	// thugom's label: the bars are the modules' bars, the barcode inside
	// the label, the text printed.
	var check struct {
		Bars, Want  int
		Inside      bool
		Waybill     string
		Sender, COD bool
	}
	err = chromedp.Run(phase(ctx),
		chromedp.Navigate(lb.srv.URL+href),
		chromedp.WaitVisible(`svg.barcode`, chromedp.ByQuery),
		chromedp.Evaluate(`(() => {
			const svg = document.querySelector('svg.barcode'), mods = svg.dataset.code128;
			const l = document.querySelector('.label').getBoundingClientRect(), r = svg.getBoundingClientRect();
			return {Bars: svg.querySelectorAll('rect[x]').length, Want: Math.ceil(mods.length / 2),
				Inside: r.width > 150 && r.left >= l.left && r.right <= l.right,
				Waybill: document.querySelector('.waybill').textContent.trim(),
				Sender: document.body.textContent.includes('Người gửi'), COD: /Thu hộ|Không thu hộ/.test(document.body.textContent)};
		})()`, &check),
		shot(t, "label-thugom.png"),
	)
	if err != nil {
		t.Fatalf("thugom's label: %v", err)
	}
	if check.Bars != check.Want || check.Bars < 20 || !check.Inside || check.Waybill != vnpBill || !check.Sender || !check.COD {
		t.Errorf("thugom's label: %+v", check)
	}
	// ViettelPost's order: its own label, through the printing code.
	var where, bill string
	err = chromedp.Run(phase(ctx),
		chromedp.Navigate(fmt.Sprintf("%s/v1/orders/%d/label?access_token=%s", lb.srv.URL, lb.vtpOrder, lb.disp2)),
		chromedp.WaitVisible(`.vtp-label`, chromedp.ByQuery),
		chromedp.Location(&where),
		chromedp.AttributeValue(`.vtp-label`, "data-waybill", &bill, nil, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("ViettelPost's label: %v", err)
	}
	if !strings.HasPrefix(where, lb.fake+fakecarrier.PrintPath) || bill != lb.vtpBill {
		t.Errorf("ViettelPost's label at %s for %q, want %s", where, bill, lb.vtpBill)
	}
}
