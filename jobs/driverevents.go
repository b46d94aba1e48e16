package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// DriverEvent is one action of a driver queued on the phone (offline, for
// minutes or hours) and sent in a batch: arrived, picked up, failed, or the
// depot's handover ("done") at the end of a trip.
type DriverEvent struct {
	// Key is the phone's event id, unique per driver: the event's
	// idempotency key. A key sent again with the same content answers as
	// the first time; with another content it is refused.
	Key string
	// Seq is the phone's sequence number (its order of actions).
	Seq    int64
	StopID int64
	// Status: en_route, arrived, picked_up, failed, done.
	Status string
	// HappenedAt is the phone's clock when the driver acted.
	HappenedAt time.Time
	Parcels    *int
	WeightKg   *float64
	Reason     string // failed: not_ready, nobody_home, quality_rejected, unreachable
	Note       string
	Photo      []byte // JPEG/WebP compressed on the phone, ≤ store.MaxPhotoBytes
}

// DriverBatch is what a phone sends when it gets a signal.
type DriverBatch struct {
	DriverID int64
	Actor    string // journal actor; "driver:<id>" when empty
	// SentAt is the phone's clock when it sent the batch (zero: unknown).
	// Against the server's clock it measures the phone's skew.
	SentAt time.Time
	Events []DriverEvent
}

// Outcomes of an accepted driver event.
const (
	// DriverEventApplied: the stop moved to the event's status.
	DriverEventApplied = "applied"
	// DriverEventUnchanged: the stop already had this status.
	DriverEventUnchanged = "unchanged"
	// DriverEventSuperseded: the stop is already further (a later event
	// arrived first): the highest state wins, nothing steps back.
	DriverEventSuperseded = "superseded"
	// DriverEventReassigned: the stop was re-planned to another vehicle
	// after the driver got it; the report was applied to the household's
	// pickup all the same and the dispatcher alerted.
	DriverEventReassigned = "reassigned"
)

// MaxClockSkew is the phone clock's distance from the server's beyond which
// its events are flagged (the times are kept as the phone gave them).
const MaxClockSkew = 2 * time.Minute

// LateReportGrace is how long after its day's end a stop's report is still
// taken: a driver out of signal until the next morning.
const LateReportGrace = 24 * time.Hour

// DriverEventResult is what became of one event. Err (an EInvalid,
// EForbidden, ENotFound or EConflict *thugom.Error) is set when the event
// was refused: nothing of it was written.
type DriverEventResult struct {
	Key        string `json:"id"`
	StopID     int64  `json:"stop_id"`
	Outcome    string `json:"outcome,omitempty"`
	StopStatus string `json:"stop_status,omitempty"`
	// Replayed: the event was received before; this is the first answer.
	Replayed bool  `json:"replayed,omitempty"`
	Err      error `json:"-"`
}

// DriverBatchResult answers a batch, one result per event in the batch's
// order.
type DriverBatchResult struct {
	ReceivedAt  time.Time           `json:"received_at"`
	SkewSeconds int                 `json:"clock_skew_s"`
	SkewFlagged bool                `json:"clock_skew_flagged,omitempty"`
	Results     []DriverEventResult `json:"results"`
}

// statusRank orders a stop's statuses: an event ranked at or below the
// stop's status is not a step forward.
func statusRank(s string) int {
	switch s {
	case thugom.StopPlanned:
		return 0
	case thugom.StopEnRoute:
		return 1
	case thugom.StopArrived:
		return 2
	case thugom.StopPickedUp, thugom.StopFailed:
		return 3
	case thugom.StopDone:
		return 4
	}
	return 5 // skipped: past every report
}

// ApplyDriverEvents applies a driver's batch: each event in its own short
// transaction through the pickup state machine (RecordPickup's rules), in
// the order that makes sense whatever order they arrive in (by status rank,
// then the phone's sequence), so that arrived comes before picked up and a
// trip's pickups before its handover. A bad event is refused alone (its
// result carries the error) and the good ones are applied. The phone's
// times are kept with the server's; a skewed phone clock is flagged.
func (s *Service) ApplyDriverEvents(ctx context.Context, b DriverBatch) (*DriverBatchResult, error) {
	if b.DriverID == 0 {
		return nil, thugom.Errorf(thugom.EForbidden, "", "only a driver sends a driver's events")
	}
	if b.Actor == "" {
		b.Actor = fmt.Sprintf("driver:%d", b.DriverID)
	}
	now := s.now()
	out := &DriverBatchResult{ReceivedAt: now, Results: make([]DriverEventResult, len(b.Events))}
	var skew time.Duration
	if !b.SentAt.IsZero() {
		skew = b.SentAt.Sub(now).Round(time.Second)
		out.SkewSeconds = int(skew / time.Second)
		out.SkewFlagged = skew > MaxClockSkew || skew < -MaxClockSkew
	}
	order := make([]int, len(b.Events))
	seen := map[string]int{}
	for i, e := range b.Events {
		order[i] = i
		out.Results[i] = DriverEventResult{Key: e.Key, StopID: e.StopID}
		if j, dup := seen[e.Key]; dup && e.Key != "" {
			out.Results[i].Err = thugom.Errorf(thugom.EInvalid, fmt.Sprintf("events[%d].id", i), "event id %q appears twice in the batch (as events[%d])", e.Key, j)
			continue
		}
		seen[e.Key] = i
		out.Results[i].Err = checkDriverEvent(e, i, now, skew)
	}
	sort.SliceStable(order, func(a, c int) bool {
		ea, ec := b.Events[order[a]], b.Events[order[c]]
		if ra, rc := statusRank(ea.Status), statusRank(ec.Status); ra != rc {
			return ra < rc
		}
		return ea.Seq < ec.Seq
	})
	for _, i := range order {
		if out.Results[i].Err != nil {
			continue
		}
		r, err := s.applyDriverEvent(ctx, b, b.Events[i], i, now, skew, out.SkewFlagged)
		if err != nil {
			if thugom.ErrorCode(err) == thugom.EInternal {
				return nil, fmt.Errorf("driver %d event %q: %w", b.DriverID, b.Events[i].Key, err)
			}
			out.Results[i].Err = err
			continue
		}
		out.Results[i] = *r
	}
	return out, nil
}

