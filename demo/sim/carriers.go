package sim

import (
	"context"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/fakecarrier"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// The carriers in the simulation (issue 23). Both carriers' fakes
// (package fakecarrier) serve their APIs over HTTP on loopback and every
// service of the simulation has its connectors pointed at them: each
// transition thugom owns is a carrier_outbox message written by the
// transition's transaction, sent by River (a service working the carrier
// queue alone, jobs.Deps.CarrierWorkers: the simulation makes every other
// call itself) through the real connector. Each fake's courier carries
// what was handed over by the timetable (fakecarrier.Courier, door to
// door: the scheduled delivery is the estimate's time, the spread after
// it) and posts the carrier's webhooks, on the simulated clock, to
// thugom's real endpoint (the api's handler on an httptest server), so
// delivered_at is the carrier's fact. The report then counts both sides:
// what thugom wrote and what the fakes received.

// carriersSQL are the carriers' queries, read with sim.sql's (sql.go).
//
//go:embed carriers.sql
var carriersSQL string

// Outage takes both carriers' fakes down (every API call answered 503,
// and their webhooks wait) From To, after local midnight of the middle
// harvest day (WeekOptions.Days / 2, 0-based); the zero value is none.
type Outage struct{ From, To time.Duration }

// ParseOutage reads "HH:MM-HH:MM".
func ParseOutage(s string) (Outage, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Outage{}, fmt.Errorf("carrier outage %q: want HH:MM-HH:MM", s)
	}
	var o Outage
	for i, p := range []string{from, to} {
		t, err := time.Parse("15:04", strings.TrimSpace(p))
		if err != nil {
			return Outage{}, fmt.Errorf("carrier outage %q: want HH:MM-HH:MM", s)
		}
		d := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
		if i == 0 {
			o.From = d
		} else {
			o.To = d
		}
	}
	if o.To <= o.From {
		return Outage{}, fmt.Errorf("carrier outage %q: it must end after it starts, the same day", s)
	}
	return o, nil
}

// CarrierFigures are the carriers' side of a simulation, counted on both
// sides: thugom's tables and what the fakes received.
type CarrierFigures struct {
	// OrdersPickedUp are the orders collected (picked up or handed over);
	// ShipmentsCreated the orders the fakes hold (one per order whatever
	// the resends), CreateRequests the creates they received (resends
	// after a 503 included), Waybills thugom's shipments with the
	// carrier's waybill.
	OrdersPickedUp   int `json:"orders_picked_up"`
	ShipmentsCreated int `json:"shipments_created"`
	CreateRequests   int `json:"create_requests"`
	Waybills         int `json:"waybills"`
	// Transitions are thugom's messages after the create (planned, picked
	// up, failed, handed over, cancel), by their end: sent, skipped (the
	// shipment was never created: cancelled first), refused; waiting for
	// a create are those of orders never picked up.
	Transitions        int `json:"transitions"`
	TransitionsSent    int `json:"transitions_sent"`
	TransitionsSkipped int `json:"transitions_skipped"`
	TransitionsRefused int `json:"transitions_refused"`
	WaitingForCreate   int `json:"transitions_waiting_for_create"`
	// UpdatesReceived are the updates the fakes recorded; compared order
	// by order with the transitions thugom sent, in their order: missing,
	// duplicated, and orders whose updates came out of order.
	UpdatesReceived int `json:"updates_received"`
	UpdatesMissing  int `json:"updates_missing"`
	UpdatesTwice    int `json:"updates_duplicated"`
	OutOfOrder      int `json:"orders_out_of_order"`
	// WebhooksSent are the couriers' webhooks thugom accepted (2xx),
	// WebhooksRefused the answers that were not (each sent again after);
	// StatusesKept the carrier_events rows, StatusesApplied those that
	// moved a shipment forward, StatusesTwice statuses kept twice (none).
	WebhooksSent    int `json:"webhooks_sent"`
	WebhooksRefused int `json:"webhooks_not_accepted"`
	StatusesKept    int `json:"statuses_kept"`
	StatusesApplied int `json:"statuses_applied"`
	StatusesTwice   int `json:"statuses_kept_twice"`
	// JobRuns are the River runs of the messages' jobs (a message whose
	// turn has not come waits and runs again); DrainSeconds the wall time
	// waited after the last day for the outbox to empty.
	JobRuns int `json:"job_runs"`
	// WakesMissed are the messages whose turn came while their job ran
	// (the wake of the one ahead lost): retried by the simulation
	// (wakeMissed), an hour late in production.
	WakesMissed  int            `json:"wakes_missed"`
	DrainSeconds float64        `json:"drain_wall_seconds"`
	Outage       *OutageFigures `json:"outage,omitempty"`
	Delivery     DeliveryFacts  `json:"delivery"`
}

