package sim_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/thugom/thugom/demo/sim"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store/pgtest"
)

// The week's dispatcher accepts drop-offs for far households left out (7
// in 10 agree), and the vans collect the hub stops like any stop: the
// orders brought to points reach the line-haul, and the account still adds
// up. A low DropOffMinKm makes drop-offs happen on a small week.
func TestRunWeekDropOffs(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	rep, err := sim.RunWeek(ctx, db, jobs.Deps{Logger: slog.New(slog.DiscardHandler), DropOffMinKm: 1},
		sim.WeekOptions{Seed: 11, Households: 300, Days: 2, Iterations: func(int) int { return 300 }})
	if err != nil {
		t.Fatal(err)
	}
	tot := rep.Total
	if tot.DropOffs == 0 || tot.DropOffs != rep.Days[0].DropOffs+rep.Days[1].DropOffs {
		t.Fatalf("drop-offs: days %d + %d, total %d", rep.Days[0].DropOffs, rep.Days[1].DropOffs, tot.DropOffs)
	}
	if tot.Placed != tot.WithinPromise+tot.Late+tot.NeverCollected+tot.Cancelled {
		t.Errorf("the week does not add up: %+v", tot)
	}
	var brought, collected, hubs int
	if err := db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status IN ('picked_up', 'handed_over')) FROM orders WHERE dropoff_point_id IS NOT NULL`).Scan(&brought, &collected); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT count(*) FROM stops WHERE dropoff_point_id IS NOT NULL AND household_id IS NULL AND status = 'picked_up'`).Scan(&hubs); err != nil {
		t.Fatal(err)
	}
	t.Logf("drop-offs %d (days %d, %d): %d orders brought to points, %d collected, on %d hub stops; within promise %.3f",
		tot.DropOffs, rep.Days[0].DropOffs, rep.Days[1].DropOffs, brought, collected, hubs, tot.WithinPromiseRate)
	if brought == 0 || collected == 0 || hubs == 0 {
		t.Errorf("hub stops were not collected: %d orders brought, %d collected, %d hub stops picked up", brought, collected, hubs)
	}
}
