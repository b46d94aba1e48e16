package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// hookDemo is what the webhooks target reads of a demo.json beyond
// benchDemo: the drivers' tokens, the admin's and the carriers' webhooks.
type hookDemo struct {
	AdminToken string `json:"admin_token"`
	Drivers    []struct {
		Token       string `json:"token"`
		ManifestURL string `json:"manifest_url"`
	} `json:"drivers"`
	Carriers *demoCarriers `json:"carriers"`
}

// hookShipment is a shipment of the running demo: its order, carrier and
// the carrier's waybill.
type hookShipment struct {
	OrderID int64
	Carrier string
	Waybill string
}

// hookStatus is one status a carrier tells about a shipment.
type hookStatus struct {
	Code int
	Name string
	// After is its time after the pickup.
	After time.Duration
}

// hookStatuses are the statuses the load sends per carrier, in their
// order (the last one delivered): ViettelPost's and VNPost's codes.
var hookStatuses = map[string][]hookStatus{
	thugom.CarrierViettelPost: {
		{105, "Bưu tá đã nhận hàng", 0}, {200, "Nhận từ bưu tá - Bưu cục gốc", 40 * time.Minute},
		{300, "Đóng bảng kê đi", 3 * time.Hour}, {500, "Giao bưu tá đi phát", 22 * time.Hour},
		{501, "Phát thành công", 25 * time.Hour},
	},
	thugom.CarrierVNPost: {
		{70, "Bưu cục đã nhận", 0}, {100, "Phát thành công", 26 * time.Hour},
	},
}

// webhookReqs picks up to n stops planned on the demo's drivers' manifests
// up (the driver API's pickup, which creates their shipments at the
// carrier), waits for their waybills, and returns every status of each
// shipment as its carrier's webhook (the distinct requests) and the
// shipments.
func webhookReqs(ctx context.Context, hc *http.Client, d hookDemo, n int) ([]benchReq, []hookShipment, error) {
	if d.Carriers == nil || d.Carriers.ViettelPost.Token == "" || d.Carriers.VNPost.Key == "" {
		return nil, nil, errors.New("bench-http: --target webhooks needs the demo's carriers (demo.json has none: THUGOM_CARRIERS set?)")
	}
	ships, err := hookPickups(ctx, hc, d, n)
	if err != nil {
		return nil, nil, err
	}
	pickedAt := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	var reqs []benchReq
	for _, s := range ships {
		for _, st := range hookStatuses[s.Carrier] {
			body, err := hookBody(d.Carriers, s, st, pickedAt.Add(st.After))
			if err != nil {
				return nil, nil, err
			}
			url := d.Carriers.ViettelPost.WebhookURL
			if s.Carrier == thugom.CarrierVNPost {
				url = d.Carriers.VNPost.WebhookURL
			}
			reqs = append(reqs, benchReq{URL: url, Body: body})
		}
	}
	return reqs, ships, nil
}

// hookBody is a status as its carrier's webhook sends it: ViettelPost's
// {"DATA": {...}, "TOKEN"}, VNPost's {Data (a JSON string), SendDate,
// SignData}.
func hookBody(dc *demoCarriers, s hookShipment, st hookStatus, at time.Time) ([]byte, error) {
	local := at.In(thugom.Local)
	if s.Carrier == thugom.CarrierViettelPost {
		return json.Marshal(map[string]any{"TOKEN": dc.ViettelPost.Token, "DATA": map[string]any{
			"ORDER_NUMBER": s.Waybill, "ORDER_REFERENCE": strconv.FormatInt(s.OrderID, 10),
			"ORDER_STATUSDATE": local.Format("02/01/2006 15:04:05"), "ORDER_STATUS": st.Code, "STATUS_NAME": st.Name,
			"LOCALION_CURRENTLY": "Lạng Sơn", "MONEY_COLLECTION": 0}})
	}
	data, err := json.Marshal(map[string]any{"ItemCode": s.Waybill, "OrderCode": strconv.FormatInt(s.OrderID, 10),
		"OrderStatusId": st.Code, "StatusName": st.Name})
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"Data": string(data), "SendDate": local.Format("2006-01-02T15:04:05"),
		"SignData": jobs.VNPostSign(string(data), dc.VNPost.Key)})
}