// OutageFigures are the carriers' outage: the requests answered 503, the
// webhooks held, the messages queued when the carriers came back and when
// the last of those was sent (simulated time).
type OutageFigures struct {
	From            string  `json:"from"`
	To              string  `json:"to"`
	Refused         int     `json:"requests_refused"`
	WebhooksHeld    int     `json:"webhooks_held"`
	Backlog         int     `json:"backlog_at_end"`
	DrainedBy       string  `json:"drained_by,omitempty"`
	DrainedAfterMin float64 `json:"drained_after_min"`
}

// DeliveryFacts measure the promise on facts: each order collected is
// delivered at the carrier's delivered_at where the carrier told it, at
// thugom's estimate otherwise (first truck after the handover plus its
// transit: the week's own figures, issue 22's, kept beside). The rates
// are of the orders placed less those cancelled, as the week's.
type DeliveryFacts struct {
	Collected             int     `json:"collected"`
	ByCarrier             int     `json:"by_carrier"`
	Estimated             int     `json:"estimated"`
	WithinPromise         int     `json:"within_promise"`
	Late                  int     `json:"late"`
	WithinPromiseRate     float64 `json:"within_promise_rate"`
	EstimateWithin        int     `json:"within_promise_on_estimate"`
	EstimateWithinRate    float64 `json:"within_promise_on_estimate_rate"`
	AfterEstimateMinMin   float64 `json:"after_estimate_min_min"`
	AfterEstimateP50Min   float64 `json:"after_estimate_p50_min"`
	AfterEstimateP90Min   float64 `json:"after_estimate_p90_min"`
	AfterEstimateMaxMin   float64 `json:"after_estimate_max_min"`
	EarlierThanEstimate   int     `json:"earlier_than_estimate"`
	LateOnFactsOnly       int     `json:"late_on_facts_within_on_estimate"`
	DeliveredNextDayOrMor int     `json:"delivered_a_day_or_more_after_estimate"`
}

// Delivery sources of an order's delivery (OrderOutcome.DeliverySource).
const (
	DeliveryByCarrier = "carrier"
	DeliveryEstimate  = "estimate"
)

// simCarriers are the carriers' side of a simulation.
type simCarriers struct {
	db       *store.DB
	vtp      *fakecarrier.ViettelPost
	vnp      *fakecarrier.VNPost
	couriers map[string]*fakecarrier.Courier
	fakes    *httptest.Server
	hooks    *httptest.Server
	svc      *jobs.Service
	// clock is the simulated time (unix ns) the sender and the webhooks'
	// endpoint read: they run on other goroutines than the simulation's.
	clock    atomic.Int64
	last     time.Time
	from, to time.Time // the outage; zero: none
	down     bool
	refused  int
	outage   *OutageFigures
	backlog  []int64 // messages queued when the outage ended, until sent
	upAt     time.Time
	retryAt  time.Time // simulated: the backlog's backoff ends (zero: none)
	missed   int
	downAt   time.Time // wall time
	closed   bool
}

var simCarrierNames = []string{thugom.CarrierViettelPost, thugom.CarrierVNPost}

