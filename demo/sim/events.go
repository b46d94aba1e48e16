package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// repairAll puts every depot's broken vehicles back in service (overnight
// repair) through the core's vehicle status action.
func repairAll(ctx context.Context, db *store.DB, svc *jobs.Service, depots []int64) error {
	for _, d := range depots {
		vs, err := store.VehiclesOfDepot(ctx, db, d)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if v.Status != thugom.VehicleActive {
				if _, err := svc.SetVehicleStatus(ctx, v.ID, thugom.VehicleActive, jobs.System("simulation:repaired")); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// simReply has n households with a pickup later today answer text by SMS.
func simReply(ctx context.Context, svc *jobs.Service, db *store.DB, day time.Time, n int, text, want string, rng *rand.Rand,
	replan func(int64, string) error) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	cands, err := laterHouseholds(ctx, db, day.Add(10*time.Hour))
	if err != nil {
		return 0, err
	}
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	depots := map[int64]bool{}
	done := 0
	for i := 0; i < len(cands) && done < n; i++ {
		c := cands[i]
		r, err := svc.HandleInboundSMS(ctx, jobs.InboundSMS{ProviderMessageID: fmt.Sprintf("sim-%s-%s-%d", text, jobs.DayString(day), c.household), From: c.phone, Text: text})
		if err != nil {
			return done, err
		}
		if r.Outcome == want {
			done++
			depots[c.depot] = true
		}
	}
	ids := make([]int64, 0, len(depots))
	for d := range depots {
		ids = append(ids, d)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	cause := jobs.CausePostponed
	if want == jobs.InboundCancelled {
		cause = "cancelled"
	}
	for _, d := range ids {
		if err := replan(d, cause); err != nil {
			return done, err
		}
	}
	return done, nil
}

// simBusiestVehicle is the vehicle with the most pickups left on the
// depots' current plans (the lowest id of equals), and its depot.
func simBusiestVehicle(ctx context.Context, db *store.DB, depots []int64, day time.Time) (vehicle, depot int64, err error) {
	best := 0
	for _, d := range depots {
		stops, err := currentStops(ctx, db, d, day)
		if err != nil {
			return 0, 0, err
		}
		left := map[int64]int{}
		for _, st := range stops {
			if st.Status == thugom.StopPlanned && st.Kind == thugom.StopPickup {
				left[st.VehicleID]++
			}
		}
		for v, n := range left {
			if n > best || (n == best && v < vehicle) {
				best, vehicle, depot = n, v, d
			}
		}
	}
	return vehicle, depot, nil
}
