package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestOrderBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ok := order("PM-1", "0912 345 678", "Phường Đông Kinh, Lạng Sơn", 12)
	r := b.do("POST", "/v1/orders", b.disp, ok)
	wantStatus(t, r, http.StatusCreated, "")
	if !strings.Contains(string(r.body), `"household_phone":"+84912345678"`) {
		t.Errorf("phone not stored as E.164: %s", r.body)
	}
	var jobs int
	if err := b.db.QueryRow(context.Background(), "SELECT count(*) FROM river_job WHERE kind = 'geocode_household'").Scan(&jobs); err != nil || jobs != 1 {
		t.Errorf("geocode jobs = %d (%v), want 1", jobs, err)
	}
	wantStatus(t, b.do("POST", "/v1/orders", b.disp, ok), http.StatusConflict, "marketplace_order_id")

	with := func(k string, v any) map[string]any {
		o := order("PM-2", "0912345679", "Phường Tam Thanh, Lạng Sơn", 10)
		o[k] = v
		return o
	}
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"malformed", `{"marketplace": "postmart",`, 400, ""},
		{"not an object", `[1,2]`, 400, ""},
		{"two values", `{} {}`, 400, ""},
		{"empty", ``, 400, ""},
		{"unknown field", with("colour", "red"), 422, "colour"},
		{"zero weight", with("weight_kg", 0), 422, "weight_kg"},
		{"negative weight", with("weight_kg", -3), 422, "weight_kg"},
		{"absurd weight", with("weight_kg", 501), 422, "weight_kg"},
		{"weight as text", with("weight_kg", "ten"), 422, "weight_kg"},
		{"missing weight", func() any { o := with("x", 1); delete(o, "x"); delete(o, "weight_kg"); return o }(), 422, "weight_kg"},
		{"missing id", with("marketplace_order_id", ""), 422, "marketplace_order_id"},
		{"unknown product", with("product", "durian"), 422, "product"},
		{"unknown marketplace", with("marketplace", "shopee"), 422, "marketplace"},
		{"foreign phone", with("household", map[string]any{"name": "A", "phone": "+33 6 12 34 56 78", "address": "Lạng Sơn"}), 422, "household.phone"},
		{"text phone", with("household", map[string]any{"name": "A", "phone": "call me", "address": "Lạng Sơn"}), 422, "household.phone"},
		{"no address", with("household", map[string]any{"name": "A", "phone": "0912000111"}), 422, "household.address"},
		{"other carrier's depot", with("depot", "VT-LS"), 422, "depot"},
		{"ready window backwards", func() any {
			o := with("ready_until", testNow.Add(-48*time.Hour).Format(time.RFC3339))
			o["ready_from"] = testNow.Format(time.RFC3339)
			return o
		}(), 422, "ready_until"},
	}
	for _, c := range cases {
		r := b.do("POST", "/v1/orders", b.disp, c.body)
		t.Run(c.name, func(t *testing.T) { wantStatus(t, r, c.status, c.field) })
	}
	// A dispatcher of the other carrier may not create postmart orders.
	wantStatus(t, b.do("POST", "/v1/orders", b.disp2, with("marketplace_order_id", "PM-9")), http.StatusForbidden, "marketplace")
	// Wrong content type, oversized body.
	wantStatus(t, b.do("POST", "/v1/orders", b.disp, "marketplace=x", "Content-Type", "application/x-www-form-urlencoded"), http.StatusUnsupportedMediaType, "")
	big := `{"note": "` + strings.Repeat("x", 2<<20) + `"}`
	wantStatus(t, b.do("POST", "/v1/orders", b.disp, big), http.StatusRequestEntityTooLarge, "")
	// Nothing half-written: only the first order and its household exist.
	var orders, households int
	if err := b.db.QueryRow(context.Background(), "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM households)").Scan(&orders, &households); err != nil {
		t.Fatal(err)
	}
	if orders != 1 || households != 1 {
		t.Errorf("after bad input: %d orders, %d households; want 1, 1", orders, households)
	}
	// Cancel, then cancelling again is a no-op; another carrier gets 403.
	wantStatus(t, b.do("POST", "/v1/orders/1/cancel", b.disp2, map[string]any{}), http.StatusForbidden, "")
	r = b.do("POST", "/v1/orders/1/cancel", b.disp, map[string]any{"reason": "buyer cancelled"})
	wantStatus(t, r, http.StatusOK, "")
	if !strings.Contains(string(r.body), `"status":"cancelled"`) {
		t.Errorf("cancel: %s", r.body)
	}
	wantStatus(t, b.do("GET", "/v1/orders/999", b.disp, nil), http.StatusNotFound, "")
	wantStatus(t, b.do("GET", "/v1/orders/abc", b.disp, nil), http.StatusNotFound, "")
}