// newSimCarriers serves both fakes, points deps' connectors at them and
// makes the service that sends the messages and answers the webhooks;
// start starts it. The outage (zero: none) runs from to on the
// simulated clock.
func newSimCarriers(db *store.DB, deps *jobs.Deps, seed uint64, from, to time.Time) (*simCarriers, error) {
	// The fakes' credentials and the webhooks' secrets: new on every run,
	// known to this process only.
	user, pass, token, key := "thugom-sim", rand.Text(), rand.Text(), rand.Text()
	c := &simCarriers{db: db, vtp: fakecarrier.NewViettelPost(user, pass), vnp: fakecarrier.NewVNPost(user, pass), from: from, to: to}
	mux := http.NewServeMux()
	mux.Handle("/viettelpost/", c.vtp)
	mux.Handle("/vnpost/", c.vnp)
	c.fakes = httptest.NewServer(mux)
	u := c.fakes.URL
	deps.Carriers = jobs.CarrierConfig{Connectors: map[string]jobs.CarrierConnector{
		thugom.CarrierViettelPost: &jobs.ViettelPost{URL: u + "/viettelpost/v2", StatusURL: u + "/viettelpost" + fakecarrier.StatusPath,
			Username: user, Password: pass, WebhookToken: token},
		thugom.CarrierVNPost: &jobs.VNPost{URL: u + "/vnpost/api/api", StatusURL: u + "/vnpost" + fakecarrier.StatusPath,
			Username: user, Password: pass, WebhookKey: key},
	}}
	d := *deps
	// Eight workers: each message is a few round trips to the database
	// and one to its fake, and the week writes some fifty thousand.
	d.Clock, d.Workers, d.CarrierWorkers = c.now, 0, 8
	d.Registerer = prometheus.NewRegistry()
	d.FetchPollInterval = 250 * time.Millisecond
	var err error
	if c.svc, err = jobs.New(db, d); err != nil {
		c.fakes.Close()
		return nil, err
	}
	c.hooks = httptest.NewServer(api.New(api.Deps{DB: db, Service: c.svc, Clock: c.now, Secret: []byte("thugom simulation's link secret"), Logger: d.Logger}))
	c.couriers = map[string]*fakecarrier.Courier{
		thugom.CarrierViettelPost: c.vtp.Deliver(c.hooks.URL+"/hooks/viettelpost", token, nil, seed),
		thugom.CarrierVNPost:      c.vnp.Deliver(c.hooks.URL+"/hooks/vnpost", key, nil, seed+1),
	}
	return c, nil
}

func (c *simCarriers) now() time.Time { return time.Unix(0, c.clock.Load()) }

// start starts the sender at the simulated time now.
func (c *simCarriers) start(ctx context.Context, now time.Time) error {
	c.clock.Store(now.UnixNano())
	for _, name := range simCarrierNames {
		c.couriers[name].Arrival = CourierArrival(context.WithoutCancel(ctx), c.db, name, nil)
	}
	return c.svc.Start(ctx)
}

// close stops the sender and the servers, once.
func (c *simCarriers) close() {
	if c.closed {
		return
	}
	c.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = c.svc.Stop(ctx)
	c.hooks.Close()
	c.fakes.Close()
}

// step is the carriers' tick of the simulated clock: the outage begins
// or ends, and the couriers post the webhooks due (none while down: a
// carrier's system down tells nothing either).
func (c *simCarriers) step(ctx context.Context, now time.Time) error {
	if c == nil {
		return nil
	}
	c.clock.Store(now.UnixNano())
	c.last = now
	switch {
	case !c.down && !c.from.IsZero() && !now.Before(c.from) && now.Before(c.to):
		c.setDown(true)
		c.outage = &OutageFigures{From: c.from.In(thugom.Local).Format("2006-01-02 15:04"), To: c.to.In(thugom.Local).Format("2006-01-02 15:04")}
	case c.down && !now.Before(c.to):
		// River retries by the wall clock, on which the simulated hour is
		// a moment: the carriers stay down until River has tried every
		// message it could (each refused, in its backoff).
		if err := c.waitJobsTried(ctx); err != nil {
			return err
		}
		c.setDown(false)
		var err error
		if c.backlog, err = c.openMessages(ctx); err != nil {
			return err
		}
		c.outage.Backlog, c.upAt = len(c.backlog), now
		c.retryAt = now.Add(outageBackoff)
		for _, name := range simCarrierNames {
			c.outage.WebhooksHeld += countDue(c.couriers[name].Pending(), now)
		}
	}
	if c.down {
		return nil
	}
	if !c.retryAt.IsZero() && !now.Before(c.retryAt) {
		c.retryAt = time.Time{}
		if err := c.retryBackedOff(ctx); err != nil {
			return err
		}
	}
	if now.Minute() == 0 {
		if err := c.wakeMissed(ctx); err != nil {
			return err
		}
		if err := c.catchUp(ctx); err != nil {
			return err
		}
	}
	if err := c.drained(ctx, now); err != nil {
		return err
	}
	return c.flush(ctx, now)
}

// wakeMissed retries now the jobs whose wake was lost, as the service's
// carrier_wake does each minute of wall time (jobs.WakeLostCarrierJobs):
// the simulation's service runs no periodic job, and a minute of wall time
// is hours of its clock, so it calls it each simulated hour, and counts them.
func (c *simCarriers) wakeMissed(ctx context.Context) error {
	n, err := c.svc.WakeLostCarrierJobs(ctx)
	if err != nil {
		return fmt.Errorf("carriers: %w", err)
	}
	c.missed += n
	return nil
}

