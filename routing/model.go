package routing

import (
	"time"
)

// Window is a closed interval of time [Open, Close] in the instance's time
// unit. For a stop it bounds the start of service; for a vehicle it is the
// shift (leave the start no earlier than Open, reach the end no later than
// Close).
type Window struct {
	Open  float64 `json:"open"`
	Close float64 `json:"close"`
}

// Profile is the travel model of one kind of vehicle (e.g. "motorbike",
// "van"): square matrices over the instance's locations, row-major, so the
// travel from location i to j is Duration[i*n+j] where n is
// Instance.NumLocations. Distance may be nil, in which case the distance
// equals the duration (Solomon convention). Several profiles may share the
// same slices.
type Profile struct {
	Duration []float64 `json:"-"`
	Distance []float64 `json:"-"`
}

// Depot is a place vehicles start from, return to and unload at.
type Depot struct {
	ID       string `json:"id"`
	Location int    `json:"location"`
}

// Resume describes where a vehicle is during the day when re-planning: the
// vehicle is at Location from Time on, carries Load (picked up earlier on the
// current trip, counted against the capacity of its first trip) and must first
// visit the Frozen stops in that order (stops already committed: en route,
// announced to households). Stops already done are simply left out of the
// instance. The windows, deadlines and ages of frozen stops are not enforced:
// they are commitments already made; lateness shows in the visit times. So is
// their load: up to its last frozen stop the first trip carries whatever was
// committed; from there on no more than the capacity, or than Load plus the
// frozen pickups where that alone exceeds it (the driver took more than
// planned, or Load is clamped to a full vehicle with a stop en route), so
// that the plan then adds nothing with a load to the first trip.
type Resume struct {
	Location int       `json:"location"`
	Time     float64   `json:"time"`
	Load     []float64 `json:"load,omitempty"`
	// LoadDeadline is the handover deadline of the load already on board
	// (0: none). It applies to the return of the first trip.
	LoadDeadline float64  `json:"load_deadline,omitempty"`
	Frozen       []string `json:"frozen,omitempty"`
}

// Vehicle is one vehicle and its driver's shift.
type Vehicle struct {
	ID      string `json:"id"`
	Profile string `json:"profile"`
	// Depot is the ID of the vehicle's home depot, used in explanations
	// ("one more van at depot X"); optional.
	Depot string `json:"depot,omitempty"`
	// Start and End are location indexes. The vehicle unloads at End between
	// trips.
	Start int    `json:"start"`
	End   int    `json:"end"`
	Shift Window `json:"shift"`
	// Capacity per dimension (e.g. kg, parcels); every entry must be > 0.
	Capacity  []float64 `json:"capacity"`
	FixedCost float64   `json:"fixed_cost,omitempty"`
	// MaxDuration bounds the time from leaving the start to reaching the end
	// (0: only the shift bounds it).
	MaxDuration float64  `json:"max_duration,omitempty"`
	Skills      []string `json:"skills,omitempty"`
	// MaxTrips is the number of trips allowed (0 or 1: a single trip).
	MaxTrips int `json:"max_trips,omitempty"`
	// Reload is the time spent at End to unload between two trips.
	Reload float64 `json:"reload,omitempty"`
	// Resume, when set, re-plans the vehicle from a position during the day.
	Resume *Resume `json:"resume,omitempty"`
}

