package api_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/thugom/thugom/api"
)

// chromium finds Debian's Chromium. Without it the test skips, unless CI
// is set: CI installs it (.ci/run), so its absence there is a failure.
func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found, and CI is set: install Debian's chromium package")
	}
	t.Skip("chromium not found: apt-get install chromium to run the browser test (it fails instead when CI is set)")
	return ""
}

// TestBrowser drives headless Chromium against a running server with a
// planned day: the dispatcher's map renders routes, and a household marks
// itself ready from its page. Screenshots go to testdata/artifacts/.
func TestBrowser(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	b := setup(t)
	b.seedDay(8)

	// A fresh profile; removed best-effort after the browser has exited
	// (its helpers may still be writing when the test's TempDir is cleaned).
	profile, err := os.MkdirTemp("", "thugom-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for i := 0; i < 5 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(200 * time.Millisecond)
		}
	}()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 860),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	artifacts := filepath.Join("..", "testdata", "artifacts")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	save := func(name string, png []byte) {
		if err := os.WriteFile(filepath.Join(artifacts, name), png, 0o644); err != nil {
			t.Error(err)
		}
	}

	// The dispatcher's map.
	var routes, communes, stops int
	var status string
	var shot []byte
	url := fmt.Sprintf("%s/dispatcher?depot=%d&date=%s#token=%s", b.srv.URL, b.depot.ID, testNow.Format(time.DateOnly), b.disp)
	err = chromedp.Run(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(`#map[data-routes-rendered]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#routes polyline").length`, &routes),
		chromedp.Evaluate(`document.querySelectorAll("#communes path").length`, &communes),
		chromedp.Evaluate(`document.querySelectorAll("#stops circle.stop").length`, &stops),
		chromedp.Text(`#status`, &status, chromedp.ByQuery),
		chromedp.FullScreenshot(&shot, 100),
	)
	if err != nil {
		t.Fatalf("dispatcher page: %v", err)
	}
	save("dispatcher.png", shot)
	if routes == 0 || stops == 0 {
		t.Errorf("dispatcher map: %d routes, %d stops drawn (status %q)", routes, stops, status)
	}
	if communes < 60 {
		t.Errorf("dispatcher map: %d commune boundaries, want the 65 communes", communes)
	}
	if !strings.Contains(status, "xong") {
		t.Errorf("dispatcher status %q", status)
	}

	// The printable manifest of the first driver with a route, as a PDF.
	var drv int64
	if err := b.db.QueryRow(context.Background(), "SELECT driver_id FROM routes WHERE driver_id IS NOT NULL ORDER BY id LIMIT 1").Scan(&drv); err != nil {
		t.Fatal(err)
	}
	var pdf []byte
	var sheets int
	err = chromedp.Run(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/v1/drivers/%d/manifest.html?date=%s&access_token=%s", b.srv.URL, drv, testNow.Format(time.DateOnly), b.admin)),
		chromedp.WaitVisible(`.stop`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("section.route").length`, &sheets),
		chromedp.FullScreenshot(&shot, 100),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = page.PrintToPDF().WithPrintBackground(true).Do(ctx)
			return err
		}),
	)
	if err != nil {
		t.Fatalf("printable manifest: %v", err)
	}
	save("manifest.png", shot)
	save("manifest.pdf", pdf)
	if sheets == 0 || len(pdf) < 1000 {
		t.Errorf("printable manifest: %d routes, %d bytes of PDF", sheets, len(pdf))
	}

	// A household's page: mark ready.
	var hid int64
	if err := b.db.QueryRow(context.Background(), "SELECT household_id FROM orders ORDER BY id LIMIT 1").Scan(&hid); err != nil {
		t.Fatal(err)
	}
	link := api.HouseholdPageURL(b.srv.URL, secret, hid, testNow.Add(48*time.Hour))
	var window, msg, st string
	var before, after []byte
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(link),
		chromedp.WaitVisible(`#btn-ready`, chromedp.ByID),
		chromedp.Text(`#window`, &window, chromedp.ByID),
		chromedp.FullScreenshot(&before, 100),
		chromedp.Click(`#btn-ready`, chromedp.ByID),
		chromedp.WaitVisible(`#msg`, chromedp.ByID),
		chromedp.Text(`#msg`, &msg, chromedp.ByID),
		chromedp.Text(`#status`, &st, chromedp.ByID),
		chromedp.FullScreenshot(&after, 100),
	)
	if err != nil {
		t.Fatalf("household page: %v", err)
	}
	save("household.png", before)
	save("household-ready.png", after)
	if !strings.Contains(window, ":") {
		t.Errorf("household window %q", window)
	}
	if !strings.Contains(msg, "sẵn sàng") || !strings.Contains(st, "sẵn sàng") {
		t.Errorf("after ready: message %q, status %q", msg, st)
	}
	var n int
	if err := b.db.QueryRow(context.Background(), "SELECT count(*) FROM events WHERE action = 'household.ready'").Scan(&n); err != nil || n != 1 {
		t.Errorf("household.ready events: %d (%v)", n, err)
	}
}
