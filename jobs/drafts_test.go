package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// dayStops is the state of a depot's stops as one comparable string.
func dayStops(t *testing.T, b *bundle, depot int64) string {
	t.Helper()
	var s string
	err := b.db.QueryRow(context.Background(), `
		SELECT coalesce(string_agg(format('%s:%s:%s:%s:%s:%s', s.id, s.status, r.vehicle_id, s.seq, s.arrive_at, s.window_start), ' ' ORDER BY s.id), '')
		FROM stops s JOIN routes r ON r.id = s.route_id JOIN plans p ON p.id = r.plan_id WHERE p.depot_id = $1`, depot).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAutoPublishDraft: under --auto-publish draft, the re-plan after a
// failed pickup is kept as a draft (its change list stored, no stop
// changed, no new version); a newer one supersedes it; the dispatcher
// publishes it, and a driver's pickup committed while that re-plan is
// between its read and its write stands; the published re-plan logs its
// change list.
func TestAutoPublishDraft(t *testing.T) {
	t.Parallel()
	pz := newPauser()
	b := setup(t, setupOpts{households: 200})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	svc, err := jobs.NewWithHooks(b.db, jobs.Deps{Clock: b.clock.now, PlanIterations: 3000, SLAWatchEvery: -1, Logger: testLogger(t),
		AutoPublish: jobs.PublishPolicy{Mode: jobs.PublishDraft}}, jobs.Hooks{AfterPlanRead: pz.hook})
	if err != nil {
		t.Fatal(err)
	}
	version := func() int {
		v, err := store.PlanLatestVersion(ctx, b.db, depot, testDay)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()

	// A failed pickup, and the re-plan River would run for it.
	st := b.firstPlannedStop(t, depot)
	if _, err := svc.RecordPickup(ctx, jobs.PickupEvent{StopID: st.id, DriverID: st.driver, Status: thugom.StopFailed, Reason: jobs.FailNobodyHome}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FollowUpFailedPickup(ctx, st.id, jobs.FailNobodyHome); err != nil {
		t.Fatal(err)
	}
	before := dayStops(t, b, depot)
	failed := jobs.PlanRequest{Replan: true, Cause: jobs.CausePickupFailed, Subject: fmt.Sprintf("stop:%d", st.id), RequestedAt: b.clock.t}
	res, err := svc.PlanDepotDay(ctx, depot, testDay, failed)
	if err != nil {
		t.Fatal(err)
	}
	if res.DraftID == 0 {
		t.Fatalf("the failure's re-plan under draft was published: %+v", res)
	}
	if after := dayStops(t, b, depot); after != before || version() != v0 {
		t.Errorf("a draft changed the day: version %d → %d, stops changed %v", v0, version(), after != before)
	}
	d1, err := store.DraftByID(ctx, b.db, res.DraftID, false)
	if err != nil {
		t.Fatal(err)
	}
	added := false
	for _, c := range d1.Changes {
		added = added || (c.Change == thugom.ChangeAdded && len(c.To.Orders) > 0 && c.To.Orders[0] == st.orders[0])
	}
	for _, c := range d1.Changes {
		if c.StopID == st.id {
			t.Errorf("the failed stop %d is listed as a change (%s) of the draft", st.id, c.Change)
		}
	}
	if d1.State != store.DraftPending || d1.FromVersion != v0 || d1.Cause != jobs.CausePickupFailed || !added || d1.Counted == 0 {
		t.Errorf("draft %+v: want pending, from version %d, the failed orders added back", d1, v0)
	}

	// A newer automatic re-plan supersedes it.
	res2, err := svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CauseAtRisk, Subject: "sla_watch", RequestedAt: b.clock.t})
	if err != nil || res2.DraftID == 0 || res2.DraftID == d1.ID {
		t.Fatalf("second draft: %+v %v", res2, err)
	}
	if d, _ := store.DraftByID(ctx, b.db, d1.ID, false); d.State != store.DraftSuperseded {
		t.Errorf("older draft is %s, want superseded", d.State)
	}
	if _, err := svc.PublishDraft(ctx, d1.ID, jobs.System("test")); thugom.ErrorCode(err) != thugom.EConflict {
		t.Errorf("publishing a superseded draft: %v, want a conflict", err)
	}
	if _, err := svc.PublishDraft(ctx, res2.DraftID, jobs.Actor{Name: "dispatcher:other", CarrierID: 999999}); thugom.ErrorCode(err) != thugom.EForbidden {
		t.Errorf("another carrier's dispatcher published: %v", err)
	}

	// Published: the re-plan River runs for it, with a driver's pickup
	// committed between its read and its write.
	enq, err := svc.PublishDraft(ctx, res2.DraftID, jobs.System("dispatcher:test"))
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	if err := b.db.QueryRow(ctx, `SELECT args FROM river_job WHERE id = $1`, enq.JobID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var args jobs.ReplanArgs
	if err := json.Unmarshal(raw, &args); err != nil || !args.Requested {
		t.Fatalf("publish job args %s (%v): want a requested re-plan", raw, err)
	}
	other := b.firstPlannedStop(t, depot)
	pz.armed.Store(true)
	done := make(chan error, 1)
	go func() {
		res, err = svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: args.Cause, Subject: args.Subject,
			RequestedAt: args.RequestedAt, Requested: args.Requested})
		done <- err
	}()
	<-pz.reached
	if _, err := svc.RecordPickup(ctx, jobs.PickupEvent{StopID: other.id, DriverID: other.driver, Status: thugom.StopPickedUp, Parcels: 1, WeightKg: 5}); err != nil {
		t.Fatalf("pickup during the publish: %v", err)
	}
	close(pz.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if res.DraftID != 0 || res.Skipped || version() != v0+1 {
		t.Fatalf("published re-plan %+v, version %d; want version %d written", res, version(), v0+1)
	}
	if pz.maxAttempts.Load() < 1 {
		t.Error("the publish wrote over the pickup it had not read (no second attempt)")
	}
	var status string
	if err := b.db.QueryRow(ctx, `SELECT status FROM stops WHERE id = $1`, other.id).Scan(&status); err != nil || status != thugom.StopPickedUp {
		t.Errorf("the pickup reported during the publish is %q (%v)", status, err)
	}
	if n := b.openStopsHolding(t, st.orders); n != 1 {
		t.Errorf("the failed orders are on %d open stops after the publish, want 1", n)
	}
	if d, _ := store.DraftByID(ctx, b.db, res2.DraftID, false); d.State != store.DraftPublished || d.DecidedBy != "dispatcher:test" {
		t.Errorf("published draft: %+v", d)
	}
	if n := count(t, b.db, `SELECT count(*) FROM events WHERE action = 'plan.changes' AND subject = $1 AND jsonb_array_length(payload->'changes') > 0`,
		fmt.Sprintf("plan:%d", res.PlanID)); n != 1 {
		t.Errorf("%d plan.changes events with changes for the published plan", n)
	}

	// Under max-changes=N, a re-plan changing no more than N stops is
	// published, and its change list logged.
	lenient, err := jobs.New(b.db, jobs.Deps{Clock: b.clock.now, PlanIterations: 3000, SLAWatchEvery: -1, Logger: testLogger(t),
		AutoPublish: jobs.PublishPolicy{Mode: jobs.PublishMaxChanges, MaxChanges: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	b.clock.t = b.clock.t.Add(time.Minute)
	res, err = lenient.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CauseAtRisk, Subject: "sla_watch", RequestedAt: b.clock.t})
	if err != nil || res.DraftID != 0 || version() != v0+2 {
		t.Fatalf("re-plan under max-changes=1000: %+v %v (version %d)", res, err, version())
	}
	if n := count(t, b.db, `SELECT count(*) FROM events WHERE action = 'plan.changes' AND subject = $1 AND payload->>'policy' = 'max-changes=1000'`,
		fmt.Sprintf("plan:%d", res.PlanID)); n != 1 {
		t.Errorf("%d plan.changes events for the plan published under max-changes", n)
	}
}

// TestDraftMeetsReport: a driver's pickup committed while an automatic
// re-plan under draft is between its read and its write: the draft is
// built again on the day with the pickup (its revision), does not list
// the collected stop, and the pickup stands.
func TestDraftMeetsReport(t *testing.T) {
	t.Parallel()
	pz := newPauser()
	b := setup(t, setupOpts{households: 200})
	ctx := context.Background()
	b.geocodeAll(t)
	depot := b.busiestDepot(t)
	if _, err := b.svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	svc, err := jobs.NewWithHooks(b.db, jobs.Deps{Clock: b.clock.now, PlanIterations: 3000, SLAWatchEvery: -1, Logger: testLogger(t),
		AutoPublish: jobs.PublishPolicy{Mode: jobs.PublishDraft}}, jobs.Hooks{AfterPlanRead: pz.hook})
	if err != nil {
		t.Fatal(err)
	}
	st := b.firstPlannedStop(t, depot)
	pz.armed.Store(true)
	done := make(chan error, 1)
	var res *jobs.PlanResult
	go func() {
		var err error
		res, err = svc.PlanDepotDay(ctx, depot, testDay, jobs.PlanRequest{Replan: true, Cause: jobs.CauseAtRisk, Subject: "sla_watch", RequestedAt: b.clock.t})
		done <- err
	}()
	<-pz.reached
	if _, err := svc.RecordPickup(ctx, jobs.PickupEvent{StopID: st.id, DriverID: st.driver, Status: thugom.StopPickedUp, Parcels: 1, WeightKg: 5}); err != nil {
		t.Fatalf("pickup during the draft's re-plan: %v", err)
	}
	close(pz.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if res.DraftID == 0 || pz.maxAttempts.Load() < 1 {
		t.Fatalf("draft %+v after %d attempts: want a draft built again on the new revision", res, pz.maxAttempts.Load()+1)
	}
	d, err := store.DraftByID(ctx, b.db, res.DraftID, false)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := store.DepotDayRevision(ctx, b.db, depot, testDay)
	if err != nil || d.Revision != rev {
		t.Errorf("draft built on revision %d, the day is at %d (%v)", d.Revision, rev, err)
	}
	for _, c := range d.Changes {
		if c.StopID == st.id {
			t.Errorf("the collected stop %d is a change (%s) of the draft", st.id, c.Change)
		}
	}
	var status string
	if err := b.db.QueryRow(ctx, `SELECT status FROM stops WHERE id = $1`, st.id).Scan(&status); err != nil || status != thugom.StopPickedUp {
		t.Errorf("the pickup is %q (%v) after the draft", status, err)
	}
}
