package api_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/thugom/thugom"
)

// TestBrowserShortLink: in Chromium (a phone-sized window), the short link
// of an SMS lands on the household's page; a wrong one shows the small
// Vietnamese page. Screenshots go to testdata/artifacts/.
func TestBrowserShortLink(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	b := setup(t)
	b.seedDay(1)
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
	var name string
	if err := b.db.QueryRow(context.Background(), "SELECT h.id, h.name FROM orders o JOIN households h ON h.id = o.household_id ORDER BY o.id LIMIT 1").Scan(&hid, &name); err != nil {
		t.Fatal(err)
	}
	code := thugom.SignShortLink(secret, hid, testNow.AddDate(0, 0, 2))
	var hello, where, bad string
	var page, badPage []byte
	err = chromedp.Run(ctx,
		chromedp.Navigate(b.srv.URL+"/s/"+code),
		chromedp.WaitVisible(`h1`, chromedp.ByQuery),
		chromedp.Text(`h1`, &hello, chromedp.ByQuery),
		chromedp.Location(&where),
		chromedp.FullScreenshot(&page, 100),
		chromedp.Navigate(b.srv.URL+"/s/"+code[:len(code)-1]+"x"),
		chromedp.WaitVisible(`#badlink`, chromedp.ByID),
		chromedp.Text(`#badlink`, &bad, chromedp.ByID),
		chromedp.FullScreenshot(&badPage, 100),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(hello, name) || !strings.Contains(where, "/h/") {
		t.Errorf("short link landed on %s with %q, want the page of %s", where, hello, name)
	}
	if !strings.Contains(bad, "không đúng") || !strings.Contains(bad, "1 = sẵn sàng") {
		t.Errorf("bad short link page %q", bad)
	}
	dir := filepath.Join("..", "testdata", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for n, png := range map[string][]byte{"shortlink-page.png": page, "shortlink-bad.png": badPage} {
		if err := os.WriteFile(filepath.Join(dir, n), png, 0o644); err != nil {
			t.Error(err)
		}
	}
}
