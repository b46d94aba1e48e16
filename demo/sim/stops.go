package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// dueStops are what the simulated drivers do with a depot's stops whose
// time has come, and what the day and the week count of it.
type dueStops struct {
	// known says whether the simulation drives the vehicle (others' stops
	// are left as they are).
	known func(vehicleID int64) bool
	// arrive moves the vehicle to the stop's place (a household or a
	// drop-off point) at its arrival; handOver is a depot stop done (the
	// load on board handed over at st.ArriveAt); picked a pickup done.
	arrive   func(st store.PlanStop, to orb.Point)
	handOver func(st store.PlanStop)
	picked   func(st store.PlanStop)
	// failed follows a failed pickup, after the core recorded it and
	// before its follow-up.
	failed func(st store.PlanStop) error
	// replan re-plans the depot's day after failures.
	replan func() error
}

// failReasons are the simulated drivers' reasons, drawn uniformly (not
// ready twice as often).
var failReasons = []string{jobs.FailNotReady, jobs.FailNobodyHome, jobs.FailNotReady, jobs.FailUnreachable}

// runDueStops does, through the core's calls, every planned stop of the
// depot's day due by now, in plan order: a depot stop is done, a pickup
// fails with failureRate (recorded, followed up) or is picked up. After
// failures the day is re-planned and read again, as stops of the new plan
// may be due already.
func runDueStops(ctx context.Context, db *store.DB, svc *jobs.Service, rng *rand.Rand, failureRate float64,
	depot int64, day, now time.Time, points map[int64]orb.Point, h dueStops) error {
	for {
		needReplan := false
		stops, err := currentStops(ctx, db, depot, day)
		if err != nil {
			return err
		}
		for _, st := range stops {
			if st.Status != thugom.StopPlanned || st.ArriveAt.After(now) || !h.known(st.VehicleID) {
				continue
			}
			if st.Kind == thugom.StopDepot {
				if _, err := svc.RecordPickup(ctx, jobs.PickupEvent{StopID: st.ID, Status: thugom.StopDone, At: st.ArriveAt, Actor: "simulation"}); err != nil {
					return fmt.Errorf("depot stop %d: %w", st.ID, err)
				}
				h.handOver(st)
				continue
			}
			if st.HouseholdID != nil {
				h.arrive(st, points[*st.HouseholdID])
			} else if st.DropOffPoint != nil {
				h.arrive(st, *st.DropOffPoint) // a hub stop: the drop-off point
			}
			if rng.Float64() < failureRate {
				reason := failReasons[rng.IntN(len(failReasons))]
				if _, err := svc.RecordPickup(ctx, jobs.PickupEvent{StopID: st.ID, Status: thugom.StopFailed, Reason: reason, At: st.ArriveAt, Actor: "simulation"}); err != nil {
					return fmt.Errorf("fail stop %d: %w", st.ID, err)
				}
				if err := h.failed(st); err != nil {
					return err
				}
				again, err := svc.FollowUpFailedPickup(ctx, st.ID, reason)
				if err != nil {
					return err
				}
				// The other drivers go on with the stops due; the re-plan
				// follows once they are done.
				needReplan = needReplan || again
				continue
			}
			if _, err := svc.RecordPickup(ctx, jobs.PickupEvent{StopID: st.ID, Status: thugom.StopPickedUp, Parcels: st.Parcels, WeightKg: st.LoadKg, At: st.ArriveAt, Actor: "simulation"}); err != nil {
				return fmt.Errorf("pick up stop %d: %w", st.ID, err)
			}
			h.picked(st)
		}
		if !needReplan {
			return nil
		}
		if err := h.replan(); err != nil {
			return err
		}
	}
}
