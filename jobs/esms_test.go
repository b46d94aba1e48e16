package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// fakeESMS implements eSMS's SendMultipleMessage_V4_post_json: it checks
// the keys, answers CodeResult 100 with an SMSID to a new RequestId and
// 124 to a known one, and can be told to answer a code or a status.
type fakeESMS struct {
	mu       sync.Mutex
	accepted map[string]string // RequestId → Phone
	code     string            // forced CodeResult
	status   int               // forced HTTP status
	block    bool              // never answer (timeouts)
	bodies   []map[string]string
}

func newFakeESMS(t *testing.T) (*fakeESMS, *httptest.Server) {
	f := &fakeESMS{accepted: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		block, status, code := f.block, f.status, f.code
		f.mu.Unlock()
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, `{"error":"Invalid request"}`, http.StatusBadRequest)
			return
		}
		var in map[string]string
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, `{"error":"Invalid request"}`, http.StatusBadRequest)
			return
		}
		if block { // the body is read: the server sees the client hang up
			<-r.Context().Done()
			return
		}
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.bodies = append(f.bodies, in)
		out := map[string]any{"CountRegenerate": 0}
		switch {
		case code != "":
			out["CodeResult"], out["ErrorMessage"] = code, "forced"
		case in["ApiKey"] != "key" || in["SecretKey"] != "secret":
			out["CodeResult"], out["ErrorMessage"] = "101", "Authorize Failed"
		case in["Brandname"] != "THUGOM":
			out["CodeResult"], out["ErrorMessage"] = "104", "Brand name code is not exist"
		case f.accepted[in["RequestId"]] != "":
			out["CodeResult"], out["ErrorMessage"], out["SendStatus"] = "124", "Request exist 1", "5"
		default:
			f.accepted[in["RequestId"]] = in["Phone"]
			out["CodeResult"], out["SMSID"] = "100", "sms-"+in["RequestId"]
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeESMS) set(fn func(f *fakeESMS)) { f.mu.Lock(); fn(f); f.mu.Unlock() }

func TestESMSSend(t *testing.T) {
	t.Parallel()
	f, srv := newFakeESMS(t)
	e := &jobs.ESMS{URL: srv.URL, APIKey: "key", SecretKey: "secret", Brandname: "THUGOM", CallbackURL: "https://thugom.example.vn/hooks/esms/receipt", CallbackToken: "tok",
		Client: &http.Client{Timeout: 200 * time.Millisecond}}
	ctx := context.Background()
	m := jobs.OutgoingSMS{To: "+84912345678", Body: "Thugom: test", IdempotencyKey: "pickup_window:1:2026-09-15:0900"}
	ref, err := e.Send(ctx, nil, m)
	if err != nil || ref != m.IdempotencyKey {
		t.Fatalf("send: %q %v", ref, err)
	}
	// A retry of a send whose transaction was lost: eSMS says 124, sent once.
	if ref2, err := e.Send(ctx, nil, m); err != nil || ref2 != ref {
		t.Fatalf("resend: %q %v", ref2, err)
	}
	if len(f.accepted) != 1 || f.accepted[m.IdempotencyKey] != "0912345678" {
		t.Errorf("accepted %v", f.accepted)
	}
	b := f.bodies[0]
	if b["SmsType"] != "2" || b["IsUnicode"] != "0" || b["Content"] != m.Body || b["CallbackUrl"] != "https://thugom.example.vn/hooks/esms/receipt?token=tok" {
		t.Errorf("request %v", b)
	}
	for _, c := range []struct {
		name      string
		set       func(f *fakeESMS)
		e         *jobs.ESMS
		permanent bool
	}{
		{"bad keys", nil, &jobs.ESMS{URL: srv.URL, APIKey: "no", SecretKey: "secret", Brandname: "THUGOM"}, true},
		{"unknown brandname", nil, &jobs.ESMS{URL: srv.URL, APIKey: "key", SecretKey: "secret", Brandname: "X"}, true},
		{"bad number", func(f *fakeESMS) { f.code = "108" }, e, true},
		{"template", func(f *fakeESMS) { f.code = "146" }, e, true},
		{"balance", func(f *fakeESMS) { f.code = "103" }, e, false},
		{"rate limited", func(f *fakeESMS) { f.code, f.status = "", http.StatusTooManyRequests }, e, false},
		{"server error", func(f *fakeESMS) { f.status = http.StatusBadGateway }, e, false},
		{"timeout", func(f *fakeESMS) { f.status, f.block = 0, true }, e, false},
	} {
		if c.set != nil {
			f.set(c.set)
		}
		_, err := c.e.Send(ctx, nil, jobs.OutgoingSMS{To: "+84912345678", Body: "x", IdempotencyKey: "k-" + c.name})
		if err == nil || errors.Is(err, jobs.ErrPermanent) != c.permanent {
			t.Errorf("%s: %v, want permanent=%v", c.name, err, c.permanent)
		}
		f.set(func(f *fakeESMS) { f.code, f.status, f.block = "", 0, false })
	}
}

