package jobs

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// Re-plans the system starts (after a failed pickup, a breakdown a driver
// reports, new orders, the SLA watch) are published by policy: at once
// (always, the default), or kept as a draft for the dispatcher (draft), or
// kept only when they would change more than N stops (max-changes=N).
// Either way the change list is logged: a published re-plan's as the event
// plan.changes, a draft's as plan.draft and in plan_drafts. A draft is
// published by the dispatcher (PublishDraft: the day is re-planned then,
// reading it as it is, with the engine's stability cost keeping it close
// to the draft) or discarded (DiscardDraft: nothing changes). A newer
// draft of the day supersedes a pending one, and so does any plan written
// for the day (it read the same state and more).
//
// Re-plans a person asks for (the dispatcher's re-plan, move, lock, fix,
// breakdown) and those after a household's answer or an order's cancel
// are always published: the household's word must reach the driver.

// Publish policy modes.
const (
	PublishAlways     = "always"
	PublishDraft      = "draft"
	PublishMaxChanges = "max-changes"
)

// PublishPolicy says which automatic re-plans are published at once. The
// zero value is PublishAlways.
type PublishPolicy struct {
	Mode       string
	MaxChanges int // with PublishMaxChanges: more changes than this make a draft
}

// ParsePublishPolicy reads "always", "draft" or "max-changes=N" (N ≥ 0).
func ParsePublishPolicy(s string) (PublishPolicy, error) {
	switch s = strings.TrimSpace(s); {
	case s == "" || s == PublishAlways:
		return PublishPolicy{Mode: PublishAlways}, nil
	case s == PublishDraft:
		return PublishPolicy{Mode: PublishDraft}, nil
	case strings.HasPrefix(s, PublishMaxChanges+"="):
		n, err := strconv.Atoi(strings.TrimPrefix(s, PublishMaxChanges+"="))
		if err != nil || n < 0 {
			return PublishPolicy{}, fmt.Errorf("auto-publish %q: max-changes needs a number ≥ 0", s)
		}
		return PublishPolicy{Mode: PublishMaxChanges, MaxChanges: n}, nil
	}
	return PublishPolicy{}, fmt.Errorf("auto-publish %q: want always, draft or max-changes=N", s)
}

// String is the policy as ParsePublishPolicy reads it.
func (p PublishPolicy) String() string {
	switch p.Mode {
	case PublishDraft:
		return PublishDraft
	case PublishMaxChanges:
		return fmt.Sprintf("%s=%d", PublishMaxChanges, p.MaxChanges)
	}
	return PublishAlways
}

// automaticCause says whether the system, not a person, starts re-plans
// of this cause.
func automaticCause(cause string) bool {
	switch cause {
	case CausePickupFailed, CauseVehicleBroken, CauseAtRisk, CauseOrdersImported, CauseUrgentOrder:
		return true
	}
	return false
}

// Publish decides whether a re-plan is published at once: every re-plan a
// person asked for is; an automatic one as the policy says, given how many
// changes it counts (CountChanges).
func (p PublishPolicy) Publish(cause string, requested bool, changes int) bool {
	if requested || !automaticCause(cause) {
		return true
	}
	switch p.Mode {
	case PublishDraft:
		return false
	case PublishMaxChanges:
		return changes <= p.MaxChanges
	}
	return true
}

// ChangeTellsHousehold says whether a change sends the household an SMS:
// a new or dropped stop, a new window (a move to another vehicle keeping
// the window does not).
func ChangeTellsHousehold(c thugom.StopChange) bool {
	switch c.Change {
	case thugom.ChangeAdded, thugom.ChangeRemoved, thugom.ChangeWindow:
		return true
	case thugom.ChangeVehicle:
		return c.From != nil && c.To != nil && !c.From.WindowStart.Equal(c.To.WindowStart)
	}
	return false
}

// CountChanges counts the changes the policy weighs (a stop new, dropped,
// on another vehicle, in a new window, or at a time moved by 5 min or
// more; not a stop only renumbered) and the households who would get an
// SMS.
func CountChanges(changes []thugom.StopChange) (counted, sms int) {
	for _, c := range changes {
		switch c.Change {
		case thugom.ChangeAdded, thugom.ChangeRemoved, thugom.ChangeVehicle, thugom.ChangeWindow, thugom.ChangeTime:
			counted++
		}
		if ChangeTellsHousehold(c) {
			sms++
		}
	}
	return counted, sms
}

// smsStops lists the stops whose household a change would text.
func smsStops(changes []thugom.StopChange) []int64 {
	out := []int64{}
	for _, c := range changes {
		if ChangeTellsHousehold(c) {
			out = append(out, c.StopID)
		}
	}
	return out
}

