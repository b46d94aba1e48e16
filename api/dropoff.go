package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// Commune drop-off points (điểm bưu điện văn hóa xã): the dispatcher offers
// a household far from every route to bring its produce to its commune's
// point (the console's drop_off fix), and can undo it; the points'
// positions are approximate until a dispatcher corrects them.

type dropOffPointOut struct {
	ID          int64     `json:"id"`
	CommuneCode string    `json:"commune_code"`
	Name        string    `json:"name"`
	Point       orb.Point `json:"point"`
	OpensAt     string    `json:"opens_at"`  // "07:00"
	ClosesAt    string    `json:"closes_at"` // "17:00"
	Approximate bool      `json:"approximate"`
}

func dropOffPointOutOf(p thugom.DropOffPoint) dropOffPointOut {
	return dropOffPointOut{ID: p.ID, CommuneCode: p.CommuneCode, Name: p.Name, Point: p.Point,
		OpensAt: clockText(p.OpensAt), ClosesAt: clockText(p.ClosesAt), Approximate: p.Approximate}
}

func clockText(secs int) string {
	return time.Date(2000, 1, 1, 0, 0, secs, 0, time.UTC).Format("15:04")
}

type dropOffOut struct {
	HouseholdID int64            `json:"household_id"`
	Orders      []int64          `json:"orders"`
	Date        string           `json:"date"`
	Point       *dropOffPointOut `json:"point"`
	By          *time.Time       `json:"by"`
	SMS         int              `json:"sms"`
}

// dropOffPoints: GET /v1/depots/{id}/drop-off-points — the points of the
// communes the depot serves.
func (s *server) dropOffPoints(w http.ResponseWriter, r *http.Request) {
	d, ok := s.serviceDepot(w, r)
	if !ok {
		return
	}
	pts, err := s.deps.Service.DropOffPoints(r.Context(), d.ID, principalOf(r.Context()).coreActor())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := struct {
		Points []dropOffPointOut `json:"points"`
		Note   string            `json:"note"`
	}{Points: make([]dropOffPointOut, 0, len(pts)),
		Note: "Vị trí gần đúng (điểm giữa xã) cho đến khi được sửa: dữ liệu không có vị trí các điểm bưu điện văn hóa xã."}
	for _, p := range pts {
		out.Points = append(out.Points, dropOffPointOutOf(p))
	}
	writeJSON(w, http.StatusOK, out)
}

// orderDropOff: POST /v1/orders/{id}/drop-off {"point_id", "date"} — the
// household agreed by phone to bring its orders of the day to the point;
// DELETE /v1/orders/{id}/drop-off?date= undoes it (collected at home again).
func (s *server) orderDropOff(undo bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		var in struct {
			PointID int64  `json:"point_id"`
			Date    string `json:"date"`
		}
		if undo {
			in.Date = r.URL.Query().Get("date")
		} else {
			if err := decodeJSON(r, &in); err != nil {
				s.writeProblem(w, r, err)
				return
			}
			if in.PointID <= 0 {
				s.writeProblem(w, r, errf(codeInvalid, "point_id", "point_id is required"))
				return
			}
		}
		day, err := s.dayOf(in.Date)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if !s.hasService(w, r) {
			return
		}
		req, a := jobs.DropOff{OrderID: id, PointID: in.PointID, Day: day}, principalOf(r.Context()).coreActor()
		var res *jobs.DropOffResult
		if undo {
			res, err = s.deps.Service.CancelDropOff(r.Context(), req, a)
		} else {
			res, err = s.deps.Service.AcceptDropOff(r.Context(), req, a)
		}
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := dropOffOut{HouseholdID: res.HouseholdID, Orders: res.Orders, Date: res.Date, By: res.By, SMS: res.SMS}
		if res.Point != nil {
			p := dropOffPointOutOf(*res.Point)
			out.Point = &p
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// setDropOffPoint: PUT /v1/drop-off-points/{id} {"point", "opens_at",
// "closes_at"} — a dispatcher or administrator who knows where the
// commune's post office is corrects it; it is no longer approximate.
func (s *server) setDropOffPoint(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var in struct {
		Point    *[2]float64 `json:"point"`
		OpensAt  string      `json:"opens_at"`
		ClosesAt string      `json:"closes_at"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if in.Point == nil {
		s.writeProblem(w, r, errf(codeInvalid, "point", "point [lon, lat] is required"))
		return
	}
	p := thugom.DropOffPoint{ID: id, Point: orb.Point(*in.Point), OpensAt: 7 * 3600, ClosesAt: 17 * 3600}
	if in.OpensAt != "" {
		if p.OpensAt, err = thugom.ParseClockTime("opens_at", in.OpensAt); err != nil {
			s.writeProblem(w, r, err)
			return
		}
	}
	if in.ClosesAt != "" {
		if p.ClosesAt, err = thugom.ParseClockTime("closes_at", in.ClosesAt); err != nil {
			s.writeProblem(w, r, err)
			return
		}
	}
	if !s.hasService(w, r) {
		return
	}
	// Points are shared by the carriers: any dispatcher may correct one.
	out, err := s.deps.Service.SetDropOffPoint(r.Context(), p, principalOf(r.Context()).coreActor())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dropOffPointOutOf(*out))
}

// dropOffFixes adds, to the unassigned or late orders that are drop-off
// candidates, the fix of offering the household its commune's point.
func (s *server) dropOffFixes(ctx context.Context, depotID int64, day time.Time, issues []issueOut) error {
	if s.deps.Service == nil || len(issues) == 0 {
		return nil
	}
	cands, err := s.deps.Service.DropOffCandidates(ctx, depotID, day)
	if thugom.ErrorCode(err) == thugom.EInvalid {
		return nil // a day out of the planning range: nothing to offer
	}
	if err != nil {
		return err
	}
	by := map[int64]jobs.DropOffOption{}
	for _, c := range cands {
		by[c.OrderID] = c
	}
	for i := range issues {
		c, ok := by[issues[i].OrderID]
		if !ok {
			continue
		}
		issues[i].Fixes = append(issues[i].Fixes, fixOut{Kind: "drop_off", PointID: c.Point.ID,
			Label: fmt.Sprintf("Hẹn hộ mang hàng đến %s (cách nhà %s km)", c.Point.Name, strings.Replace(strconv.FormatFloat(c.WalkKm, 'f', 1, 64), ".", ",", 1))})
	}
	return nil
}
