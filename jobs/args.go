package jobs

import (
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/thugom/thugom"
)

// Queues. Planning is CPU-bound and slow, so it has its own queue with few
// workers; SMS and the small jobs share the default queue so a long solve
// never delays a message. The carriers' messages have theirs: a carrier
// slow to answer (up to the connectors' 20 s timeout each call) holds its
// own workers, not the SMS's.
const (
	QueueDefault  = river.QueueDefault
	QueuePlanning = "planning"
	QueueCarrier  = "carrier"
)

// Job kinds. They are stored in river_job.kind: never rename one.
const (
	KindGeocodeHousehold  = "geocode_household"
	KindPlanDepotDay      = "plan_depot_day"
	KindReplan            = "replan"
	KindPackagingReminder = "packaging_reminder"
	KindPickupFollowUp    = "pickup_follow_up"
	KindSendSMS           = "send_sms"
	KindSLAWatch          = "sla_watch"
	KindMorningPlanning   = "morning_planning"
)

// uniqueActive is the set of states a unique job is deduplicated against
// when a finished job must not block a new one (a plan asked for again after
// the first one ran).
var uniqueActive = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}

// GeocodeHouseholdArgs geocodes one household's address to a point and an H3
// cell. At most one is pending per household.
type GeocodeHouseholdArgs struct {
	HouseholdID int64 `json:"household_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (GeocodeHouseholdArgs) Kind() string { return KindGeocodeHousehold }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (GeocodeHouseholdArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueActive}}
}

// PlanDepotDayArgs plans one depot's day from scratch (keeping dispatcher
// locks). Unique per depot and day while one is queued or running.
type PlanDepotDayArgs struct {
	DepotID int64 `json:"depot_id" river:"unique"`
	// Day is the local calendar day, "2006-01-02".
	Day string `json:"day" river:"unique"`
	// Reason says who asked: "morning", "api", "demo", ...
	Reason string `json:"reason,omitempty"`
	// Solver is how to solve it, set where it was asked for.
	Solver *Solver `json:"solver,omitempty"`
}

// Kind implements river.JobArgs.
func (PlanDepotDayArgs) Kind() string { return KindPlanDepotDay }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (PlanDepotDayArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueuePlanning, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueActive}}
}

// Replan causes.
const (
	CauseUrgentOrder    = "urgent_order"
	CausePickupFailed   = "pickup_failed"
	CauseVehicleBroken  = "vehicle_broken"
	CausePostponed      = "postponed"
	CauseCancelled      = "cancelled"
	CauseAtRisk         = "at_risk"
	CauseDispatcher     = "dispatcher"
	CauseOrdersImported = "orders_imported"
	CausePinned         = "household_pinned"
)

// ReplanArgs re-plans the rest of a depot's day after a change: stops done or
// en route stay frozen, dispatcher locks stay. Several changes in a burst
// coalesce: a replan whose change is already covered by a newer plan does
// nothing.
type ReplanArgs struct {
	DepotID int64  `json:"depot_id"`
	Day     string `json:"day"`
	Cause   string `json:"cause"`
	// Subject is what changed, e.g. "stop:12", "vehicle:3", "order:99".
	Subject string `json:"subject,omitempty"`
	// RequestedAt is when the change happened (the service clock).
	RequestedAt time.Time `json:"requested_at"`
	// Requested: a person asked for this re-plan (a dispatcher's
	// breakdown), so the publish policy does not keep it as a draft.
	Requested bool `json:"requested,omitempty"`
	// Solver is how to solve it, set where it was asked for.
	Solver *Solver `json:"solver,omitempty"`
}

// Solver is how a plan is solved: the time budget or a number of
// iterations (deterministic plans). A planning job carries the settings of
// the process that asked for it (its Deps.PlanBudget and PlanIterations,
// stamped at insert by the client's middleware, plan.go), so every worker
// solves the same request the same way. A job without them (enqueued
// before they travelled) is solved with the worker's own.
type Solver struct {
	BudgetMS   int64 `json:"budget_ms,omitempty"`
	Iterations int   `json:"iterations,omitempty"`
}

// Kind implements river.JobArgs.
func (ReplanArgs) Kind() string { return KindReplan }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (ReplanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueuePlanning, MaxAttempts: 5}
}

// Hooks implements river.JobArgsWithHooks: a re-plan superseded by a newer
// one of its depot-day is cancelled, one whose day is being re-planned by
// a live process waits (replan_unique.go).
func (ReplanArgs) Hooks() []rivertype.Hook { return []rivertype.Hook{&replanStart{}} }

// PackagingReminderArgs reminds a household to pack before the pickup. It
// is scheduled for some time before the window; when it runs it checks that
// the task is still open and the window unchanged.
type PackagingReminderArgs struct {
	TaskID int64 `json:"task_id" river:"unique"`
	// WindowStart is the window the reminder was scheduled for; a re-plan
	// that moves the window schedules a new reminder.
	WindowStart time.Time `json:"window_start" river:"unique"`
}

// Kind implements river.JobArgs.
func (PackagingReminderArgs) Kind() string { return KindPackagingReminder }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (PackagingReminderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// PickupFollowUpArgs handles a failed pickup: back to planning while the
// handover deadline allows, escalation otherwise.
type PickupFollowUpArgs struct {
	StopID int64  `json:"stop_id" river:"unique"`
	Reason string `json:"reason"`
}

// Kind implements river.JobArgs.
func (PickupFollowUpArgs) Kind() string { return KindPickupFollowUp }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (PickupFollowUpArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SendSMSArgs sends one notification (a row of notifications with a unique
// idempotency key). At most one job exists per notification, and the worker
// sends only a queued notification, marking it sent in the same transaction.
type SendSMSArgs struct {
	NotificationID int64 `json:"notification_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (SendSMSArgs) Kind() string { return KindSendSMS }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (SendSMSArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SLAWatchArgs scans the orders at risk of missing their handover deadline.
type SLAWatchArgs struct{}

// Kind implements river.JobArgs.
func (SLAWatchArgs) Kind() string { return KindSLAWatch }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (SLAWatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// MorningPlanningArgs enqueues plan_depot_day for every depot with orders
// for the day; periodic, early in the morning.
type MorningPlanningArgs struct {
	Day string `json:"day,omitempty" river:"unique"` // empty: today
}

// Kind implements river.JobArgs.
func (MorningPlanningArgs) Kind() string { return KindMorningPlanning }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (MorningPlanningArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Hour}}
}

// DayString formats a local day as job args carry it.
func DayString(t time.Time) string { return t.In(thugom.Local).Format(time.DateOnly) }

// ParseDay reads a day of job args ("2006-01-02") as local midnight.
func ParseDay(s string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, thugom.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("day %q: want YYYY-MM-DD", s)
	}
	return d, nil
}