const csvHeader = "marketplace,marketplace_order_id,household_name,phone,address,product,weight_kg,parcels,cod_amount,destination_province,placed_at,depot\n"

func csvRow(id, phone string, kg string) string {
	return fmt.Sprintf("postmart,%s,Hộ %s,%s,\"Thôn Nà Lầu, xã Tân Văn, Lạng Sơn\",na,%s,1,100000,Hà Nội,2026-11-23 05:00,BC-LS\n", id, id, phone, kg)
}

func TestCSVImport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	post := func(body, query string) resp {
		return b.do("POST", "/v1/orders/import"+query, b.disp, body, "Content-Type", "text/csv")
	}
	good := csvRow("C-1", "0912111001", "12") + csvRow("C-2", "0912111002", `"7,5"`)
	bad := csvRow("C-3", "12345", "10") + // line 4: phone
		csvRow("C-4", "0912111004", "600") + // line 5: weight
		csvRow("C-1", "0912111005", "3") + // line 6: repeats line 2
		"postmart,C-6,x\n" // line 7: field count
	r := post(csvHeader+good+bad, "")
	p := wantStatus(t, r, http.StatusUnprocessableEntity, "")
	errs, _ := p["errors"].([]any)
	lines := map[float64]string{}
	for _, e := range errs {
		m := e.(map[string]any)
		lines[m["line"].(float64)], _ = m["field"].(string)
	}
	want := map[float64]string{4: "phone", 5: "weight_kg", 6: "marketplace_order_id", 7: ""}
	for l, f := range want {
		if got, ok := lines[l]; !ok || got != f {
			t.Errorf("line %v: field %q (reported %v), want %q", l, got, ok, f)
		}
	}
	var n int
	if err := b.db.QueryRow(context.Background(), "SELECT count(*) FROM orders").Scan(&n); err != nil || n != 0 {
		t.Fatalf("strict import wrote %d orders (%v)", n, err)
	}
	// keep_good imports the good rows and reports the bad ones.
	r = post(csvHeader+good+bad, "?keep_good=true")
	wantStatus(t, r, http.StatusCreated, "")
	var res struct {
		Imported, Rejected, GeocodeJobs int `json:"-"`
	}
	_ = res
	if !strings.Contains(string(r.body), `"imported":2`) || !strings.Contains(string(r.body), `"rejected":4`) {
		t.Errorf("keep_good: %s", r.body)
	}
	// Importing the same file again: duplicates are reported (409 when they
	// are the only problem), nothing is written.
	r = post(csvHeader+good, "")
	wantStatus(t, r, http.StatusConflict, "marketplace_order_id")
	// Malformed CSV: a bare quote.
	wantStatus(t, post(csvHeader+"postmart,\"C-9,broken\n", ""), http.StatusBadRequest, "")
	wantStatus(t, post("", ""), http.StatusBadRequest, "")
	wantStatus(t, post("marketplace,colour\n", ""), http.StatusUnprocessableEntity, "colour")
	wantStatus(t, post("marketplace,phone\npostmart,0912\n", ""), http.StatusUnprocessableEntity, "marketplace_order_id")
	wantStatus(t, b.do("POST", "/v1/orders/import", b.disp, csvHeader+good), http.StatusUnsupportedMediaType, "")
	wantStatus(t, b.do("POST", "/v1/orders/import?keep_good=maybe", b.disp, csvHeader+good, "Content-Type", "text/csv"), http.StatusUnprocessableEntity, "keep_good")
	wantStatus(t, b.do("POST", "/v1/orders/import", b.drv1, csvHeader+good, "Content-Type", "text/csv"), http.StatusForbidden, "")
}

