package api

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// The dispatcher console's reads: the day in one answer (routes, every
// vehicle with its last position and progress, what is unassigned or late
// with its reason in Vietnamese and the fixes a dispatcher can act on), and
// re-plan previews (a draft solved, not written).

type consoleVehicle struct {
	vehicleOut
	Status   string        `json:"status"`
	Driver   *driverOut    `json:"driver"`
	Position *positionOut  `json:"position"`
	Done     int           `json:"done"`
	Planned  int           `json:"planned"`
	Trips    []consoleTrip `json:"trips"`
}

type positionOut struct {
	At    time.Time `json:"at"`
	Point orb.Point `json:"point"`
}

// consoleTrip is one trip's depot return and the line-haul cutoff it meets.
type consoleTrip struct {
	Trip     int        `json:"trip"`
	ReturnAt time.Time  `json:"return_at"`
	CutoffAt *time.Time `json:"cutoff_at"`
}

// fixOut is one fix a dispatcher can apply from the console.
type fixOut struct {
	Kind      string `json:"kind"` // assign, widen_window, tomorrow
	Label     string `json:"label"`
	VehicleID int64  `json:"vehicle_id,omitempty"`
	DepotID   int64  `json:"depot_id,omitempty"` // borrow: the vehicle's home depot
	Phone     string `json:"phone,omitempty"`
	PointID   int64  `json:"point_id,omitempty"` // drop_off
}

// issueOut is an order unassigned or late, with its reason and fixes.
type issueOut struct {
	OrderID            int64      `json:"order_id"`
	MarketplaceOrderID string     `json:"marketplace_order_id"`
	HouseholdID        int64      `json:"household_id"`
	HouseholdName      string     `json:"household_name"`
	Phone              string     `json:"phone"`
	Point              *orb.Point `json:"point"`
	WeightKg           float64    `json:"weight_kg"`
	Kind               string     `json:"kind"` // unassigned, late
	StopID             int64      `json:"stop_id,omitempty"`
	LateMin            int        `json:"late_min,omitempty"`
	Code               string     `json:"code"`
	Reason             string     `json:"reason"`
	Fixes              []fixOut   `json:"fixes"`
	// Advice, when no vehicle of the depot can take the order: why, and
	// what would help instead (fixes.go).
	Advice string `json:"advice,omitempty"`
	// LostAtPlacement: the order's promise was lost at placement; the
	// issue is not a planning miss (thugom.Issue.PlanningMiss).
	LostAtPlacement bool `json:"lost_at_placement,omitempty"`
}

// lostOut is an order of the day whose promise was lost at placement
// (issue 22), listed apart from the planning misses: the marketplace's
// promise, what can be kept instead and why, and the issue it also is
// today ("unassigned", "late" or "").
type lostOut struct {
	OrderID            int64      `json:"order_id"`
	MarketplaceOrderID string     `json:"marketplace_order_id"`
	HouseholdID        int64      `json:"household_id"`
	HouseholdName      string     `json:"household_name"`
	WeightKg           float64    `json:"weight_kg"`
	Status             string     `json:"status"`
	PlacedAt           time.Time  `json:"placed_at"`
	PromisedBy         time.Time  `json:"promised_by"`
	KeepableBy         *time.Time `json:"keepable_by"`
	Reason             string     `json:"reason"`
	Issue              string     `json:"issue"`
}

type consoleOut struct {
	Depot    depotOut         `json:"depot"`
	Date     string           `json:"date"`
	Now      time.Time        `json:"now"`
	Plan     *planOut         `json:"plan"`
	Vehicles []consoleVehicle `json:"vehicles"`
	Routes   []routeOut       `json:"routes"`
	Issues   []issueOut       `json:"issues"`
	// PromiseLost are the orders whose promise was lost at placement.
	PromiseLost []lostOut `json:"promise_lost"`
	// CarrierFailures are the carriers' latest refusals of thugom's
	// messages (of the depot's carrier), for an administrator.
	CarrierFailures []carrierFailureOut `json:"carrier_failures"`
	// Capacity is what the fleet lacks to keep the day's promises and
	// what would cover it (jobs.CapacityAdvice; null without the service).
	Capacity *thugom.CapacityAdvice `json:"capacity"`
	SLA      struct {
		AtRisk int `json:"at_risk"`
		Late   int `json:"late"`
	} `json:"sla"`
	// Pickups are the day's pickups done, by when against their window: a
	// pickup confirmed far outside it is early or late, not on time.
	Pickups pickupTiming `json:"pickups"`
}

