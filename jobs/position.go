package jobs

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
)

// A stop dropped at a place of a route (issue 15): the dispatcher drops a
// stop between two stops of a vehicle's row, and it stays right after the
// first of them (or first on the vehicle) in every re-plan, while the
// solver re-plans the rest around it. The place is kept on the stop
// (stops.locked_after_stop_id) next to its vehicle lock; the planner turns
// it into routing.Stop.After (or First), and a place the solver cannot
// serve leaves the stop unassigned with routing.ReasonPosition — the drag's
// verdict says so before the drop.

// Place is where a moved stop goes on its new vehicle: right after stop
// AfterStopID, or first (0).
type Place struct {
	AfterStopID int64 `json:"after_stop_id"`
}

// placeChanges returns the places to store when stop id moves to vehicle
// vid at place pl (nil: the planner chooses), given the day's stops: the
// stops that followed the moved stop close the gap (they take its old
// place), the stop that was at pl now follows the moved stop (it is
// dropped in between), and the moved stop takes pl. A place that is not a
// stop of the same vehicle and day, or is done already, is refused.
func placeChanges(stops []store.PlanStop, id, vid int64, pl *Place) (map[int64]*int64, error) {
	byID := map[int64]*store.PlanStop{}
	for i := range stops {
		byID[stops[i].ID] = &stops[i]
	}
	s := byID[id]
	if s == nil {
		return nil, thugom.Errorf(thugom.ENotFound, "stop_id", "stop %d is not in the day's current plan", id)
	}
	if pl != nil && pl.AfterStopID != 0 {
		x := byID[pl.AfterStopID]
		switch {
		case pl.AfterStopID < 0:
			return nil, thugom.Errorf(thugom.EInvalid, "after_stop_id", "after_stop_id must be a stop id, or 0 for first")
		case x == nil:
			return nil, thugom.Errorf(thugom.EInvalid, "after_stop_id", "stop %d is not a stop of the same day", pl.AfterStopID)
		case x.ID == id:
			return nil, thugom.Errorf(thugom.EInvalid, "after_stop_id", "a stop cannot follow itself")
		case x.Kind != thugom.StopPickup:
			return nil, thugom.Errorf(thugom.EInvalid, "after_stop_id", "stop %d is not a pickup", x.ID)
		case x.VehicleID != vid:
			return nil, thugom.Errorf(thugom.EInvalid, "after_stop_id", "stop %d is not on the vehicle the stop moves to", x.ID)
		case finishedStatus(x.Status):
			return nil, thugom.Errorf(thugom.EConflict, "after_stop_id", "stop %d is already %s", x.ID, x.Status)
		case x.LockedVehicleID != nil && *x.LockedVehicleID != vid:
			return nil, thugom.Errorf(thugom.EConflict, "after_stop_id", "stop %d is locked to another vehicle", x.ID)
		}
	}
	changes := map[int64]*int64{}
	cur := func(t *store.PlanStop) *int64 {
		if p, ok := changes[t.ID]; ok {
			return p
		}
		return t.LockedAfterStopID
	}
	old := s.LockedAfterStopID
	if s.LockedVehicleID == nil {
		old = nil
	}
	for i := range stops {
		if t := &stops[i]; t.ID != id {
			if p := cur(t); p != nil && *p == id {
				changes[t.ID] = old
			}
		}
	}
	if pl == nil {
		changes[id] = nil
		return changes, nil
	}
	after := pl.AfterStopID
	for i := range stops {
		t := &stops[i]
		if t.ID == id {
			continue
		}
		if p := cur(t); p != nil && *p == after && (after != 0 || (t.LockedVehicleID != nil && *t.LockedVehicleID == vid)) {
			changes[t.ID] = &id
		}
	}
	changes[id] = &after
	return changes, nil
}

// placeStop stores the places of a move (MoveStopAt) in tx, under the
// day's lock the caller holds.
func (s *Service) placeStop(ctx context.Context, tx pgx.Tx, planID, stopID, vehicleID int64, pl *Place) error {
	stops, err := store.PlanStops(ctx, tx, planID)
	if err != nil {
		return err
	}
	changes, err := placeChanges(stops, stopID, vehicleID, pl)
	if err != nil {
		return err
	}
	for id, after := range changes {
		if err := store.SetStopPosition(ctx, tx, id, after, s.now()); err != nil {
			return err
		}
	}
	return nil
}

// placePins sets routing.Stop.After and First on the built model from the
// places of the day's stops: only for a stop pinned to its vehicle, after a
// stop of the model that may go on that vehicle (a place whose stop is
// done, moved away or gone is dropped: the stop is planned freely on its
// vehicle), one stop per place, no cycle.
func placePins(in *routing.Instance, stopGroup map[string]*group) {
	keyOf := map[int64]string{} // stop id → model stop
	for k, g := range stopGroup {
		switch {
		case g.frozen != nil:
			keyOf[g.frozen.ID] = k
		case g.prev != nil:
			if old, ok := keyOf[g.prev.ID]; !ok || k < old {
				keyOf[g.prev.ID] = k
			}
		}
	}
	idx := map[string]int{}
	for i, st := range in.Stops {
		idx[st.ID] = i
	}
	taken := map[string]bool{} // "after:<key>" or "first:<vehicle>"
	for i := range in.Stops {
		st := &in.Stops[i]
		g := stopGroup[st.ID]
		if g == nil || g.frozen != nil || g.prev == nil || st.Vehicle == "" || keyOf[g.prev.ID] != st.ID {
			continue
		}
		pos := g.prev.LockedAfterStopID
		if pos == nil || g.prev.LockedVehicleID == nil || strconv.FormatInt(*g.prev.LockedVehicleID, 10) != st.Vehicle {
			continue
		}
		if *pos == 0 {
			if t := "first:" + st.Vehicle; !taken[t] {
				taken[t], st.First = true, true
			}
			continue
		}
		k, ok := keyOf[*pos]
		if !ok || k == st.ID {
			continue
		}
		if v := in.Stops[idx[k]].Vehicle; v != "" && v != st.Vehicle {
			continue
		}
		if t := "after:" + k; !taken[t] {
			taken[t], st.After = true, k
		}
	}
	// places pointing at each other in a cycle: the cycle is broken
	for i := range in.Stops {
		x, steps := in.Stops[i].After, 0
		for x != "" && steps <= len(in.Stops) {
			x, steps = in.Stops[idx[x]].After, steps+1
		}
		if x != "" {
			in.Stops[i].After = ""
		}
	}
}