func TestESMSReceiptAndMO(t *testing.T) {
	t.Parallel()
	e := &jobs.ESMS{CallbackToken: "tok", CPID: "cp1", PrivateKey: "17417a0d20114d36a902e49cad0e97f3"}
	q := url.Values{"token": {"tok"}, "SMSID": {"s1"}, "RequestId": {"k1"}, "SendStatus": {"5"}, "SendSuccess": {"1"}, "SendFailed": {"0"}}
	r, final, err := e.ParseReceipt(q)
	if err != nil || !final || !r.Delivered || r.Ref != "k1" || r.Provider != "esms" {
		t.Fatalf("receipt: %+v %v %v", r, final, err)
	}
	q.Set("SendStatus", "7")
	if _, final, err := e.ParseReceipt(q); err != nil || final {
		t.Errorf("pending receipt: final %v, %v", final, err)
	}
	q.Set("SendStatus", "5")
	q.Set("SendSuccess", "0")
	q.Set("SendFailed", "1")
	if r, _, _ := e.ParseReceipt(q); r.Delivered {
		t.Error("failed receipt read as delivered")
	}
	q.Set("token", "forged")
	if _, _, err := e.ParseReceipt(q); thugom.ErrorCode(err) != thugom.EUnauthorized {
		t.Errorf("forged token: %v", err)
	}
	// MO with the documented signature.
	mo := url.Values{"sender": {"84912345678"}, "content": {"Hủy"}, "smsid": {"mo-1"}, "cpid": {"cp1"}, "receiverTime": {"20260915083000"}, "serviceNumber": {"8079"}}
	mo.Set("sign", jobs.ESMSSign("cp1", "mo-1", "Hủy", "20260915083000", e.PrivateKey))
	m, err := e.ParseMO(mo)
	if err != nil || m.ProviderMessageID != "esms:mo-1" || m.Text != "Hủy" || m.ReceivedAt.IsZero() {
		t.Fatalf("mo: %+v %v", m, err)
	}
	if got := jobs.ESMSSign("abcdef", "1234", "xyz", "", "17417a0d20114d36a902e49cad0e97f3"); got == "" {
		t.Error("empty signature")
	}
	mo.Set("content", "1")
	if _, err := e.ParseMO(mo); thugom.ErrorCode(err) != thugom.EUnauthorized {
		t.Errorf("tampered content: %v", err)
	}
}

