package thugom

import "time"

// The dispatcher console's issues: which orders of a depot's day need a
// dispatcher, and what may be done about each. The rules are here; the
// console (api) words them in Vietnamese and adds what it reads elsewhere
// (vehicles to borrow, drop-off points).

// Kinds of issue.
const (
	IssueUnassigned = "unassigned" // the plan left the order out
	IssueLate       = "late"       // planned on a trip back after its handover deadline
)

// IssueDay is what a day's issues are computed from.
type IssueDay struct {
	// Unassigned are the orders the plan left out, each with its reason
	// code.
	Unassigned []IssueOrder
	// Routes are the day's routes, their stops by sequence.
	Routes []IssueRoute
	// Active are the vehicles in service, in the order fixes offer them.
	Active []int64
}

// IssueRoute is a vehicle's route as the issue rules read it.
type IssueRoute struct {
	VehicleID int64
	Stops     []IssueStop
}

// IssueStop is a stop of a route: a pickup with the orders it collects,
// or the depot stop ending a trip (its ETA is when the trip is back).
type IssueStop struct {
	ID     int64
	Kind   string
	Status string
	Trip   int
	ETA    time.Time
	Orders []IssueOrder
}

// IssueOrder is an order as the issue rules read it.
type IssueOrder struct {
	OrderID int64
	// HouseholdID is 0 for an order of a hub stop (several households,
	// none to postpone from here).
	HouseholdID int64
	Code        string // an unassigned order's reason code
	Located     bool   // a vehicle can be sent: its place is known
	Phone       string // the household's, "" when unknown
	// HandoverDeadline is when its produce must be back at the depot.
	HandoverDeadline *time.Time
	// LostAtPlacement: the promise function said at intake that its
	// promise could not be kept (issue 22); missing it is not the plan's
	// doing.
	LostAtPlacement bool
}

// PlanningMiss reports whether the issue is the plan's to fix: every issue
// but those of orders whose promise was lost at placement, which the
// console lists apart.
func (is Issue) PlanningMiss() bool { return !is.Order.LostAtPlacement }

// Issue is an order that needs the dispatcher, and the fixes that apply.
type Issue struct {
	Kind  string
	Order IssueOrder
	// Late issues: the stop and vehicle it is planned on, when the trip is
	// back at the depot and by how many minutes (rounded) that misses the
	// handover deadline.
	StopID    int64
	VehicleID int64
	BackAt    time.Time
	LateMin   int
	// AssignTo are the vehicles it may be given to (the console previews
	// each before applying): every vehicle in service but its own, when
	// its place is known.
	AssignTo []int64
	// WidenWindow: the household may be called to widen its window (a
	// phone is known, and the order is not waiting for its place or depot).
	WidenWindow bool
}

// DayIssues lists a day's issues: first every order the plan left out, in
// its order; then, route by route, every order of a pickup still planned
// whose trip is back at the depot after the order's handover deadline.
func DayIssues(d IssueDay) []Issue {
	var out []Issue
	for _, o := range d.Unassigned {
		out = append(out, withFixes(Issue{Kind: IssueUnassigned, Order: o}, d.Active))
	}
	for _, rt := range d.Routes {
		back := map[int]time.Time{}
		for _, st := range rt.Stops {
			if st.Kind == StopDepot {
				back[st.Trip] = st.ETA
			}
		}
		for _, st := range rt.Stops {
			if st.Kind != StopPickup || st.Status != StopPlanned {
				continue
			}
			ret, ok := back[st.Trip]
			for _, o := range st.Orders {
				if !ok || o.HandoverDeadline == nil || !ret.After(*o.HandoverDeadline) {
					continue
				}
				o.Code = IssueLate
				is := Issue{Kind: IssueLate, Order: o, StopID: st.ID, VehicleID: rt.VehicleID, BackAt: ret,
					LateMin: int(ret.Sub(*o.HandoverDeadline).Minutes() + 0.5)}
				out = append(out, withFixes(is, d.Active))
			}
		}
	}
	return out
}

// withFixes sets the fixes of an issue: the vehicles in service it may be
// given to (not its own), and whether its household may be called.
func withFixes(is Issue, active []int64) Issue {
	if is.Order.Located {
		for _, v := range active {
			if v != is.VehicleID {
				is.AssignTo = append(is.AssignTo, v)
			}
		}
	}
	is.WidenWindow = is.Order.Phone != "" && is.Order.Code != "not_geocoded" && is.Order.Code != "no_depot"
	return is
}

// TomorrowKeepsPromise reports whether an order of day may be postponed
// to tomorrow with its buyer's promise kept: only on the day that is today
// (a postponement moves a household's orders to the day after today), only
// for a household's order, and when some truck whose cutoff is tomorrow
// (the timetable as Trucks expands it) arrives by promised.
func TomorrowKeepsPromise(is Issue, deps []Departure, day, now time.Time, promised time.Time) bool {
	if !Day(now).Equal(day) || is.Order.HouseholdID == 0 {
		return false
	}
	tomorrow := day.AddDate(0, 0, 1)
	for _, t := range expandTrucks(deps, tomorrow, 0, 1) {
		if Day(t.Cutoff).Equal(tomorrow) && !t.Arrive.After(promised) {
			return true
		}
	}
	return false
}
