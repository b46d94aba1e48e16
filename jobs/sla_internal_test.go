package jobs

import (
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/geo"
)

// The earliest produce can be at its depot: a vehicle waits at the household
// for it (only the drive back counts after it is ready), unless its shift
// starts too late to be there; the fastest vehicle counts, inactive ones do
// not. An order whose cutoff needs the wait is not at risk at placement.
func TestEarliestAtDepot(t *testing.T) {
	t.Parallel()
	s := &Service{}
	depot, household := orb.Point{106.61, 21.90}, orb.Point{106.50, 21.95}
	bike, err := geo.ProfileByName(thugom.VehicleMotorbike)
	if err != nil {
		t.Fatal(err)
	}
	_, there := bike.Leg(geo.Point{Lat: depot[1], Lon: depot[0]}, geo.Point{Lat: household[1], Lon: household[0]})
	_, back := bike.Leg(geo.Point{Lat: household[1], Lon: household[0]}, geo.Point{Lat: depot[1], Lon: depot[0]})
	if there < 600 || back < 600 {
		t.Fatalf("legs too short to tell waiting from a round trip: %v, %v s", there, back)
	}
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	day := time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	ready := day.Add(10 * time.Hour)
	fleet := []thugom.Vehicle{
		{Kind: thugom.VehicleMotorbike, ShiftStart: 6*3600 + 1800, ShiftEnd: 18 * 3600, Status: thugom.VehicleActive},
		{Kind: thugom.VehicleMotorbike, ShiftStart: 6*3600 + 1800, ShiftEnd: 18 * 3600, Status: thugom.VehicleBroken},
	}
	deps := []thugom.Departure{{ID: 1, CutoffAt: 17 * 3600, DepartsAt: 17*3600 + 1800, TransitHours: 5}}
	placed := day.Add(5 * time.Hour)
	earliest := func(fleet []thugom.Vehicle, ready time.Time) time.Time {
		return s.earliestAtDepot(fleet, deps, depot, household, ready, placed, "01")
	}
	want := ready.Add(sec(serviceBaseS + back))
	if got := earliest(fleet, ready); !got.Equal(want) {
		t.Fatalf("ready at 10:00: at the depot %v, want %v (waiting, then back)", got, want)
	}
	// Ready at 06:00, before the shift: there from 06:30.
	early := day.Add(6 * time.Hour)
	want = day.Add(6*time.Hour + 30*time.Minute + sec(there+serviceBaseS+back))
	if got := earliest(fleet, early); !got.Equal(want) {
		t.Fatalf("ready before the shift: %v, want %v", got, want)
	}
	if got := earliest(fleet[1:], ready); !got.IsZero() {
		t.Fatalf("only a broken vehicle: %v, want zero (unknown)", got)
	}
	// A cutoff the wait makes and a round trip from readiness would not.
	cutoff := ready.Add(sec(serviceBaseS + back + 60))
	if !ready.Add(sec(there + back + serviceBaseS)).After(cutoff) {
		t.Fatal("the case does not tell the two apart")
	}
	sla := thugom.SLA{Deadline: cutoff}.WithReadiness(&ready, earliest(fleet, ready))
	if sla.AtRisk {
		t.Fatalf("flagged at placement though a waiting vehicle is back in time: %s", sla.Reason)
	}
	sla = thugom.SLA{Deadline: cutoff.Add(-2 * time.Minute)}.WithReadiness(&ready, earliest(fleet, ready))
	if !sla.AtRisk || !thugom.BrokenAtPlacement(sla.AtRisk, sla.Reason) {
		t.Fatalf("two minutes short is not flagged: %+v", sla)
	}
}
