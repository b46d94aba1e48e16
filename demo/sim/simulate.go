package sim

import (
	"context"
	"sort"
	"time"

	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// simClock is the simulation's business clock.
type simClock struct{ t time.Time }

func (c *simClock) now() time.Time { return c.t }

// currentStops returns the stops of a depot's current plan in route order.
func currentStops(ctx context.Context, db *store.DB, depot int64, day time.Time) ([]store.PlanStop, error) {
	head, err := store.CurrentPlan(ctx, db, depot, day)
	if err != nil || head == nil {
		return nil, err
	}
	stops, err := store.PlanStops(ctx, db, head.ID)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(stops, func(i, j int) bool {
		if !stops[i].ArriveAt.Equal(stops[j].ArriveAt) {
			return stops[i].ArriveAt.Before(stops[j].ArriveAt)
		}
		return stops[i].Seq < stops[j].Seq
	})
	return stops, nil
}

func gazetteer(deps jobs.Deps) *geo.Gazetteer {
	if deps.Geocoder != nil {
		return deps.Geocoder.Gazetteer()
	}
	return geo.Default().Gazetteer()
}
