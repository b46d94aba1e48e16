package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The business clock of the tests: 06:00 in Lạng Sơn on a harvest day.
var testNow = time.Date(2026, 11, 23, 6, 0, 0, 0, thugom.Local)

var secret = []byte("test-secret-of-at-least-16-bytes")

// bundle is what a test needs: a running server on a seeded database.
type bundle struct {
	t       testing.TB
	db      *store.DB
	svc     *jobs.Service
	srv     *httptest.Server
	logs    *syncBuffer
	admin   string
	disp    string // dispatcher of vnpost
	disp2   string // dispatcher of viettelpost
	drv1    string
	drv2    string
	depot   *thugom.Depot
	depot2  *thugom.Depot
	vehicle [2]*thugom.Vehicle
	driver  [2]*thugom.Driver
	// moved, when set (unix nanoseconds), is the clock of the server and
	// the core instead of testNow: tests that live through a day set it.
	moved atomic.Int64
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	communesOnce sync.Once
	communesJSON []byte
)

func communes() ([]byte, error) {
	communesOnce.Do(func() {
		g, err := geo.LoadGazetteer()
		if err == nil {
			communesJSON, _ = g.CommunesGeoJSON()
		}
	})
	return communesJSON, nil
}

func setup(t testing.TB) *bundle { return setupOpts(t, true) }

// setupOpts: checked wraps the server in the OpenAPI check and logs at
// debug level (tests); benchmarks run the bare handler.
func setupOpts(t testing.TB, checked bool) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{t: t, db: pgtest.New(t), logs: &syncBuffer{}}
	clock := func() time.Time {
		if n := b.moved.Load(); n != 0 {
			return time.Unix(0, n).In(thugom.Local)
		}
		return testNow
	}
	svc, err := jobs.New(b.db, jobs.Deps{Clock: clock, PlanIterations: 300, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	b.svc = svc
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	vn := &thugom.Carrier{Code: thugom.CarrierVNPost, Name: "VNPost", Marketplace: thugom.MarketplacePostmart}
	vt := &thugom.Carrier{Code: thugom.CarrierViettelPost, Name: "ViettelPost", Marketplace: thugom.MarketplaceVoso}
	must(store.InsertCarrier(ctx, b.db, vn))
	must(store.InsertCarrier(ctx, b.db, vt))
	b.depot = &thugom.Depot{CarrierID: vn.ID, Code: "BC-LS", Name: "Bưu cục Lạng Sơn", Address: "Đông Kinh, Lạng Sơn",
		CommuneCode: "05977", Point: orb.Point{106.7706, 21.8068}, OpensAt: 6 * 3600, ClosesAt: 20 * 3600}
	must(store.InsertDepot(ctx, b.db, b.depot))
	b.depot2 = &thugom.Depot{CarrierID: vt.ID, Code: "VT-LS", Name: "ViettelPost Lạng Sơn", Address: "Lạng Sơn",
		CommuneCode: "05977", Point: orb.Point{106.765, 21.81}, OpensAt: 6 * 3600, ClosesAt: 20 * 3600}
	must(store.InsertDepot(ctx, b.db, b.depot2))
	for _, d := range []*thugom.Depot{b.depot, b.depot2} {
		must(store.InsertDeparture(ctx, b.db, &thugom.Departure{DepotID: d.ID, Name: "Hà Nội", DepartsAt: 17 * 3600, CutoffAt: 16 * 3600, TransitHours: 6}))
	}
	for i := range b.vehicle {
		b.vehicle[i] = &thugom.Vehicle{CarrierID: vn.ID, DepotID: b.depot.ID, Code: fmt.Sprintf("XM-%d", i+1), Kind: thugom.VehicleMotorbike,
			CapacityKg: 150, CapacityParcels: 30, ShiftStart: 7 * 3600, ShiftEnd: 17 * 3600, MaxTrips: 2}
		must(store.InsertVehicle(ctx, b.db, b.vehicle[i]))
		b.driver[i] = &thugom.Driver{CarrierID: vn.ID, DepotID: b.depot.ID, Name: fmt.Sprintf("Tài xế %d", i+1),
			Phone: fmt.Sprintf("+8491234500%d", i), VehicleID: &b.vehicle[i].ID, Active: true}
		must(store.InsertDriver(ctx, b.db, b.driver[i]))
	}
	for _, p := range []*thugom.Product{
		{Code: "na", Name: "Custard apple", NameVI: "Na Chi Lăng", FreshnessHours: 96, KgPerBox: 5},
		{Code: "quyt", Name: "Mandarin", NameVI: "Quýt Bắc Sơn", FreshnessHours: 240, KgPerBox: 10},
	} {
		must(store.UpsertProduct(ctx, b.db, p))
	}
	tok := func(role string, carrier, driver *int64) string {
		s, hash, err := api.NewToken()
		must(err)
		_, err = store.InsertToken(ctx, b.db, thugom.Token{Role: role, CarrierID: carrier, DriverID: driver, CreatedAt: testNow}, hash)
		must(err)
		return s
	}
	b.admin = tok(thugom.RoleAdmin, nil, nil)
	b.disp = tok(thugom.RoleDispatcher, &vn.ID, nil)
	b.disp2 = tok(thugom.RoleDispatcher, &vt.ID, nil)
	b.drv1 = tok(thugom.RoleDriver, &vn.ID, &b.driver[0].ID)
	b.drv2 = tok(thugom.RoleDriver, &vn.ID, &b.driver[1].ID)

	level := slog.LevelDebug
	if !checked {
		level = slog.LevelInfo
	}
	h := api.New(api.Deps{DB: b.db, Service: svc, Clock: clock, Secret: secret, BaseURL: "http://thugom.test",
		Logger: slog.New(slog.NewTextHandler(b.logs, &slog.HandlerOptions{Level: level})), CommunesGeoJSON: communes,
		MapAttribution: geo.Attribution})
	if checked {
		h = checkOpenAPI(t, h)
	}
	b.srv = httptest.NewServer(h)
	t.Cleanup(b.srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			for _, l := range strings.Split(b.logs.String(), "\n") {
				if strings.Contains(l, "level=ERROR") {
					t.Log(l)
				}
			}
		}
	})
	return b
}