func (c *simCarriers) setDown(down bool) {
	c.down, c.downAt = down, time.Now()
	c.vtp.Down(down)
	c.vnp.Down(down)
}

// flush posts the couriers' webhooks due by upTo; one thugom did not
// accept is counted and sent again on the next tick.
func (c *simCarriers) flush(ctx context.Context, upTo time.Time) error {
	for _, name := range simCarrierNames {
		if _, err := c.couriers[name].Flush(ctx, upTo); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.refused++
		}
	}
	return nil
}

func countDue(hooks []fakecarrier.Hook, by time.Time) int {
	n := 0
	for _, h := range hooks {
		if !h.At.After(by) {
			n++
		}
	}
	return n
}

// waitJobsTried waits (a minute of wall time at most) until River has
// tried, since the outage began, every message's job it can run now.
func (c *simCarriers) waitJobsTried(ctx context.Context) error {
	return c.waitNone(ctx, query("CarrierJobsUntried"), c.downAt)
}

// waitNone polls the count query q (a minute of wall time at most) until
// it is 0.
func (c *simCarriers) waitNone(ctx context.Context, q string, args ...any) error {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		var n int
		if err := c.db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// outageBackoff is when, after the carriers come back, River's backoff
// brings back the messages refused during the outage: attempt n waits
// about n⁴ seconds, so an hour's outage leaves each message at its sixth or
// seventh attempt, retried 22 to 40 minutes later; the simulation takes
// the shorter. Its clock runs hours in a minute of wall time, so it
// retries them then itself (River would, hours of simulated time later).
const outageBackoff = 22 * time.Minute

// retryBackedOff retries now the messages' jobs waiting out their backoff.
func (c *simCarriers) retryBackedOff(ctx context.Context) error {
	var ids []int64
	var id int64
	db := c.db
	if err := eachRow(ctx, db, "CarrierJobsRetryable", nil, []any{&id}, func() { ids = append(ids, id) }); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := c.svc.Client().JobRetry(ctx, id); err != nil && !errors.Is(err, river.ErrNotFound) {
			return fmt.Errorf("carriers: retry job %d: %w", id, err)
		}
	}
	return nil
}

// catchUp holds the simulated clock, each simulated hour, until River has
// sent every message it can send now (none available or running: those
// waiting for their create or for the one ahead sleep, those refused wait
// out their backoff), a minute of wall time at most. Without it the sender
// (a few round trips a message, about 30 a second here beside the
// planning) ran hours of simulated time behind: an outage's backlog was
// counted drained only after the last day, and the carriers heard of a
// hand-over hours after it.
func (c *simCarriers) catchUp(ctx context.Context) error {
	return c.waitNone(ctx, query("CarrierJobsBusy"))
}

// openMessages are the messages queued or being sent whose order's create
// is written.
func (c *simCarriers) openMessages(ctx context.Context) ([]int64, error) {
	var ids []int64
	var id int64
	db := c.db
	err := eachRow(ctx, db, "CarrierOpenMessageIDs", nil, []any{&id}, func() { ids = append(ids, id) })
	return ids, err
}

// drained notes when the outage's backlog is all sent.
func (c *simCarriers) drained(ctx context.Context, now time.Time) error {
	if len(c.backlog) == 0 || c.outage.DrainedBy != "" {
		return nil
	}
	var open int
	if err := c.db.QueryRow(ctx, query("CarrierStillOpen"), c.backlog).Scan(&open); err != nil {
		return err
	}
	if open == 0 {
		c.outage.DrainedBy = now.In(thugom.Local).Format("2006-01-02 15:04")
		c.outage.DrainedAfterMin = now.Sub(c.upAt).Minutes()
	}
	return nil
}

