package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// hostileCase is one input of the hardening table (issue 11): each used to
// answer 500 or to be accepted; now each answers a 4xx naming the field, or
// a 2xx doing the right thing.
type hostileCase struct {
	name   string
	method string
	path   string
	token  string
	ctype  string
	body   any
	header []string
	status int
	field  string
	check  func(t *testing.T, body []byte)
}

func TestHostileInputs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.do("POST", "/v1/orders", b.disp, order("PM-H1", "0912000111", addresses[0], 5))
	wantStatus(t, r, http.StatusCreated, "")
	var o struct {
		HouseholdID int64 `json:"household_id"`
	}
	r.json(t, &o)
	at := func(d time.Duration) string { return testNow.Add(d).Format(time.RFC3339) }
	with := func(k string, v any) map[string]any {
		m := order("PM-X", "0912000222", addresses[1], 5)
		if strings.HasPrefix(k, "household.") {
			m["household"].(map[string]any)[strings.TrimPrefix(k, "household.")] = v
		} else {
			m[k] = v
		}
		return m
	}
	const csvHead = "marketplace,marketplace_order_id,household_name,phone,address,product,weight_kg,placed_at\n"
	phone := 300
	row := func(id, name, addr string) string {
		phone++
		return fmt.Sprintf("postmart,%s,%s,0912000%d,%s,na,5,%s\n", id, name, phone, addr, testNow.Add(-time.Hour).Format("2006-01-02 15:04"))
	}
	latin1, err := charmap.ISO8859_1.NewEncoder().String(csvHead + row("PM-L1", "José Müller", "ông Kinh"))
	if err != nil {
		t.Fatal(err)
	}
	// Windows-1258 as Vietnamese software writes it: letters with breve,
	// circumflex and horn precomposed, tone marks as combining bytes
	// (0xEC acute, 0xD2 hook above, 0xDE tilde).
	cp1258 := csvHead + row("PM-W1", "Hoang V\xe3n \xd0\xfd\xecc", "Th\xf4n Ba\xd2n \xd5n xa\xde \xddng")
	encodingIs := func(enc, text string) func(t *testing.T, body []byte) {
		return func(t *testing.T, body []byte) {
			var res struct {
				Imported int    `json:"imported"`
				Encoding string `json:"encoding"`
			}
			if err := json.Unmarshal(body, &res); err != nil || res.Imported != 1 || res.Encoding != enc {
				t.Errorf("import %s, want 1 imported read as %s", body, enc)
			}
			lr := b.do("GET", "/v1/households?q="+strings.ReplaceAll(text, " ", "+"), b.disp, nil)
			if !bytes.Contains(lr.body, []byte(text)) {
				t.Errorf("%q not found after import as %s: %s", text, enc, lr.body)
			}
		}
	}
	none := func(t *testing.T, body []byte) {
		if !bytes.Contains(body, []byte(`"items":[]`)) && !bytes.Contains(body, []byte(`"orders":[]`)) && !bytes.Contains(body, []byte(`"households":[]`)) {
			t.Errorf("a LIKE wildcard matched: %s", trunc(body))
		}
	}
	cases := []hostileCase{
		// NUL and invalid UTF-8 in JSON text fields.
		{name: "order name NUL", method: "POST", path: "/v1/orders", token: b.disp, body: with("household.name", "Hộ\u0000A"), status: 422, field: "household.name"},
		{name: "order note NUL", method: "POST", path: "/v1/orders", token: b.disp, body: with("note", "x\u0000"), status: 422, field: "note"},
		{name: "order invalid UTF-8", method: "POST", path: "/v1/orders", token: b.disp,
			body: []byte(`{"marketplace":"postmart","marketplace_order_id":"A` + "\xff\xfe" + `"}`), status: 422, field: "marketplace_order_id"},
		{name: "vehicle code NUL", method: "POST", path: "/v1/vehicles", token: b.disp,
			body: map[string]any{"depot_id": b.depot.ID, "code": "V\u0000", "kind": "van", "capacity_kg": 800, "capacity_parcels": 120}, status: 422, field: "code"},
		{name: "driver name NUL", method: "POST", path: "/v1/drivers", token: b.disp,
			body: map[string]any{"depot_id": b.depot.ID, "name": "Chị\u0000Lan", "phone": "0987654321"}, status: 422, field: "name"},
		{name: "token name NUL", method: "POST", path: "/v1/tokens", token: b.admin,
			body: map[string]any{"role": "driver", "driver_id": b.driver[0].ID, "name": "\u0000"}, status: 422, field: "name"},
		{name: "SMS text NUL", method: "POST", path: "/v1/sms/inbound", token: b.admin,
			body: map[string]any{"message_id": "gw-9", "from": "0912000111", "text": "1\u0000"}, status: 422, field: "text"},
		{name: "positions note key NUL", method: "POST", path: "/v1/me/positions", token: b.drv1,
			body: []byte(`{"positions":[{"at":"` + at(-time.Minute) + `","lon":106.7,"lat":21.8,"x\u0000":1}]}`), status: 422, field: "positions[0].x\u0000"},
		// CSV: legacy encodings are read, NUL is refused with line and column.
		{name: "CSV Latin-1", method: "POST", path: "/v1/orders/import", token: b.disp, ctype: "text/csv", body: latin1, status: 201,
			check: encodingIs("iso-8859-1", "José Müller")},
		{name: "CSV Windows-1258", method: "POST", path: "/v1/orders/import", token: b.disp, ctype: "text/csv", body: cp1258, status: 201,
			check: encodingIs("windows-1258", "Văn Đức")},
		{name: "CSV UTF-8 BOM", method: "POST", path: "/v1/orders/import", token: b.disp, ctype: "text/csv",
			body: "\ufeff" + csvHead + row("PM-B1", "Lý Thị Mơ", "Tam Thanh"), status: 201, check: encodingIs("utf-8-bom", "Lý Thị Mơ")},
		{name: "CSV NUL cell", method: "POST", path: "/v1/orders/import", token: b.disp, ctype: "text/csv",
			body: csvHead + row("PM-N1", "A\x00B", "Tam Thanh"), status: 422, field: "household_name",
			check: func(t *testing.T, body []byte) {
				if !bytes.Contains(body, []byte(`"line":2`)) || !bytes.Contains(body, []byte("column 3")) {
					t.Errorf("the NUL cell is not located: %s", body)
				}
			}},
		{name: "CSV UTF-16", method: "POST", path: "/v1/orders/import", token: b.disp, ctype: "text/csv", body: "\xff\xfem\x00", status: 422},
		// Query parameters and headers.
		{name: "q=%00", method: "GET", path: "/v1/orders?q=%00", token: b.disp, status: 422, field: "q"},
		{name: "q=%ff%fe", method: "GET", path: "/v1/orders?q=%ff%fe", token: b.disp, status: 422, field: "q"},
		{name: "commune=%ff", method: "GET", path: "/v1/households?commune=%ff", token: b.disp, status: 422, field: "commune"},
		{name: "marketplace=%00", method: "GET", path: "/v1/orders?marketplace=%00", token: b.disp, status: 422, field: "marketplace"},
		{name: "Idempotency-Key 0xff", method: "POST", path: "/v1/stops/1/pickup", token: b.drv1,
			body: map[string]any{"happened_at": at(-time.Minute)}, header: []string{"Idempotency-Key", "k\xff"}, status: 422, field: "Idempotency-Key"},
		{name: "form field NUL", method: "POST", path: "/h/x/ready", ctype: "application/x-www-form-urlencoded", body: "note=a%00b", status: 422, field: "note"},
		// Plausible values.
		{name: "weight 5e-324", method: "POST", path: "/v1/orders", token: b.disp, body: with("weight_kg", 5e-324), status: 422, field: "weight_kg"},
		{name: "weight 501", method: "POST", path: "/v1/orders", token: b.disp, body: with("weight_kg", 501), status: 422, field: "weight_kg"},
		{name: "COD 2^62", method: "POST", path: "/v1/orders", token: b.disp, body: with("cod_amount", int64(1)<<62), status: 422, field: "cod_amount"},
		{name: "placed_at 1900", method: "POST", path: "/v1/orders", token: b.disp, body: with("placed_at", "1900-01-01T00:00:00Z"), status: 422, field: "placed_at"},
		{name: "placed_at 0001", method: "POST", path: "/v1/orders", token: b.disp, body: with("placed_at", "0001-01-01T00:00:00Z"), status: 422, field: "placed_at",
			check: func(t *testing.T, body []byte) {
				if bytes.Contains(body, []byte("required")) {
					t.Errorf("a date answered as missing: %s", body)
				}
			}},
		{name: "placed_at tomorrow", method: "POST", path: "/v1/orders", token: b.disp, body: with("placed_at", at(2*time.Hour)), status: 422, field: "placed_at"},
		{name: "window year 1 to 9999", method: "POST", path: "/v1/orders", token: b.disp,
			body: func() map[string]any {
				m := with("ready_from", "0001-01-01T00:00:00Z")
				m["ready_until"] = "9999-12-31T00:00:00Z"
				return m
			}(), status: 422, field: "ready_from"},
		{name: "window in 8 days", method: "POST", path: "/v1/orders", token: b.disp, body: with("ready_until", at(8*24*time.Hour)), status: 422, field: "ready_until"},
		{name: "unknown product lists known", method: "POST", path: "/v1/orders", token: b.disp, body: with("product", "durian"), status: 422, field: "product",
			check: func(t *testing.T, body []byte) {
				if !bytes.Contains(body, []byte("na, quyt")) {
					t.Errorf("valid products not listed: %s", body)
				}
			}},
		{name: "position 0001-01-01", method: "POST", path: "/v1/me/positions", token: b.drv1,
			body: map[string]any{"positions": []any{map[string]any{"at": "0001-01-01T00:00:00Z", "lon": 106.7, "lat": 21.8}}}, status: 422, field: "positions[0].at"},
		{name: "position yesterday", method: "POST", path: "/v1/me/positions", token: b.drv1,
			body: map[string]any{"positions": []any{map[string]any{"at": at(-7 * time.Hour), "lon": 106.7, "lat": 21.8}}}, status: 422, field: "positions[0].at"},
		{name: "position swapped", method: "POST", path: "/v1/me/positions", token: b.drv1,
			body: map[string]any{"positions": []any{map[string]any{"at": at(-time.Minute), "lon": 21.8, "lat": 106.7}}}, status: 422, field: "positions[0]"},
		{name: "position ok", method: "POST", path: "/v1/me/positions", token: b.drv1,
			body: map[string]any{"positions": []any{map[string]any{"at": at(-time.Minute), "lon": 106.7, "lat": 21.8}}}, status: 204},
		{name: "pin [lon, lat, 5]", method: "PATCH", path: fmt.Sprintf("/v1/households/%d", o.HouseholdID), token: b.disp,
			body: map[string]any{"point": []float64{106.7, 21.8, 5}}, status: 422, field: "point"},
		// LIKE wildcards are literal.
		{name: "orders q=%", method: "GET", path: "/v1/orders?q=%25", token: b.disp, status: 200, check: none},
		{name: "orders q=_", method: "GET", path: "/v1/orders?q=_", token: b.disp, status: 200, check: none},
		{name: "households q=%", method: "GET", path: "/v1/households?q=%25", token: b.disp, status: 200, check: none},
		// 405 has a type of its own.
		{name: "405", method: "PUT", path: "/v1/orders", token: b.disp, status: 405,
			check: func(t *testing.T, body []byte) {
				if !bytes.Contains(body, []byte(`"type":"https://thugom.vn/problems/method_not_allowed"`)) {
					t.Errorf("405 type: %s", body)
				}
			}},
	}
	for _, c := range cases {
		req, err := http.NewRequest(c.method, b.srv.URL+c.path, bodyReader(t, c.body))
		if err != nil {
			t.Fatal(err)
		}
		ct := c.ctype
		if ct == "" && c.body != nil {
			ct = "application/json"
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		for i := 0; i+1 < len(c.header); i += 2 {
			req.Header[c.header[i]] = []string{c.header[i+1]}
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.Logf("%-28s %s %-40.40q → %d", c.name, c.method, c.path, res.StatusCode)
		if res.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, res.StatusCode, c.status, trunc(body))
			continue
		}
		if c.status >= 400 {
			var p map[string]any
			if err := json.Unmarshal(body, &p); err != nil || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: not a problem: %s", c.name, body)
				continue
			}
			if c.field != "" && p["field"] != c.field {
				t.Errorf("%s: field %v, want %q: %s", c.name, p["field"], c.field, body)
			}
		}
		if c.check != nil {
			c.check(t, body)
		}
	}
}

func bodyReader(t testing.TB, body any) io.Reader {
	switch v := body.(type) {
	case nil:
		return nil
	case string:
		return strings.NewReader(v)
	case []byte:
		return bytes.NewReader(v)
	}
	j, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(j)
}
