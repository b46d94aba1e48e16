package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/thugom/thugom/jobs"
)

// An Android SIM gateway polling in cht-gateway's shape: it picks up each
// window message once, reports states (twice, as phones do), and passes on
// a household's reply in words.
func TestSIMGatewayPoll(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{households: 60})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b.geocodeAll(t)
	svc, err := jobs.New(b.db, jobs.Deps{Clock: b.clock.now, Workers: 2, PlanIterations: 2000, SLAWatchEvery: -1, SMS: jobs.SIMGateway{},
		FetchPollInterval: 100 * time.Millisecond, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = svc.Stop(context.Background()) }()
	if _, err := svc.PlanDepotDay(ctx, b.busiestDepot(t), testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, func() bool {
		return count(t, b.db, `SELECT count(*) FROM notifications WHERE status = 'queued' AND kind = 'pickup_window'`) == 0
	})
	sent := count(t, b.db, `SELECT count(*) FROM notifications WHERE status = 'sent' AND provider = 'sim'`)
	seen := map[string]bool{}
	var first []jobs.SIMOutgoing
	for {
		ans, err := svc.SIMGatewayPoll(ctx, jobs.SIMPoll{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.Messages) == 0 {
			break
		}
		if first == nil {
			first = ans.Messages
		}
		for _, m := range ans.Messages {
			if seen[m.ID] {
				t.Fatalf("%s handed out twice", m.ID)
			}
			seen[m.ID] = true
		}
	}
	if len(seen) != sent || len(first) < 2 {
		t.Fatalf("picked %d of %d sent", len(seen), sent)
	}
	up := jobs.SIMPoll{Updates: []jobs.SIMUpdate{{ID: first[0].ID, Status: "SENT"}, {ID: first[0].ID, Status: "DELIVERED"},
		{ID: first[0].ID, Status: "DELIVERED"}, {ID: first[1].ID, Status: "FAILED", Reason: "generic failure"}, {ID: "sim-999999", Status: "DELIVERED"}}}
	if _, err := svc.SIMGatewayPoll(ctx, up); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE provider_ref = $1 AND delivery = 'delivered'`, first[0].ID); n != 1 {
		t.Error("delivered not recorded")
	}
	if n := count(t, b.db, `SELECT count(*) FROM notifications WHERE provider_ref = $1 AND delivery = 'undelivered'`, first[1].ID); n != 1 {
		t.Error("failure not recorded")
	}
	// A reply in words from the first message's household, delivered twice.
	reply := jobs.SIMPoll{Messages: []jobs.SIMInbound{{ID: "in-1", From: first[0].To, Content: "Không"}}}
	for range 2 {
		if _, err := svc.SIMGatewayPoll(ctx, reply); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, b.db, `SELECT count(*) FROM sms_inbox WHERE provider_message_id = 'sim:in-1' AND outcome = 'cancelled'`); n != 1 {
		t.Errorf("reply recorded %d times as cancelled", n)
	}
	// Bad input changes nothing.
	if _, err := svc.SIMGatewayPoll(ctx, jobs.SIMPoll{Updates: []jobs.SIMUpdate{{ID: "x", Status: "LOST"}}}); err == nil {
		t.Error("unknown status accepted")
	}
}
