package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// receiverKeys are the buyer's fields of an order's answer.
var receiverKeys = []string{"receiver_name", "receiver_phone", "receiver_address", "receiver_district_id", "receiver_ward_id",
	"receiver_district", "receiver_ward"}

// The buyer an order carries: accepted from a marketplace's JSON and CSV
// (the phone normalised), shown by GET /v1/orders/{id} to the order
// carrier's marketplace and dispatchers and to administrators only, and
// bad input is a problem naming the field with nothing stored.
func TestOrderBuyer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mk, other := b.marketplaceToken(b.depot.CarrierID), b.marketplaceToken(b.depot2.CarrierID)
	o := order("PM-BUYER", "0912000001", addresses[0], 6)
	o["receiver_name"], o["receiver_phone"], o["receiver_address"] = " Trần Thị Mai ", "098.765.4321", "12 Hàng Bài"
	o["receiver_district_id"], o["receiver_ward_id"], o["receiver_district"], o["receiver_ward"] = "1", "123", "Hoàn Kiếm", "Tràng Tiền"
	r := b.do("POST", "/v1/orders", mk, o)
	wantStatus(t, r, http.StatusCreated, "")
	var created map[string]any
	r.json(t, &created)
	want := map[string]any{"receiver_name": "Trần Thị Mai", "receiver_phone": "+84987654321", "receiver_address": "12 Hàng Bài",
		"receiver_district_id": "1", "receiver_ward_id": "123", "receiver_district": "Hoàn Kiếm", "receiver_ward": "Tràng Tiền"}
	for k, v := range want {
		if created[k] != v {
			t.Errorf("created: %s = %v, want %v", k, created[k], v)
		}
	}
	id := int64(created["id"].(float64))
	path := fmt.Sprintf("/v1/orders/%d", id)
	for name, tok := range map[string]string{"marketplace": mk, "dispatcher": b.disp, "admin": b.admin} {
		var got map[string]any
		r := b.do("GET", path, tok, nil)
		wantStatus(t, r, http.StatusOK, "")
		r.json(t, &got)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s sees %s = %v, want %v", name, k, got[k], v)
			}
		}
	}
	for name, tok := range map[string]string{"another carrier's marketplace": other, "another carrier's dispatcher": b.disp2, "a driver": b.drv1} {
		r := b.do("GET", path, tok, nil)
		wantStatus(t, r, http.StatusForbidden, "")
		if strings.Contains(string(r.body), "Mai") || strings.Contains(string(r.body), "987654321") {
			t.Errorf("%s is told the buyer: %s", name, r.body)
		}
	}
	// Lists and the driver's manifest never carry the buyer.
	r = b.do("GET", "/v1/orders", b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	if strings.Contains(string(r.body), "receiver_") {
		t.Errorf("the list shows the buyer: %s", r.body)
	}
	// An order without a buyer has none of the fields.
	r = b.do("POST", "/v1/orders", b.disp, order("PM-NOBUYER", "0912000002", addresses[1], 4))
	wantStatus(t, r, http.StatusCreated, "")
	var plain map[string]any
	r.json(t, &plain)
	r = b.do("GET", fmt.Sprintf("/v1/orders/%d", int64(plain["id"].(float64))), b.admin, nil)
	wantStatus(t, r, http.StatusOK, "")
	for _, k := range receiverKeys {
		if strings.Contains(string(r.body), `"`+k+`"`) {
			t.Errorf("an order without a buyer shows %s: %s", k, r.body)
		}
	}

	before := b.count(`SELECT count(*) FROM orders`)
	for field, v := range map[string]any{
		"receiver_phone":       "+1 415 555 0100",
		"receiver_name":        strings.Repeat("Mai ", 30),
		"receiver_address":     "12 Hàng Bài\nHà Nội",
		"receiver_ward":        "Tràng\u0085Tiền",
		"receiver_district_id": "Q1",
	} {
		o := order("PM-BAD-"+field, "0912000003", addresses[2], 4)
		o[field] = v
		r := b.do("POST", "/v1/orders", mk, o)
		wantStatus(t, r, http.StatusUnprocessableEntity, field)
	}
	if n := b.count(`SELECT count(*) FROM orders`); n != before {
		t.Errorf("%d orders after the refused ones, want %d", n, before)
	}

	// The CSV carries the same columns; a bad buyer names its line and
	// column, and nothing is imported.
	csv := "marketplace,marketplace_order_id,phone,address,product,weight_kg,receiver_name,receiver_phone,receiver_ward_id\n" +
		"postmart,PM-CSV-1,0912000004,\"" + addresses[3] + "\",na,5,Lò Văn Pản,+84 912 000 099,77\n" +
		"postmart,PM-CSV-2,0912000005,\"" + addresses[4] + "\",na,5,Hà Thị Én,12,\n"
	r = b.do("POST", "/v1/orders/import", b.disp, csv, "Content-Type", "text/csv")
	wantStatus(t, r, http.StatusUnprocessableEntity, "")
	if !strings.Contains(string(r.body), `"receiver_phone"`) || !strings.Contains(string(r.body), `"line":3`) {
		t.Errorf("the CSV's bad buyer not named: %s", r.body)
	}
	r = b.do("POST", "/v1/orders/import", b.disp, strings.Replace(csv, ",12,", ",0912 000 098,", 1), "Content-Type", "text/csv")
	wantStatus(t, r, http.StatusCreated, "")
	var name, phone, ward string
	if err := b.db.QueryRow(context.Background(), `SELECT receiver_name, receiver_phone, receiver_ward_id FROM orders
		WHERE marketplace_order_id = 'PM-CSV-1'`).Scan(&name, &phone, &ward); err != nil {
		t.Fatal(err)
	}
	if name != "Lò Văn Pản" || phone != "+84912000099" || ward != "77" {
		t.Errorf("CSV buyer %q %q %q", name, phone, ward)
	}
}
