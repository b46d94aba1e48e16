package api_test

import (
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/jobs"
)

// The eSMS short code: a household's "Hủy" (in words, with diacritics)
// cancels its orders and the acknowledgement comes back in the synchronous
// answer, once; a duplicate delivery answers nothing; a forged signature is
// 401 and changes nothing; receipts need our token.
func TestESMSHooks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seedDay(2)
	e := &jobs.ESMS{CPID: "cp1", PrivateKey: "private-key", CallbackToken: "tok"}
	h := checkOpenAPI(t, api.New(api.Deps{DB: b.db, Service: b.svc, Clock: func() time.Time { return testNow }, Secret: secret,
		Logger: slog.New(slog.DiscardHandler), ESMS: e}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(path string, q url.Values) (int, string) {
		t.Helper()
		res, err := http.Get(srv.URL + path + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	mo := func(smsid, content, sign string) url.Values {
		q := url.Values{"sender": {"84912000000"}, "content": {content}, "smsid": {smsid}, "cpid": {"cp1"}, "receiverTime": {"20261123083000"}, "serviceNumber": {"8079"}, "keyword": {content}}
		if sign == "" {
			sign = jobs.ESMSSign("cp1", smsid, content, "20261123083000", "private-key")
		}
		q.Set("sign", sign)
		return q
	}
	if code, body := get("/hooks/esms/mo", mo("m1", "Hủy", "forged")); code != http.StatusUnauthorized || !strings.Contains(body, "signature") {
		t.Errorf("forged MO: %d %s", code, body)
	}
	if n := count(t, b, `SELECT count(*) FROM orders WHERE status = 'cancelled'`); n != 0 {
		t.Fatalf("a forged message cancelled %d orders", n)
	}
	code, body := get("/hooks/esms/mo", mo("m1", "Hủy", ""))
	var ans jobs.ESMSMOAnswer
	if err := xml.Unmarshal([]byte(body), &ans); code != http.StatusOK || err != nil {
		t.Fatalf("MO: %d %s %v", code, body, err)
	}
	if !strings.Contains(ans.Message, "HUY") || ans.Smsid != "m1" || ans.Receiver != "84912000000" {
		t.Errorf("answer %+v", ans)
	}
	if n := count(t, b, `SELECT count(*) FROM orders WHERE status = 'cancelled'`); n == 0 {
		t.Error("Hủy cancelled nothing")
	}
	if n := count(t, b, `SELECT count(*) FROM notifications WHERE kind = 'reply_cancelled' AND status = 'sent' AND provider = 'esms'`); n != 1 {
		t.Errorf("%d acknowledgements sent inline, want 1", n)
	}
	// eSMS delivers the same MO again: no second answer.
	if code, body := get("/hooks/esms/mo", mo("m1", "Hủy", "")); code != http.StatusOK || strings.Contains(body, "HUY") {
		t.Errorf("duplicate MO: %d %s", code, body)
	}
	// Receipts: no token is 401; pending is 200; unknown is 404.
	if code, _ := get("/hooks/esms/receipt", url.Values{"RequestId": {"x"}, "SendStatus": {"5"}}); code != http.StatusUnauthorized {
		t.Errorf("receipt without token: %d", code)
	}
	if code, _ := get("/hooks/esms/receipt", url.Values{"token": {"tok"}, "RequestId": {"x"}, "SendStatus": {"7"}}); code != http.StatusOK {
		t.Errorf("pending receipt: %d", code)
	}
	if code, _ := get("/hooks/esms/receipt", url.Values{"token": {"tok"}, "RequestId": {"x"}, "SendStatus": {"5"}, "SendSuccess": {"1"}}); code != http.StatusNotFound {
		t.Errorf("unknown receipt: %d", code)
	}
	if code, _ := get("/hooks/esms/receipt", url.Values{"token": {"tok"}, "RequestId": {"x"}, "SendStatus": {"zz"}}); code != http.StatusBadRequest && code != http.StatusUnprocessableEntity {
		t.Errorf("bad receipt: %d", code)
	}
}

func count(t *testing.T, b *bundle, q string, args ...any) int {
	t.Helper()
	var n int
	if err := b.db.QueryRow(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestSIMGatewayHook(t *testing.T) {
	t.Parallel()
	b := setup(t)
	h := checkOpenAPI(t, api.New(api.Deps{DB: b.db, Service: b.svc, Clock: func() time.Time { return testNow }, Secret: secret,
		Logger: slog.New(slog.DiscardHandler), SIMToken: "sim-token-of-16-chars"}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	do := func(method, pass, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/hooks/sim", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if pass != "" {
			req.SetBasicAuth("phone", pass)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(out)
	}
	if code, _ := do("POST", "", `{}`); code != http.StatusUnauthorized {
		t.Errorf("no credentials: %d", code)
	}
	if code, _ := do("POST", "wrong-password-xxxx", `{}`); code != http.StatusUnauthorized {
		t.Errorf("bad credentials: %d", code)
	}
	if code, body := do("GET", "sim-token-of-16-chars", ""); code != http.StatusOK || !strings.Contains(body, `"medic-gateway":true`) {
		t.Errorf("connection test: %d %s", code, body)
	}
	if code, body := do("POST", "sim-token-of-16-chars", `{"messages":[],"updates":[]}`); code != http.StatusOK || !strings.Contains(body, `"messages":[]`) {
		t.Errorf("empty poll: %d %s", code, body)
	}
	if code, _ := do("POST", "sim-token-of-16-chars", `{"updates":[{"id":"x","status":"LOST"}]}`); code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
		t.Errorf("bad status: %d", code)
	}
	if code, _ := do("POST", "sim-token-of-16-chars", `{"messages":[{"id":"","from":"0912"}]}`); code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
		t.Errorf("message without id: %d", code)
	}
}
