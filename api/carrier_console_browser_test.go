package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// TestConsoleDeliverySourceBrowser: in Chromium, the dispatcher's board
// says where each delivery figure comes from — an order late on thugom's
// estimate ("ước tính giao"), one the carrier said it delivered late
// ("hãng báo đã giao"), and the day's counts by source — and lists the
// carrier's refusal of a message for an administrator.
func TestConsoleDeliverySourceBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 1366, 900)
	lb := labelSetup(t)
	bg := context.Background()
	estimated, told := lb.vnpOrder, lb.none
	lb.pickUp(t, estimated)
	lb.pickUp(t, told)
	// The estimated one promised an hour before its estimate; the other
	// delivered, by its carrier's word, a day after its promise.
	if _, err := lb.db.Exec(bg, `UPDATE orders SET promised_by = estimated_delivery - interval '1 hour' WHERE id = $1 AND estimated_delivery IS NOT NULL`, estimated); err != nil {
		t.Fatal(err)
	}
	var promised time.Time
	if err := lb.db.QueryRow(bg, `SELECT promised_by FROM orders WHERE id = $1`, told).Scan(&promised); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveShipment(bg, lb.db, &store.Shipment{OrderID: told, Carrier: thugom.CarrierVNPost, Waybill: "EB100000077VN", Status: thugom.ShipmentCreated, UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetShipmentCarrierStatus(bg, lb.db, told, 100, "Phát thành công", promised.Add(24*time.Hour), true, testNow); err != nil {
		t.Fatal(err)
	}
	// A refusal kept on a message.
	id, _, err := store.InsertCarrierOutbox(bg, lb.db, store.CarrierNote{OrderID: estimated, Action: "planned"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lb.db.Exec(bg, `UPDATE carrier_outbox SET status = 'failed', error = 'vnpost: refused: 422 Unprocessable Entity' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	var sources map[string]string
	var counts, failures string
	err = chromedp.Run(phase(ctx),
		chromedp.Navigate(fmt.Sprintf("%s/?depot=%d&date=%s#token=%s", lb.srv.URL, lb.depot.ID, testNow.Format(time.DateOnly), lb.disp)),
		chromedp.WaitVisible(`#timeline[data-render-ms]`, chromedp.ByQuery),
		waitJS(ctx, `document.querySelectorAll('#sla [data-delivered-source]').length >= 2 && !!document.querySelector('#delivered-count')`),
		chromedp.Evaluate(`Object.fromEntries([...document.querySelectorAll('#sla li[data-sla-order]')].filter(li => li.querySelector('[data-delivered-source]')).map(li => [li.dataset.slaOrder, li.querySelector('[data-delivered-source]').dataset.deliveredSource + ': ' + li.querySelector('.delivered').textContent]))`, &sources),
		chromedp.Text(`#delivered-count`, &counts, chromedp.ByQuery),
		chromedp.Evaluate(`(() => { const d = document.querySelector('#carrier-failures'); d.open = true; return d.textContent; })()`, &failures),
		shot(t, "console-delivery-source.png"),
	)
	if err != nil {
		t.Fatalf("console: %v (%s)", err, pageStatus(ctx))
	}
	if s := sources[fmt.Sprint(estimated)]; !strings.HasPrefix(s, "estimate: ước tính giao") {
		t.Errorf("the order late on the estimate: %q", s)
	}
	if s := sources[fmt.Sprint(told)]; !strings.HasPrefix(s, "carrier: hãng báo đã giao") {
		t.Errorf("the order the carrier delivered late: %q", s)
	}
	if !strings.Contains(counts, "theo hãng báo 1") || !strings.Contains(counts, "theo ước tính 1") || !strings.Contains(counts, "trễ 2") {
		t.Errorf("the day's delivered counts: %q", counts)
	}
	if !strings.Contains(failures, "Hãng từ chối 1") || !strings.Contains(failures, "422") || !strings.Contains(failures, fmt.Sprint(estimated)) {
		t.Errorf("the carrier's refusal: %q", failures)
	}
}
