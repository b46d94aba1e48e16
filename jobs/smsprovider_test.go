package jobs_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thugom/thugom/jobs"
)

func TestHTTPGateway(t *testing.T) {
	t.Parallel()
	var status int
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"id": 42}`))
	}))
	defer srv.Close()
	g := &jobs.HTTPGateway{URL: srv.URL, Token: "s3cret"}
	m := jobs.OutgoingSMS{NotificationID: 1, To: "+84912345678", Body: "Thugom: test", IdempotencyKey: "k1"}

	status = http.StatusOK
	ref, err := g.Send(context.Background(), nil, m)
	if err != nil || ref != "42" {
		t.Fatalf("ok: %q %v", ref, err)
	}
	if got.Header.Get("Idempotency-Key") != "k1" || got.Header.Get("Authorization") != "Bearer s3cret" ||
		!strings.Contains(body, `"to":"+84912345678"`) || !strings.Contains(body, `"idempotency_key":"k1"`) {
		t.Errorf("request: %v %q", got.Header, body)
	}
	status = http.StatusUnprocessableEntity // a rejected number: do not retry
	if _, err := g.Send(context.Background(), nil, m); !errors.Is(err, jobs.ErrPermanent) {
		t.Errorf("422: %v", err)
	}
	for _, st := range []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusInternalServerError} {
		status = st
		if _, err := g.Send(context.Background(), nil, m); err == nil || errors.Is(err, jobs.ErrPermanent) {
			t.Errorf("%d: %v, want a retryable error", st, err)
		}
	}
	bad := &jobs.HTTPGateway{URL: "http://127.0.0.1:1/"}
	if _, err := bad.Send(context.Background(), nil, m); err == nil || errors.Is(err, jobs.ErrPermanent) {
		t.Errorf("unreachable gateway: %v, want a retryable error", err)
	}
}
