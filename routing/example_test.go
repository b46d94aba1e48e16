package routing_test

import (
	"context"
	"fmt"

	"github.com/thugom/thugom/routing"
)

// A post office (location 0) with one motorbike doing up to two trips, and
// three households. Times are minutes since midnight.
func Example() {
	// travel times in minutes between the 4 locations, row-major
	minutes := []float64{
		0, 10, 15, 20,
		10, 0, 8, 25,
		15, 8, 0, 12,
		20, 25, 12, 0,
	}
	in := &routing.Instance{
		NumLocations: 4,
		Profiles:     map[string]routing.Profile{"motorbike": {Duration: minutes}},
		Depots:       []routing.Depot{{ID: "BC-ChiLang", Location: 0}},
		Vehicles: []routing.Vehicle{{
			ID: "mb1", Profile: "motorbike", Depot: "BC-ChiLang", Start: 0, End: 0,
			Shift:    routing.Window{Open: 7 * 60, Close: 17 * 60},
			Capacity: []float64{60, 10}, // kg, parcels
			MaxTrips: 2, Reload: 15,
		}},
		Stops: []routing.Stop{
			{ID: "na-1", Location: 1, Demand: []float64{30, 4}, Service: 5,
				Windows: []routing.Window{{Open: 8 * 60, Close: 10 * 60}}, Deadline: 11 * 60},
			{ID: "na-2", Location: 2, Demand: []float64{25, 3}, Service: 5, MaxAge: 120},
			{ID: "hong-3", Location: 3, Demand: []float64{20, 2}, Service: 5,
				Windows: []routing.Window{{Open: 13 * 60, Close: 15 * 60}}},
		},
	}
	sol, err := routing.Solve(context.Background(), in, routing.Options{Iterations: 200, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := routing.Check(in, sol); err != nil {
		fmt.Println("infeasible:", err)
	}
	for _, r := range sol.Routes {
		for i, t := range r.Trips {
			fmt.Printf("%s trip %d leaves %v:", r.Vehicle, i+1, t.Depart)
			for _, v := range t.Visits {
				fmt.Printf(" %s@%v", v.Stop, v.Start)
			}
			fmt.Printf(" back %v, load %v\n", t.Return, t.Load)
		}
	}
	fmt.Println("unassigned:", len(sol.Unassigned))
	// Output:
	// mb1 trip 1 leaves 590: na-1@600 back 615, load [30 4]
	// mb1 trip 2 leaves 760: hong-3@780 na-2@797 back 817, load [45 5]
	// unassigned: 0
}
