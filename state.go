package thugom

import (
	"slices"
	"sort"
	"time"
)

// The rules of the day's state, written once: which status may follow
// which, what a household or a dispatcher may still change, and what a
// re-plan may touch. Every entry point (HTTP, SMS, River workers, the
// simulation) asks these; none keeps its own copy.

// The statuses of each noun that has them, listed once, in the order of a
// life. The database's CHECK constraints are made from these lists
// (store.StatusColumns: thugom migrate remakes a column's CHECK when its
// list changed, so a new status needs no migration of its own); store's
// TestStatusChecks compares each list with the catalogue, and
// TestStatusLiterals every status literal of store/sql with the lists.
var (
	OrderStatuses = []string{OrderReceived, OrderPlanned, OrderPickedUp, OrderHandedOver, OrderFailed,
		OrderPostponed, OrderCancelled}
	StopStatuses = []string{StopPlanned, StopEnRoute, StopArrived, StopPickedUp, StopFailed, StopSkipped, StopDone}
	PlanStatuses = []string{PlanPending, PlanRunning, PlanDone, PlanFailed, PlanSuperseded}
	// DraftStates are a kept re-plan's: pending until a dispatcher
	// publishes or discards it, or a newer plan of its day supersedes it.
	DraftStates          = []string{DraftPending, DraftPublished, DraftDiscarded, DraftSuperseded}
	VehicleStatuses      = []string{VehicleActive, VehicleBroken, VehicleOff}
	NotificationStatuses = []string{NotificationQueued, NotificationSent, NotificationFailed,
		NotificationSuperseded, NotificationSuppressed}
	PackagingStatuses = []string{PackagingOpen, PackagingPacked, PackagingCancelled}
)

// Plan draft states.
const (
	DraftPending    = "pending"
	DraftPublished  = "published"
	DraftDiscarded  = "discarded"
	DraftSuperseded = "superseded"
)

// TaskStatuses are the statuses a task may have: a packaging task's own,
// a pickup task's its stop's.
func TaskStatuses() []string {
	var out []string
	for _, st := range append(append([]string{}, PackagingStatuses...), StopStatuses...) {
		if !slices.Contains(out, st) {
			out = append(out, st)
		}
	}
	return out
}

// stopNext is the pickup state machine: planned → en_route → arrived →
// picked_up | failed. A step may be skipped forward (a driver offline
// reports only "picked_up"); never backwards. A planned stop may also be
// skipped (the plan no longer visits it).
var stopNext = map[string][]string{
	StopPlanned: {StopEnRoute, StopArrived, StopPickedUp, StopFailed, StopSkipped},
	StopEnRoute: {StopArrived, StopPickedUp, StopFailed},
	StopArrived: {StopPickedUp, StopFailed},
}

// depotNext: a depot stop is arrived at, then done (unloaded).
var depotNext = map[string][]string{
	StopPlanned: {StopArrived, StopDone, StopSkipped},
	StopEnRoute: {StopArrived, StopDone},
	StopArrived: {StopDone},
}

// StopCanMove reports whether a stop of kind (pickup or depot) may go from
// status from to status to.
func StopCanMove(kind, from, to string) bool {
	next := stopNext
	if kind == StopDepot {
		next = depotNext
	}
	return slices.Contains(next[from], to)
}

// StopOpen reports whether a stop is still to be done: planned, or the
// vehicle is on its way or there.
func StopOpen(status string) bool {
	return status == StopPlanned || status == StopEnRoute || status == StopArrived
}

// StopUnderway reports whether a driver has moved on a stop without
// finishing it (en route, arrived): a re-plan keeps it on its vehicle, first.
func StopUnderway(status string) bool { return status == StopEnRoute || status == StopArrived }

// StopFinished reports whether a stop is over (picked up, failed, skipped,
// done): a re-plan keeps it exactly as it is.
func StopFinished(status string) bool {
	return status == StopPickedUp || status == StopFailed || status == StopSkipped || status == StopDone
}

// ReplanMayRewrite reports whether a re-plan may change a stop's vehicle,
// position and times: only while nobody has acted on it.
func ReplanMayRewrite(status string) bool { return status == StopPlanned }

// OrderOpen reports whether an order still waits for its pickup (it may be
// cancelled, postponed, planned).
func OrderOpen(status string) bool {
	return status == OrderReceived || status == OrderPlanned || status == OrderPostponed
}

// OrderCancellable reports whether an order may still be cancelled (by the
// household, by SMS or page, by a dispatcher, a marketplace or an import):
// not once collected. It is the order state machine's own rule, so the
// guarded update (OrderFrom(OrderCancelled)) and this check agree.
func OrderCancellable(status string) bool { return OrderCanMove(status, OrderCancelled) }

// UndoWindow is how long a household may take back its own cancel. The
// store's query gets the cutoff it implies as a parameter and the
// household's texts say UndoMinutes: neither keeps its own number.
const UndoWindow = 10 * time.Minute

// UndoMinutes is UndoWindow in whole minutes, as a household reads it.
func UndoMinutes() int { return int(UndoWindow / time.Minute) }