// resp is an answer read whole.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends a request; body may be a string, []byte or a value to marshal.
func (b *bundle) do(method, path, token string, body any, headers ...string) resp {
	b.t.Helper()
	var rd io.Reader
	ct := "application/json"
	switch v := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(v)
	case []byte:
		rd = bytes.NewReader(v)
	default:
		j, err := json.Marshal(v)
		if err != nil {
			b.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, b.srv.URL+path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, data}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 60 * time.Second}

// wantStatus fails unless r has status; for errors it also checks the
// problem+json shape and, when field != "", the field named.
func wantStatus(t testing.TB, r resp, status int, field string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if status < 400 {
		return nil
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p map[string]any
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body %s: %v", r.body, err)
	}
	if p["status"] != float64(status) || p["title"] == "" || p["type"] == "" {
		t.Fatalf("not a problem: %s", r.body)
	}
	if field != "" && p["field"] != field {
		t.Fatalf("field %v, want %q: %s", p["field"], field, r.body)
	}
	return p
}

// order returns a valid order body.
func order(id, phone, addr string, kg float64) map[string]any {
	return map[string]any{
		"marketplace": "postmart", "marketplace_order_id": id,
		"household": map[string]any{"name": "Hộ " + id, "phone": phone, "address": addr},
		"product":   "na", "weight_kg": kg, "parcels": 1, "cod_amount": 150000,
		"destination_province": "Hà Nội", "placed_at": testNow.Add(-time.Hour).Format(time.RFC3339),
		"depot": "BC-LS",
	}
}

var addresses = []string{
	"Phường Đông Kinh, Lạng Sơn", "Phường Tam Thanh, Lạng Sơn", "Phường Lương Văn Tri, Lạng Sơn",
	"Xã Đồng Đăng, Lạng Sơn", "Phường Kỳ Lừa, Lạng Sơn", "Xã Cao Lộc, Lạng Sơn",
}

// seedDay creates n orders through the API, geocodes their households and
// plans the depot's day; it returns the order ids.
func (b *bundle) seedDay(n int) []int64 {
	b.t.Helper()
	ctx := context.Background()
	var ids []int64
	for i := 0; i < n; i++ {
		r := b.do("POST", "/v1/orders", b.disp, order(fmt.Sprintf("PM-%03d", i), fmt.Sprintf("09120000%02d", i), addresses[i%len(addresses)], float64(5+i%4*3)))
		wantStatus(b.t, r, http.StatusCreated, "")
		var o struct {
			ID          int64 `json:"id"`
			HouseholdID int64 `json:"household_id"`
		}
		r.json(b.t, &o)
		ids = append(ids, o.ID)
		if _, err := b.svc.GeocodeHousehold(ctx, o.HouseholdID); err != nil {
			b.t.Fatalf("geocode: %v", err)
		}
	}
	if _, err := b.svc.PlanDepotDay(ctx, b.depot.ID, testNow, jobs.PlanRequest{Cause: "test"}); err != nil {
		b.t.Fatalf("plan: %v", err)
	}
	return ids
}
