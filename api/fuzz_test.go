package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// writeEndpoint is one write endpoint of the API as the fuzzer calls it.
type writeEndpoint struct {
	method, path, ctype string
	driver              bool // called with a driver's token, else the admin's
}

// FuzzWriteEndpoints sends arbitrary bodies, query strings and
// Idempotency-Keys to every write endpoint (and the list endpoints' query
// parameters): the answer is a 2xx or a 4xx, never a 5xx. The seed corpus
// is in testdata/fuzz/FuzzWriteEndpoints (the inputs of issue 11) and below.
func FuzzWriteEndpoints(f *testing.F) {
	b := setupOpts(f, false)
	b.seedDay(2)
	var hh struct {
		HouseholdID int64 `json:"household_id"`
	}
	b.do("GET", "/v1/orders/1", b.disp, nil).json(f, &hh)
	eps := []writeEndpoint{
		{"POST", "/v1/orders", "application/json", false},
		{"POST", "/v1/orders/import", "text/csv", false},
		{"POST", "/v1/orders/1/cancel", "application/json", false},
		{"POST", "/v1/orders/2/lock", "application/json", false},
		{"DELETE", "/v1/orders/2/lock", "application/json", false},
		{"PATCH", fmt.Sprintf("/v1/households/%d", hh.HouseholdID), "application/json", false},
		{"POST", fmt.Sprintf("/v1/households/%d/link", hh.HouseholdID), "application/json", false},
		{"POST", "/v1/vehicles", "application/json", false},
		{"PATCH", fmt.Sprintf("/v1/vehicles/%d", b.vehicle[0].ID), "application/json", false},
		{"POST", "/v1/drivers", "application/json", false},
		{"POST", fmt.Sprintf("/v1/depots/%d/plans", b.depot.ID), "application/json", false},
		{"POST", fmt.Sprintf("/v1/depots/%d/replan", b.depot.ID), "application/json", false},
		{"POST", "/v1/stops/1/move", "application/json", false},
		{"POST", "/v1/stops/1/pickup", "application/json", false},
		{"POST", "/v1/stops/2/fail", "application/json", false},
		{"POST", "/v1/stops/3/status", "application/json", false},
		{"POST", "/v1/me/positions", "application/json", true},
		{"POST", "/v1/sms/inbound", "application/json", false},
		{"POST", "/v1/tokens", "application/json", false},
		{"DELETE", "/v1/tokens/999", "", false},
		{"POST", "/h/abc/ready", "application/x-www-form-urlencoded", false},
		{"GET", "/v1/orders", "", false},
		{"GET", "/v1/households", "", false},
	}
	at := testNow.Add(-time.Minute).Format(time.RFC3339)
	for i := range eps {
		f.Add(uint8(i), []byte(`{}`), "", "k1")
	}
	for _, s := range []struct {
		ep          uint8
		body, query string
		key         string
	}{
		{0, `{"marketplace":"postmart","marketplace_order_id":"F\u0000","household":{"phone":"0912000999","address":"x"},"product":"na","weight_kg":5}`, "", ""},
		{0, `{"marketplace":"postmart","marketplace_order_id":"F1","household":{"phone":"0912000999","address":"x"},"product":"na","weight_kg":5e-324,"cod_amount":4611686018427387904,"placed_at":"0001-01-01T00:00:00Z"}`, "", ""},
		{1, "marketplace,marketplace_order_id,phone,address,product,weight_kg\npostmart,C1,0912000998,Jos\xe9,na,5\n", "", ""},
		{1, "marketplace,marketplace_order_id,phone,address,product,weight_kg\npostmart,C2,0912000997,\xd0\xfd\xecc,na,5\n", "keep_good=true", ""},
		{1, "marketplace,marketplace_order_id,phone,address,product,weight_kg\npostmart,C3,0912000996,a\x00b,na,5\n", "", ""},
		{5, `{"point":[106.7,21.8,5]}`, "", ""},
		{13, `{"happened_at":"` + at + `"}`, "", "k\xff"},
		{16, `{"positions":[{"at":"0001-01-01T00:00:00Z","lon":106.7,"lat":21.8}]}`, "", ""},
		{17, `{"message_id":"m\u0000","from":"0912000001","text":"1"}`, "", ""},
		{18, `{"role":"driver","name":"\u0000"}`, "", ""},
		{20, "note=%00", "", ""},
		{21, "", "q=%00", ""}, {21, "", "q=%ff%fe", ""}, {21, "", "marketplace=%00", ""}, {21, "", "q=%25", ""},
		{22, "", "commune=%ff", ""}, {22, "", "q=_", ""},
	} {
		f.Add(s.ep, []byte(s.body), s.query, s.key)
	}
	f.Fuzz(func(t *testing.T, ep uint8, body []byte, query, key string) {
		e := eps[int(ep)%len(eps)]
		u := b.srv.URL + e.path
		if query != "" {
			u += "?" + query
		}
		var rd io.Reader
		if e.method != "GET" {
			rd = bytes.NewReader(body)
		}
		if _, err := url.Parse(u); err != nil {
			t.Skip("not a URL")
		}
		req, err := http.NewRequest(e.method, u, rd)
		if err != nil {
			t.Skip("not a request")
		}
		if e.ctype != "" {
			req.Header.Set("Content-Type", e.ctype)
		}
		tok := b.admin
		if e.driver {
			tok = b.drv1
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		if key != "" && !strings.ContainsAny(key, "\r\n\x00") {
			req.Header["Idempotency-Key"] = []string{key}
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Skipf("the client refused the request: %v", err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s (key %q) → %d: %s", e.method, u, key, res.StatusCode, trunc(out))
		}
	})
}
