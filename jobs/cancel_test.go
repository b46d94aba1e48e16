package jobs_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// cancelSetup is a planned day and a household with one order on a
// planned stop, its packaging task open and its window message sent.
type cancelSetup struct {
	*bundle
	depot, carrier, household, order, stop int64
	phone                                  string
	revision                               int64
	lastNotice, lastEvent, lastJob         int64
}

func setupCancel(t *testing.T) *cancelSetup {
	t.Helper()
	b := setup(t, setupOpts{households: 80})
	ctx := context.Background()
	b.geocodeAll(t)
	c := &cancelSetup{bundle: b, depot: b.busiestDepot(t)}
	if _, err := b.svc.PlanDepotDay(ctx, c.depot, testDay, jobs.PlanRequest{}); err != nil {
		t.Fatal(err)
	}
	err := b.db.QueryRow(ctx, `
		SELECT s.id, s.household_id, min(so.order_id), h.phone
		FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id
		JOIN stop_orders so ON so.stop_id = s.id JOIN households h ON h.id = s.household_id
		WHERE p.depot_id = $1 AND p.status = 'done' AND s.kind = 'pickup' AND s.status = 'planned'
		  AND (SELECT count(*) FROM orders o WHERE o.household_id = s.household_id) = 1
		  AND EXISTS (SELECT 1 FROM tasks k WHERE k.stop_id = s.id AND k.kind = 'packaging' AND k.status = 'open')
		GROUP BY s.id, s.household_id, h.phone, s.arrive_at
		ORDER BY s.arrive_at, s.id LIMIT 1`, c.depot).Scan(&c.stop, &c.household, &c.order, &c.phone)
	if err != nil {
		t.Fatalf("a stop of a one-order household with an open packaging task: %v", err)
	}
	// The household heard its window (a cancel of a window never told is
	// not told at all, tasks.go).
	if _, err := b.db.Exec(ctx, `UPDATE notifications SET status = 'sent', sent_at = $2 WHERE household_id = $1 AND status = 'queued'`,
		c.household, b.clock.t); err != nil {
		t.Fatal(err)
	}
	_ = b.db.QueryRow(ctx, `SELECT carrier_id FROM depots WHERE id = $1`, c.depot).Scan(&c.carrier)
	_ = b.db.QueryRow(ctx, `SELECT revision FROM depot_days WHERE depot_id = $1 AND day = $2`, c.depot, testDay).Scan(&c.revision)
	c.lastNotice = int64(count(t, b.db, `SELECT coalesce(max(id), 0) FROM notifications`))
	c.lastEvent = int64(count(t, b.db, `SELECT coalesce(max(id), 0) FROM events`))
	c.lastJob = int64(count(t, b.db, `SELECT coalesce(max(id), 0) FROM river_job`))
	return c
}

// cancelOutcome is what a cancel changed, in words a test compares.
type cancelOutcome struct {
	Order, Stop string   // the order's status; its stop's after the re-plan
	Tasks       []string // the household's tasks
	SMS         []string // the household's messages since the setup: kind status
	Events      []string // order.cancel and household.* events since: action subject
	Revised     bool     // the day's revision moved
	Replans     []string // re-plans queued since: cause
}