// The whole path: a plan's window messages go to the eSMS fake, receipts
// (twice, out of order) update them, and an undelivered window puts the
// household's orders at risk.
func TestESMSDeliveryReceipts(t *testing.T) {
	t.Parallel()
	f, srv := newFakeESMS(t)
	b := setup(t, setupOpts{households: 60})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b.geocodeAll(t)
	e := &jobs.ESMS{URL: srv.URL, APIKey: "key", SecretKey: "secret", Brandname: "THUGOM", CallbackToken: "tok"}
	svc, err := jobs.New(b.db, jobs.Deps{Clock: b.clock.now, Workers: 2, PlanIterations: 2000, SLAWatchEvery: -1, SMS: e,
		FetchPollInterval: 100 * time.Millisecond, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = svc.Stop(context.Background()) }()
	depot := b.busiestDepot(t)
	if _, err := svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, func() bool {
		return count(t, b.db, `SELECT count(*) FROM notifications WHERE status = 'queued' AND kind = 'pickup_window'`) == 0
	})
	var keys []string
	rows, err := b.db.Query(ctx, `SELECT provider_ref FROM notifications WHERE kind = 'pickup_window' AND status = 'sent' AND provider = 'esms' ORDER BY id LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		keys = append(keys, k)
	}
	if rows.Err() != nil || len(keys) < 2 {
		t.Fatalf("sent through eSMS: %v %v", keys, rows.Err())
	}
	f.mu.Lock()
	if len(f.accepted) < 2 {
		t.Errorf("eSMS accepted %d", len(f.accepted))
	}
	f.mu.Unlock()
	receipt := func(key, status, ok, failed string) (*jobs.DeliveryResult, error) {
		r, final, err := e.ParseReceipt(url.Values{"token": {"tok"}, "RequestId": {key}, "SMSID": {"sms-" + key}, "SendStatus": {status}, "SendSuccess": {ok}, "SendFailed": {failed}})
		if err != nil || !final {
			t.Fatalf("receipt: %v %v", final, err)
		}
		return svc.RecordDelivery(ctx, r)
	}
	res, err := receipt(keys[0], "5", "1", "0")
	if err != nil || res.Delivery != "delivered" || res.Duplicate {
		t.Fatalf("delivered: %+v %v", res, err)
	}
	// The same callback again (eSMS retries up to 5 times), then a late
	// failure: nothing changes.
	if res, err := receipt(keys[0], "5", "1", "0"); err != nil || !res.Duplicate {
		t.Errorf("duplicate: %+v %v", res, err)
	}
	if res, err := receipt(keys[0], "4", "0", "1"); err != nil || !res.Duplicate || res.Delivery != "delivered" {
		t.Errorf("late failure after delivery: %+v %v", res, err)
	}
	// An undelivered window: the household's orders are at risk.
	res, err = receipt(keys[1], "5", "0", "1")
	if err != nil || res.Delivery != "undelivered" || len(res.AtRisk) == 0 {
		t.Fatalf("undelivered: %+v %v", res, err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM orders WHERE id = $1 AND at_risk`, res.AtRisk[0]); n != 1 {
		t.Error("order not at risk")
	}
	// Unknown message: not found, nothing changes.
	if _, err := receipt("nope", "5", "1", "0"); thugom.ErrorCode(err) != thugom.ENotFound {
		t.Errorf("unknown ref: %v", err)
	}
}

func TestSMSFromEnv(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	if p, _, err := jobs.SMSFromEnv(env()); err != nil || p.Name() != "outbox" {
		t.Errorf("default: %v %v", p, err)
	}
	if p, e, err := jobs.SMSFromEnv(env("THUGOM_SMS_PROVIDER", "esms", "THUGOM_ESMS_API_KEY", "k", "THUGOM_ESMS_SECRET_KEY", "s", "THUGOM_ESMS_BRANDNAME", "B")); err != nil || p.Name() != "esms" || e == nil {
		t.Errorf("esms: %v %v", p, err)
	}
	if p, _, err := jobs.SMSFromEnv(env("THUGOM_SMS_PROVIDER", "zalo", "THUGOM_ZALO_ACCESS_TOKEN", "t", "THUGOM_ZALO_TEMPLATE_ID", "1")); err != nil || p.Name() != "zalo" {
		t.Errorf("zalo: %v %v", p, err)
	}
	for _, bad := range [][]string{
		{"THUGOM_SMS_PROVIDER", "zalo"},
		{"THUGOM_SMS_PROVIDER", "zalo", "THUGOM_ZALO_ACCESS_TOKEN", "t", "THUGOM_ZALO_TEMPLATE_ID", "1", "THUGOM_ZALO_FALLBACK", "zalo"},
		{"THUGOM_SMS_PROVIDER", "esms"},
		{"THUGOM_SMS_PROVIDER", "esms", "THUGOM_ESMS_API_KEY", "k", "THUGOM_ESMS_SECRET_KEY", "s", "THUGOM_ESMS_BRANDNAME", "B", "THUGOM_ESMS_CALLBACK_URL", "https://x/hooks/esms/receipt"},
		{"THUGOM_SMS_PROVIDER", "http"},
		{"THUGOM_SMS_PROVIDER", "pigeon"},
	} {
		if _, _, err := jobs.SMSFromEnv(env(bad...)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