// pickupTiming counts a day's pickups by when they were reported against
// their window.
type pickupTiming struct {
	InWindow int `json:"in_window"`
	Early    int `json:"early"`
	Late     int `json:"late"`
}

// timingOf counts the picked-up stops of the routes by their report's time.
func timingOf(routes []routeOut) pickupTiming {
	var t pickupTiming
	for _, rt := range routes {
		for _, st := range rt.Stops {
			if st.Kind != thugom.StopPickup || st.ReportedAt == nil || (st.Status != thugom.StopPickedUp && st.Status != thugom.StopDone) {
				continue
			}
			switch at := *st.ReportedAt; {
			case at.Before(st.WindowStart):
				t.Early++
			case at.After(st.WindowEnd):
				t.Late++
			default:
				t.InWindow++
			}
		}
	}
	return t
}

// ofDay reports whether an SLA item belongs to the day shown: its deadline
// (or promise) falls on that day, or, on today and days past, before it
// (an order still open past its deadline stays on the board).
func ofDay(it store.SLAItem, day, now time.Time) bool {
	due := it.PromisedBy
	if it.HandoverDeadline != nil {
		due = *it.HandoverDeadline
	}
	if due.IsZero() {
		return true
	}
	if !due.Before(day.AddDate(0, 0, 1)) {
		return false
	}
	return !day.After(thugom.Day(now)) || !due.Before(day)
}

// reasonVI says a reason code of the planner in Vietnamese.
var reasonVI = map[string]string{
	"capacity":            "vượt tải trọng của mọi xe",
	"skill":               "không xe nào phù hợp với đơn",
	"time_window":         "không xe nào đến kịp trong khung giờ của hộ",
	"handover_deadline":   "hàng không về kịp bưu cục trước giờ chốt xe tuyến",
	"max_age":             "hàng phải chờ trên xe quá lâu, mất độ tươi",
	"shift_length":        "vượt quá ca làm việc của xe",
	"pinned_vehicle_full": "xe được khóa cho đơn đã đầy",
	"fleet_full":          "mọi xe đều đã kín lịch",
	"frozen_conflict":     "vướng các điểm xe đang chạy",
	"position_infeasible": "không phục vụ được ở vị trí đã thả",
	"release_time":        "hàng về bưu cục quá muộn",
	"time_budget":         "hết thời gian tính trước khi xếp được",
	"no_vehicle":          "không còn xe nào chạy trong ngày",
	"not_geocoded":        "chưa xác định được vị trí của hộ",
	"no_depot":            "chưa gán bưu cục (đang xác định địa chỉ)",
	"no_plan":             "ngày này chưa có kế hoạch",
	"after_plan":          "đơn đến sau khi lập kế hoạch",
	"late":                "dự kiến trễ",
	"unknown":             "không rõ lý do",
}

var vehicleRef = regexp.MustCompile(`vehicle (\d+)`)

// reasonText says a stored reason ("code,code: detail") and its fix text in
// Vietnamese, naming vehicles by their codes.
func reasonText(reason, fix string, codes map[int64]string) (string, string) {
	code := jobs.ReasonCode(reason)
	head, _, _ := strings.Cut(reason, ":")
	var parts []string
	for _, c := range strings.Split(head, ",") {
		if t, ok := reasonVI[strings.TrimSpace(c)]; ok {
			parts = append(parts, t)
		}
	}
	if len(parts) == 0 {
		parts = []string{reasonVI["unknown"]}
	}
	text := strings.Join(parts, "; ")
	if m := vehicleRef.FindStringSubmatch(reason + " " + fix); m != nil {
		if id, err := strconv.ParseInt(m[1], 10, 64); err == nil && codes[id] != "" {
			text += " (gần xếp được nhất: xe " + codes[id] + ")"
		}
	}
	return code, text
}

// consoleView: GET /v1/depots/{id}/console?date=.
func (s *server) consoleView(w http.ResponseWriter, r *http.Request) {
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
	out, err := s.loadConsole(ctx, d, day)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if err := writeJSONCacheable(w, r, "application/json", out); err != nil {
		s.writeProblem(w, r, err)
	}
}

