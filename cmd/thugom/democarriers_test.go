package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// demoWaybillAfterPickup checks the demo's carriers: demo.json names both
// fakes' webhooks, a wrong ViettelPost token is refused, and a pickup
// confirmed by a driver gets its carrier's waybill on the order and the
// manifest.
func demoWaybillAfterPickup(t *testing.T, df demoFile) {
	t.Helper()
	c := df.Carriers
	if c == nil || c.ViettelPost.WebhookURL != df.BaseURL+"/hooks/viettelpost" || len(c.ViettelPost.Token) < 16 ||
		c.VNPost.WebhookURL != df.BaseURL+"/hooks/vnpost" || len(c.VNPost.Key) < 16 || c.ViettelPost.APIURL == "" || c.VNPost.APIURL == "" {
		t.Fatalf("demo.json carriers: %+v", c)
	}
	do := func(method, u, token string, body any, hdr ...string) (int, []byte) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, err := http.NewRequest(method, u, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out bytes.Buffer
		_, _ = out.ReadFrom(res.Body)
		return res.StatusCode, out.Bytes()
	}
	bad := map[string]any{"DATA": map[string]any{"ORDER_NUMBER": "X", "ORDER_STATUS": 200, "ORDER_STATUSDATE": "01/01/2026 08:00:00"}, "TOKEN": "not-the-demo-token-at-all"}
	if st, body := do("POST", c.ViettelPost.WebhookURL, "", bad); st != http.StatusUnauthorized {
		t.Errorf("webhook with a wrong token: %d %s", st, body)
	}

	d := df.Drivers[0]
	st, body := do("GET", fmt.Sprintf("%s/v1/drivers/%d/manifest?date=%s", df.BaseURL, d.ID, df.Day), d.Token, nil)
	var man struct {
		Routes []struct {
			Stops []struct {
				ID      int64  `json:"id"`
				Kind    string `json:"kind"`
				Collect []struct {
					OrderID int64 `json:"order_id"`
				} `json:"collect"`
			} `json:"stops"`
		} `json:"routes"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &man) != nil {
		t.Fatalf("manifest: %d %s", st, body)
	}
	var stopID, orderID int64
	for _, rt := range man.Routes {
		for _, s := range rt.Stops {
			if s.Kind == "pickup" && len(s.Collect) > 0 && stopID == 0 {
				stopID, orderID = s.ID, s.Collect[0].OrderID
			}
		}
	}
	if stopID == 0 {
		t.Fatalf("no pickup on driver %d's manifest", d.ID)
	}
	pick := map[string]any{"happened_at": time.Now().Format(time.RFC3339), "parcels": 1, "weight_kg": 5}
	if st, body := do("POST", fmt.Sprintf("%s/v1/stops/%d/pickup", df.BaseURL, stopID), d.Token, pick, "Idempotency-Key", "demo-waybill"); st != http.StatusOK {
		t.Fatalf("pickup: %d %s", st, body)
	}
	var o struct {
		Waybill string `json:"carrier_waybill"`
	}
	deadline := time.Now().Add(time.Minute)
	for o.Waybill == "" {
		st, body := do("GET", fmt.Sprintf("%s/v1/orders/%d", df.BaseURL, orderID), df.DispatcherToken, nil)
		if st != http.StatusOK || json.Unmarshal(body, &o) != nil {
			t.Fatalf("order: %d %s", st, body)
		}
		if o.Waybill == "" && time.Now().After(deadline) {
			t.Fatalf("order %d picked up: no waybill from the demo's fake carrier after a minute", orderID)
		}
		if o.Waybill == "" {
			time.Sleep(100 * time.Millisecond) // polling the condition, bounded by the deadline
		}
	}
	if _, body := do("GET", fmt.Sprintf("%s/v1/drivers/%d/manifest?date=%s", df.BaseURL, d.ID, df.Day), d.Token, nil); !bytes.Contains(body, []byte(`"carrier_waybill":"`+o.Waybill+`"`)) {
		t.Errorf("manifest lacks the waybill %s", o.Waybill)
	}
}
