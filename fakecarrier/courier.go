package fakecarrier

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/thugom/thugom"
)

// Courier is a fake carrier's side after the handover: it carries each
// parcel thugom handed over to its buyer and delivers it, telling thugom
// every step by the carrier's webhook, posted to thugom's real HTTP
// endpoint. The model reads the depot's timetable as DESIGN.md's SLA model
// and thugom's promise do: a departure's transit is door to door (7 h for
// the 150 km to Hà Nội that the truck drives in 3: the hub and the last
// mile are in it), so its arrival is when the carrier schedules the
// delivery, and the spread is after it, never before (the simulation's
// world, whose delivery was that arrival exactly, gets no easier):
//
//   - scheduled: the timetable's arrival (Arrival: the first truck whose
//     cutoff is after the handover and that serves the destination, plus
//     its transit); the parcel reaches the destination office two hours
//     before (never before the handover) and goes out for delivery an
//     hour before it is tried;
//   - the postmen deliver 08:00–21:00: a delivery scheduled before 08:00
//     is tried from 08:00, one after 21:00 from the next day's 08:00;
//   - the attempt comes a lognormal delay after that (median 40 min,
//     σ 0.8: p90 about 1 h 50); one that would end after 21:00 is made on
//     the next day's round, from 08:00, by a new delay;
//   - a share of first attempts fail (FailShare, 6 % by default: nobody
//     home) and are delivered on the next day's round, by the same rule.
//
// Every time is in Vietnam's local time. The webhooks leave on a clock the
// Courier is given: Run sends each when real time reaches it (the demo);
// Flush sends those due by a time at once (a test, the simulation). A
// webhook thugom did not accept (not 2xx, or unreachable) stays pending
// and leaves again, in order, on the next send.
type Courier struct {
	// Arrival is when the parcel of o, handed over at handedOver, is
	// scheduled to reach its buyer by the timetable; false when it cannot
	// say (the parcel then stays undelivered).
	Arrival func(o Order, handedOver time.Time) (time.Time, bool)
	// FailShare is the share of first delivery attempts that fail.
	FailShare float64

	url    string
	client *http.Client
	steps  courierSteps
	body   func(o Order, code int, name string, at time.Time) ([]byte, error)

	seed    uint64
	mu      sync.Mutex
	pending []Hook
	sent    []Hook
	wake    chan struct{}
}

// Hook is one webhook the courier sends: the order, its status and when.
type Hook struct {
	Waybill string
	Code    int
	Name    string
	At      time.Time
	Body    []byte
}

// courierStatus is one carrier status (code 0: the carrier tells none at
// that step).
type courierStatus struct {
	code int
	name string
}

// courierSteps are a carrier's codes for the steps after the handover.
type courierSteps struct {
	arrived, out, failed, delivered courierStatus
}

// The last mile's parameters (see Courier).
const (
	officeLead  = 2 * time.Hour // at the destination office before the scheduled delivery
	outLead     = time.Hour     // out for delivery before the attempt's earliest time
	roundStart  = 8 * time.Hour
	roundEnd    = 21 * time.Hour
	medianDelay = 40 * time.Minute
	delaySigma  = 0.8
	// DefaultFailShare is the share of first delivery attempts that fail.
	DefaultFailShare = 0.06
)

func newCourier(url string, client *http.Client, seed uint64, steps courierSteps,
	body func(o Order, code int, name string, at time.Time) ([]byte, error)) *Courier {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Courier{FailShare: DefaultFailShare, url: url, client: client, steps: steps, body: body,
		seed: seed, wake: make(chan struct{}, 1)}
}

