package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// Borrowing an idle vehicle of the carrier from a neighbouring depot
// (issue 14): the candidates a depot may borrow for a day, and the borrow,
// which re-plans the depot's day with the vehicle (jobs/borrow.go).

type borrowCandidatesOut struct {
	DepotID    int64                  `json:"depot_id"`
	Date       string                 `json:"date"`
	RadiusKm   float64                `json:"radius_km"`
	Candidates []jobs.BorrowCandidate `json:"candidates"`
}

// borrowCandidates: GET /v1/depots/{id}/borrow-candidates?date=.
func (s *server) borrowCandidates(w http.ResponseWriter, r *http.Request) {
	day, err := s.dayParam(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	d, ok := s.serviceDepot(w, r)
	if !ok {
		return
	}
	cands, err := s.deps.Service.BorrowCandidates(r.Context(), d.ID, day)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, borrowCandidatesOut{DepotID: d.ID, Date: jobs.DayString(day), RadiusKm: s.deps.Service.BorrowRadiusKm(), Candidates: cands})
}

// borrowVehicle: POST /v1/depots/{id}/borrow {"vehicle_id", "date"}: the
// depot borrows the vehicle for the day; its day is re-planned (202).
func (s *server) borrowVehicle(w http.ResponseWriter, r *http.Request) {
	var in struct {
		VehicleID int64  `json:"vehicle_id"`
		Date      string `json:"date"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if in.VehicleID <= 0 {
		s.writeProblem(w, r, errf(codeInvalid, "vehicle_id", "vehicle_id is required"))
		return
	}
	day, err := s.dayOf(in.Date)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	d, ok := s.serviceDepot(w, r)
	if !ok {
		return
	}
	out, err := s.deps.Service.BorrowVehicle(r.Context(), d.ID, day, in.VehicleID, principalOf(r.Context()).coreActor())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, out)
}

// maxBorrowFixes is how many borrow fixes an issue offers (the nearest).
const maxBorrowFixes = 2

// borrowOffers are the vehicles the console offers to borrow for the
// day's orders left out because the fleet is full: none when there are no
// such orders, no jobs service, or the day cannot borrow (a day past).
func (s *server) borrowOffers(ctx context.Context, d *thugom.Depot, day time.Time, unassigned []unassignedOut) ([]jobs.BorrowCandidate, error) {
	if s.deps.Service == nil {
		return nil, nil
	}
	full := false
	for _, u := range unassigned {
		full = full || jobs.FleetFullReason(jobs.ReasonCode(u.Reason))
	}
	if !full {
		return nil, nil
	}
	cands, err := s.deps.Service.BorrowCandidates(ctx, d.ID, day)
	if thugom.ErrorCode(err) == thugom.EInvalid {
		return nil, nil
	}
	if len(cands) > maxBorrowFixes {
		cands = cands[:maxBorrowFixes]
	}
	return cands, err
}

// borrowFixes are an issue's borrow fixes: for an order left out because
// the fleet is full, each vehicle offered, with its depot and empty run.
func borrowFixes(is issueOut, offers []jobs.BorrowCandidate) []fixOut {
	if is.Kind != "unassigned" || !jobs.FleetFullReason(is.Code) {
		return nil
	}
	var out []fixOut
	for _, c := range offers {
		label := jobs.BorrowLabel(c.VehicleCode, c.DepotName, c.EmptyRunKm*1000)
		if c.Stops > 0 {
			label += fmt.Sprintf(" (%s xếp lại %d điểm của xe cho xe khác)", c.DepotName, c.Stops)
		}
		out = append(out, fixOut{Kind: "borrow", VehicleID: c.VehicleID, DepotID: c.DepotID, Label: label})
	}
	return out
}

// vehicleLent is the console status of a vehicle its depot lent for the
// day: not planned there, offered no fix.
const vehicleLent = "lent"

// withBorrowed adds to a depot's console vehicles the ones it borrowed for
// the day, and marks those it lent.
func withBorrowed(ctx context.Context, q store.DBTX, d *thugom.Depot, day time.Time, vs []store.ConsoleVehicle) ([]store.ConsoleVehicle, error) {
	loans, err := store.LoansOfDepotDay(ctx, q, d.ID, day)
	if err != nil || len(loans) == 0 {
		return vs, err
	}
	for _, l := range loans {
		for i := range vs {
			if l.FromDepotID == d.ID && vs[i].ID == l.VehicleID {
				vs[i].Status = vehicleLent
			}
		}
	}
	b, err := store.BorrowedConsoleVehicles(ctx, q, d.ID, day, day.Add(-12*time.Hour))
	return append(vs, b...), err
}
