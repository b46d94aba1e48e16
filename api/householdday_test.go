package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom/api"
)

// TestHouseholdPageWorkingDay: the household page names its pickup's day
// as the driver app does ("Hôm nay", "Ngày mai, thứ hai 23/11"), and the
// acknowledgement of an answer given on the page says it was heard on the
// page, not by text.
func TestHouseholdPageWorkingDay(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(3)
	// Two households: the page of each is kept a moment (pageCache), so
	// the evening's and the day's are read on two.
	var evening, hid int64
	if err := b.db.QueryRow(context.Background(), "SELECT min(household_id), max(household_id) FROM orders").Scan(&evening, &hid); err != nil || evening == hid {
		t.Fatalf("two households: %d %d %v", evening, hid, err)
	}
	link := api.SignHouseholdLink(secret, evening, testNow.Add(48*time.Hour))
	b.moved.Store(testNow.Add(-9 * time.Hour).UnixNano()) // 21:00 the evening before
	r := b.do("GET", "/h/"+link, "", nil)
	wantStatus(t, r, http.StatusOK, "")
	if page := string(r.body); !strings.Contains(page, "Ngày mai, thứ hai 23/11") {
		t.Errorf("the evening before, the page does not say tomorrow:\n%s", page)
	}
	b.moved.Store(0)
	link = api.SignHouseholdLink(secret, hid, testNow.Add(48*time.Hour))
	r = b.do("GET", "/h/"+link, "", nil)
	wantStatus(t, r, http.StatusOK, "")
	if page := string(r.body); !strings.Contains(page, "Hôm nay") {
		t.Errorf("on the day, the page does not say today:\n%s", page)
	}
	wantStatus(t, b.do("POST", "/h/"+link+"/ready", "", nil), http.StatusSeeOther, "")
	var ack string
	if err := b.db.QueryRow(context.Background(), "SELECT body FROM notifications WHERE household_id = $1 AND kind = 'reply_ready'", hid).Scan(&ack); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ack, "tren trang") || strings.Contains(ack, "qua tin nhan") {
		t.Errorf("acknowledgement of the page's ready: %q", ack)
	}
}
