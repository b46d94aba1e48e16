package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// Load benchmarks on loopback (issue 6 targets): GET manifest and the
// household page at 500 requests/s from 100 concurrent clients, p99 ≤ 20 ms;
// a CSV import of 20,000 orders with their geocoding jobs ≤ 10 s.
//
//	go test ./api -run '^$' -bench 'Manifest|HouseholdPage|CSVImport' -benchtime 1x
//
// The load is open-loop: requests are scheduled every 2 ms whatever the
// answers, and latency counts from the scheduled time (no coordinated
// omission).

const (
	loadRate    = 500 // requests per second
	loadClients = 100
	loadSeconds = 10
	// The first second at the full rate opens the clients' connections and
	// the database pool's; it is sent but not measured.
	warmSeconds = 1
)

// seedLoad plans a day of 10 motorbikes and 200 orders.
func seedLoad(b *testing.B) (*bundle, []int64) {
	bd := setupOpts(b, false)
	ctx := context.Background()
	var drivers []int64
	for i := 0; i < 8; i++ {
		v := &thugom.Vehicle{CarrierID: bd.depot.CarrierID, DepotID: bd.depot.ID, Code: fmt.Sprintf("LB-%d", i), Kind: thugom.VehicleMotorbike,
			CapacityKg: 150, CapacityParcels: 40, ShiftStart: 7 * 3600, ShiftEnd: 17 * 3600, MaxTrips: 2}
		if err := store.InsertVehicle(ctx, bd.db, v); err != nil {
			b.Fatal(err)
		}
		d := &thugom.Driver{CarrierID: bd.depot.CarrierID, DepotID: bd.depot.ID, Name: fmt.Sprintf("Load %d", i), Phone: fmt.Sprintf("+8498765430%d", i), VehicleID: &v.ID, Active: true}
		if err := store.InsertDriver(ctx, bd.db, d); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < 200; i++ {
		r := bd.do("POST", "/v1/orders", bd.disp, order(fmt.Sprintf("L-%04d", i), fmt.Sprintf("0913%06d", i), addresses[i%len(addresses)], float64(3+i%5*2)))
		wantStatus(b, r, http.StatusCreated, "")
		var o struct {
			HouseholdID int64 `json:"household_id"`
		}
		r.json(b, &o)
		if _, err := bd.svc.GeocodeHousehold(ctx, o.HouseholdID); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := bd.svc.PlanDepotDay(ctx, bd.depot.ID, testNow, jobs.PlanRequest{Cause: "bench"}); err != nil {
		b.Fatal(err)
	}
	rows, err := bd.db.Query(ctx, "SELECT DISTINCT r.driver_id FROM routes r WHERE r.driver_id IS NOT NULL ORDER BY 1")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		drivers = append(drivers, id)
	}
	if len(drivers) == 0 {
		b.Fatal("no routes with drivers")
	}
	return bd, drivers
}

// runLoad sends loadRate requests per second for loadSeconds from
// loadClients clients; next(i) gives client i's request. It reports p50,
// p99 and max latency.
func runLoad(b *testing.B, next func(client int) *http.Request) {
	tr := &http.Transport{MaxIdleConns: loadClients, MaxIdleConnsPerHost: loadClients, DisableCompression: false}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	n := loadRate * (loadSeconds + warmSeconds)
	type job struct {
		at      time.Time
		measure bool
	}
	jobs := make(chan job, n)
	lat := make([]time.Duration, 0, n)
	var mu sync.Mutex
	var failed int
	start0 := time.Now().Add(50 * time.Millisecond)
	perSec := map[int][]time.Duration{}
	var wg sync.WaitGroup
	for c := 0; c < loadClients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for j := range jobs {
				req := next(c)
				res, err := client.Do(req)
				ok := err == nil && res.StatusCode == http.StatusOK
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				d := time.Since(j.at)
				sec := int(j.at.Sub(start0)/time.Second) - warmSeconds
				mu.Lock()
				if !ok {
					failed++
				}
				if j.measure {
					lat = append(lat, d)
					perSec[sec] = append(perSec[sec], d)
				}
				mu.Unlock()
			}
		}(c)
	}
	b.ResetTimer()
	time.Sleep(time.Until(start0))
	start := start0
	interval := time.Second / loadRate
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		jobs <- job{at, i >= loadRate*warmSeconds}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start) - warmSeconds*time.Second
	b.StopTimer()
	for sec := 0; sec < loadSeconds; sec++ {
		l := perSec[sec]
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		if len(l) > 0 {
			b.Logf("second %d: %d requests, p50 %v, p99 %v, max %v", sec, len(l), l[len(l)/2], l[len(l)*99/100], l[len(l)-1])
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(failed), "failed")
	if failed > 0 {
		b.Errorf("%d of %d requests failed", failed, len(lat))
	}
}