// finish waits (forty minutes of wall time at most) for every message of a
// created shipment to be sent, posts the couriers' remaining webhooks
// (the deliveries after the last simulated day) and counts both sides.
func (c *simCarriers) finish(ctx context.Context) (*CarrierFigures, error) {
	if c.down {
		c.setDown(false)
	}
	t0 := time.Now()
	deadline := t0.Add(40 * time.Minute)
	for {
		var open int
		if err := c.db.QueryRow(ctx, query("CarrierOpenMessages")).Scan(&open); err != nil {
			return nil, err
		}
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("carriers: %d messages still unsent forty minutes after the last day", open)
		}
		if err := c.drained(ctx, c.last); err != nil {
			return nil, err
		}
		if err := c.wakeMissed(ctx); err != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	if err := c.drained(ctx, c.last); err != nil {
		return nil, err
	}
	f := &CarrierFigures{DrainSeconds: math.Round(time.Since(t0).Seconds()*10) / 10, Outage: c.outage}
	// Every parcel handed over is delivered within the week after.
	if err := c.flush(ctx, c.last.AddDate(0, 0, 7)); err != nil {
		return nil, err
	}
	for _, name := range simCarrierNames {
		f.WebhooksSent += len(c.couriers[name].Sent())
		if p := c.couriers[name].Pending(); len(p) > 0 {
			return nil, fmt.Errorf("carriers: %d %s webhooks not accepted", len(p), name)
		}
	}
	f.WebhooksRefused, f.WakesMissed = c.refused, c.missed
	if c.outage != nil {
		c.outage.Refused = c.vtp.Refused() + c.vnp.Refused()
	}
	return f, c.count(ctx, f)
}

// fakeSaw is how each fake records each transition thugom sends (the
// connectors' calls: ViettelPost's UpdateOrder TYPE 1 and its status
// codes, VNPost's status names and codes).
var fakeSaw = map[string]map[string]string{
	thugom.CarrierViettelPost: {"planned": "approve", "picked_up": "105", "failed": "106", "handed_over": "200", "cancel": "cancel"},
	thugom.CarrierVNPost: {"planned": "Đã lên lịch lấy hàng", "picked_up": "Bưu tá đã lấy hàng",
		"failed": "Lấy hàng không thành công, hẹn lấy lại", "handed_over": "70", "cancel": "cancel"},
}

// count fills f from thugom's tables and the fakes' records.
func (c *simCarriers) count(ctx context.Context, f *CarrierFigures) error {
	db := c.db
	for _, q := range []struct {
		sql string
		dst *int
	}{
		{query("CarrierOrdersPickedUp"), &f.OrdersPickedUp}, {query("CarrierWaybills"), &f.Waybills},
		{query("CarrierWaitingForCreate"), &f.WaitingForCreate}, {query("CarrierJobRuns"), &f.JobRuns},
	} {
		if err := db.QueryRow(ctx, q.sql).Scan(q.dst); err != nil {
			return err
		}
	}
	if err := db.QueryRow(ctx, query("CarrierEventCounts")).Scan(&f.StatusesKept, &f.StatusesApplied, &f.StatusesTwice); err != nil {
		return err
	}
	var action, status string
	var n int
	if err := eachRow(ctx, db, "CarrierMessageCounts", nil, []any{&action, &status, &n}, func() {
		if action == "create" {
			return
		}
		f.Transitions += n
		switch status {
		case thugom.CarrierSent:
			f.TransitionsSent += n
		case thugom.CarrierSkipped:
			f.TransitionsSkipped += n
		case thugom.CarrierFailed:
			f.TransitionsRefused += n
		}
	}); err != nil {
		return err
	}
	// What thugom sent, order by order, as each fake records it.
	sent := map[string][]string{} // carrier/reference → updates
	var id int64
	var carrier, ref string
	if err := eachRow(ctx, db, "CarrierSentMessages", nil, []any{&id, &carrier, &ref, &action}, func() {
		sent[carrier+"/"+ref] = append(sent[carrier+"/"+ref], fakeSaw[carrier][action])
	}); err != nil {
		return err
	}
	f.CreateRequests = c.vtp.Creates() + c.vnp.Creates()
	for name, orders := range map[string][]fakecarrier.Order{thugom.CarrierViettelPost: c.vtp.Orders(), thugom.CarrierVNPost: c.vnp.Orders()} {
		f.ShipmentsCreated += len(orders)
		for _, o := range orders {
			f.UpdatesReceived += len(o.Updates)
			want := sent[name+"/"+o.Reference]
			delete(sent, name+"/"+o.Reference)
			missing, twice := multisetDiff(want, o.Updates)
			f.UpdatesMissing += missing
			f.UpdatesTwice += twice
			if missing == 0 && twice == 0 && !slices.Equal(want, o.Updates) {
				f.OutOfOrder++
			}
		}
	}
	for _, w := range sent { // sent for an order no fake holds
		f.UpdatesMissing += len(w)
	}
	return nil
}