// Stop is a place to visit once, collecting Demand (a pickup: the load stays
// on board until the vehicle returns to its End) or, with Delivery set,
// dropping it (the load leaves the depot on board at the start of the trip).
type Stop struct {
	ID       string    `json:"id"`
	Location int       `json:"location"`
	Demand   []float64 `json:"demand,omitempty"`
	Service  float64   `json:"service,omitempty"`
	// Windows bound the start of service; empty means any time. Several
	// windows must be sorted and disjoint.
	Windows []Window `json:"windows,omitempty"`
	Skills  []string `json:"skills,omitempty"`
	// Penalty is the cost of leaving the stop unassigned, the first level of
	// the objective (0 means 1). Higher-penalty stops are served first.
	Penalty float64 `json:"penalty,omitempty"`
	// Vehicle pins the stop to the vehicle with this ID (empty: any).
	Vehicle string `json:"vehicle,omitempty"`
	// Deadline is the handover deadline: the vehicle must be back at its End
	// with this stop's load by then (0: none).
	Deadline float64 `json:"deadline,omitempty"`
	// MaxAge bounds the time from leaving this stop to arriving at the End
	// with its load (0: none).
	MaxAge float64 `json:"max_age,omitempty"`
	// Delivery makes the stop a delivery: Demand is loaded at the depot
	// when the trip leaves and dropped here. Pickups and deliveries mix on
	// one trip; the load at every point of the trip must fit the capacity.
	Delivery bool `json:"delivery,omitempty"`
	// Release is the time the stop's goods are available at the depot
	// (inbound parcels arrive on the morning truck): the trip that serves
	// the stop leaves the depot no earlier (0: none). For a vehicle resumed
	// away from its depot, a delivery cannot go on the first trip.
	Release float64 `json:"release,omitempty"`
	// DeadlineLateCost > 0 makes Deadline soft: the trip may come back
	// after it, at this cost per time unit late (the produce still reaches
	// the depot and goes on the next departure). 0: the deadline is hard.
	DeadlineLateCost float64 `json:"deadline_late_cost,omitempty"`
	// WindowLateCost > 0 makes the close of the last window soft: service
	// may start after it, at this cost per time unit late. 0: hard.
	WindowLateCost float64 `json:"window_late_cost,omitempty"`
	// Target is a return to the End earlier than Deadline that the plan
	// should aim at (0: none), as a soft cost: each time unit the stop's
	// trip comes back after it costs TargetLateCost, ranked with the cost of
	// lateness but reported apart (Visit.TargetLateBy,
	// Solution.TargetLateness): the stop is not late, and its Deadline stays
	// hard. It lets a caller ask for the stops with the least slack early
	// in their routes (a failed visit can then be tried again before the
	// deadline). Not with DeadlineLateCost: a stop has one soft return.
	Target         float64 `json:"target,omitempty"`
	TargetLateCost float64 `json:"target_late_cost,omitempty"`
	// After is the ID of the stop this stop must directly follow, on the
	// same vehicle and trip with no stop between (a dispatcher dropped it
	// there); First asks for the first place of the vehicle instead (right
	// after its frozen stops). Either needs Vehicle; the stop it follows is
	// kept on that vehicle too. When the place cannot be served the stop
	// is left unassigned with ReasonPosition. Ignored on a frozen stop.
	After string `json:"after,omitempty"`
	First bool   `json:"first,omitempty"`
}

// Objective selects the last level of the lexicographic objective.
type Objective int

const (
	// MinimizeDuration minimises the total travel time (default).
	MinimizeDuration Objective = iota
	// MinimizeDistance minimises the total travel distance.
	MinimizeDistance
)

// Instance is one routing problem. Times are float64 in one unit the caller
// chooses (seconds since the start of the day, or Solomon's raw units).
type Instance struct {
	Name         string             `json:"name"`
	NumLocations int                `json:"num_locations"`
	Profiles     map[string]Profile `json:"-"`
	Depots       []Depot            `json:"depots,omitempty"`
	Vehicles     []Vehicle          `json:"vehicles"`
	Stops        []Stop             `json:"stops"`
	Objective    Objective          `json:"objective"`
	// Stability, when set, keeps a re-plan close to a reference plan.
	Stability *Stability `json:"stability,omitempty"`
}

// Placement is where a stop was in a reference plan.
type Placement struct {
	Vehicle  string `json:"vehicle"`
	Trip     int    `json:"trip"`
	Position int    `json:"position"` // index of the stop in its trip
}

// Stability asks a re-plan to change as little as it must: each stop of
// Reference that ends up on another vehicle (or unassigned is not counted:
// penalties rank first) costs VehicleChange, and each one on its vehicle
// whose predecessor in its trip changed (another stop, or first of a trip
// against not) costs OrderChange. Costs are in the unit of the last level
// of the objective (travel duration or distance), so they trade against
// travel; set OrderChange smaller than VehicleChange. Stops of Reference
// that are not in the instance (done, failed) are skipped when finding
// predecessors, so a failed pickup does not change its neighbours' order.
type Stability struct {
	Reference     map[string]Placement `json:"reference"`
	VehicleChange float64              `json:"vehicle_change"`
	OrderChange   float64              `json:"order_change"`
}