// checkDriverEvent refuses what no state makes right: a missing field, a
// time in the future, a photo too big.
func checkDriverEvent(e DriverEvent, i int, now time.Time, skew time.Duration) error {
	f := func(name string) string { return fmt.Sprintf("events[%d].%s", i, name) }
	switch {
	case e.Key == "" || len(e.Key) > 200:
		return thugom.Errorf(thugom.EInvalid, f("id"), "an event id (1 to 200 characters) is required")
	case e.StopID <= 0:
		return thugom.Errorf(thugom.EInvalid, f("stop_id"), "stop_id is required")
	case e.HappenedAt.IsZero():
		return thugom.Errorf(thugom.EInvalid, f("happened_at"), "happened_at (the phone's time of the action) is required")
	case e.HappenedAt.Add(-skew).After(now.Add(10 * time.Minute)):
		return thugom.Errorf(thugom.EInvalid, f("happened_at"), "happened_at %s is in the future", e.HappenedAt.Format(time.RFC3339))
	case e.Parcels != nil && (*e.Parcels < 0 || *e.Parcels > 1000):
		return thugom.Errorf(thugom.EInvalid, f("parcels"), "parcels must be between 0 and 1000")
	case e.WeightKg != nil && (*e.WeightKg < 0 || *e.WeightKg > 5000 || math.IsNaN(*e.WeightKg)):
		return thugom.Errorf(thugom.EInvalid, f("weight_kg"), "weight_kg must be between 0 and 5000")
	case len(e.Reason) > 100 || len(e.Note) > 1000:
		return thugom.Errorf(thugom.EInvalid, f("note"), "reason or note too long")
	case len(e.Photo) > store.MaxPhotoBytes:
		return thugom.Errorf(thugom.ETooLarge, f("photo"), "the photo is %d KB; at most %d KB (the app compresses it)", len(e.Photo)/1024, store.MaxPhotoBytes/1024)
	}
	switch e.Status {
	case thugom.StopEnRoute, thugom.StopArrived, thugom.StopPickedUp, thugom.StopDone:
	case thugom.StopFailed:
		if _, ok := failText[strings.TrimSpace(e.Reason)]; !ok {
			return thugom.Errorf(thugom.EInvalid, f("reason"), "a failed pickup needs a reason: not_ready, nobody_home, quality_rejected or unreachable")
		}
	default:
		return thugom.Errorf(thugom.EInvalid, f("status"), "status must be en_route, arrived, picked_up, failed or done, not %q", e.Status)
	}
	return nil
}

// hashDriverEvent fingerprints what an event says (not when it arrived).
func hashDriverEvent(e DriverEvent) []byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(e.StopID))
	h.Write(n[:])
	fmt.Fprintf(h, "|%s|%d|%s|%s|%s|", e.Status, e.Seq, e.HappenedAt.UTC().Format(time.RFC3339Nano), strings.TrimSpace(e.Reason), strings.TrimSpace(e.Note))
	if e.Parcels != nil {
		fmt.Fprintf(h, "p%d|", *e.Parcels)
	}
	if e.WeightKg != nil {
		fmt.Fprintf(h, "w%g|", *e.WeightKg)
	}
	h.Write(e.Photo)
	return h.Sum(nil)
}

