package jobs

import (
	"testing"

	"github.com/thugom/thugom/routing"
)

func TestFixTextInServiceUnits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		r    *routing.Relaxation
		want string
	}{
		{nil, ""},
		{&routing.Relaxation{Kind: routing.RelaxWindowEarlier, Amount: 1115, Vehicle: "64"}, "fits if its window opens 19 min earlier (on vehicle 64)"},
		{&routing.Relaxation{Kind: routing.RelaxDeadline, Amount: 4417}, "fits if its handover deadline is 74 min later"},
		{&routing.Relaxation{Kind: routing.RelaxCapacity, Amount: 12.2}, "fits a vehicle with 13 kg more capacity"},
		{&routing.Relaxation{Kind: routing.RelaxExtraVehicle, Text: "fits with one more vehicle of profile van at depot 3"}, "fits with one more vehicle of profile van at depot 3"},
	}
	for _, c := range cases {
		if got := fixText(c.r); got != c.want {
			t.Errorf("fixText(%+v) = %q, want %q", c.r, got, c.want)
		}
	}
}