// loadConsole reads a depot's day as the console shows it: the plan and
// its routes, the vehicles, the issues with their fixes, the SLA board.
func (s *server) loadConsole(ctx context.Context, d *thugom.Depot, day time.Time) (*consoleOut, error) {
	dp, err := s.loadDayPlan(ctx, d, day)
	if err != nil {
		return nil, err
	}
	out := &consoleOut{Depot: dp.Depot, Date: dp.Date, Now: s.now(), Plan: dp.Plan, Routes: dp.Routes, Vehicles: []consoleVehicle{}, Issues: []issueOut{}}
	deps, err := store.DeparturesOfDepot(ctx, s.deps.DB, d.ID)
	if err != nil {
		return nil, err
	}
	if out.Vehicles, err = s.consoleVehicles(ctx, d, day, out.Routes, deps); err != nil {
		return nil, err
	}
	lost, err := store.PromiseLostOfDay(ctx, s.deps.DB, d.ID, day, day.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	if out.Issues, err = s.consoleIssues(ctx, d, day, dp, out.Vehicles, deps, lost); err != nil {
		return nil, err
	}
	out.PromiseLost = consoleLost(lost, out.Issues)
	if out.CarrierFailures, err = s.carrierFailures(ctx, d.CarrierID); err != nil {
		return nil, err
	}
	if s.deps.Service != nil {
		if out.Capacity, err = s.deps.Service.CapacityAdvice(ctx, d.ID, day); err != nil {
			return nil, err
		}
	}
	items, err := store.SLABoard(ctx, s.deps.DB, d.ID, d.CarrierID, day, s.now())
	if err != nil {
		return nil, err
	}
	out.Pickups = timingOf(out.Routes)
	for _, it := range items {
		if !ofDay(it, day, s.now()) {
			continue
		}
		if it.Late {
			out.SLA.Late++
		} else {
			out.SLA.AtRisk++
		}
	}
	return out, nil
}

// consoleVehicles are the depot's vehicles of the day (its own and those
// it borrowed) with their driver, last position, progress and trips, each
// trip with the cutoff of the truck it makes (thugom.TripDeparture).
func (s *server) consoleVehicles(ctx context.Context, d *thugom.Depot, day time.Time, routes []routeOut, deps []thugom.Departure) ([]consoleVehicle, error) {
	vs, err := store.ConsoleVehicles(ctx, s.deps.DB, d.ID, day.Add(-12*time.Hour))
	if err != nil {
		return nil, err
	}
	if vs, err = withBorrowed(ctx, s.deps.DB, d, day, vs); err != nil { // borrow.go
		return nil, err
	}
	routeOf := map[int64]*routeOut{}
	for i := range routes {
		routeOf[routes[i].Vehicle.ID] = &routes[i]
	}
	out := []consoleVehicle{}
	for _, v := range vs {
		cv := consoleVehicle{vehicleOut: vehicleOut{ID: v.ID, Code: v.Code, Name: vehicleName(v.Kind, v.Code), Kind: v.Kind, CapacityKg: v.CapacityKg},
			Status: v.Status, Trips: []consoleTrip{}}
		if v.DriverID != nil {
			cv.Driver = &driverOut{ID: *v.DriverID, Name: v.DriverName, Phone: v.DriverPhone}
		}
		if v.PositionAt != nil && v.Lon != nil && v.Lat != nil {
			cv.Position = &positionOut{At: *v.PositionAt, Point: orb.Point{*v.Lon, *v.Lat}}
		}
		if rt := routeOf[v.ID]; rt != nil {
			for _, st := range rt.Stops {
				switch {
				case st.Status == thugom.StopSkipped:
				case st.Kind == thugom.StopDepot:
					t := consoleTrip{Trip: st.Trip, ReturnAt: st.ETA}
					if dep := thugom.TripDeparture(deps, st.ETA.Sub(day).Seconds()); dep != nil {
						c := day.Add(time.Duration(dep.CutoffAt) * time.Second)
						t.CutoffAt = &c
					}
					cv.Trips = append(cv.Trips, t)
				default:
					cv.Planned++
					if thugom.StopFinished(st.Status) {
						cv.Done++
					}
				}
			}
		}
		out = append(out, cv)
	}
	return out, nil
}

// consoleIssues are the day's issues (thugom.DayIssues: what the plan left
// out, what is planned late) worded for the dispatcher, with their fixes:
// assign to a vehicle, call the household, borrow a vehicle, postpone to
// tomorrow, a drop-off point.
func (s *server) consoleIssues(ctx context.Context, d *thugom.Depot, day time.Time, dp *dayPlan, vehicles []consoleVehicle, deps []thugom.Departure,
	lost []store.LostOrder) ([]issueOut, error) {
	var hids []int64
	for _, u := range dp.Unassigned {
		hids = append(hids, u.HouseholdID)
	}
	phones, err := store.HouseholdPhones(ctx, s.deps.DB, hids)
	if err != nil {
		return nil, err
	}
	offers, err := s.borrowOffers(ctx, d, day, dp.Unassigned) // borrow.go
	if err != nil {
		return nil, err
	}
	in, codes := issueDay(dp, vehicles, phones)
	markLost(&in, lost)
	found := thugom.DayIssues(in)
	stops := map[int64]*stopOut{}
	vehicleOf := map[int64]string{}
	for _, rt := range dp.Routes {
		for i := range rt.Stops {
			stops[rt.Stops[i].ID], vehicleOf[rt.Stops[i].ID] = &rt.Stops[i], rt.Vehicle.Code
		}
	}
	out := make([]issueOut, 0, len(found))
	for i, is := range found {
		o := issueOut{OrderID: is.Order.OrderID, HouseholdID: is.Order.HouseholdID, Phone: is.Order.Phone, Kind: is.Kind,
			StopID: is.StopID, LateMin: is.LateMin, Fixes: issueFixes(is), LostAtPlacement: !is.PlanningMiss()}
		if is.Kind == thugom.IssueUnassigned {
			u := dp.Unassigned[i]
			o.MarketplaceOrderID, o.HouseholdName, o.Point, o.WeightKg = u.MarketplaceOrderID, u.HouseholdName, u.Point, u.WeightKg
			o.Code, o.Reason = reasonText(outsideCode(u), u.Fix, codes)
			o.Fixes = append(o.Fixes, borrowFixes(o, offers)...)
		} else {
			lateWords(&o, is, stops[is.StopID], vehicleOf[is.StopID])
		}
		out = append(out, o)
	}
	if err := s.tomorrowFixes(ctx, day, found, out, deps); err != nil {
		return nil, err
	}
	if err := s.dropOffFixes(ctx, d.ID, day, out); err != nil {
		return nil, err
	}
	if err := s.assignFixes(ctx, d, day, found, dp, out, codes); err != nil { // fixes.go
		return nil, err
	}
	return out, nil
}

// markLost marks the orders of the day's issues whose promise was lost at
// placement.
func markLost(in *thugom.IssueDay, lost []store.LostOrder) {
	ids := map[int64]bool{}
	for _, l := range lost {
		ids[l.OrderID] = true
	}
	for i := range in.Unassigned {
		in.Unassigned[i].LostAtPlacement = ids[in.Unassigned[i].OrderID]
	}
	for _, rt := range in.Routes {
		for _, st := range rt.Stops {
			for j := range st.Orders {
				st.Orders[j].LostAtPlacement = ids[st.Orders[j].OrderID]
			}
		}
	}
}

// consoleLost lists the day's orders whose promise was lost at placement,
// each with the issue it also is (issues, as consoleIssues found them).
func consoleLost(lost []store.LostOrder, issues []issueOut) []lostOut {
	kind := map[int64]string{}
	for _, is := range issues {
		kind[is.OrderID] = is.Kind
	}
	out := make([]lostOut, 0, len(lost))
	for _, l := range lost {
		out = append(out, lostOut{OrderID: l.OrderID, MarketplaceOrderID: l.MarketplaceOrderID, HouseholdID: l.HouseholdID,
			HouseholdName: l.HouseholdName, WeightKg: l.WeightKg, Status: l.Status, PlacedAt: l.PlacedAt, PromisedBy: l.PromisedBy,
			KeepableBy: l.KeepableBy, Reason: l.Reason, Issue: kind[l.OrderID]})
	}
	return out
}

// issueDay is the day as the issue rules read it, and the vehicles' codes.
func issueDay(dp *dayPlan, vehicles []consoleVehicle, phones map[int64]string) (thugom.IssueDay, map[int64]string) {
	var in thugom.IssueDay
	codes := map[int64]string{}
	for _, v := range vehicles {
		codes[v.ID] = v.Code
		if v.Status == thugom.VehicleActive {
			in.Active = append(in.Active, v.ID)
		}
	}
	for _, u := range dp.Unassigned {
		in.Unassigned = append(in.Unassigned, thugom.IssueOrder{OrderID: u.OrderID, HouseholdID: u.HouseholdID,
			Code: jobs.ReasonCode(outsideCode(u)), Located: u.Point != nil, Phone: phones[u.HouseholdID]})
	}
	for _, rt := range dp.Routes {
		r := thugom.IssueRoute{VehicleID: rt.Vehicle.ID}
		for _, st := range rt.Stops {
			is := thugom.IssueStop{ID: st.ID, Kind: st.Kind, Status: st.Status, Trip: st.Trip, ETA: st.ETA}
			for _, o := range st.Collect {
				io := thugom.IssueOrder{OrderID: o.OrderID, Located: st.Point != nil, HandoverDeadline: o.HandoverDeadline}
				if st.Household != nil {
					io.HouseholdID, io.Phone = st.Household.ID, st.Household.Phone
				}
				is.Orders = append(is.Orders, io)
			}
			r.Stops = append(r.Stops, is)
		}
		in.Routes = append(in.Routes, r)
	}
	return in, codes
}

// lateWords fills a late issue's order, household and reason from the
// stop it is planned on, of vehicle code.
func lateWords(o *issueOut, is thugom.Issue, st *stopOut, code string) {
	o.Code, o.Point = thugom.IssueLate, st.Point
	if st.Household != nil {
		o.HouseholdName = st.Household.Name
	} else if st.DropOff != nil { // a hub stop: several households, none to call from here
		o.HouseholdName = st.DropOff.Name
	}
	for _, c := range st.Collect {
		if c.OrderID == is.Order.OrderID {
			o.MarketplaceOrderID, o.WeightKg = c.MarketplaceOrderID, c.WeightKg
			break
		}
	}
	o.Reason = fmt.Sprintf("xe %s về bưu cục lúc %s, trễ %d phút so với giờ chốt xe tuyến %s",
		code, hhmm(is.BackAt), is.LateMin, hhmm(*is.Order.HandoverDeadline))
}

// tomorrowFixes offers postponing to tomorrow the issues whose buyer's
// promise tomorrow's trucks still keep (thugom.TomorrowKeepsPromise).
func (s *server) tomorrowFixes(ctx context.Context, day time.Time, found []thugom.Issue, out []issueOut, deps []thugom.Departure) error {
	if !thugom.Day(s.now()).Equal(day) {
		return nil
	}
	var ids []int64
	for _, is := range found {
		ids = append(ids, is.Order.OrderID)
	}
	promised, err := store.OrderPromises(ctx, s.deps.DB, ids)
	if err != nil {
		return err
	}
	tomorrow := day.AddDate(0, 0, 1)
	for i, is := range found {
		p, ok := promised[is.Order.OrderID]
		if ok && thugom.TomorrowKeepsPromise(is, deps, day, s.now(), p) {
			out[i].Fixes = append(out[i].Fixes, fixOut{Kind: "tomorrow", Label: "Hẹn hộ sang ngày " + tomorrow.Format("02/01") + " (vẫn kịp hạn " + p.In(thugom.Local).Format("15:04 02/01") + ")"})
		}
	}
	return nil
}

// outsideCode gives the orders a plan never saw a reason code of their own
// (loadDayPlan words them in English for the API's older readers).
func outsideCode(u unassignedOut) string {
	switch {
	case strings.HasPrefix(u.Reason, "the address is not geocoded"):
		return "not_geocoded"
	case strings.HasPrefix(u.Reason, "no depot assigned"):
		return "no_depot"
	case strings.HasPrefix(u.Reason, "no plan for this day"):
		return "no_plan"
	case strings.HasPrefix(u.Reason, "the order arrived after the plan"):
		return "after_plan"
	}
	return u.Reason
}

// issueFixes words an issue's fix of calling the household to widen its
// window; the assign fixes come after, those that work (fixes.go).
func issueFixes(is thugom.Issue) []fixOut {
	fixes := []fixOut{}
	if is.WidenWindow {
		fixes = append(fixes, fixOut{Kind: "widen_window", Phone: is.Order.Phone, Label: "Gọi hộ " + is.Order.Phone + " để nới khung giờ"})
	}
	return fixes
}

func hhmm(t time.Time) string { return t.In(thugom.Local).Format("15:04") }

type previewIn struct {
	Date      string          `json:"date"`
	StopID    int64           `json:"stop_id,omitempty"`
	VehicleID int64           `json:"vehicle_id,omitempty"`
	Locks     []previewLockIn `json:"locks,omitempty"`
	// BrokenVehicleID previews the rescue plan of a breakdown.
	BrokenVehicleID int64 `json:"broken_vehicle_id,omitempty"`
	// BorrowVehicleID previews the day with this vehicle borrowed (borrow.go).
	BorrowVehicleID int64 `json:"borrow_vehicle_id,omitempty"`
	// AfterStopID drops the moved stop right after that stop of the
	// vehicle (0: first on it); absent: the planner chooses the place.
	AfterStopID *int64 `json:"after_stop_id,omitempty"`
}

type previewLockIn struct {
	OrderID   int64 `json:"order_id"`
	VehicleID int64 `json:"vehicle_id"`
}

// previewDraft is a preview as the console shows it: each change in
// Vietnamese, and whether the household gets a new SMS.
type previewDraft struct {
	*jobs.Preview
	Lines []string `json:"lines"`
	SMS   int      `json:"sms"`
}

// previewBudget bounds the solve of a drag's verdict or a fix's preview,
// so the answer comes within the issue's 300 ms for a 200-stop day.
const previewBudget = 150 * time.Millisecond

// previewPlan: POST /v1/depots/{id}/preview {"date", "stop_id",
// "vehicle_id", "locks"}: a re-plan solved and not written, with its change
// list; with stop_id and vehicle_id, the verdict of moving that stop there.
func (s *server) previewPlan(w http.ResponseWriter, r *http.Request) {
	var in previewIn
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
	if (in.StopID != 0) != (in.VehicleID != 0) || in.StopID < 0 || in.VehicleID < 0 {
		s.writeProblem(w, r, errf(codeInvalid, "vehicle_id", "stop_id and vehicle_id go together"))
		return
	}
	if in.AfterStopID != nil && (in.StopID == 0 || *in.AfterStopID < 0) {
		s.writeProblem(w, r, errf(codeInvalid, "after_stop_id", "after_stop_id goes with stop_id and vehicle_id, and is a stop id or 0 (first)"))
		return
	}
	if in.BrokenVehicleID < 0 {
		s.writeProblem(w, r, errf(codeInvalid, "broken_vehicle_id", "broken_vehicle_id must be a vehicle id"))
		return
	}
	if in.BorrowVehicleID < 0 {
		s.writeProblem(w, r, errf(codeInvalid, "borrow_vehicle_id", "borrow_vehicle_id must be a vehicle id"))
		return
	}
	req := jobs.PreviewRequest{StopID: in.StopID, VehicleID: in.VehicleID, Locks: map[int64]int64{}, Budget: previewBudget,
		BrokenVehicleID: in.BrokenVehicleID, Borrow: in.BorrowVehicleID}
	if in.AfterStopID != nil {
		req.Place = &jobs.Place{AfterStopID: *in.AfterStopID}
	}
	for _, l := range in.Locks {
		if l.OrderID <= 0 || l.VehicleID <= 0 {
			s.writeProblem(w, r, errf(codeInvalid, "locks", "each lock needs order_id and vehicle_id"))
			return
		}
		req.Locks[l.OrderID] = l.VehicleID
	}
	d, ok := s.serviceDepot(w, r)
	if !ok {
		return
	}
	if in.StopID == 0 && len(req.Locks) == 0 {
		req.Budget = 0 // a whole re-plan's (or a breakdown's rescue) draft: the service's re-plan budget
	}
	pv, err := s.deps.Service.PreviewPlan(r.Context(), d.ID, day, req)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	codes, err := s.vehicleCodes(r.Context(), d.ID, day)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if in.BorrowVehicleID != 0 {
		if v, err := store.VehicleByID(r.Context(), s.deps.DB, in.BorrowVehicleID); err == nil {
			codes[v.ID] = v.Code // the vehicle the draft borrows
		}
	}
	out := previewDraft{Preview: pv, Lines: []string{}}
	for _, c := range pv.Changes {
		line, sms := changeLine(c, codes)
		out.Lines = append(out.Lines, line)
		if sms {
			out.SMS++
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// changeLine says one change in Vietnamese, and whether the household is
// told by SMS (a new, moved or dropped window).
func changeLine(c thugom.StopChange, codes map[int64]string) (string, bool) {
	name := fmt.Sprintf("Điểm %d", c.StopID)
	if c.StopID < 0 {
		name = "Điểm mới"
	}
	if c.To != nil && len(c.To.Orders) > 0 {
		name += fmt.Sprintf(" (đơn %d)", c.To.Orders[0])
	} else if c.From != nil && len(c.From.Orders) > 0 {
		name += fmt.Sprintf(" (đơn %d)", c.From.Orders[0])
	}
	veh := func(v *thugom.StopVersion) string { return "xe " + codes[v.VehicleID] }
	switch c.Change {
	case thugom.ChangeAdded:
		return fmt.Sprintf("%s: thêm vào %s lúc %s — hộ nhận SMS", name, veh(c.To), hhmm(c.To.ArriveAt)), true
	case thugom.ChangeRemoved:
		return fmt.Sprintf("%s: bỏ khỏi %s — hộ nhận SMS hẹn lại", name, veh(c.From)), true
	case thugom.ChangeVehicle:
		sms := !c.From.WindowStart.Equal(c.To.WindowStart)
		line := fmt.Sprintf("%s: chuyển từ %s sang %s, %s → %s", name, veh(c.From), veh(c.To), hhmm(c.From.ArriveAt), hhmm(c.To.ArriveAt))
		if sms {
			line += " — hộ nhận SMS"
		}
		return line, sms
	case thugom.ChangeWindow:
		return fmt.Sprintf("%s: khung giờ %s–%s thành %s–%s — hộ nhận SMS", name, hhmm(c.From.WindowStart), hhmm(c.From.WindowEnd),
			hhmm(c.To.WindowStart), hhmm(c.To.WindowEnd)), true
	case thugom.ChangeSequence:
		return fmt.Sprintf("%s: đổi thứ tự trên %s (chuyến %d, thứ %d)", name, veh(c.To), c.To.Trip+1, c.To.Seq+1), false
	case thugom.ChangeTime:
		return fmt.Sprintf("%s: giờ đến %s → %s", name, hhmm(c.From.ArriveAt), hhmm(c.To.ArriveAt)), false
	}
	return fmt.Sprintf("%s: %s", name, c.Change), false
}

// postponeHousehold: POST /v1/households/{id}/postpone — the household,
// called by the dispatcher, agrees to be collected tomorrow: its answer
// "postpone" taken by phone, with the same rules and SMS as by SMS or page.
func (s *server) postponeHousehold(w http.ResponseWriter, r *http.Request) {
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
	if err := s.householdInScope(r, s.deps.DB, id); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !s.hasService(w, r) {
		return
	}
	res, err := s.deps.Service.AnswerHousehold(r.Context(), jobs.Answer{HouseholdID: id, Reply: thugom.ReplyPostpone, Via: "dispatcher"})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// carrierFailureOut is a message a carrier refused.
type carrierFailureOut struct {
	OrderID int64     `json:"order_id"`
	Carrier string    `json:"carrier"`
	Action  string    `json:"action"`
	Error   string    `json:"error"`
	At      time.Time `json:"at"`
}

// carrierFailures reads the carriers' latest refusals of a carrier's
// orders (none without carriers configured).
func (s *server) carrierFailures(ctx context.Context, carrierID int64) ([]carrierFailureOut, error) {
	out := []carrierFailureOut{}
	if s.deps.Service == nil {
		return out, nil
	}
	msgs, err := s.deps.Service.CarrierFailures(ctx, carrierID)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		out = append(out, carrierFailureOut{OrderID: m.OrderID, Carrier: m.Carrier, Action: m.Action, Error: m.Error, At: m.At})
	}
	return out, nil
}
