package e2e_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/demo"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The harvest day, and the service clock: the evening before, so the whole
// day is ahead of the planner.
var (
	day   = time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	clock = func() time.Time { return day.Add(-3 * time.Hour) }
)

type bundle struct {
	t       *testing.T
	ctx     context.Context
	db      *store.DB
	base    string
	secret  []byte
	admin   string
	sc      *demo.Scenario
	network *demo.Seeded
	svc     *jobs.Service
}

func setup(t *testing.T) *bundle {
	t.Helper()
	return setupWith(t, demo.Options{Seed: 7, Households: 600, Day: day}, func(ctx context.Context, db *store.DB, sc *demo.Scenario) (*demo.Seeded, error) {
		return demo.SeedNetwork(ctx, db, sc)
	})
}

// setupWith builds the scenario of opt, seeds it with seed (the network
// only, or the whole day) and starts a service and a server on it, on the
// clock (21:00 the evening before), as the binary runs by default: without
// the notice floor (--min-notice 0).
func setupWith(t *testing.T, opt demo.Options, seed func(context.Context, *store.DB, *demo.Scenario) (*demo.Seeded, error)) *bundle {
	t.Helper()
	return setupAt(t, opt, clock, -1, seed)
}

// setupAt is setupWith on another clock and with a minimum notice
// (jobs.Deps.MinNotice: negative none, as the binary's default; 0 jobs'
// 2 h, as --min-notice 2h).
func setupAt(t *testing.T, opt demo.Options, clock func() time.Time, minNotice time.Duration, seed func(context.Context, *store.DB, *demo.Scenario) (*demo.Seeded, error)) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{t: t, ctx: ctx, db: pgtest.New(t), secret: []byte("e2e-secret-0123456789abcdef")}
	var err error
	if b.sc, err = demo.Build(geo.Default().Gazetteer(), opt); err != nil {
		t.Fatal(err)
	}
	if b.network, err = seed(ctx, b.db, b.sc); err != nil {
		t.Fatal(err)
	}
	svc, err := jobs.New(b.db, jobs.Deps{Clock: clock, Workers: 8, PlanWorkers: 1, PlanBudget: 2 * time.Second,
		PlanIterations: 3000, SLAWatchEvery: -1, FetchPollInterval: 100 * time.Millisecond, MinNotice: minNotice})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = svc.Stop(ctx)
	})
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	b.base = srv.URL
	h = api.New(api.Deps{DB: b.db, Service: svc, Clock: clock, Secret: b.secret, BaseURL: b.base})
	b.svc = svc
	b.admin = b.token(thugom.Token{Name: "e2e admin", Role: thugom.RoleAdmin})
	return b
}

func (b *bundle) token(t thugom.Token) string {
	b.t.Helper()
	tok, hash, err := api.NewToken()
	if err != nil {
		b.t.Fatal(err)
	}
	t.CreatedAt = time.Now()
	if _, err := store.InsertToken(b.ctx, b.db, t, hash); err != nil {
		b.t.Fatal(err)
	}
	return tok
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (b *bundle) do(method, path, token, contentType string, body []byte) response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, data}
}

