package api

import (
	"context"
	"net/http"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// Re-plans kept as drafts by the publish policy (jobs/drafts.go): the
// console lists a day's pending draft with its changes in Vietnamese, and
// the dispatcher publishes or discards it.

// draftOut is a draft as the console shows it.
type draftOut struct {
	ID          int64               `json:"id"`
	DepotID     int64               `json:"depot_id"`
	Date        string              `json:"date"`
	Cause       string              `json:"cause"`
	Subject     string              `json:"subject"`
	FromVersion int                 `json:"from_version"`
	Revision    int64               `json:"revision"`
	State       string              `json:"state"`
	Changes     []thugom.StopChange `json:"changes"`
	Lines       []string            `json:"lines"`
	Counted     int                 `json:"counted"`
	SMS         int                 `json:"sms"`
	CreatedAt   time.Time           `json:"created_at"`
	DecidedAt   *time.Time          `json:"decided_at"`
	DecidedBy   string              `json:"decided_by"`
}

// vehicleCodes names a depot's vehicles by their codes.
func (s *server) vehicleCodes(ctx context.Context, depotID int64, day time.Time) (map[int64]string, error) {
	vs, err := store.ConsoleVehicles(ctx, s.deps.DB, depotID, day)
	if err == nil {
		vs, err = withBorrowed(ctx, s.deps.DB, &thugom.Depot{ID: depotID}, day, vs) // borrow.go
	}
	if err != nil {
		return nil, err
	}
	codes := map[int64]string{}
	for _, v := range vs {
		codes[v.ID] = v.Code
	}
	return codes, nil
}

func draftOutOf(d *thugom.Draft, codes map[int64]string) draftOut {
	out := draftOut{ID: d.ID, DepotID: d.DepotID, Date: d.Day.Format(time.DateOnly), Cause: d.Cause, Subject: d.Subject,
		FromVersion: d.FromVersion, Revision: d.Revision, State: d.State, Changes: d.Changes, Lines: []string{}, Counted: d.Counted,
		SMS: d.SMS, CreatedAt: d.CreatedAt, DecidedAt: d.DecidedAt, DecidedBy: d.DecidedBy}
	for _, c := range d.Changes {
		line, _ := changeLine(c, codes)
		out.Lines = append(out.Lines, line)
	}
	return out
}

// listDrafts: GET /v1/depots/{id}/drafts?date=&state=.
func (s *server) listDrafts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.depotInScope(ctx, r, s.deps.DB)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	day, err := s.dayParam(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	state := r.URL.Query().Get("state")
	switch state {
	case "", store.DraftPending, store.DraftPublished, store.DraftDiscarded, store.DraftSuperseded:
	default:
		s.writeProblem(w, r, errf(codeInvalid, "state", "state must be pending, published, discarded or superseded"))
		return
	}
	ds, err := store.DraftsOfDay(ctx, s.deps.DB, d.ID, day, state)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	codes, err := s.vehicleCodes(ctx, d.ID, day)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	items := make([]draftOut, 0, len(ds))
	for i := range ds {
		items = append(items, draftOutOf(&ds[i], codes))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// decideDraft: POST /v1/drafts/{id}/publish (202: the re-plan is queued)
// and POST /v1/drafts/{id}/discard (200: the draft, nothing else changed).
func (s *server) decideDraft(publish bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if r.ContentLength != 0 {
			var in struct{}
			if err := decodeJSON(r, &in); err != nil {
				s.writeProblem(w, r, err)
				return
			}
		}
		if !s.hasService(w, r) {
			return
		}
		actor := principalOf(r.Context()).coreActor()
		if publish {
			out, err := s.deps.Service.PublishDraft(r.Context(), id, actor)
			if err != nil {
				s.writeProblem(w, r, err)
				return
			}
			writeJSON(w, http.StatusAccepted, out)
			return
		}
		d, err := s.deps.Service.DiscardDraft(r.Context(), id, actor)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		codes, err := s.vehicleCodes(r.Context(), d.DepotID, d.Day)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, draftOutOf(d, codes))
	}
}