// hookPickups reports up to n planned stops of the demo's drivers picked
// up (POST /v1/stops/{id}/pickup with the driver's token, now) and waits
// until their orders carry a waybill; each driver's carrier is the one
// whose webhook knows its first waybill.
func hookPickups(ctx context.Context, hc *http.Client, d hookDemo, n int) ([]hookShipment, error) {
	var out []hookShipment
	for _, drv := range d.Drivers {
		if len(out) >= n {
			break
		}
		base, _, _ := strings.Cut(drv.ManifestURL, "/v1/")
		stops, err := manifestStops(ctx, hc, drv.ManifestURL)
		if err != nil {
			return nil, err
		}
		picked := 0
		for _, st := range stops {
			if len(out)+picked >= n || st.Status != thugom.StopPlanned {
				continue
			}
			body, err := json.Marshal(map[string]any{"happened_at": time.Now().UTC().Format(time.RFC3339), "parcels": st.Parcels})
			if err != nil {
				return nil, err
			}
			r := benchReq{URL: fmt.Sprintf("%s/v1/stops/%d/pickup", base, st.ID), Body: body, Token: drv.Token,
				Key: fmt.Sprintf("bench-webhooks-%d", st.ID)}
			if _, err := benchDo(ctx, hc, r); err != nil {
				return nil, fmt.Errorf("bench-http: picking up: %w", err)
			}
			picked++
		}
		ships, err := waitWaybills(ctx, hc, drv.ManifestURL, 60*time.Second)
		if err != nil {
			return nil, err
		}
		if len(ships) == 0 {
			continue
		}
		carrier, err := hookCarrier(ctx, hc, d.Carriers, ships[0])
		if err != nil {
			return nil, err
		}
		for _, s := range ships {
			if len(out) < n {
				s.Carrier = carrier
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("bench-http: no shipment: no stop planned on the demo's manifests")
	}
	return out, nil
}

type manifestStop struct {
	ID      int64  `json:"id"`
	Status  string `json:"status"`
	Parcels int    `json:"parcels"`
	Collect []struct {
		OrderID        int64  `json:"order_id"`
		CarrierWaybill string `json:"carrier_waybill"`
		Status         string `json:"status"`
	} `json:"collect"`
}

// manifestStops reads a driver's manifest's pickup stops.
func manifestStops(ctx context.Context, hc *http.Client, url string) ([]manifestStop, error) {
	body, err := benchDo(ctx, hc, benchReq{URL: url, Plain: true})
	if err != nil {
		return nil, fmt.Errorf("bench-http: manifest: %w", err)
	}
	var m struct {
		Routes []struct {
			Stops []manifestStop `json:"stops"`
		} `json:"routes"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("bench-http: manifest: %w", err)
	}
	var out []manifestStop
	for _, r := range m.Routes {
		for _, s := range r.Stops {
			if len(s.Collect) > 0 {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// waitWaybills waits until every order picked up on the manifest carries
// its waybill (the shipment is created by a job), and returns them.
func waitWaybills(ctx context.Context, hc *http.Client, url string, limit time.Duration) ([]hookShipment, error) {
	deadline := time.Now().Add(limit)
	for {
		stops, err := manifestStops(ctx, hc, url)
		if err != nil {
			return nil, err
		}
		var out []hookShipment
		waiting := 0
		for _, st := range stops {
			for _, o := range st.Collect {
				switch {
				case o.CarrierWaybill != "":
					out = append(out, hookShipment{OrderID: o.OrderID, Waybill: o.CarrierWaybill})
				case o.Status == thugom.OrderPickedUp:
					waiting++
				}
			}
		}
		if waiting == 0 {
			return out, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("bench-http: %d picked-up orders still without a waybill after %s", waiting, limit)
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// hookCarrier finds the carrier of a shipment: the one whose webhook knows
// its waybill, told its first status (the other answers 404 and keeps the
// unknown status for an administrator).
func hookCarrier(ctx context.Context, hc *http.Client, dc *demoCarriers, s hookShipment) (string, error) {
	for _, c := range []string{thugom.CarrierViettelPost, thugom.CarrierVNPost} {
		s.Carrier = c
		st := hookStatuses[c][0]
		body, err := hookBody(dc, s, st, time.Now().Add(-3*time.Hour).Truncate(time.Second))
		if err != nil {
			return "", err
		}
		url := map[string]string{thugom.CarrierViettelPost: dc.ViettelPost.WebhookURL, thugom.CarrierVNPost: dc.VNPost.WebhookURL}[c]
		if _, err := benchDo(ctx, hc, benchReq{URL: url, Body: body}); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("bench-http: neither carrier's webhook knows waybill %s", s.Waybill)
}

// hookTally counts, per distinct webhook, the answers that applied it or
// kept it as new (not a duplicate).
type hookTally struct {
	mu     sync.Mutex
	fresh  []int
	answer int
}

func (t *hookTally) record(i int, body []byte) {
	var res jobs.CarrierStatusResult
	if json.Unmarshal(body, &res) != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.answer++
	if !res.Duplicate {
		t.fresh[i]++
	}
}

// hookOrder is the webhooks load's order of requests: every distinct
// webhook once per round, each round shuffled (so a status comes after a
// later one of its shipment, and again).
func hookOrder(n, total int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 23)) //nolint:gosec // an order of requests, not a secret
	out := make([]int, 0, total)
	for len(out) < total {
		out = append(out, r.Perm(n)...)
	}
	return out[:total]
}

// hookCheck checks, after the load, that each distinct status was kept
// once and that each order shows its carrier's last status and the
// delivered time (GET /v1/orders/{id} with the admin's token).
func hookCheck(ctx context.Context, hc *http.Client, adminToken, baseURL string, ships []hookShipment, t *hookTally) error {
	once, twice, never := 0, 0, 0
	for _, f := range t.fresh {
		switch {
		case f == 1:
			once++
		case f > 1:
			twice++
		default:
			never++
		}
	}
	fmt.Printf("distinct statuses %d: kept once %d, more than once %d, never %d (of %d answers read)\n", len(t.fresh), once, twice, never, t.answer)
	if twice > 0 || never > 0 {
		return fmt.Errorf("bench-http: %d statuses kept more than once, %d never", twice, never)
	}
	bad := 0
	for _, s := range ships {
		body, err := benchDo(ctx, hc, benchReq{URL: fmt.Sprintf("%s/v1/orders/%d", baseURL, s.OrderID), Token: adminToken, Plain: true})
		if err != nil {
			return fmt.Errorf("bench-http: %w", err)
		}
		var o struct {
			CarrierStatus *struct {
				Code int `json:"code"`
			} `json:"carrier_status"`
			DeliveredAt *time.Time `json:"delivered_at"`
		}
		if err := json.Unmarshal(body, &o); err != nil {
			return err
		}
		sts := hookStatuses[s.Carrier]
		if o.CarrierStatus == nil || o.CarrierStatus.Code != sts[len(sts)-1].Code || o.DeliveredAt == nil {
			bad++
		}
	}
	fmt.Printf("orders at their carrier's last status with delivered_at: %d of %d\n", len(ships)-bad, len(ships))
	if bad > 0 {
		return fmt.Errorf("bench-http: %d orders not at their last status", bad)
	}
	return nil
}

// benchWebhooks is the webhooks target: real shipments of the running demo
// (hookPickups), each status of each told by its carrier's webhook, every
// one repeated and in shuffled order at the load's rate, then the check
// that each was kept once and each order ends at its last status.
func benchWebhooks(ctx context.Context, hc *http.Client, raw []byte, baseURL string, ld benchLoadOpts, pickups int) error {
	var d hookDemo
	if err := json.Unmarshal(raw, &d); err != nil {
		return err
	}
	reqs, ships, err := webhookReqs(ctx, hc, d, pickups)
	if err != nil {
		return err
	}
	fmt.Printf("webhooks: %d shipments of the demo (%d statuses)\n", len(ships), len(reqs))
	tally := &hookTally{fresh: make([]int, len(reqs))}
	ld.order = hookOrder(len(reqs), ld.rate+int(float64(ld.rate)*ld.dur.Seconds()), uint64(time.Now().UnixNano()))
	ld.seen = tally.record
	lat, failed, el := benchLoad(ctx, hc, reqs, ld)
	if err := benchReport("webhooks", lat, failed, el, ld.clients, len(reqs)); err != nil {
		return err
	}
	if err := hookCheck(ctx, hc, d.AdminToken, baseURL, ships, tally); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("bench-http: %d requests failed", failed)
	}
	return nil
}