func (b *bundle) json(r response, want int, into any) {
	b.t.Helper()
	if r.status != want {
		b.t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	if into != nil {
		if err := json.Unmarshal(r.body, into); err != nil {
			b.t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

// eventually polls cond until it holds, failing the test after limit.
func (b *bundle) eventually(what string, limit time.Duration, cond func() bool) {
	b.t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			b.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type orderOut struct {
	ID               int64      `json:"id"`
	DepotID          *int64     `json:"depot_id"`
	HouseholdID      int64      `json:"household_id"`
	HandoverDeadline *time.Time `json:"handover_deadline"`
	Status           string     `json:"status"`
}

// The orders of the test: the scenario's orders of the VNPost office of Chi
// Lăng (custard apple country), placed in the evening before the day.
func (b *bundle) orders(n int) []demo.OrderSpec {
	var out []demo.OrderSpec
	for _, o := range b.sc.Orders {
		if b.sc.Depots[o.Depot].Depot.Code != "VNP-245600" {
			continue
		}
		o.Order.PlacedAt = day.Add(-5*time.Hour + time.Duration(len(out))*time.Minute)
		out = append(out, o)
		if len(out) == n {
			break
		}
	}
	if len(out) < n {
		b.t.Fatalf("scenario has only %d orders at Chi Lăng", len(out))
	}
	return out
}

func TestDemoPathThroughTheAPI(t *testing.T) {
	b := setup(t)
	orders := b.orders(12)

	// 1. Orders in: the first as JSON, a duplicate refused, the rest as CSV.
	first := orders[0]
	hh := b.sc.Households[first.Household].Household
	in := map[string]any{
		"marketplace": first.Order.Marketplace, "marketplace_order_id": first.Order.MarketplaceOrderID,
		"household": map[string]string{"name": hh.Name, "phone": hh.Phone, "address": hh.Address},
		"product":   first.Product, "weight_kg": first.Order.WeightKg, "cod_amount": first.Order.CODAmount,
		"destination_province": first.Order.DestinationProvince, "placed_at": first.Order.PlacedAt,
		"ready_from": first.Order.ReadyFrom, "ready_until": first.Order.ReadyUntil,
	}
	body, _ := json.Marshal(in)
	b.json(b.do("POST", "/v1/orders", b.admin, "application/json", body), http.StatusCreated, nil)
	dup := b.do("POST", "/v1/orders", b.admin, "application/json", body)
	if dup.status != http.StatusConflict || dup.header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(dup.body), "marketplace_order_id") {
		t.Fatalf("duplicate order: %d %s %s", dup.status, dup.header.Get("Content-Type"), dup.body)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"marketplace", "marketplace_order_id", "household_name", "phone", "address", "product", "weight_kg",
		"cod_amount", "destination_province", "placed_at", "ready_from", "ready_until"})
	for _, o := range orders[1:] {
		h := b.sc.Households[o.Household].Household
		_ = w.Write([]string{o.Order.Marketplace, o.Order.MarketplaceOrderID, h.Name, h.Phone, h.Address, o.Product,
			fmt.Sprint(o.Order.WeightKg), fmt.Sprint(o.Order.CODAmount), o.Order.DestinationProvince,
			o.Order.PlacedAt.Format(time.RFC3339), o.Order.ReadyFrom.Format(time.RFC3339), o.Order.ReadyUntil.Format(time.RFC3339)})
	}
	w.Flush()
	var imported struct {
		Imported    int `json:"imported"`
		GeocodeJobs int `json:"geocode_jobs"`
	}
	r := b.do("POST", "/v1/orders/import", b.admin, "text/csv", buf.Bytes())
	if r.status != http.StatusOK && r.status != http.StatusCreated {
		t.Fatalf("CSV import: %d %s", r.status, r.body)
	}
	b.json(response{status: http.StatusOK, body: r.body}, http.StatusOK, &imported)
	if imported.Imported != len(orders)-1 || imported.GeocodeJobs == 0 {
		t.Fatalf("CSV import: %s", r.body)
	}

	// 2. Geocoded by the workers: every order gets a depot and a deadline.
	var list struct {
		Items []orderOut `json:"items"`
	}
	b.eventually("orders routed to a depot", 60*time.Second, func() bool {
		b.json(b.do("GET", "/v1/orders?limit=100", b.admin, "", nil), http.StatusOK, &list)
		if len(list.Items) != len(orders) {
			t.Fatalf("%d orders listed, want %d", len(list.Items), len(orders))
		}
		for _, o := range list.Items {
			if o.DepotID == nil || o.HandoverDeadline == nil {
				return false
			}
		}
		return true
	})
	depots := map[int64]bool{}
	for _, o := range list.Items {
		depots[*o.DepotID] = true
	}

	// 3. A plan per depot, asked for through the API and made by a worker.
	type plan struct {
		Plan *struct {
			Status string `json:"status"`
		} `json:"plan"`
		Routes []struct {
			Driver *struct {
				ID int64 `json:"id"`
			} `json:"driver"`
			Stops []struct {
				Kind        string    `json:"kind"`
				WindowStart time.Time `json:"window_start"`
				Household   *struct {
					ID int64 `json:"id"`
				} `json:"household"`
			} `json:"stops"`
		} `json:"routes"`
	}
	date := day.Format(time.DateOnly)
	var driverID, householdID int64
	var window time.Time
	for id := range depots {
		b.json(b.do("POST", fmt.Sprintf("/v1/depots/%d/plans", id), b.admin, "application/json", []byte(`{"date":"`+date+`"}`)), http.StatusAccepted, nil)
		var p plan
		b.eventually("plan of depot", 90*time.Second, func() bool {
			b.json(b.do("GET", fmt.Sprintf("/v1/depots/%d/plan?date=%s", id, date), b.admin, "", nil), http.StatusOK, &p)
			return p.Plan != nil && p.Plan.Status == thugom.PlanDone
		})
		for _, rt := range p.Routes {
			for _, s := range rt.Stops {
				if s.Kind == thugom.StopPickup && s.Household != nil && rt.Driver != nil && driverID == 0 {
					driverID, householdID, window = rt.Driver.ID, s.Household.ID, s.WindowStart
				}
			}
		}
	}
	if driverID == 0 {
		t.Fatal("no planned pickup with a driver")
	}

	// 4. The driver's manifest, with their own token; another driver's is refused.
	tok := b.token(thugom.Token{Name: "e2e driver", Role: thugom.RoleDriver, DriverID: &driverID})
	var m struct {
		Routes []struct {
			Stops []json.RawMessage `json:"stops"`
		} `json:"routes"`
	}
	b.json(b.do("GET", fmt.Sprintf("/v1/drivers/%d/manifest?date=%s", driverID, date), tok, "", nil), http.StatusOK, &m)
	if len(m.Routes) == 0 || len(m.Routes[0].Stops) == 0 {
		t.Fatalf("empty manifest: %+v", m)
	}
	other := b.network.DriverIDs[0]
	if other == driverID {
		other = b.network.DriverIDs[1]
	}
	if r := b.do("GET", fmt.Sprintf("/v1/drivers/%d/manifest?date=%s", other, date), tok, "", nil); r.status != http.StatusForbidden {
		t.Fatalf("another driver's manifest: %d", r.status)
	}

	// 5. The household's page shows its pickup window.
	link := api.HouseholdPageURL(b.base, b.secret, householdID, day.Add(48*time.Hour))
	page := b.do("GET", strings.TrimPrefix(link, b.base), "", "", nil)
	if page.status != http.StatusOK {
		t.Fatalf("household page: %d %s", page.status, page.body)
	}
	if want := window.In(thugom.Local).Format("15:04"); !strings.Contains(string(page.body), want) {
		t.Fatalf("household page does not show the window start %s:\n%s", want, page.body)
	}
}