func BenchmarkManifestLoad(b *testing.B) {
	bd, drivers := seedLoad(b)
	ctx := context.Background()
	// 100 drivers' phones: tokens spread over the drivers with routes.
	tokens := make([]string, loadClients)
	paths := make([]string, loadClients)
	for i := range tokens {
		d := drivers[i%len(drivers)]
		tok, hash, err := api.NewToken()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := store.InsertToken(ctx, bd.db, thugom.Token{Role: thugom.RoleDriver, CarrierID: &bd.depot.CarrierID, DriverID: &d, CreatedAt: testNow}, hash); err != nil {
			b.Fatal(err)
		}
		tokens[i], paths[i] = tok, fmt.Sprintf("%s/v1/drivers/%d/manifest?date=%s", bd.srv.URL, d, testNow.Format(time.DateOnly))
	}
	// Warm up: each driver's manifest once (the first read builds it).
	var size int
	for i := range drivers {
		r := bd.do("GET", strings.TrimPrefix(paths[i], bd.srv.URL), tokens[i], nil)
		wantStatus(b, r, http.StatusOK, "")
		size = len(r.body)
	}
	b.Logf("manifest: %d bytes (uncompressed), %d drivers with routes", size, len(drivers))
	for i := 0; i < b.N; i++ {
		runLoad(b, func(c int) *http.Request {
			req, _ := http.NewRequest("GET", paths[c], nil)
			req.Header.Set("Authorization", "Bearer "+tokens[c])
			return req
		})
	}
}

func BenchmarkHouseholdPageLoad(b *testing.B) {
	bd, _ := seedLoad(b)
	rows, err := bd.db.Query(context.Background(), "SELECT DISTINCT household_id FROM stops WHERE household_id IS NOT NULL ORDER BY 1 LIMIT 100")
	if err != nil {
		b.Fatal(err)
	}
	var links []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		links = append(links, api.HouseholdPageURL(bd.srv.URL, secret, id, testNow.Add(48*time.Hour)))
	}
	if len(links) == 0 {
		b.Fatal("no planned households")
	}
	r := bd.do("GET", strings.TrimPrefix(links[0], bd.srv.URL), "", nil)
	wantStatus(b, r, http.StatusOK, "")
	b.Logf("household page: %d bytes", len(r.body))
	for i := 0; i < b.N; i++ {
		runLoad(b, func(c int) *http.Request {
			req, _ := http.NewRequest("GET", links[c%len(links)], nil)
			return req
		})
	}
}

func BenchmarkCSVImport20k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		bd := setupOpts(b, false)
		var sb strings.Builder
		sb.WriteString(csvHeader)
		for j := 0; j < 20000; j++ {
			sb.WriteString(csvRow(fmt.Sprintf("B%d-%05d", i, j), fmt.Sprintf("0914%06d", j), "12"))
		}
		body := sb.String()
		b.StartTimer()
		start := time.Now()
		r := bd.do("POST", "/v1/orders/import", bd.disp, body, "Content-Type", "text/csv")
		el := time.Since(start)
		b.StopTimer()
		wantStatus(b, r, http.StatusCreated, "")
		var jobsN int
		if err := bd.db.QueryRow(context.Background(), "SELECT count(*) FROM river_job WHERE kind = 'geocode_household'").Scan(&jobsN); err != nil {
			b.Fatal(err)
		}
		if jobsN != 20000 {
			b.Fatalf("%d geocoding jobs, want 20000", jobsN)
		}
		b.ReportMetric(el.Seconds(), "s/import")
		b.ReportMetric(float64(len(body))/1e6, "MB")
	}
}
