package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// depotInScope loads a depot the principal may act on (403 otherwise).
func (s *server) depotInScope(ctx context.Context, r *http.Request, q store.DBTX) (*thugom.Depot, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, err := store.DepotByID(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !principalOf(ctx).canCarrier(d.CarrierID) {
		return nil, errForbiddenCarrier
	}
	return d, nil
}

// listDepots: GET /v1/depots.
func (s *server) listDepots(w http.ResponseWriter, r *http.Request) {
	ds, err := store.ListDepotsScoped(r.Context(), s.deps.DB, principalOf(r.Context()).carrierScope())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := make([]depotOut, 0, len(ds))
	for i := range ds {
		out = append(out, depotOutOf(&ds[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// dayPlan is the dispatcher's view of a depot's day.
type dayPlan struct {
	Depot      depotOut        `json:"depot"`
	Date       string          `json:"date"`
	Plan       *planOut        `json:"plan"`
	Routes     []routeOut      `json:"routes"`
	Unassigned []unassignedOut `json:"unassigned"`
}

func (s *server) loadDayPlan(ctx context.Context, d *thugom.Depot, day time.Time) (*dayPlan, error) {
	out := &dayPlan{Depot: depotOutOf(d), Date: day.Format(time.DateOnly), Routes: []routeOut{}, Unassigned: []unassignedOut{}}
	var planID int64
	v, err := store.PlanViewOf(ctx, s.deps.DB, d.ID, day)
	switch {
	case errors.Is(err, thugom.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		planID = v.Plan.ID
		out.Plan = planOutOf(&v.Plan)
		for _, r := range v.Routes {
			out.Routes = append(out.Routes, routeOutOf(r))
		}
		for _, u := range v.Unassigned {
			out.Unassigned = append(out.Unassigned, unassignedOut{OrderID: u.OrderID, MarketplaceOrderID: u.MarketplaceOrderID,
				HouseholdID: u.HouseholdID, HouseholdName: u.HouseholdName, Point: u.Point, WeightKg: u.WeightKg, Reason: u.Reason, Fix: u.Fix})
		}
	}
	outside, err := store.OrdersOutsidePlan(ctx, s.deps.DB, d.ID, d.CarrierID, day, planID)
	if err != nil {
		return nil, err
	}
	for _, o := range outside {
		u := unassignedOut{OrderID: o.OrderID, MarketplaceOrderID: o.MarketplaceOrderID, HouseholdID: o.HouseholdID,
			HouseholdName: o.HouseholdName, Point: o.Point, WeightKg: o.WeightKg}
		switch {
		case o.Precision == "":
			u.Reason = "the address is not geocoded yet (or could not be placed)"
			u.Fix = fmt.Sprintf("pin the household on the map: PATCH /v1/households/%d {\"point\": [lon, lat]}", o.HouseholdID)
		case o.NoDepot:
			u.Reason = "no depot assigned yet (geocoding pending)"
			u.Fix = "wait for geocoding, then re-plan"
		case planID == 0:
			u.Reason = "no plan for this day yet"
			u.Fix = "plan the day: POST /v1/depots/{id}/plans"
		default:
			u.Reason = "the order arrived after the plan was made"
			u.Fix = "re-plan the day: POST /v1/depots/{id}/replan"
		}
		out.Unassigned = append(out.Unassigned, u)
	}
	return out, nil
}

// serviceDepot is the depot a request names (path id) for a call into the
// jobs service: it writes the problem (no service, unknown depot, another
// carrier's) and says false when there is none.
func (s *server) serviceDepot(w http.ResponseWriter, r *http.Request) (*thugom.Depot, bool) {
	if !s.hasService(w, r) {
		return nil, false
	}
	d, err := s.depotInScope(r.Context(), r, s.deps.DB)
	if err != nil {
		s.writeProblem(w, r, err)
		return nil, false
	}
	return d, true
}

// requestedDayPlan loads the plan of the depot and day a request names
// (path id, ?date=), checking the caller may see that depot.
func (s *server) requestedDayPlan(r *http.Request) (*dayPlan, error) {
	d, err := s.depotInScope(r.Context(), r, s.deps.DB)
	if err != nil {
		return nil, err
	}
	day, err := s.dayParam(r)
	if err != nil {
		return nil, err
	}
	return s.loadDayPlan(r.Context(), d, day)
}

// getPlan: GET /v1/depots/{id}/plan?date=.
func (s *server) getPlan(w http.ResponseWriter, r *http.Request) {
	out, err := s.requestedDayPlan(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if err := writeJSONCacheable(w, r, "application/json", out); err != nil {
		s.writeProblem(w, r, err)
	}
}

// planChanges: GET /v1/depots/{id}/plan/changes?date=&since=N: what
// changed in the day's plan since version N (the one a driver's phone or a
// dispatcher's screen holds), one entry per changed stop.
func (s *server) planChanges(w http.ResponseWriter, r *http.Request) {
	d, err := s.depotInScope(r.Context(), r, s.deps.DB)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	day, err := s.dayParam(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	since, err := strconv.Atoi(r.URL.Query().Get("since"))
	if err != nil || since < 1 {
		s.writeProblem(w, r, errf(codeInvalid, "since", "since must be a plan version (1 or more)"))
		return
	}
	cur, err := store.PlanLatestVersion(r.Context(), s.deps.DB, d.ID, day)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if cur == 0 || since > cur {
		s.writeProblem(w, r, errf(codeNotFound, "since", "the day has no plan version %d", since))
		return
	}
	from, err := store.PlanSnapshot(r.Context(), s.deps.DB, d.ID, day, since)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	to, err := store.PlanSnapshot(r.Context(), s.deps.DB, d.ID, day, cur)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	changes := thugom.DiffVersions(from, to)
	if changes == nil {
		changes = []thugom.StopChange{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"depot_id": d.ID, "date": day.Format(time.DateOnly),
		"from_version": since, "to_version": cur, "changes": changes})
}

// getUnassigned: GET /v1/depots/{id}/unassigned?date=.
func (s *server) getUnassigned(w http.ResponseWriter, r *http.Request) {
	out, err := s.requestedDayPlan(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out.Unassigned})
}

type dayIn struct {
	Date string `json:"date"`
	// Force plans a day that has started from scratch (reports are kept).
	Force bool `json:"force,omitempty"`
}

// enqueuePlan: POST /v1/depots/{id}/plans {"date", "force"} and POST
// /v1/depots/{id}/replan {"date"}: a plan or a re-plan of the depot's day,
// as a job. Both keep every report; a plan of a day that has started is
// refused (409) unless force is set.
func (s *server) enqueuePlan(replan bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in dayIn
		if r.ContentLength != 0 {
			if err := decodeJSON(r, &in); err != nil {
				s.writeProblem(w, r, err)
				return
			}
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
		out, err := s.deps.Service.RequestPlan(r.Context(), d.ID, day, replan, in.Force, principalOf(r.Context()).coreActor())
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusAccepted, out)
	}
}

// lockOrder: POST /v1/orders/{id}/lock {"vehicle_id"}: the next plans keep
// the order on that vehicle. DELETE unlocks.
func (s *server) lockOrder(unlock bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		var in struct {
			VehicleID int64 `json:"vehicle_id"`
		}
		var vid *int64
		if !unlock {
			if err := decodeJSON(r, &in); err != nil {
				s.writeProblem(w, r, err)
				return
			}
			if in.VehicleID <= 0 {
				s.writeProblem(w, r, errf(codeInvalid, "vehicle_id", "vehicle_id is required"))
				return
			}
			vid = &in.VehicleID
		}
		if !s.hasService(w, r) {
			return
		}
		if err := s.deps.Service.LockOrder(r.Context(), id, vid, principalOf(r.Context()).coreActor()); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		s.writeOrder(w, r, id)
	}
}

// moveStop: POST /v1/stops/{id}/move {"vehicle_id", "after_stop_id"}: the stop's orders are
// locked to the vehicle and the stop's day is re-planned around them.
func (s *server) moveStop(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var in struct {
		VehicleID int64 `json:"vehicle_id"`
		// AfterStopID: right after that stop of the vehicle, 0 first;
		// absent: the planner chooses the place.
		AfterStopID *int64 `json:"after_stop_id"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if in.VehicleID <= 0 {
		s.writeProblem(w, r, errf(codeInvalid, "vehicle_id", "vehicle_id is required"))
		return
	}
	if in.AfterStopID != nil && *in.AfterStopID < 0 {
		s.writeProblem(w, r, errf(codeInvalid, "after_stop_id", "after_stop_id is a stop id, or 0 for first on the vehicle"))
		return
	}
	if !s.hasService(w, r) {
		return
	}
	var pl *jobs.Place
	if in.AfterStopID != nil {
		pl = &jobs.Place{AfterStopID: *in.AfterStopID}
	}
	out, err := s.deps.Service.MoveStopAt(r.Context(), id, in.VehicleID, pl, principalOf(r.Context()).coreActor())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, out)
}

// slaBoard: GET /v1/sla?depot_id=&date=.
func (s *server) slaBoard(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	depot, err := optInt(r.URL.Query(), "depot_id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	day, err := s.dayParam(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var depotID int64
	if depot != nil {
		d, err := store.DepotByID(r.Context(), s.deps.DB, *depot)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if !p.canCarrier(d.CarrierID) {
			s.writeProblem(w, r, errForbiddenCarrier)
			return
		}
		depotID = d.ID
	}
	items, err := store.SLABoard(r.Context(), s.deps.DB, depotID, p.carrierScope(), day, s.now())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := struct {
		Date   string          `json:"date"`
		AtRisk []store.SLAItem `json:"at_risk"`
		Late   []store.SLAItem `json:"late"`
		// Notice is the notice the day's window messages gave the
		// households of this carrier (and depot).
		Notice *jobs.NoticeReport `json:"notice,omitempty"`
	}{Date: day.Format(time.DateOnly), AtRisk: []store.SLAItem{}, Late: []store.SLAItem{}}
	if s.deps.Service != nil {
		carrier := p.carrierScope()
		if out.Notice, err = s.deps.Service.NoticeReportOf(r.Context(), day, carrier, depotID); err != nil {
			s.writeProblem(w, r, err)
			return
		}
	}
	for _, it := range items {
		if !ofDay(it, day, s.now()) { // the day's own, as the console counts (console.go)
			continue
		}
		if it.Late {
			out.Late = append(out.Late, it)
		} else {
			out.AtRisk = append(out.AtRisk, it)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// dayReport: GET /v1/depots/{id}/report?date=.
func (s *server) dayReport(w http.ResponseWriter, r *http.Request) {
	d, err := s.depotInScope(r.Context(), r, s.deps.DB)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	day, err := s.dayParam(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	x, err := store.DayReportOf(r.Context(), s.deps.DB, d.ID, day)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	share := func(a, b float64) float64 {
		if b <= 0 {
			return 0
		}
		return a / b
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"depot_id": d.ID, "date": day.Format(time.DateOnly), "plan_id": x.PlanID,
		"orders": x.Orders, "picked_up": x.PickedUp, "failed": x.Failed, "unassigned": x.Unassigned,
		"on_time": x.OnTime, "on_time_share": share(float64(x.OnTime), float64(x.PickedUp)),
		"km":            float64(x.DistanceM) / 1000,
		"vehicles_used": x.VehiclesUsed, "vehicles_active": x.VehiclesActive,
		"vehicle_use": share(float64(x.VehiclesUsed), float64(x.VehiclesActive)),
		"load_kg":     x.LoadKg, "load_share": share(x.LoadKg, x.CapacityKg),
		"produce_age_hours": map[string]float64{"avg": x.AgeAvgS / 3600, "p90": x.AgeP90S / 3600, "max": x.AgeMaxS / 3600},
		"delivered":         x.Delivered,
	})
}
