package api_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/jobs"
)

// Bad links answer a browser in Vietnamese; API clients keep problem+json.
func TestHouseholdBadLinkPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	html := "Accept"
	r := b.do("GET", "/h/garbage", "", nil, html, "text/html,application/xhtml+xml")
	if r.status != 401 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "Liên kết này không đúng") {
		t.Errorf("garbage link: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	expired := api.SignHouseholdLink(secret, 1, testNow.Add(-time.Hour))
	r = b.do("GET", "/h/"+expired, "", nil, html, "text/html")
	if r.status != 401 || !strings.Contains(string(r.body), "đã hết hạn") || !strings.Contains(string(r.body), "0</strong> = hủy") {
		t.Errorf("expired link: %d %s", r.status, r.body)
	}
	r = b.do("GET", "/h/garbage", "", nil)
	if r.status != 401 || !strings.Contains(r.header.Get("Content-Type"), "problem+json") {
		t.Errorf("API client: %d %s", r.status, r.header.Get("Content-Type"))
	}
}

// The states a household reaches are consistent whatever the order of its
// taps: the page's status and message say what the orders are.
func TestHouseholdTapOrders(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		taps    []string
		status  string // the page's status at the end
		message string // the last tap's message
		orders  string // the orders' status at the end
	}{
		{[]string{"ready"}, "Bạn đã báo hàng sẵn sàng", "Cảm ơn", "planned"},
		{[]string{"cancel", "ready"}, "Đã hủy", "Không có đơn nào đang chờ lấy", "cancelled"},
		{[]string{"ready", "cancel"}, "Đã hủy", "Đã hủy lần lấy hàng này", "cancelled"},
		{[]string{"postpone", "ready"}, "Đã hoãn", "Không có đơn nào đang chờ lấy", "postponed"},
		{[]string{"cancel", "postpone"}, "Đã hủy", "Không có đơn nào đang chờ lấy", "cancelled"},
		{[]string{"postpone", "cancel"}, "Đã hủy", "Đã hủy lần lấy hàng này", "cancelled"},
		{[]string{"cancel", "cancel"}, "Đã hủy", "Không có đơn nào đang chờ lấy", "cancelled"},
	} {
		t.Run(strings.Join(c.taps, "-"), func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.seedDay(1)
			var hid int64
			if err := b.db.QueryRow(context.Background(), "SELECT household_id FROM orders LIMIT 1").Scan(&hid); err != nil {
				t.Fatal(err)
			}
			link := api.SignHouseholdLink(secret, hid, testNow.Add(48*time.Hour))
			var loc string
			for _, tap := range c.taps {
				r := b.do("POST", "/h/"+link+"/"+tap, "", nil)
				wantStatus(t, r, 303, "")
				loc = r.header.Get("Location")
			}
			r := b.do("GET", loc, "", nil)
			body := string(r.body)
			if !strings.Contains(body, `id="status">`+c.status+`<`) {
				t.Errorf("status: want %q in %s", c.status, regexp.MustCompile(`id="status">[^<]*`).FindString(body))
			}
			if !strings.Contains(body, c.message) {
				t.Errorf("message: want %q, got %s", c.message, regexp.MustCompile(`id="msg"[^>]*>[^<]*`).FindString(body))
			}
			var st string
			if err := b.db.QueryRow(context.Background(), "SELECT status FROM orders WHERE household_id = $1", hid).Scan(&st); err != nil || st != c.orders {
				t.Errorf("orders %q %v, want %q", st, err, c.orders)
			}
		})
	}
}

// Cancel asks once; the .ics keeps one UID per household and day through
// re-plans, with SEQUENCE raised on each window change.
func TestHouseholdConfirmAndICS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(2)
	var hid int64
	if err := b.db.QueryRow(context.Background(), "SELECT household_id FROM orders ORDER BY id LIMIT 1").Scan(&hid); err != nil {
		t.Fatal(err)
	}
	link := api.SignHouseholdLink(secret, hid, testNow.Add(48*time.Hour))
	r := b.do("GET", "/h/"+link, "", nil)
	if strings.Contains(string(r.body), "confirm-cancel") || !strings.Contains(string(r.body), `name="confirm" value="cancel"`) {
		t.Fatalf("the page asks before any tap, or cannot ask: %s", r.body)
	}
	r = b.do("GET", "/h/"+link+"?confirm=cancel", "", nil)
	if !strings.Contains(string(r.body), "Bạn chắc chắn muốn hủy") || !strings.Contains(string(r.body), `action="/h/`+link+`/cancel"`) {
		t.Errorf("no confirmation: %s", r.body)
	}
	uid := func() (string, string) {
		r := b.do("GET", "/h/"+link+"/pickup.ics", "", nil)
		wantStatus(t, r, 200, "")
		return regexp.MustCompile(`UID:[^\r]*`).FindString(string(r.body)), regexp.MustCompile(`SEQUENCE:\d+`).FindString(string(r.body))
	}
	u1, s1 := uid()
	want := fmt.Sprintf("UID:household-%d-%s@thugom", hid, testNow.Format("20060102"))
	if u1 != want || s1 != "SEQUENCE:0" {
		t.Errorf("ics: %s %s, want %s SEQUENCE:0", u1, s1, want)
	}
	if _, err := b.svc.PlanDepotDay(context.Background(), b.depot.ID, testNow, jobs.PlanRequest{Cause: "again"}); err != nil {
		t.Fatal(err)
	}
	if u2, _ := uid(); u2 != u1 {
		t.Errorf("UID changed on re-plan: %s → %s", u1, u2)
	}
	// A window change told to the household raises SEQUENCE.
	if _, err := b.db.Exec(context.Background(), `INSERT INTO notifications (household_id, phone, kind, body, status, idempotency_key, window_start)
		SELECT household_id, phone, 'pickup_changed', 'x', 'sent', 'test-change', window_start + interval '30 minutes' FROM notifications
		WHERE household_id = $1 AND kind = 'pickup_window' LIMIT 1`, hid); err != nil {
		t.Fatal(err)
	}
	if u3, s3 := uid(); u3 != u1 || s3 != "SEQUENCE:1" {
		t.Errorf("after a change: %s %s", u3, s3)
	}
}
