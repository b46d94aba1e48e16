package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/thugom/thugom/jobs"
)

// fakeZNS implements Zalo's /message/template: the access_token header,
// a phone of 84…, the template; numbers not on Zalo answer -118.
type fakeZNS struct {
	mu     sync.Mutex
	onZalo map[string]bool
	code   int // forced error code
	status int // forced HTTP status
	sent   []map[string]any
}

func newFakeZNS(t *testing.T, onZalo ...string) (*fakeZNS, *httptest.Server) {
	f := &fakeZNS{onZalo: map[string]bool{}}
	for _, p := range onZalo {
		f.onZalo[p] = true
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			_ = json.NewEncoder(w).Encode(map[string]any{"error": -201, "message": "Missing required fields"})
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		phone, _ := in["phone"].(string)
		switch {
		case f.status != 0:
			w.WriteHeader(f.status)
			return
		case r.Header.Get("Access_token") != "zalo-token":
			_ = json.NewEncoder(w).Encode(map[string]any{"error": -124, "message": "Access token invalid"})
		case f.code != 0:
			_ = json.NewEncoder(w).Encode(map[string]any{"error": f.code, "message": "forced"})
		case strings.HasPrefix(phone, "+") || in["template_id"] != "505716":
			_ = json.NewEncoder(w).Encode(map[string]any{"error": -108, "message": "Phone number invalid"})
		case !f.onZalo[phone]:
			_ = json.NewEncoder(w).Encode(map[string]any{"error": -118, "message": "Zalo account not existed"})
		default:
			f.sent = append(f.sent, in)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": 0, "message": "Success", "data": map[string]any{"msg_id": "zm-" + phone, "sent_time": "1759983921893"}})
		}
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func TestZaloZNSWithSMSFallback(t *testing.T) {
	t.Parallel()
	zf, zsrv := newFakeZNS(t, "84912000001")
	ef, esrv := newFakeESMS(t)
	sms := &jobs.ESMS{URL: esrv.URL, APIKey: "key", SecretKey: "secret", Brandname: "THUGOM"}
	z := &jobs.ZaloZNS{URL: zsrv.URL, AccessToken: "zalo-token", TemplateID: "505716", Fallback: sms}
	ctx := context.Background()
	// On Zalo: one ZNS, no SMS.
	ref, err := z.Send(ctx, nil, jobs.OutgoingSMS{To: "+84912000001", Body: "Thugom: lay hang", IdempotencyKey: "k1"})
	if err != nil || ref != "zns:zm-84912000001" {
		t.Fatalf("on Zalo: %q %v", ref, err)
	}
	if td, _ := zf.sent[0]["template_data"].(map[string]any); td["message"] != "Thugom: lay hang" || zf.sent[0]["tracking_id"] != "k1" {
		t.Errorf("ZNS request %v", zf.sent[0])
	}
	// Not on Zalo (-118): the SMS goes instead, in the same send.
	ref, err = z.Send(ctx, nil, jobs.OutgoingSMS{To: "+84912000002", Body: "x", IdempotencyKey: "k2"})
	if err != nil || ref != "esms:k2" || ef.accepted["k2"] != "0912000002" {
		t.Fatalf("fallback: %q %v %v", ref, err, ef.accepted)
	}
	// Zalo's own failures fall back too; transport failures are retried.
	for _, c := range []struct {
		name     string
		code     int
		status   int
		fallback bool
	}{
		{"token expired", 0, 0, true}, {"quota", -216, 0, true}, {"inactive user", -114, 0, true},
		{"rate limited", 0, http.StatusTooManyRequests, false}, {"zalo down", 0, http.StatusServiceUnavailable, false},
	} {
		zf.mu.Lock()
		zf.code, zf.status = c.code, c.status
		zf.mu.Unlock()
		zz := *z
		if c.name == "token expired" {
			zz.AccessToken = "old"
		}
		key := "k-" + c.name
		ref, err := zz.Send(ctx, nil, jobs.OutgoingSMS{To: "+84912000001", Body: "x", IdempotencyKey: key})
		switch {
		case c.fallback && (err != nil || ref != "esms:"+key):
			t.Errorf("%s: %q %v, want the SMS", c.name, ref, err)
		case !c.fallback && (err == nil || errors.Is(err, jobs.ErrPermanent) || ef.accepted[key] != ""):
			t.Errorf("%s: %q %v, want a retry and no SMS", c.name, ref, err)
		}
	}
	zf.mu.Lock()
	zf.code, zf.status = 0, 0
	zf.mu.Unlock()
	// No fallback: not on Zalo is permanent.
	alone := &jobs.ZaloZNS{URL: zsrv.URL, AccessToken: "zalo-token", TemplateID: "505716"}
	if _, err := alone.Send(ctx, nil, jobs.OutgoingSMS{To: "+84912000003", Body: "x", IdempotencyKey: "k3"}); !errors.Is(err, jobs.ErrPermanent) {
		t.Errorf("no fallback: %v", err)
	}
}
