package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store/pgtest"
)

// /metrics has the HTTP requests per route pattern, Go runtime and process
// metrics, the pool's stats and River's jobs by kind and state.
func TestMetricsOfHTTPRuntimePoolAndJobs(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	reg := prometheus.NewRegistry()
	svc, err := jobs.New(db, jobs.Deps{Logger: slog.New(slog.DiscardHandler), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Client().Insert(context.Background(), jobs.GeocodeHouseholdArgs{HouseholdID: 1}, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Deps{DB: db, Service: svc, Secret: secret, Registerer: reg, Metrics: svc.MetricsHandler()}))
	t.Cleanup(srv.Close)
	for _, p := range []string{"/healthz", "/healthz", "/v1/orders/42"} {
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			text.WriteString(mf.GetName())
			for _, l := range m.GetLabel() {
				text.WriteString(" " + l.GetName() + "=" + l.GetValue())
			}
			if c := m.GetCounter(); c != nil {
				fmt.Fprintf(&text, " %g", c.GetValue())
			}
			text.WriteString("\n")
		}
	}
	for _, want := range []string{
		"thugom_http_requests_total code=200 method=GET route=/healthz 2",
		"thugom_http_requests_total code=401 method=GET route=/v1/orders/{id} 1",
		"thugom_http_request_duration_seconds method=GET route=/healthz",
		"go_goroutines", "process_resident_memory_bytes",
		"thugom_db_pool_connections state=max",
		"thugom_river_jobs kind=geocode_household state=available",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("no %q in the metrics:\n%s", want, trunc([]byte(text.String())))
		}
	}
}
