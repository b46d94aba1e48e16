package thugom

import (
	"fmt"
	"math"
	"strings"
)

// Capacity advice (issue 22): when a depot's fleet cannot keep what was
// promised for a day — orders the plan left out because every vehicle is
// busy or too small, orders planned back after their handover deadline —
// what would: vehicles to borrow from the neighbouring depots, best first,
// and how many more motorbikes for what borrowing leaves. A vehicle's day
// is counted in kilograms (its capacity times its trips) and in stops (as
// many as the day's plan gives a vehicle it uses).

// ShortOrder is an order of the day the fleet cannot keep.
type ShortOrder struct {
	OrderID     int64
	HouseholdID int64 // 0: an order of a drop-off point's stop
	WeightKg    float64
	Late        bool // planned late (else left out)
}

// CapacityVehicle is a vehicle's day as capacity counts it; for a vehicle
// to borrow, where it comes from.
type CapacityVehicle struct {
	VehicleID  int64   `json:"vehicle_id"`
	Code       string  `json:"vehicle_code"`
	Kind       string  `json:"kind"`
	CapacityKg float64 `json:"capacity_kg"`
	Trips      int     `json:"trips"`
	DepotID    int64   `json:"depot_id,omitempty"`
	DepotName  string  `json:"depot_name,omitempty"`
	EmptyRunKm float64 `json:"empty_run_km,omitempty"`
}

// dayKg is what the vehicle can collect in a day.
func (v CapacityVehicle) dayKg() float64 { return v.CapacityKg * float64(max(1, v.Trips)) }

// CapacityInput is what the advice is computed from.
type CapacityInput struct {
	Short []ShortOrder
	// StopsPerVehicle is how many stops the day's plan gives each vehicle
	// it uses (0: unknown, kilograms alone count).
	StopsPerVehicle float64
	// Motorbike is the depot's motorbike (the vehicle more of which is
	// advised).
	Motorbike CapacityVehicle
	// Borrowable are the vehicles the depot may borrow, best first.
	Borrowable []CapacityVehicle
}

// CapacityAdvice is what the depot's day lacks and what would cover it.
type CapacityAdvice struct {
	// Orders, Stops and Kg are the orders the fleet cannot keep (left out
	// or planned late), the stops (households) they make and their weight.
	Orders int     `json:"orders"`
	Late   int     `json:"late"`
	Stops  int     `json:"stops"`
	Kg     float64 `json:"kg"`
	// Borrow are the vehicles to borrow, best first, until their day covers
	// the shortfall; Motorbikes how many more motorbikes cover what
	// borrowing leaves.
	Borrow     []CapacityVehicle `json:"borrow"`
	Motorbikes int               `json:"motorbikes"`
	// Text says it in Vietnamese for the dispatcher ("" when nothing is
	// short).
	Text string `json:"text"`
}

// AdviseCapacity computes a day's capacity advice: nothing when no order
// is short; else the borrowable vehicles in their order until the
// shortfall's kilograms and stops are covered, then the motorbikes for the
// rest (at least one when borrowing covers nothing).
func AdviseCapacity(in CapacityInput) CapacityAdvice {
	out := CapacityAdvice{Borrow: []CapacityVehicle{}}
	stops := map[int64]bool{}
	for _, o := range in.Short {
		out.Orders++
		out.Kg += o.WeightKg
		if o.Late {
			out.Late++
		}
		if o.HouseholdID == 0 || !stops[o.HouseholdID] {
			out.Stops++
		}
		if o.HouseholdID != 0 {
			stops[o.HouseholdID] = true
		}
	}
	out.Kg = math.Round(out.Kg*10) / 10
	if out.Orders == 0 {
		return out
	}
	kg, st := out.Kg, float64(out.Stops)
	covered := func() bool { return kg <= 0 && (in.StopsPerVehicle <= 0 || st <= 0) }
	for _, v := range in.Borrowable {
		if covered() {
			break
		}
		out.Borrow = append(out.Borrow, v)
		kg -= v.dayKg()
		st -= in.StopsPerVehicle
	}
	if !covered() {
		n := 1
		if mk := in.Motorbike.dayKg(); mk > 0 && kg > 0 {
			n = max(n, int(math.Ceil(kg/mk)))
		}
		if in.StopsPerVehicle > 0 && st > 0 {
			n = max(n, int(math.Ceil(st/in.StopsPerVehicle)))
		}
		out.Motorbikes = n
	}
	out.Text = capacityText(out)
	return out
}

// capacityText says the advice in Vietnamese.
func capacityText(a CapacityAdvice) string {
	var what []string
	for _, v := range a.Borrow {
		what = append(what, fmt.Sprintf("mượn xe %s của %s (%.1f km)", v.Code, v.DepotName, v.EmptyRunKm))
	}
	if a.Motorbikes > 0 {
		what = append(what, fmt.Sprintf("thêm %d xe máy", a.Motorbikes))
	}
	return fmt.Sprintf("Đội xe không kịp %d đơn (%d điểm, %.0f kg; %d dự kiến trễ): %s.", a.Orders, a.Stops, a.Kg, a.Late, strings.Join(what, ", "))
}