// planChanges lists how the open pickup stops change from one version of
// the day to another; a stop reported (done, failed) in between is not a
// change of the plan.
func planChanges(from, to []thugom.StopVersion) []thugom.StopChange {
	reported := map[int64]bool{}
	for _, v := range to {
		if v.Kind == thugom.StopPickup && !thugom.StopOpen(v.Status) && v.Status != thugom.StopSkipped {
			reported[v.StopID] = true
		}
	}
	open := func(vs []thugom.StopVersion) []thugom.StopVersion {
		var o []thugom.StopVersion
		for _, v := range vs {
			if v.Kind == thugom.StopPickup && thugom.StopOpen(v.Status) && !reported[v.StopID] {
				o = append(o, v)
			}
		}
		return o
	}
	out := thugom.DiffVersions(open(from), open(to))
	if out == nil {
		out = []thugom.StopChange{}
	}
	return out
}

// asNow gives a version's stops the statuses they have now (the day's
// stops as read): a stop reported since the version is no longer open, and
// so not a change a re-plan makes.
func (p *planner) asNow(snap []thugom.StopVersion) []thugom.StopVersion {
	now := map[int64]string{}
	for _, st := range p.prev {
		now[st.ID] = st.Status
	}
	out := make([]thugom.StopVersion, len(snap))
	for i, v := range snap {
		if st, ok := now[v.StopID]; ok {
			v.Status = st
		}
		out[i] = v
	}
	return out
}

// snapshotOf is a version's snapshot, empty when the version has none.
func snapshotOf(ctx context.Context, q store.DBTX, depotID int64, p *planner, version int) ([]thugom.StopVersion, error) {
	snap, err := store.PlanSnapshot(ctx, q, depotID, p.day, version)
	if thugom.ErrorCode(err) == thugom.ENotFound {
		return nil, nil
	}
	return snap, err
}

// keepDraft applies the publish policy to a solved re-plan: when it is to
// be kept as a draft, it stores the draft (if the day is unchanged since
// the read; errStale otherwise, and the caller plans again) and reports
// kept. tx is the caller's transaction under the day's lock, or nil.
func (p *planner) keepDraft(ctx context.Context, tx pgx.Tx) (*PlanResult, bool, error) {
	pol := p.s.deps.AutoPublish
	if !p.req.Replan || p.head == nil || pol.Publish(p.req.Cause, p.req.Requested, math.MaxInt) {
		return nil, false, nil
	}
	var res *PlanResult
	keep := func(tx pgx.Tx) error {
		rev, err := store.LockDepotDay(ctx, tx, p.depotID, p.day)
		if err != nil {
			return err
		}
		if rev != p.rev {
			return errStale
		}
		// The dispatcher published a draft of this version: this re-plan
		// carries it out.
		if ok, err := store.DraftPublishedFrom(ctx, tx, p.depotID, p.day, p.head.Version); err != nil || ok {
			return err
		}
		current, err := snapshotOf(ctx, tx, p.depotID, p, p.head.Version)
		if err != nil {
			return err
		}
		changes := planChanges(p.asNow(current), p.draft(&Preview{}))
		counted, sms := CountChanges(changes)
		if pol.Publish(p.req.Cause, p.req.Requested, counted) {
			return nil
		}
		d := &store.Draft{DepotID: p.depotID, Day: p.day, Cause: p.req.Cause, Subject: p.req.Subject, FromVersion: p.head.Version,
			Revision: p.rev, Changes: changes, Counted: counted, SMS: sms, CreatedAt: p.s.now()}
		if err := store.InsertDraft(ctx, tx, d); err != nil {
			return err
		}
		res = &PlanResult{PlanID: p.head.ID, Version: p.head.Version, Skipped: true, DraftID: d.ID}
		p.s.log.Info("re-plan kept as a draft", "depot", p.depotID, "day", DayString(p.day), "draft", d.ID, "cause", p.req.Cause,
			"changes", counted, "policy", pol.String())
		return p.s.event(ctx, tx, "job:"+KindReplan, "plan.draft", fmt.Sprintf("draft:%d", d.ID), map[string]any{
			"depot_id": p.depotID, "day": DayString(p.day), "cause": p.req.Cause, "subject": p.req.Subject, "from_version": p.head.Version,
			"policy": pol.String(), "counted": counted, "sms": sms, "sms_stops": smsStops(changes), "changes": changes,
		})
	}
	var err error
	if tx != nil {
		err = keep(tx)
	} else {
		err = p.s.db.InTx(ctx, keep)
	}
	return res, res != nil, err
}

