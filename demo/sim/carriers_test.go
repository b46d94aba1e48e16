package sim_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"slices"
	"testing"

	"github.com/thugom/thugom/demo/sim"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store/pgtest"
)

// A small week through both carriers' fakes, down for an hour of its
// middle day: every order picked up has one shipment at its carrier;
// every transition thugom wrote reached its carrier once, in order (the
// fakes' record equals the outbox's, order by order), the outage's
// backlog included; every webhook the couriers posted was kept once; the
// orders delivered carry the carrier's time, never before thugom's
// estimate, and the CSV says which delivery each order is measured on.
func TestRunWeekCarriers(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	outage, err := sim.ParseOutage("10:00-11:00")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := sim.RunWeek(ctx, db, jobs.Deps{Logger: slog.New(slog.DiscardHandler)},
		sim.WeekOptions{Seed: 7, Households: 120, Days: 2, Iterations: func(int) int { return 500 }, CarrierOutage: outage})
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Carriers
	if f == nil {
		t.Fatal("no carriers block")
	}
	t.Logf("carriers: %+v; outage %+v; delivery %+v", *f, f.Outage, f.Delivery)
	if f.OrdersPickedUp == 0 || f.ShipmentsCreated != f.OrdersPickedUp || f.Waybills != f.ShipmentsCreated {
		t.Errorf("%d orders picked up, %d shipments at the carriers, %d waybills", f.OrdersPickedUp, f.ShipmentsCreated, f.Waybills)
	}
	if f.TransitionsSent == 0 || f.UpdatesReceived != f.TransitionsSent || f.UpdatesMissing+f.UpdatesTwice+f.OutOfOrder != 0 || f.TransitionsRefused != 0 {
		t.Errorf("transitions sent %d, updates received %d: missing %d, twice %d, orders out of order %d, refused %d",
			f.TransitionsSent, f.UpdatesReceived, f.UpdatesMissing, f.UpdatesTwice, f.OutOfOrder, f.TransitionsRefused)
	}
	if f.Transitions != f.TransitionsSent+f.TransitionsSkipped+f.WaitingForCreate {
		t.Errorf("transitions %d != sent %d + skipped %d + waiting for a create %d", f.Transitions, f.TransitionsSent, f.TransitionsSkipped, f.WaitingForCreate)
	}
	if f.WebhooksSent == 0 || f.StatusesKept != f.WebhooksSent || f.StatusesTwice != 0 {
		t.Errorf("webhooks sent %d, statuses kept %d (twice %d)", f.WebhooksSent, f.StatusesKept, f.StatusesTwice)
	}
	o := f.Outage
	if o == nil || o.Refused == 0 || o.Backlog == 0 || o.DrainedBy == "" || o.DrainedAfterMin > 60 {
		t.Errorf("outage %+v: want requests refused, a backlog, drained within the hour after", o)
	}
	d := f.Delivery
	if d.ByCarrier == 0 || d.ByCarrier+d.Estimated != d.Collected || d.WithinPromise+d.Late != d.Collected || d.EarlierThanEstimate != 0 {
		t.Errorf("delivery on facts %+v", d)
	}
	if d.WithinPromise > d.EstimateWithin {
		t.Errorf("within promise on facts %d, more than on the estimate %d: the carrier delivers no earlier", d.WithinPromise, d.EstimateWithin)
	}
	var buf bytes.Buffer
	if err := sim.WriteOrdersCSV(&buf, rep); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	at, src := slices.Index(rows[0], "delivered_at"), slices.Index(rows[0], "delivery_source")
	outcome := slices.Index(rows[0], "outcome")
	byCarrier := 0
	for _, r := range rows[1:] {
		collected := r[outcome] == "within_promise" || r[outcome] == "late"
		switch {
		case r[src] == sim.DeliveryByCarrier && r[at] != "":
			byCarrier++
		case r[src] == sim.DeliveryEstimate && r[at] == "" && collected:
		case r[src] == "" && r[at] == "" && !collected:
		default:
			t.Errorf("order %s: outcome %s, delivered_at %q, delivery_source %q", r[0], r[outcome], r[at], r[src])
		}
	}
	if byCarrier != d.ByCarrier {
		t.Errorf("CSV: %d orders delivered by the carrier, report %d", byCarrier, d.ByCarrier)
	}
}