// ReferenceOf returns the placements of sol's stops, for
// Stability.Reference in the next re-plan.
func ReferenceOf(sol *Solution) map[string]Placement {
	ref := map[string]Placement{}
	for _, r := range sol.Routes {
		for t, tr := range r.Trips {
			for p, v := range tr.Visits {
				ref[v.Stop] = Placement{Vehicle: r.Vehicle, Trip: t, Position: p}
			}
		}
	}
	return ref
}

// Options tune Solve.
type Options struct {
	// TimeLimit stops the search after this long (0: no time limit).
	TimeLimit time.Duration
	// Iterations stops the search after this many ruin-and-recreate
	// iterations in all (0: no iteration limit). When both are zero a default
	// of 1000 iterations per stop, at most 200000, is used. With an iteration
	// limit and no time limit the result depends only on the instance, Seed
	// and Workers.
	Iterations int
	// Seed of the random generators.
	Seed int64
	// Workers is the number of parallel searches (0: 1).
	Workers int
	// Progress, if set, is called (from the search goroutines, one call at
	// a time) each time the best plan improves.
	Progress func(Progress)
	// NoExplain skips the search for reasons and relaxations of unassigned
	// stops (they still get a reason code).
	NoExplain bool
	// Balance (off at 0) adds Balance times the longest route's duration to
	// the last level of the objective, so a plan trades travel for a
	// shorter longest route (1: one unit of the longest duration is worth
	// one unit of travel).
	Balance float64
	// Compactness (off at 0) adds Compactness for each pair (stop, one of
	// its 5 nearest stops) on different vehicles to the last level of the
	// objective (see Solution.Overlap), steering the acceptance of plans
	// towards routes that keep to their own area.
	Compactness float64
}

// Progress reports an improvement of the best plan during the search.
type Progress struct {
	Elapsed    time.Duration
	Iterations int // of the worker that improved
	Unassigned int
	Vehicles   int
	Cost       float64 // travel cost (duration or distance, by objective)
}

// Visit is one stop of a trip with its planned times.
type Visit struct {
	Stop      string  `json:"stop"`
	StopIndex int     `json:"stop_index"`
	Arrival   float64 `json:"arrival"`
	Start     float64 `json:"start"`
	Departure float64 `json:"departure"`
	// LateBy is the time past the stop's soft window close plus the time its
	// trip returns past its soft handover deadline (0: on time).
	LateBy float64 `json:"late_by,omitempty"`
	// TargetLateBy is the time its trip returns past the stop's Target.
	TargetLateBy float64 `json:"target_late_by,omitempty"`
}

// Trip is one round from the depot (or the vehicle's start) back to the
// vehicle's End.
type Trip struct {
	Depart float64   `json:"depart"`
	Visits []Visit   `json:"visits"`
	Return float64   `json:"return"`
	Load   []float64 `json:"load"`
}

// Route is the plan of one vehicle. Unused vehicles have no trips.
type Route struct {
	Vehicle      string  `json:"vehicle"`
	VehicleIndex int     `json:"vehicle_index"`
	Trips        []Trip  `json:"trips"`
	Start        float64 `json:"start"`
	End          float64 `json:"end"`
	Distance     float64 `json:"distance"`
	TravelTime   float64 `json:"travel_time"`
}

// Used reports whether the route has any visit.
func (r *Route) Used() bool { return len(r.Trips) > 0 }

// ReasonCode says why a stop was left unassigned.
type ReasonCode string

// Reason codes of unassigned stops.
const (
	ReasonCapacity   ReasonCode = "capacity"          // demand exceeds what a vehicle can carry
	ReasonSkill      ReasonCode = "skill"             // no vehicle has the required skills
	ReasonTimeWindow ReasonCode = "time_window"       // window unreachable
	ReasonDeadline   ReasonCode = "handover_deadline" // cannot be back at the depot by the deadline
	ReasonMaxAge     ReasonCode = "max_age"           // load would wait too long on board
	ReasonShift      ReasonCode = "shift_length"      // shift end or maximum duration
	ReasonPinnedFull ReasonCode = "pinned_vehicle_full"
	ReasonFleetFull  ReasonCode = "fleet_full"      // fits an empty vehicle, but every vehicle is busy
	ReasonFrozen     ReasonCode = "frozen_conflict" // conflicts with frozen stops
	ReasonRelease    ReasonCode = "release_time"    // goods reach the depot too late
	ReasonTimeBudget ReasonCode = "time_budget"     // the search ran out of time before placing it

	// ReasonPosition: the stop cannot be served at its place (Stop.After,
	// Stop.First).
	ReasonPosition ReasonCode = "position_infeasible"
)