// applyDriverEvent applies one event in one transaction: the day's lock
// first (the order of every writer), then the event's key (so that two
// copies of one event meeting serialise on the day and the second sees the
// first), then the stop.
func (s *Service) applyDriverEvent(ctx context.Context, b DriverBatch, e DriverEvent, i int, now time.Time, skew time.Duration, flagged bool) (*DriverEventResult, error) {
	field := func(name string) string { return fmt.Sprintf("events[%d].%s", i, name) }
	hash := hashDriverEvent(e)
	var res *DriverEventResult
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		dd, err := store.DepotDayOfStop(ctx, tx, e.StopID)
		if thugom.ErrorCode(err) == thugom.ENotFound {
			return thugom.Errorf(thugom.ENotFound, field("stop_id"), "no stop %d", e.StopID)
		}
		if err != nil {
			return err
		}
		if _, err := store.LockDepotDay(ctx, tx, dd.DepotID, dd.Day); err != nil {
			return err
		}
		prev, err := store.DriverEventByKey(ctx, tx, b.DriverID, e.Key)
		if err != nil {
			return err
		}
		if prev != nil {
			if string(prev.RequestHash) != string(hash) {
				return thugom.Errorf(thugom.EInvalid, field("id"), "event id %q was used for another event", e.Key)
			}
			res = &DriverEventResult{Key: e.Key, StopID: prev.StopID, Outcome: prev.Outcome, StopStatus: prev.StopStatus, Replayed: true}
			return nil
		}
		st, err := store.StopForUpdate(ctx, tx, e.StopID)
		if err != nil {
			return err
		}
		dayEnd := st.Day.AddDate(0, 0, 1)
		switch {
		case now.After(dayEnd.Add(LateReportGrace)):
			return thugom.Errorf(thugom.EInvalid, field("happened_at"), "stop %d was of %s: reports are taken until %s",
				e.StopID, st.Day.Format(time.DateOnly), dayEnd.Add(LateReportGrace).Format(time.RFC3339))
		case e.HappenedAt.Add(-skew).Before(st.Day.Add(-time.Hour)):
			return thugom.Errorf(thugom.EInvalid, field("happened_at"), "happened_at %s is before the stop's day (%s)",
				e.HappenedAt.Format(time.RFC3339), st.Day.Format(time.DateOnly))
		}
		// Whose report it is: the driver's route now, or a route of the
		// driver's vehicle in an earlier version of the day (re-planned to
		// another vehicle while the phone was offline).
		reassigned := st.DriverID == nil || *st.DriverID != b.DriverID
		if reassigned {
			held, err := store.StopHeldByDriver(ctx, tx, st.ID, b.DriverID, st.DepotID, st.Day)
			if err != nil {
				return err
			}
			if !held {
				return thugom.Errorf(thugom.EForbidden, field("stop_id"), "stop %d was never on this driver's route", e.StopID)
			}
		}
		rec := &store.DriverEvent{DriverID: b.DriverID, Key: e.Key, RequestHash: hash, Seq: e.Seq, StopID: st.ID,
			Status: e.Status, HappenedAt: e.HappenedAt, ReceivedAt: now, SkewSeconds: int(skew / time.Second),
			SkewFlagged: flagged, Note: strings.TrimSpace(e.Note), Photo: e.Photo}
		if st.Status != e.Status && statusRank(e.Status) <= statusRank(st.Status) {
			// A later step is already there: keep the report, change nothing.
			rec.Outcome, rec.StopStatus = DriverEventSuperseded, st.Status
		} else {
			pe := PickupEvent{StopID: st.ID, DriverID: b.DriverID, Status: e.Status, Reason: strings.TrimSpace(e.Reason),
				At: e.HappenedAt.Add(-skew), Actor: b.Actor}
			if reassigned {
				pe.DriverID = 0 // the route check was done above, against the day's versions
			}
			if e.Parcels != nil {
				pe.Parcels = *e.Parcels
			}
			if e.WeightKg != nil {
				pe.WeightKg = *e.WeightKg
			}
			drv := b.DriverID
			pe.Report = &store.StopReport{DriverID: &drv, Parcels: e.Parcels, WeightKg: e.WeightKg, Reason: pe.Reason,
				Note: rec.Note, HappenedAt: e.HappenedAt}
			r, err := s.recordPickup(ctx, tx, pe)
			if err != nil {
				return err
			}
			rec.Outcome, rec.StopStatus = DriverEventApplied, r.Status
			if r.Unchanged {
				rec.Outcome = DriverEventUnchanged
			}
			if reassigned && !r.Unchanged {
				rec.Outcome = DriverEventReassigned
				now := s.now()
				if err := store.InsertEvent(ctx, tx, &thugom.Event{At: now, Actor: b.Actor, Action: "alert.stop_reported_after_replan",
					Subject: fmt.Sprintf("stop:%d", st.ID), Payload: map[string]any{"depot_id": st.DepotID, "driver_id": b.DriverID,
						"vehicle_id": st.VehicleID, "status": e.Status, "happened_at": e.HappenedAt}}); err != nil {
					return err
				}
			}
		}
		ok, err := store.InsertDriverEvent(ctx, tx, rec)
		if err != nil {
			return err
		}
		if !ok { // the day lock makes this unreachable but for a key reused on another day's stop
			return thugom.Errorf(thugom.EInvalid, field("id"), "event id %q was used for another event", e.Key)
		}
		res = &DriverEventResult{Key: e.Key, StopID: st.ID, Outcome: rec.Outcome, StopStatus: rec.StopStatus}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
