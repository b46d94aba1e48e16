package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/jobs"
)

// shortLinkServer is the API of b's database with the post office's phone
// set and a clock the test moves, checked against the OpenAPI document.
type shortLinkServer struct {
	h   http.Handler
	now atomic.Int64 // unix nanoseconds
}

func newShortLinkServer(t *testing.T, b *bundle) *shortLinkServer {
	s := &shortLinkServer{}
	s.now.Store(testNow.UnixNano())
	clock := func() time.Time { return time.Unix(0, s.now.Load()).In(thugom.Local) }
	s.h = checkOpenAPI(t, api.New(api.Deps{DB: b.db, Service: b.svc, Clock: clock, Secret: secret, BaseURL: "http://thugom.test",
		HelpPhone: "0205 3870 123", Logger: slog.New(slog.DiscardHandler)}))
	return s
}

func (s *shortLinkServer) advance(d time.Duration) { s.now.Add(int64(d)) }

// get serves one GET from a client address.
func (s *shortLinkServer) get(path, from string, html bool) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = from
	if html {
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// TestShortLinkFromWindowSMS: the link of a window SMS in the outbox
// opens the household's page.
func TestShortLinkFromWindowSMS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	svc, err := jobs.New(b.db, jobs.Deps{Clock: func() time.Time { return testNow }, PlanIterations: 300, Logger: slog.New(slog.DiscardHandler),
		LinkBase: "http://thugom.test", LinkSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		r := b.do("POST", "/v1/orders", b.disp, order(fmt.Sprintf("PM-%03d", i), fmt.Sprintf("09120000%02d", i), addresses[i%len(addresses)], float64(5+i*3)))
		wantStatus(t, r, http.StatusCreated, "")
		var o struct {
			HouseholdID int64 `json:"household_id"`
		}
		r.json(t, &o)
		if _, err := svc.GeocodeHousehold(ctx, o.HouseholdID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.PlanDepotDay(ctx, b.depot.ID, testNow, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	rows, err := b.db.Query(ctx, `SELECT n.household_id, h.name, n.body FROM notifications n JOIN households h ON h.id = n.household_id WHERE n.kind = 'pickup_window'`)
	if err != nil {
		t.Fatal(err)
	}
	type msg struct {
		hh         int64
		name, body string
	}
	var msgs []msg
	for rows.Next() {
		var m msg
		if err := rows.Scan(&m.hh, &m.name, &m.body); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	if rows.Err() != nil || len(msgs) == 0 {
		t.Fatalf("no window message (%v)", rows.Err())
	}
	for _, m := range msgs {
		if n, ok := thugom.GSM7Len(m.body); !ok || n > thugom.SMSMaxLen {
			t.Errorf("%d septets: %q", n, m.body)
		}
		_, link, ok := strings.Cut(m.body, "\nthugom.test/s/")
		if !ok {
			t.Errorf("household %d: no link in %q", m.hh, m.body)
			continue
		}
		r := b.do("GET", "/s/"+link, "", nil, "Accept", "text/html")
		loc := r.header.Get("Location")
		if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/h/") {
			t.Fatalf("GET /s/%s: %d, Location %q", link, r.status, loc)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("redirect cacheable: %q", r.header.Get("Cache-Control"))
		}
		page := b.do("GET", loc, "", nil, "Accept", "text/html")
		if page.status != http.StatusOK || !strings.Contains(string(page.body), "Chào "+m.name) {
			t.Errorf("GET %s: %d, want the page of %s: %.300s", loc, page.status, m.name, page.body)
		}
		// The long link it leads to is valid for 72 h.
		if id, err := api.VerifyHouseholdLink(secret, strings.TrimPrefix(loc, "/h/"), testNow.Add(71*time.Hour)); err != nil || id != m.hh {
			t.Errorf("long link of %d: %d, %v", m.hh, id, err)
		}
	}
}

// TestShortLinkBad: a bad or expired code gets the small Vietnamese page
// with the post office's phone (problem+json for API clients), never a
// 500, and nothing about the code in the problem.
func TestShortLinkBad(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := newShortLinkServer(t, b)
	expired := thugom.SignShortLink(secret, 1, testNow.AddDate(0, 0, -1))
	valid := thugom.SignShortLink(secret, 1, testNow)
	other := thugom.SignShortLink([]byte("another secret of sixteen+ bytes"), 1, testNow)
	for i, c := range []struct {
		code, title string
	}{
		{expired, "đã hết hạn"},
		{other, "không đúng"},
		{valid[:len(valid)-1], "không đúng"},
		{valid + "1", "không đúng"},
		{"garbage", "không đúng"},
		{"a-b_c", "không đúng"},
		{strings.Repeat("Z", 300), "không đúng"},
		{"%E1%BB%AFu", "không đúng"},
		{"0", "không đúng"},
	} {
		from := fmt.Sprintf("10.1.0.%d:5000", i+1)
		r := s.get("/s/"+c.code, from, true)
		body := r.Body.String()
		if r.Code != http.StatusUnauthorized || !strings.HasPrefix(r.Header().Get("Content-Type"), "text/html") ||
			!strings.Contains(body, c.title) || !strings.Contains(body, ">0205 3870 123</a>") || !strings.Contains(body, `lang="vi"`) {
			t.Errorf("%q: %d %s %.400s", c.code, r.Code, r.Header().Get("Content-Type"), body)
		}
		r = s.get("/s/"+c.code, from, false)
		if r.Code != http.StatusUnauthorized || !strings.Contains(r.Header().Get("Content-Type"), "problem+json") || strings.Contains(r.Body.String(), "/s/") {
			t.Errorf("%q for an API client: %d %s %s", c.code, r.Code, r.Header().Get("Content-Type"), r.Body.String())
		}
	}
	// Over the real server too (real HTTP, path escaping by the client).
	for _, p := range []string{"/s/" + expired, "/s/%2e%2e", "/s/a%2Fb", "/s/%00", "/s/" + strings.Repeat("9", 4000)} {
		r := b.do("GET", p, "", nil, "Accept", "text/html")
		if r.status >= 500 || r.status < 400 {
			t.Errorf("GET %.40s: %d", p, r.status)
		}
	}
	if r := s.get("/s/"+valid, "10.1.1.1:5000", true); r.Code != http.StatusSeeOther {
		t.Errorf("valid code: %d", r.Code)
	}
}

// TestShortLinkGuessesBounded: a client's wrong codes are bounded (then
// 429, even for a right code, until tries come back with time); right and
// expired codes cost nothing; other clients are not affected; an IPv6
// client is its /64.
func TestShortLinkGuessesBounded(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := newShortLinkServer(t, b)
	valid := thugom.SignShortLink(secret, 1, testNow.AddDate(0, 0, 2))
	expired := thugom.SignShortLink(secret, 1, testNow.AddDate(0, 0, -2))
	const attacker = "203.0.113.7:40000"
	for i := 0; i < 30; i++ { // free
		if r := s.get("/s/"+valid, attacker, false); r.Code != http.StatusSeeOther {
			t.Fatalf("valid %d: %d", i, r.Code)
		}
		if r := s.get("/s/"+expired, attacker, false); r.Code != http.StatusUnauthorized {
			t.Fatalf("expired %d: %d", i, r.Code)
		}
	}
	wrong := func(i int) string { return fmt.Sprintf("Wr0ngC0de%03d", i) }
	for i := 0; i < 20; i++ {
		if r := s.get("/s/"+wrong(i), attacker, false); r.Code != http.StatusUnauthorized {
			t.Fatalf("wrong %d: %d", i, r.Code)
		}
	}
	r := s.get("/s/"+wrong(20), attacker, true)
	if r.Code != http.StatusTooManyRequests || r.Header().Get("Retry-After") != "180" || !strings.Contains(r.Body.String(), "thử lại sau") {
		t.Fatalf("21st wrong code: %d Retry-After %q %.300s", r.Code, r.Header().Get("Retry-After"), r.Body.String())
	}
	if r := s.get("/s/"+valid, attacker, false); r.Code != http.StatusTooManyRequests || !strings.Contains(r.Header().Get("Content-Type"), "problem+json") {
		t.Errorf("valid code while over: %d %s", r.Code, r.Header().Get("Content-Type"))
	}
	if r := s.get("/s/"+valid, "203.0.113.8:40000", false); r.Code != http.StatusSeeOther {
		t.Errorf("another client: %d", r.Code)
	}
	// One try back after 3 minutes, and only one.
	s.advance(3 * time.Minute)
	if r := s.get("/s/"+wrong(21), attacker, false); r.Code != http.StatusUnauthorized {
		t.Errorf("after 3 min: %d", r.Code)
	}
	if r := s.get("/s/"+wrong(22), attacker, false); r.Code != http.StatusTooManyRequests {
		t.Errorf("second after 3 min: %d", r.Code)
	}
	s.advance(time.Hour)
	if r := s.get("/s/"+valid, attacker, false); r.Code != http.StatusSeeOther {
		t.Errorf("an hour later: %d", r.Code)
	}
	// IPv6: the whole /64 is one client.
	for i := 0; i < 20; i++ {
		s.get("/s/"+wrong(i), fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1), false)
	}
	if r := s.get("/s/"+valid, "[2001:db8:1:2:ffff::1]:443", false); r.Code != http.StatusTooManyRequests {
		t.Errorf("same /64: %d", r.Code)
	}
	if r := s.get("/s/"+valid, "[2001:db8:1:3::1]:443", false); r.Code != http.StatusSeeOther {
		t.Errorf("another /64: %d", r.Code)
	}
}

// TestShortLinkGuessesConcurrent: wrong codes racing from one client get
// exactly the client's tries, no more.
func TestShortLinkGuessesConcurrent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := newShortLinkServer(t, b)
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[int]int{}
	start := make(chan struct{})
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := s.get(fmt.Sprintf("/s/Wr0ngC0de%03d", i), "198.51.100.1:1", false)
			_, _ = io.Copy(io.Discard, r.Body)
			mu.Lock()
			got[r.Code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if got[http.StatusUnauthorized] != 20 || got[http.StatusTooManyRequests] != 40 {
		t.Errorf("60 racing wrong codes: %v, want 20 × 401 and 40 × 429", got)
	}
}

// TestShortLinkGlobalBound: many clients together are bounded too.
func TestShortLinkGlobalBound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := newShortLinkServer(t, b)
	refused := 0
	for i := 0; i < 1100; i++ {
		from := fmt.Sprintf("10.%d.%d.1:1", i/200, i%200)
		if r := s.get(fmt.Sprintf("/s/Wr0ngC0de%04d", i), from, false); r.Code == http.StatusTooManyRequests {
			refused++
		} else if r.Code != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i, r.Code)
		}
	}
	if refused != 100 {
		t.Errorf("%d of 1100 wrong codes from 1100 clients refused, want 100 (the server's 1000 tries spent)", refused)
	}
	s.advance(time.Second)
	ok := 0
	for i := 0; i < 25; i++ {
		if r := s.get(fmt.Sprintf("/s/Again%04d", i), fmt.Sprintf("172.16.0.%d:1", i+1), false); r.Code == http.StatusUnauthorized {
			ok++
		}
	}
	if ok != 20 {
		t.Errorf("a second later %d tries, want 20", ok)
	}
}
