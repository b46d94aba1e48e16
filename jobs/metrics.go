package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river/rivertype"

	"github.com/thugom/thugom/store"
)

// metrics are the service's Prometheus metrics.
type metrics struct {
	jobs         *prometheus.CounterVec   // kind, outcome
	jobDuration  *prometheus.HistogramVec // kind
	planDuration prometheus.Histogram
	planOrders   *prometheus.CounterVec // outcome: assigned, unassigned
	slaOrders    *prometheus.GaugeVec   // state: at_risk, missed, late_eta
	escalations  *prometheus.CounterVec // level
	sms          *prometheus.CounterVec // kind, outcome
	inbound      *prometheus.CounterVec // outcome
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "thugom", Name: "jobs_total", Help: "Jobs worked, by kind and outcome (ok, error, cancelled, snoozed).",
		}, []string{"kind", "outcome"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "thugom", Name: "job_duration_seconds", Help: "Time to work one job, by kind.",
			Buckets: prometheus.ExponentialBuckets(0.005, 3, 10),
		}, []string{"kind"}),
		planDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "thugom", Name: "plan_duration_seconds", Help: "Time to plan one depot's day (read, solve, write).",
			Buckets: []float64{0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120},
		}),
		planOrders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "thugom", Name: "plan_orders_total", Help: "Orders planned, by outcome (assigned, unassigned).",
		}, []string{"outcome"}),
		slaOrders: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "thugom", Name: "sla_orders", Help: "Orders on the day's SLA board at the last SLA watch, by state (at_risk: flagged at risk, late: past the promise, missed: past the handover deadline).",
		}, []string{"state"}),
		escalations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "thugom", Name: "sla_escalations_total", Help: "Orders escalated, by level.",
		}, []string{"level"}),
		sms: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "thugom", Name: "sms_total", Help: "SMS handled by the send job, by kind and outcome (sent, failed, skipped).",
		}, []string{"kind", "outcome"}),
		inbound: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "thugom", Name: "sms_inbound_total", Help: "SMS replies received, by outcome.",
		}, []string{"outcome"}),
	}
	for _, c := range []prometheus.Collector{m.jobs, m.jobDuration, m.planDuration, m.planOrders, m.slaOrders, m.escalations, m.sms, m.inbound} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
		}
	}
	return m, nil
}

// work is the River worker middleware counting jobs and their durations.
func (m *metrics) work(ctx context.Context, job *rivertype.JobRow, doInner func(ctx context.Context) error) error {
	t0 := time.Now()
	err := doInner(ctx)
	outcome := "ok"
	var cancel *rivertype.JobCancelError
	var snooze *rivertype.JobSnoozeError
	switch {
	case err == nil:
	case errors.As(err, &cancel):
		outcome = "cancelled"
	case errors.As(err, &snooze):
		outcome = "snoozed"
	default:
		outcome = "error"
	}
	m.jobs.WithLabelValues(job.Kind, outcome).Inc()
	m.jobDuration.WithLabelValues(job.Kind).Observe(time.Since(t0).Seconds())
	return err
}

// registerRuntime adds to reg the Go runtime and process metrics, the
// database pool's stats and River's job counts by kind and state (read at
// each scrape, bounded by a second).
func (s *Service) registerRuntime(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&poolCollector{s: s},
	} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return err
			}
		}
	}
	return nil
}

var (
	descPoolConns = prometheus.NewDesc("thugom_db_pool_connections", "Connections of the database pool, by state (idle, in_use, max).", []string{"state"}, nil)
	descPoolWaits = prometheus.NewDesc("thugom_db_pool_acquire_waits_total", "Acquires that had to wait for a connection.", nil, nil)
	descPoolWait  = prometheus.NewDesc("thugom_db_pool_acquire_wait_seconds_total", "Time spent waiting for a connection.", nil, nil)
	descJobs      = prometheus.NewDesc("thugom_river_jobs", "River jobs by kind and state, read at the scrape.", []string{"kind", "state"}, nil)
)

// poolCollector reads the pool's stats and River's job counts.
type poolCollector struct{ s *Service }

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descPoolConns
	ch <- descPoolWaits
	ch <- descPoolWait
	ch <- descJobs
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.db.Pool.Stat()
	ch <- prometheus.MustNewConstMetric(descPoolConns, prometheus.GaugeValue, float64(st.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(descPoolConns, prometheus.GaugeValue, float64(st.AcquiredConns()), "in_use")
	ch <- prometheus.MustNewConstMetric(descPoolConns, prometheus.GaugeValue, float64(st.MaxConns()), "max")
	ch <- prometheus.MustNewConstMetric(descPoolWaits, prometheus.CounterValue, float64(st.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(descPoolWait, prometheus.CounterValue, st.AcquireDuration().Seconds())
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	counts, err := store.CountJobs(ctx, c.s.db.Pool)
	if err != nil {
		return // the database is down: the pool's stats still say so
	}
	for _, jc := range counts {
		ch <- prometheus.MustNewConstMetric(descJobs, prometheus.GaugeValue, float64(jc.N), jc.Kind, jc.State)
	}
}

// MetricsRegisterer is where the service's metrics are registered, for the
// HTTP layer's own (api.Deps.Registerer).
func (s *Service) MetricsRegisterer() prometheus.Registerer {
	if s.reg != nil {
		return s.reg
	}
	return s.deps.Registerer
}