func TestSecurity(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.do("POST", "/v1/orders", b.disp, order("PM-S1", "0912000001", "Phường Đông Kinh, Lạng Sơn", 5))

	// Tokens: none, garbage, revoked.
	wantStatus(t, b.do("GET", "/v1/orders", "", nil), http.StatusUnauthorized, "")
	wantStatus(t, b.do("GET", "/v1/orders", "thg_nope", nil), http.StatusUnauthorized, "")
	wantStatus(t, b.do("GET", "/v1/orders", "", nil, "Authorization", "Basic YWRtaW46YWRtaW4="), http.StatusUnauthorized, "")
	r := b.do("POST", "/v1/tokens", b.admin, map[string]any{"role": "dispatcher", "carrier_id": 1, "name": "temp"})
	wantStatus(t, r, http.StatusCreated, "")
	var created struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	r.json(t, &created)
	wantStatus(t, b.do("GET", "/v1/orders", created.Token, nil), http.StatusOK, "")
	wantStatus(t, b.do("DELETE", fmt.Sprintf("/v1/tokens/%d", created.ID), b.disp, nil), http.StatusForbidden, "")
	wantStatus(t, b.do("DELETE", fmt.Sprintf("/v1/tokens/%d", created.ID), b.admin, nil), http.StatusNoContent, "")
	wantStatus(t, b.do("GET", "/v1/orders", created.Token, nil), http.StatusUnauthorized, "")
	wantStatus(t, b.do("DELETE", fmt.Sprintf("/v1/tokens/%d", created.ID), b.admin, nil), http.StatusNotFound, "")
	wantStatus(t, b.do("GET", "/v1/tokens", b.admin, nil), http.StatusOK, "")

	// Roles: a driver is no dispatcher; a dispatcher sees no other carrier.
	wantStatus(t, b.do("GET", "/v1/orders", b.drv1, nil), http.StatusForbidden, "")
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/drivers/%d/manifest", b.driver[1].ID), b.drv1, nil), http.StatusForbidden, "")
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/drivers/%d/manifest", b.driver[0].ID), b.disp2, nil), http.StatusForbidden, "")
	wantStatus(t, b.do("GET", fmt.Sprintf("/v1/drivers/%d/manifest", b.driver[0].ID), b.drv1, nil), http.StatusOK, "")
	wantStatus(t, b.do("GET", "/v1/orders/1", b.disp2, nil), http.StatusForbidden, "")
	r = b.do("GET", "/v1/orders", b.disp2, nil)
	wantStatus(t, r, http.StatusOK, "")
	if strings.Contains(string(r.body), "PM-S1") {
		t.Error("a dispatcher sees another carrier's orders")
	}
	wantStatus(t, b.do("POST", "/v1/sms/inbound", b.disp, map[string]any{"message_id": "m1", "from": "0912000001", "text": "1"}), http.StatusForbidden, "")

	// SQL injection in every filter: a 4xx or an empty answer, never a 500,
	// and the tables are intact.
	inject := []string{"' OR '1'='1", "1; DROP TABLE orders; --", "1 OR 1=1", "%' UNION SELECT hash FROM tokens --", `\'; SELECT pg_sleep(5); --`}
	for _, param := range []string{"depot_id", "status", "marketplace", "phone", "household_id", "at_risk", "from", "to", "q", "after", "limit"} {
		for _, v := range inject {
			r := b.do("GET", "/v1/orders?"+param+"="+url.QueryEscape(v), b.disp, nil)
			if r.status != http.StatusOK && r.status != http.StatusUnprocessableEntity {
				t.Errorf("orders?%s=%q: %d %s", param, v, r.status, r.body)
			}
			if r.status == http.StatusOK && strings.Contains(string(r.body), "PM-S1") {
				t.Errorf("orders?%s=%q matched a row", param, v)
			}
		}
	}
	for _, path := range []string{"/v1/households?phone=", "/v1/households?commune=", "/v1/households?ungeocoded=", "/v1/households?q=",
		"/v1/households?after=", "/v1/households?limit=", "/v1/sla?depot_id=", "/v1/sla?date=", "/v1/vehicles?depot_id=", "/v1/vehicles?status=", "/v1/drivers?depot_id=",
		fmt.Sprintf("/v1/depots/%d/plan?date=", b.depot.ID), fmt.Sprintf("/v1/depots/%d/report?date=", b.depot.ID), fmt.Sprintf("/v1/depots/%d/unassigned?date=", b.depot.ID)} {
		for _, v := range inject {
			r := b.do("GET", path+url.QueryEscape(v), b.disp, nil)
			if r.status != http.StatusOK && r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s%q: %d %s", path, v, r.status, r.body)
			}
		}
	}
	var n int
	if err := b.db.QueryRow(context.Background(), "SELECT count(*) FROM orders").Scan(&n); err != nil || n != 1 {
		t.Errorf("orders after injection attempts: %d (%v)", n, err)
	}

	// Static files: no traversal, no directory listing, no dotfiles.
	for _, p := range []string{"/static/../openapi.json", "/static/..%2f..%2fgo.mod", "/static/%2e%2e/api.go", "/static/", "/static/.hidden",
		"/static/..\\api.go", "/static/dispatcher.js/../../api.go", "/static//etc/passwd"} {
		r := b.do("GET", p, "", nil)
		if r.status != http.StatusNotFound && r.status != http.StatusBadRequest && !(r.status == http.StatusOK && !strings.Contains(p, "..")) {
			t.Errorf("GET %s: %d", p, r.status)
		}
		if strings.Contains(string(r.body), "package api") || strings.Contains(string(r.body), "root:") {
			t.Errorf("GET %s leaked a file", p)
		}
	}
	wantStatus(t, b.do("GET", "/static/dispatcher.js", "", nil), http.StatusOK, "")

	// CORS closed: no Access-Control-Allow-Origin for any origin.
	r = b.do("GET", "/v1/orders", b.disp, nil, "Origin", "https://evil.example")
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS open to a foreign origin")
	}
	r = b.do("OPTIONS", "/v1/orders", "", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
	if r.header.Get("Access-Control-Allow-Origin") != "" || r.header.Get("Access-Control-Allow-Methods") != "" {
		t.Error("CORS preflight answered")
	}

	// No secrets in logs: tokens, the access_token query and household links.
	link := "/h/" + strings.TrimPrefix(mustLink(t, b), "http://thugom.test/h/")
	b.do("GET", link, "", nil)
	b.do("GET", fmt.Sprintf("/v1/drivers/%d/manifest?access_token=%s", b.driver[0].ID, b.drv1), "", nil)
	logs := b.logs.String()
	if !strings.Contains(logs, "route=") {
		t.Fatal("no access log lines to check")
	}
	for _, secret := range []string{b.admin, b.disp, b.disp2, b.drv1, created.Token, strings.TrimPrefix(link, "/h/"), string(secret)} {
		if strings.Contains(logs, secret) {
			t.Errorf("a secret appears in the logs: %.12s…", secret)
		}
	}
}

func mustLink(t *testing.T, b *bundle) string {
	t.Helper()
	r := b.do("POST", "/v1/households/1/link", b.disp, nil)
	wantStatus(t, r, http.StatusCreated, "")
	var l struct {
		URL string `json:"url"`
	}
	r.json(t, &l)
	return l.URL
}

func TestAccessTokenQueryOnlyForReads(t *testing.T) {
	t.Parallel()
	b := setup(t)
	wantStatus(t, b.do("GET", "/v1/depots?access_token="+b.disp, "", nil), http.StatusOK, "")
	wantStatus(t, b.do("POST", fmt.Sprintf("/v1/depots/%d/plans?access_token=%s", b.depot.ID, b.disp), "", map[string]any{}), http.StatusUnauthorized, "")
}