// logChanges, in the write's transaction, supersedes the day's pending
// drafts (this plan read the day as it is) and logs what the re-plan
// changed: the same change list a draft shows.
func (p *planner) logChanges(ctx context.Context, res *PlanResult) error {
	superseded, err := store.SupersedeDrafts(ctx, p.tx, p.depotID, p.day, p.s.now())
	if err != nil {
		return err
	}
	if p.head == nil {
		return nil
	}
	from, err := snapshotOf(ctx, p.tx, p.depotID, p, p.head.Version)
	if err != nil {
		return err
	}
	to, err := snapshotOf(ctx, p.tx, p.depotID, p, res.Version)
	if err != nil {
		return err
	}
	changes := planChanges(from, to)
	counted, sms := CountChanges(changes)
	return p.s.event(ctx, p.tx, "job:"+KindReplan, "plan.changes", fmt.Sprintf("plan:%d", res.PlanID), map[string]any{
		"depot_id": p.depotID, "day": DayString(p.day), "cause": p.req.Cause, "subject": p.req.Subject,
		"from_version": p.head.Version, "version": res.Version, "policy": p.s.deps.AutoPublish.String(),
		"counted": counted, "sms": sms, "sms_stops": smsStops(changes), "changes": changes, "superseded_drafts": superseded,
	})
}

// PublishDraft publishes a pending draft: the day is re-planned now (a
// River job, as the dispatcher's re-plan), reading the day as it is, so
// that what was reported since the draft stands; the engine's stability
// cost keeps it close to the draft. A draft no longer pending (superseded
// by a newer one or a plan, discarded, published) is a conflict.
func (s *Service) PublishDraft(ctx context.Context, draftID int64, a Actor) (*Enqueued, error) {
	var out *Enqueued
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		d, err := s.lockDraft(ctx, tx, draftID, a)
		if err != nil {
			return err
		}
		if err := s.deps.Days.Check("date", d.Day, s.now()); err != nil {
			return thugom.Errorf(thugom.EConflict, "id", "draft %d is of %s, a day that can no longer change", draftID, DayString(d.Day))
		}
		if _, err := store.DecideDraft(ctx, tx, draftID, store.DraftPublished, a.Name, s.now()); err != nil {
			return err
		}
		out = &Enqueued{DepotID: d.DepotID, Date: DayString(d.Day)}
		res, err := s.client.InsertTx(ctx, tx, ReplanArgs{DepotID: d.DepotID, Day: out.Date, Cause: d.Cause,
			Subject: fmt.Sprintf("draft:%d", draftID), RequestedAt: s.now(), Requested: true}, nil)
		if err != nil {
			return fmt.Errorf("enqueue replan: %w", err)
		}
		out.JobID, out.Kind, out.Duplicate = res.Job.ID, res.Job.Kind, res.UniqueSkippedAsDuplicate
		return s.event(ctx, tx, a.Name, "draft.publish", fmt.Sprintf("draft:%d", draftID), map[string]any{
			"depot_id": d.DepotID, "day": out.Date, "cause": d.Cause, "from_version": d.FromVersion, "job_id": out.JobID})
	})
	return out, err
}

// DiscardDraft discards a pending draft: nothing of the day changes.
func (s *Service) DiscardDraft(ctx context.Context, draftID int64, a Actor) (*thugom.Draft, error) {
	var out *thugom.Draft
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		d, err := s.lockDraft(ctx, tx, draftID, a)
		if err != nil {
			return err
		}
		if _, err := store.DecideDraft(ctx, tx, draftID, store.DraftDiscarded, a.Name, s.now()); err != nil {
			return err
		}
		now := s.now()
		d.State, d.DecidedAt, d.DecidedBy = store.DraftDiscarded, &now, a.Name
		out = d
		return s.event(ctx, tx, a.Name, "draft.discard", fmt.Sprintf("draft:%d", draftID), map[string]any{
			"depot_id": d.DepotID, "day": DayString(d.Day), "cause": d.Cause})
	})
	return out, err
}

// lockDraft locks a pending draft the actor may decide, after its day's
// row (the planner's order).
func (s *Service) lockDraft(ctx context.Context, tx pgx.Tx, draftID int64, a Actor) (*store.Draft, error) {
	d, err := store.DraftByID(ctx, tx, draftID, false)
	if err != nil {
		return nil, err
	}
	dep, err := store.DepotByID(ctx, tx, d.DepotID)
	if err != nil {
		return nil, err
	}
	if err := a.check(dep.CarrierID); err != nil {
		return nil, err
	}
	if _, err := store.LockDepotDay(ctx, tx, d.DepotID, d.Day); err != nil {
		return nil, err
	}
	if d, err = store.DraftByID(ctx, tx, draftID, true); err != nil {
		return nil, err
	}
	if d.State != store.DraftPending {
		return nil, thugom.Errorf(thugom.EConflict, "id", "draft %d is already %s", draftID, d.State)
	}
	return d, nil
}
