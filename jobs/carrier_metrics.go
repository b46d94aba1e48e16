package jobs

import (
	"context"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/thugom/thugom/store"
)

// carrierOutboxCollector exports the carriers' outbox as it stands, read
// at each scrape: thugom_carrier_messages{carrier,action,status}. The
// failed ones are the carriers' refusals (a 4xx or the carrier's own
// error) an administrator has to look at; unlike
// thugom_carrier_messages_total{outcome="refused"}, a counter of this
// process's sends, they survive a restart and count every worker's.
type carrierOutboxCollector struct {
	db   *store.DB
	desc *prometheus.Desc
}

func newCarrierOutboxCollector(db *store.DB) *carrierOutboxCollector {
	return &carrierOutboxCollector{db: db, desc: prometheus.NewDesc("thugom_carrier_messages",
		"Messages of the carriers' outbox now, by carrier, action and status (failed: refused by the carrier, for an administrator; queued, sending: not done yet).",
		[]string{"carrier", "action", "status"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *carrierOutboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector; a database that does not answer
// in two seconds leaves the metric out of that scrape.
func (c *carrierOutboxCollector) Collect(ch chan<- prometheus.Metric) {
	if c.db == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := store.CarrierOutboxCounts(ctx, c.db)
	if err != nil {
		return
	}
	for k, n := range counts {
		p := strings.SplitN(k, ":", 3)
		if len(p) != 3 {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), p[0], p[1], p[2])
	}
}