func (c *cancelSetup) outcome(t *testing.T, replan bool) cancelOutcome {
	t.Helper()
	ctx := context.Background()
	var o cancelOutcome
	rows := func(q string, args ...any) []string {
		rs, err := c.db.Query(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rs, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	o.Tasks = rows(`SELECT kind || ' ' || status FROM tasks WHERE household_id = $1 ORDER BY id`, c.household)
	o.SMS = rows(`SELECT kind || ' ' || status FROM notifications WHERE household_id = $1 AND id > $2 ORDER BY id`, c.household, c.lastNotice)
	o.Events = rows(`SELECT action || ' ' || subject FROM events WHERE id > $1 AND (action = 'order.cancel' OR action LIKE 'household.%') ORDER BY id`, c.lastEvent)
	o.Replans = rows(`SELECT args->>'cause' FROM river_job WHERE kind = 'replan' AND id > $1 ORDER BY id`, c.lastJob)
	var rev int64
	_ = c.db.QueryRow(ctx, `SELECT revision FROM depot_days WHERE depot_id = $1 AND day = $2`, c.depot, testDay).Scan(&rev)
	o.Revised = rev > c.revision
	if replan {
		if _, err := c.svc.PlanDepotDay(ctx, c.depot, testDay, jobs.PlanRequest{Replan: true, RequestedAt: c.clock.t}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.db.QueryRow(ctx, `SELECT status FROM orders WHERE id = $1`, c.order).Scan(&o.Order); err != nil {
		t.Fatal(err)
	}
	if err := c.db.QueryRow(ctx, `SELECT status FROM stops WHERE id = $1`, c.stop).Scan(&o.Stop); err != nil {
		t.Fatal(err)
	}
	return o
}

// cancelBy runs one actor's cancel of the setup's order.
func (c *cancelSetup) cancelBy(ctx context.Context, actor, key string) error {
	switch actor {
	case "dispatcher":
		return c.svc.CancelOrder(ctx, c.order, "buyer called the depot", jobs.Actor{Name: "dispatcher:token:1", CarrierID: c.carrier})
	case "marketplace":
		return c.svc.CancelOrder(ctx, c.order, "buyer cancelled", jobs.Actor{Name: "admin:token:2"})
	case "import":
		return c.svc.CancelOrder(ctx, c.order, "withdrawn by the marketplace", jobs.System("import"))
	case "sms":
		res, err := c.svc.HandleInboundSMS(ctx, jobs.InboundSMS{From: c.phone, Text: "0", ProviderMessageID: key})
		if err == nil && res.Outcome != jobs.InboundCancelled && res.Outcome != jobs.InboundNothingToDo {
			err = fmt.Errorf("sms outcome %s", res.Outcome)
		}
		return err
	case "page":
		_, err := c.svc.AnswerHousehold(ctx, jobs.Answer{HouseholdID: c.household, Reply: thugom.ReplyCancel, Via: "page"})
		return err
	}
	return fmt.Errorf("no actor %s", actor)
}

// TestOneCancel runs every actor's cancel of the same order on the same
// day: the order, its stop, the packaging task, the household's one SMS,
// the event, the revision and the re-plan are the same; only the SMS's
// kind says whether the household cancelled itself.
func TestOneCancel(t *testing.T) {
	t.Parallel()
	type run struct {
		actor, sms string
	}
	runs := []run{
		{"dispatcher", "pickup_cancelled queued"}, {"marketplace", "pickup_cancelled queued"}, {"import", "pickup_cancelled queued"},
		{"sms", "reply_cancelled queued"}, {"page", "reply_cancelled queued"},
	}
	got := make([]cancelOutcome, len(runs))
	t.Run("actors", func(t *testing.T) { // returns when every actor's run is done
		for i, r := range runs {
			t.Run(r.actor, func(t *testing.T) {
				t.Parallel()
				c := setupCancel(t)
				if err := c.cancelBy(context.Background(), r.actor, "m-"+r.actor); err != nil {
					t.Fatal(err)
				}
				o := c.outcome(t, true)
				if want := []string{r.sms}; fmt.Sprint(o.SMS) != fmt.Sprint(want) {
					t.Errorf("SMS %v, want %v", o.SMS, want)
				}
				if want := []string{fmt.Sprintf("order.cancel order:%d", c.order)}; fmt.Sprint(o.Events) != fmt.Sprint(want) {
					t.Errorf("events %v, want %v", o.Events, want)
				}
				// A second cancel by the same actor changes nothing and tells nobody.
				c.lastNotice = int64(count(t, c.db, `SELECT coalesce(max(id), 0) FROM notifications`))
				c.lastEvent = int64(count(t, c.db, `SELECT coalesce(max(id), 0) FROM events`))
				if err := c.cancelBy(context.Background(), r.actor, "m2-"+r.actor); err != nil {
					t.Errorf("again: %v", err)
				}
				if again := c.outcome(t, false); len(again.SMS) != 0 || len(again.Events) != 0 {
					t.Errorf("again: SMS %v events %v", again.SMS, again.Events)
				}
				o.SMS, o.Events = nil, nil // compared above, per actor
				got[i] = o
			})
		}
	})
	if t.Failed() {
		return
	}
	want := cancelOutcome{Order: thugom.OrderCancelled, Stop: thugom.StopSkipped,
		Tasks: []string{"pickup planned", "packaging cancelled"}, Revised: true, Replans: []string{jobs.CauseCancelled}}
	for i, r := range runs {
		o := got[i]
		if fmt.Sprintf("%+v", o) != fmt.Sprintf("%+v", want) {
			t.Errorf("%s: %+v\nwant %+v", r.actor, o, want)
		}
	}
}

// TestCancelsMeet: a household's SMS "0" and a dispatcher's cancel of the
// same order, both waiting on the day's row until it is released at once
// (a held lock, no sleep): one cancels, the other changes nothing, no
// error; the household gets one SMS and the order one event.
func TestCancelsMeet(t *testing.T) {
	t.Parallel()
	c := setupCancel(t)
	ctx := context.Background()
	hold, err := c.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Exec(ctx, `SELECT 1 FROM depot_days WHERE depot_id = $1 AND day = $2 FOR UPDATE`, c.depot, testDay); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for _, actor := range []string{"sms", "dispatcher"} {
		go func() { errs <- c.cancelBy(ctx, actor, "meet-1") }()
	}
	// Both wait on the held row: the barrier.
	waitFor(t, ctx, func() bool {
		return count(t, c.db, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) >= 2
	})
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a cancel failed: %v", err)
		}
	}
	o := c.outcome(t, false)
	if o.Order != thugom.OrderCancelled || len(o.SMS) != 1 || len(o.Events) != 1 {
		t.Errorf("two cancels met: order %s, SMS %v, events %v", o.Order, o.SMS, o.Events)
	}
	if fmt.Sprint(o.Tasks) != "[pickup planned packaging cancelled]" {
		t.Errorf("tasks %v", o.Tasks)
	}
}