// OrderRestorable reports whether a cancelled order may come back (the
// household's undo): only within UndoWindow of the cancel.
func OrderRestorable(status string, cancelledAt, now time.Time) bool {
	return status == OrderCancelled && !now.Before(cancelledAt) && now.Sub(cancelledAt) <= UndoWindow
}

// OrderPostponable reports whether a household may postpone an order.
func OrderPostponable(status string) bool { return status == OrderReceived || status == OrderPlanned }

// OrderPlannable reports whether a plan may (re)assign an order.
func OrderPlannable(status string) bool { return status == OrderReceived || status == OrderPlanned }

// orderNext is the order state machine.
var orderNext = map[string][]string{
	OrderReceived:  {OrderPlanned, OrderPickedUp, OrderFailed, OrderPostponed, OrderCancelled},
	OrderPlanned:   {OrderReceived, OrderPickedUp, OrderFailed, OrderPostponed, OrderCancelled},
	OrderPostponed: {OrderReceived, OrderPlanned, OrderCancelled},
	OrderPickedUp:  {OrderHandedOver},
}

// OrderCanMove reports whether an order may go from one status to another.
func OrderCanMove(from, to string) bool {
	return slices.Contains(orderNext[from], to)
}

// DayRange bounds the days a plan, a manifest or a move may name, around
// today: a day outside it is a typo (0001-01-01, 9999-12-31), never work.
type DayRange struct {
	Before int // days back from today (≥ 0)
	After  int // days ahead of today (≥ 0)
}

// DefaultDayRange is −7 … +14 days around today.
var DefaultDayRange = DayRange{Before: 7, After: 14}

// Check returns an EInvalid error naming field when day (a local day) is
// outside the range around now's day.
func (r DayRange) Check(field string, day, now time.Time) error {
	today := Day(now)
	d := Day(day)
	if d.Before(today.AddDate(0, 0, -r.Before)) || d.After(today.AddDate(0, 0, r.After)) {
		return Errorf(EInvalid, field, "%s must be within %d days before and %d days after today (%s), not %s",
			field, r.Before, r.After, today.Format(time.DateOnly), d.Format(time.DateOnly))
	}
	return nil
}

// OrderFrom lists the statuses an order may move to status to from.
func OrderFrom(to string) []string {
	var out []string
	for _, from := range OrderStatuses {
		if OrderCanMove(from, to) {
			out = append(out, from)
		}
	}
	return out
}

// StopVersion is a stop as one plan version decided it (a plan's snapshot).
type StopVersion struct {
	StopID      int64     `json:"stop_id"`
	VehicleID   int64     `json:"vehicle_id"`
	Trip        int       `json:"trip"`
	Seq         int       `json:"seq"`
	Kind        string    `json:"kind"`
	Status      string    `json:"status"`
	ArriveAt    time.Time `json:"arrive_at"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	Orders      []int64   `json:"orders,omitempty"`
}

// Kinds of change of a stop between two plan versions, the most telling
// first: what a driver (vehicle, order of stops) or a household (window)
// must learn.
const (
	ChangeAdded    = "added"    // a new stop
	ChangeRemoved  = "removed"  // no longer visited
	ChangeVehicle  = "vehicle"  // moved to another vehicle
	ChangeWindow   = "window"   // the household's window changed
	ChangeStatus   = "status"   // reported meanwhile
	ChangeSequence = "sequence" // another place in the route or trip
	ChangeTime     = "time"     // the ETA moved by 5 minutes or more
)

// StopChange is how one stop changed between two versions.
type StopChange struct {
	StopID int64        `json:"stop_id"`
	Change string       `json:"change"`
	From   *StopVersion `json:"from,omitempty"`
	To     *StopVersion `json:"to,omitempty"`
}

// DiffVersions lists what changed from one version of a day's plan to
// another, one entry per changed stop (its most telling change), by stop id.
func DiffVersions(from, to []StopVersion) []StopChange {
	old := map[int64]*StopVersion{}
	for i := range from {
		old[from[i].StopID] = &from[i]
	}
	seen := map[int64]bool{}
	var out []StopChange
	for i := range to {
		b := &to[i]
		seen[b.StopID] = true
		a, ok := old[b.StopID]
		var change string
		switch {
		case !ok && b.Status == StopSkipped:
			continue
		case !ok:
			change = ChangeAdded
		case b.Status == StopSkipped && a.Status != StopSkipped:
			change = ChangeRemoved
		case a.VehicleID != b.VehicleID:
			change = ChangeVehicle
		case !a.WindowStart.Equal(b.WindowStart) || !a.WindowEnd.Equal(b.WindowEnd):
			change = ChangeWindow
		case a.Status != b.Status:
			change = ChangeStatus
		case a.Seq != b.Seq || a.Trip != b.Trip:
			change = ChangeSequence
		case b.ArriveAt.Sub(a.ArriveAt).Abs() >= 5*time.Minute:
			change = ChangeTime
		default:
			continue
		}
		c := StopChange{StopID: b.StopID, Change: change, To: b}
		if ok {
			c.From = a
		}
		out = append(out, c)
	}
	for i := range from {
		if a := &from[i]; !seen[a.StopID] && a.Status != StopSkipped {
			out = append(out, StopChange{StopID: a.StopID, Change: ChangeRemoved, From: a})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StopID < out[j].StopID })
	return out
}
