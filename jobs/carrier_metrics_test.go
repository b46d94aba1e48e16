package jobs_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thugom/thugom/fakecarrier"
	"github.com/thugom/thugom/jobs"
)

// A carrier's 4xx on /metrics, for an administrator: the outbox as it
// stands (thugom_carrier_messages{status="failed"}, read from the table:
// every worker's, across restarts) beside this process's counter of
// refusals.
func TestCarrierFailuresOnMetrics(t *testing.T) {
	t.Parallel()
	cb := carrierSetup(t, jobs.ShipAtIntake, 0)
	ctx := context.Background()
	scrape := func() string {
		rec := httptest.NewRecorder()
		cb.svc.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		return rec.Body.String()
	}
	ok, _ := importOrder(t, cb, "PM-M-OK")
	refused, _ := importOrder(t, cb, "PM-M-REFUSED")
	if !strings.Contains(scrape(), `thugom_carrier_messages{action="create",carrier="vnpost",status="queued"} 2`) {
		t.Errorf("two creates queued, not on /metrics:\n%s", grepMetric(scrape(), "thugom_carrier_messages{"))
	}
	if err := cb.svc.SendCarrier(ctx, ok); err != nil {
		t.Fatal(err)
	}
	cb.vnp.Fail(fakecarrier.Fault{Status: http.StatusUnprocessableEntity})
	if err := cb.svc.SendCarrier(ctx, refused); !errors.Is(err, jobs.ErrCarrierRefused) {
		t.Fatalf("refusal: %v", err)
	}
	body := scrape()
	for _, want := range []string{
		`thugom_carrier_messages{action="create",carrier="vnpost",status="failed"} 1`,
		`thugom_carrier_messages{action="create",carrier="vnpost",status="sent"} 1`,
		`thugom_carrier_messages_total{action="create",carrier="vnpost",outcome="refused"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepMetric(body, "thugom_carrier_messages"))
		}
	}
}

// grepMetric returns the lines of a scrape naming the metric.
func grepMetric(body, name string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, name) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
