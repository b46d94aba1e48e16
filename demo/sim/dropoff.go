package sim

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// DropOffAgreeShare is how many households in ten agree, when the
// simulated dispatcher calls, to bring their produce to their commune's
// drop-off point (decided by a hash of the order id: deterministic).
const DropOffAgreeShare = 7

// agreesToDropOff is the household's answer to the dispatcher's call.
func agreesToDropOff(orderID int64) bool {
	h := fnv.New32a()
	fmt.Fprintf(h, "drop-off:%d", orderID)
	return h.Sum32()%10 < DropOffAgreeShare
}

// acceptDropOffs is the simulated dispatcher after a depot's plans of day:
// for each household with orders still unassigned or late and far from
// every route, the best drop-off the console offers (its commune's point,
// DropOffCandidates' first for the household) is proposed by phone; the
// households that agree are recorded through the core's AcceptDropOff, and
// each depot that changed is re-planned (replan) so its hub stops are on
// the routes. The count goes to acc.DropOffs.
func acceptDropOffs(ctx context.Context, svc *jobs.Service, depots []int64, day time.Time, acc *Account, replan func(depot int64) error) error {
	for _, d := range depots {
		cands, err := svc.DropOffCandidates(ctx, d, day)
		if err != nil {
			return fmt.Errorf("drop-off candidates of depot %d: %w", d, err)
		}
		asked := map[int64]bool{}
		changed := false
		for _, c := range cands {
			if asked[c.HouseholdID] {
				continue
			}
			asked[c.HouseholdID] = true
			if !agreesToDropOff(c.OrderID) {
				continue
			}
			_, err := svc.AcceptDropOff(ctx, jobs.DropOff{OrderID: c.OrderID, PointID: c.Point.ID, Day: day}, jobs.System("simulation:dispatcher"))
			if thugom.ErrorCode(err) == thugom.EConflict {
				continue // the point closes first, or a vehicle is already on its way
			}
			if err != nil {
				return fmt.Errorf("drop-off of order %d: %w", c.OrderID, err)
			}
			acc.DropOffs++
			changed = true
		}
		if changed {
			if err := replan(d); err != nil {
				return err
			}
		}
	}
	return nil
}