// handedOver plans the deliveries of o, handed over at at, and queues
// their webhooks.
func (c *Courier) handedOver(o Order, at time.Time) error {
	if c.Arrival == nil {
		return nil
	}
	arrive, ok := c.Arrival(o, at)
	if !ok {
		return nil
	}
	// Each parcel draws from its own stream (the seed and its order
	// number): its delivery is the same whatever order the handovers are
	// told in.
	h := fnv.New64a()
	_, _ = h.Write([]byte(o.Reference))
	rng := rand.New(rand.NewPCG(c.seed, h.Sum64())) //nolint:gosec // a simulation's draws
	plan := lastMile(at, arrive, c.steps, rng, c.FailShare)
	var hooks []Hook
	for _, p := range plan {
		b, err := c.body(o, p.status.code, p.status.name, p.at)
		if err != nil {
			return err
		}
		hooks = append(hooks, Hook{Waybill: o.Waybill, Code: p.status.code, Name: p.status.name, At: p.at, Body: b})
	}
	c.mu.Lock()
	for _, h := range hooks {
		// After every hook due by its time: the order of each parcel's
		// statuses, and of those due at once, is kept.
		i := sort.Search(len(c.pending), func(i int) bool { return c.pending[i].At.After(h.At) })
		c.pending = slices.Insert(c.pending, i, h)
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return nil
}

type plannedStatus struct {
	status courierStatus
	at     time.Time
}

// lastMile is the model's statuses of a parcel handed over at handed and
// scheduled for delivery at scheduled (see Courier), the codes the carrier
// has none for left out.
func lastMile(handed, scheduled time.Time, st courierSteps, rng *rand.Rand, failShare float64) []plannedStatus {
	arrived := scheduled.Add(-officeLead)
	if arrived.Before(handed) {
		arrived = handed
	}
	out := []plannedStatus{{st.arrived, arrived}}
	// attempt is the next attempt from from: its round's start (the
	// postman goes out outLead before) and when it is made.
	attempt := func(from time.Time) (start, at time.Time) {
		for {
			local := from.In(thugom.Local)
			day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, thugom.Local)
			start = from
			if begin := day.Add(roundStart); start.Before(begin) {
				start = begin
			}
			if end := day.Add(roundEnd); start.After(end) {
				from = day.AddDate(0, 0, 1).Add(roundStart)
				continue
			}
			delay := time.Duration(float64(medianDelay) * math.Exp(delaySigma*rng.NormFloat64()))
			if at = start.Add(delay); at.After(day.Add(roundEnd)) {
				from = day.AddDate(0, 0, 1).Add(roundStart)
				continue
			}
			return start, at.Truncate(time.Second)
		}
	}
	goesOut := func(start time.Time) time.Time {
		if t := start.Add(-outLead); t.After(arrived) {
			return t
		}
		return arrived
	}
	start, at := attempt(scheduled)
	out = append(out, plannedStatus{st.out, goesOut(start)})
	if rng.Float64() < failShare {
		out = append(out, plannedStatus{st.failed, at})
		local := at.In(thugom.Local)
		next := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, thugom.Local).Add(roundStart)
		start, at = attempt(next)
		out = append(out, plannedStatus{st.out, start.Add(-outLead)})
	}
	out = append(out, plannedStatus{st.delivered, at})
	kept := out[:0]
	for _, p := range out {
		if p.status.code != 0 {
			kept = append(kept, p)
		}
	}
	return kept
}

// same reports whether o is hook h (its parcel, status and time).
func (h Hook) same(o Hook) bool {
	return h.Waybill == o.Waybill && h.Code == o.Code && h.At.Equal(o.At)
}

// Pending returns the webhooks not yet accepted by thugom, by time.
func (c *Courier) Pending() []Hook {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Hook(nil), c.pending...)
}

// Sent returns the webhooks thugom accepted, in the order sent.
func (c *Courier) Sent() []Hook {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Hook(nil), c.sent...)
}

// Flush sends, in order, every pending webhook due by upTo, and returns
// how many thugom accepted; it stops at the first one not accepted (kept
// pending, with the later ones, for the next send).
func (c *Courier) Flush(ctx context.Context, upTo time.Time) (int, error) {
	n := 0
	for {
		c.mu.Lock()
		if len(c.pending) == 0 || c.pending[0].At.After(upTo) {
			c.mu.Unlock()
			return n, nil
		}
		h := c.pending[0]
		c.mu.Unlock()
		if err := c.post(ctx, h); err != nil {
			return n, err
		}
		c.mu.Lock()
		// The hook sent, not the head: a hand-over told while it was
		// posted may have put an earlier hook first.
		if i := slices.IndexFunc(c.pending, h.same); i >= 0 {
			c.pending = slices.Delete(c.pending, i, i+1)
		}
		c.sent = append(c.sent, h)
		c.mu.Unlock()
		n++
	}
}

// post sends one webhook to thugom.
func (c *Courier) post(ctx context.Context, h Hook) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(h.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("fakecarrier: webhook %s %d: %w", h.Waybill, h.Code, err)
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("fakecarrier: webhook %s %d: %s: %s", h.Waybill, h.Code, res.Status, msg)
	}
	return nil
}

// Run sends each webhook when now reaches its time, until ctx ends; a
// webhook not accepted is sent again after retry.
func (c *Courier) Run(ctx context.Context, now func() time.Time, retry time.Duration, logf func(error)) {
	for {
		wait := time.Hour
		if _, err := c.Flush(ctx, now()); err != nil {
			if logf != nil && ctx.Err() == nil {
				logf(err)
			}
			wait = retry
		} else if p := c.Pending(); len(p) > 0 {
			wait = min(wait, max(p[0].At.Sub(now()), 0))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-c.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Timetable is the scheduled delivery (Courier.Arrival) by thugom's
// timetable of a depot, read as the promise and thugom's estimate read it
// (thugom.Trucks): of the trucks serving province whose cutoff is not past
// at handedOver, within a week, the earliest arrival. False when none
// serves the province.
func Timetable(deps []thugom.Departure, province string, handedOver time.Time) (time.Time, bool) {
	var best time.Time
	for _, tr := range thugom.Trucks(deps, province, thugom.Day(handedOver), 0, 7) {
		if !tr.Cutoff.Before(handedOver) && (best.IsZero() || tr.Arrive.Before(best)) {
			best = tr.Arrive
		}
	}
	return best, !best.IsZero()
}