// multisetDiff counts what want has that got lacks, and what got has
// more of than want.
func multisetDiff(want, got []string) (missing, extra int) {
	n := map[string]int{}
	for _, s := range want {
		n[s]++
	}
	for _, s := range got {
		n[s]--
	}
	for _, v := range n {
		if v > 0 {
			missing += v
		} else {
			extra -= v
		}
	}
	return missing, extra
}

// deliveries fills each collected order's carrier delivery (DeliveredAt,
// DeliverySource) and f's promise on facts.
func (c *simCarriers) deliveries(ctx context.Context, rep *WeekReport, f *CarrierFigures) error {
	facts := map[int64]time.Time{}
	var id int64
	var at time.Time
	db := c.db
	if err := eachRow(ctx, db, "CarrierDelivered", nil, []any{&id, &at}, func() { facts[id] = at }); err != nil {
		return err
	}
	d := &f.Delivery
	var after []float64
	for i := range rep.Orders {
		o := &rep.Orders[i]
		if o.Outcome != "within_promise" && o.Outcome != "late" {
			continue
		}
		d.Collected++
		if o.Outcome == "within_promise" {
			d.EstimateWithin++
		}
		dl, source := o.Delivered, DeliveryEstimate
		if fact, ok := facts[o.ID]; ok {
			dl, source = fact, DeliveryByCarrier
			o.DeliveredAt = fact
			d.ByCarrier++
			m := fact.Sub(o.Delivered).Minutes()
			after = append(after, m)
			if m < 0 {
				d.EarlierThanEstimate++
			}
			if m >= 24*60 {
				d.DeliveredNextDayOrMor++
			}
		} else {
			d.Estimated++
		}
		o.DeliverySource = source
		if dl.After(o.Promised) {
			d.Late++
			if o.Outcome == "within_promise" {
				d.LateOnFactsOnly++
			}
		} else {
			d.WithinPromise++
		}
	}
	if n := rep.Total.Placed - rep.Total.Cancelled; n > 0 {
		d.WithinPromiseRate = round(float64(d.WithinPromise)/float64(n), 4)
		d.EstimateWithinRate = round(float64(d.EstimateWithin)/float64(n), 4)
	}
	sort.Float64s(after)
	if len(after) > 0 {
		d.AfterEstimateMinMin = math.Round(after[0])
		d.AfterEstimateP50Min = math.Round(after[len(after)/2])
		d.AfterEstimateP90Min = math.Round(after[len(after)*9/10])
		d.AfterEstimateMaxMin = math.Round(after[len(after)-1])
	}
	return nil
}

// report counts the carriers' side into rep (Carriers, each order's
// delivery) once the week is run and accounted, and stops them.
func (c *simCarriers) report(ctx context.Context, rep *WeekReport) error {
	defer c.close()
	f, err := c.finish(ctx)
	if err != nil {
		return err
	}
	if err := c.deliveries(ctx, rep, f); err != nil {
		return err
	}
	rep.Carriers = f
	return nil
}

// CourierArrival is a fake courier's Arrival (fakecarrier.Courier) read
// from thugom's database: by the timetable of the depot of the order the
// waybill names, to the order's destination province. warn hears why one
// is unknown (nil: nobody).
func CourierArrival(ctx context.Context, db *store.DB, carrier string, warn func(error)) func(fakecarrier.Order, time.Time) (time.Time, bool) {
	return func(o fakecarrier.Order, at time.Time) (time.Time, bool) {
		deps, province, err := orderTimetable(ctx, db, carrier, o)
		if err != nil {
			if warn != nil {
				warn(err)
			}
			return time.Time{}, false
		}
		return fakecarrier.Timetable(deps, province, at)
	}
}

// orderTimetable is the line-haul timetable of the depot of the order of
// o's waybill and the order's destination province.
func orderTimetable(ctx context.Context, db *store.DB, carrier string, o fakecarrier.Order) ([]thugom.Departure, string, error) {
	var depot *int64
	var province string
	if err := db.QueryRow(ctx, query("CarrierOrderOfWaybill"), carrier, o.Waybill).Scan(&depot, &province); err != nil {
		return nil, "", fmt.Errorf("order of waybill %s (%s): %w", o.Waybill, o.Reference, err)
	}
	if depot == nil {
		return nil, "", errors.New("order of waybill " + o.Waybill + " has no depot")
	}
	deps, err := store.DeparturesOfDepot(ctx, db, *depot)
	return deps, province, err
}