// Reason is one reason a stop is unassigned.
type Reason struct {
	Code ReasonCode `json:"code"`
	// Vehicle names the vehicle the reason is about, if one.
	Vehicle string `json:"vehicle,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// RelaxationKind says what to relax to let an unassigned stop in.
type RelaxationKind string

// Relaxation kinds.
const (
	RelaxWindowEarlier RelaxationKind = "window_opens_earlier"
	RelaxWindowLater   RelaxationKind = "window_closes_later"
	RelaxDeadline      RelaxationKind = "deadline_later"
	RelaxMaxAge        RelaxationKind = "max_age_longer"
	RelaxExtraVehicle  RelaxationKind = "extra_vehicle"
	RelaxCapacity      RelaxationKind = "capacity_larger"
)

// Relaxation is the smallest change found that lets an unassigned stop in.
type Relaxation struct {
	Kind RelaxationKind `json:"kind"`
	// Amount is the time (or capacity in the first overloaded dimension) to
	// add; zero for an extra vehicle.
	Amount float64 `json:"amount,omitempty"`
	// Profile and Depot describe the extra vehicle (RelaxExtraVehicle), or
	// the vehicle that would take the stop.
	Vehicle string `json:"vehicle,omitempty"`
	Profile string `json:"profile,omitempty"`
	Depot   string `json:"depot,omitempty"`
	Text    string `json:"text"`
}

// Unassigned is a stop left out of the plan with its reasons.
type Unassigned struct {
	Stop       string      `json:"stop"`
	StopIndex  int         `json:"stop_index"`
	Reasons    []Reason    `json:"reasons"`
	Relaxation *Relaxation `json:"relaxation,omitempty"`
}

// Late is a stop served late (soft window or soft deadline) with the
// cause, found the way reasons of unassigned stops are.
type Late struct {
	Stop      string  `json:"stop"`
	StopIndex int     `json:"stop_index"`
	Vehicle   string  `json:"vehicle"`
	LateBy    float64 `json:"late_by"`
	// WindowLateBy and DeadlineLateBy split LateBy.
	WindowLateBy   float64     `json:"window_late_by,omitempty"`
	DeadlineLateBy float64     `json:"deadline_late_by,omitempty"`
	Reasons        []Reason    `json:"reasons"`
	Relaxation     *Relaxation `json:"relaxation,omitempty"`
}

// Solution is the result of Solve.
type Solution struct {
	Routes     []Route      `json:"routes"`
	Unassigned []Unassigned `json:"unassigned"`
	// Totals over all routes.
	Distance     float64 `json:"distance"`
	TravelTime   float64 `json:"travel_time"`
	Duration     float64 `json:"duration"` // sum of End-Start of used routes
	VehiclesUsed int     `json:"vehicles_used"`
	FixedCost    float64 `json:"fixed_cost"`
	Penalty      float64 `json:"penalty"` // sum of penalties of unassigned stops
	// Late lists the stops served late; Lateness is the sum of their
	// LateBy and LatenessCost the sum of LateBy times their cost per unit.
	Late         []Late  `json:"late,omitempty"`
	Lateness     float64 `json:"lateness"`
	LatenessCost float64 `json:"lateness_cost"`
	// TargetLateness is the sum of the visits' TargetLateBy.
	TargetLateness float64 `json:"target_lateness,omitempty"`
	// With Instance.Stability: the stops of the reference planned on
	// another vehicle, those on their vehicle whose predecessor changed,
	// and the stability cost of both.
	VehicleChanges int     `json:"vehicle_changes,omitempty"`
	OrderChanges   int     `json:"order_changes,omitempty"`
	StabilityCost  float64 `json:"stability_cost,omitempty"`
	// Overlap measures how routes interleave: the share of pairs (stop,
	// one of its 5 nearest stops by travel) served by different vehicles,
	// 0 for routes that keep to their own area. LongestRoute is the
	// largest End-Start of a route.
	Overlap      float64 `json:"overlap"`
	LongestRoute float64 `json:"longest_route"`
	// Search statistics.
	Iterations int           `json:"iterations"`
	Elapsed    time.Duration `json:"elapsed"`
}
