package fakecarrier

import (
	"bytes"
	"context"
	"fmt"
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
// parcel thugom handed over to its destination and delivers it, telling
// thugom every step by the carrier's webhook, posted to thugom's real
// HTTP endpoint. The model:
//
//   - line haul: the parcel reaches the destination office by the
//     timetable (Arrival: the first truck whose cutoff is after the
//     handover and that serves the destination, plus its transit);
//   - last mile: sorting there takes an hour; a parcel sorted by 17:00 goes
//     out on that day's round (08:00 at the earliest), a later one on the
//     next day's; the delivery comes a lognormal delay after the round
//     starts (median 2 h 30, σ 0.6: most by early afternoon, a tail into
//     the evening, none after 19:30);
//   - a share of first attempts fail (FailShare, 6 % by default: nobody
//     home) and are delivered on the next day's round, by the same delay.
//
// Every time is in Vietnam's local time. The webhooks leave on a clock the
// Courier is given: Run sends each when real time reaches it (the demo);
// Flush sends those due by a time at once (a test compresses days into a
// call). A webhook thugom did not accept (not 2xx, or unreachable) stays
// pending and leaves again, in order, on the next send.
type Courier struct {
	// Arrival is when the parcel of o, handed over at handedOver, reaches
	// its destination office by the timetable; false when it cannot say
	// (the parcel then stays undelivered).
	Arrival func(o Order, handedOver time.Time) (time.Time, bool)
	// FailShare is the share of first delivery attempts that fail.
	FailShare float64

	url    string
	client *http.Client
	steps  courierSteps
	body   func(o Order, code int, name string, at time.Time) ([]byte, error)

	mu      sync.Mutex
	rng     *rand.Rand
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
	sortingTime   = time.Hour
	roundStart    = 8 * time.Hour
	sameDayCutoff = 17 * time.Hour
	roundEnd      = 19*time.Hour + 30*time.Minute
	medianDelay   = 150 * time.Minute
	delaySigma    = 0.6
	// DefaultFailShare is the share of first delivery attempts that fail.
	DefaultFailShare = 0.06
)

func newCourier(url string, client *http.Client, seed uint64, steps courierSteps,
	body func(o Order, code int, name string, at time.Time) ([]byte, error)) *Courier {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Courier{FailShare: DefaultFailShare, url: url, client: client, steps: steps, body: body,
		rng: rand.New(rand.NewPCG(seed, 0x23)), wake: make(chan struct{}, 1)} //nolint:gosec // a simulation's draws
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
	c.mu.Lock()
	plan := lastMile(arrive, c.steps, c.rng, c.FailShare)
	c.mu.Unlock()
	var hooks []Hook
	for _, p := range plan {
		b, err := c.body(o, p.status.code, p.status.name, p.at)
		if err != nil {
			return err
		}
		hooks = append(hooks, Hook{Waybill: o.Waybill, Code: p.status.code, Name: p.status.name, At: p.at, Body: b})
	}
	c.mu.Lock()
	c.pending = append(c.pending, hooks...)
	sort.SliceStable(c.pending, func(i, j int) bool { return c.pending[i].At.Before(c.pending[j].At) })
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

// lastMile is the model's statuses from the arrival at the destination
// office (see Courier), the codes the carrier has none for left out.
func lastMile(arrive time.Time, st courierSteps, rng *rand.Rand, failShare float64) []plannedStatus {
	out := []plannedStatus{{st.arrived, arrive}}
	ready := arrive.Add(sortingTime).In(thugom.Local)
	day := time.Date(ready.Year(), ready.Month(), ready.Day(), 0, 0, 0, 0, thugom.Local)
	if ready.Sub(day) > sameDayCutoff {
		day = day.AddDate(0, 0, 1)
	}
	round := func(day time.Time) (start, attempt time.Time) {
		start = day.Add(roundStart)
		if ready.After(start) {
			start = ready
		}
		delay := time.Duration(float64(medianDelay) * math.Exp(delaySigma*rng.NormFloat64()))
		attempt = start.Add(delay)
		if end := day.Add(roundEnd); attempt.After(end) {
			attempt = end
		}
		return start, attempt.Truncate(time.Second)
	}
	start, attempt := round(day)
	out = append(out, plannedStatus{st.out, start})
	if rng.Float64() < failShare {
		out = append(out, plannedStatus{st.failed, attempt})
		day = day.AddDate(0, 0, 1)
		start, attempt = round(day)
		out = append(out, plannedStatus{st.out, start})
	}
	out = append(out, plannedStatus{st.delivered, attempt})
	kept := out[:0]
	for _, p := range out {
		if p.status.code != 0 {
			kept = append(kept, p)
		}
	}
	return kept
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
		c.pending = c.pending[1:]
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

// Timetable is the line haul's arrival (Courier.Arrival) by thugom's
// timetable of a depot: the first truck whose cutoff is after handedOver
// and that serves province (no destinations: every province), arriving
// its transit after it departs; among trucks of the same cutoff, the
// earliest arrival. False when none serves the province within a week.
func Timetable(deps []thugom.Departure, province string, handedOver time.Time) (time.Time, bool) {
	local := handedOver.In(thugom.Local)
	day0 := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, thugom.Local)
	var bestCutoff, bestArrive time.Time
	for d := 0; d <= 7; d++ {
		day := day0.AddDate(0, 0, d)
		for _, dep := range deps {
			if len(dep.Destinations) > 0 && !slices.Contains(dep.Destinations, province) {
				continue
			}
			departs := day.Add(time.Duration(dep.DepartsAt) * time.Second)
			cutoff := day.Add(time.Duration(dep.CutoffAt) * time.Second)
			if dep.CutoffAt > dep.DepartsAt {
				cutoff = cutoff.AddDate(0, 0, -1) // an overnight truck: the cutoff is the evening before
			}
			if !cutoff.After(handedOver) {
				continue
			}
			arrive := departs.Add(time.Duration(dep.TransitHours * float64(time.Hour)))
			if bestCutoff.IsZero() || cutoff.Before(bestCutoff) || (cutoff.Equal(bestCutoff) && arrive.Before(bestArrive)) {
				bestCutoff, bestArrive = cutoff, arrive
			}
		}
	}
	return bestArrive, !bestCutoff.IsZero()
}
