package api_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/thugom/thugom/api"
)

// TestBrowserHouseholdCancel: in Chromium, cancel asks once ("Không, giữ
// lịch" keeps the pickup), "Có, hủy" cancels, and the page then says
// cancelled in both its message and its status; a bad link shows the
// Vietnamese page.
func TestBrowserHouseholdCancel(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	b := setup(t)
	b.seedDay(2)
	profile, err := os.MkdirTemp("", "thugom-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for i := 0; i < 5 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(200 * time.Millisecond)
		}
	}()
	actx, cancel := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(exe), chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(profile), chromedp.WindowSize(390, 844))
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var hid int64
	if err := b.db.QueryRow(context.Background(), "SELECT household_id FROM orders ORDER BY id LIMIT 1").Scan(&hid); err != nil {
		t.Fatal(err)
	}
	link := api.HouseholdPageURL(b.srv.URL, secret, hid, testNow.Add(48*time.Hour))
	var ask, msg, st, bad string
	err = chromedp.Run(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(`#btn-cancel`, chromedp.ByID),
		chromedp.Click(`#btn-cancel`, chromedp.ByID),
		chromedp.WaitVisible(`#confirm-cancel`, chromedp.ByID),
		chromedp.Text(`#confirm-cancel`, &ask, chromedp.ByID),
		chromedp.Click(`#btn-cancel-no`, chromedp.ByID),
		chromedp.WaitVisible(`#btn-cancel`, chromedp.ByID),
	)
	if err != nil {
		t.Fatalf("ask: %v", err)
	}
	if !strings.Contains(ask, "chắc chắn") {
		t.Errorf("confirmation %q", ask)
	}
	if n := count(t, b, `SELECT count(*) FROM orders WHERE household_id = $1 AND status = 'cancelled'`, hid); n != 0 {
		t.Fatalf("cancelled without a yes: %d", n)
	}
	err = chromedp.Run(ctx,
		chromedp.Click(`#btn-cancel`, chromedp.ByID),
		chromedp.WaitVisible(`#btn-cancel-yes`, chromedp.ByID),
		chromedp.Click(`#btn-cancel-yes`, chromedp.ByID),
		chromedp.WaitVisible(`#msg`, chromedp.ByID),
		chromedp.Text(`#msg`, &msg, chromedp.ByID),
		chromedp.Text(`#status`, &st, chromedp.ByID),
		chromedp.Navigate(b.srv.URL+"/h/not-a-link"),
		chromedp.WaitVisible(`#badlink`, chromedp.ByID),
		chromedp.Text(`#badlink`, &bad, chromedp.ByID),
	)
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if !strings.Contains(msg, "Đã hủy") || st != "Đã hủy" {
		t.Errorf("after cancel: message %q, status %q", msg, st)
	}
	if !strings.Contains(bad, "không đúng") {
		t.Errorf("bad link page %q", bad)
	}
}
