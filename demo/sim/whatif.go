package sim

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo"
)

// addVehicles adds motorbikes to depots for a what-if run: like the
// depot's own first motorbike, each with a driver. It says what it added.
func addVehicles(sc *demo.Scenario, extra map[string]int) (string, error) {
	codes := make([]string, 0, len(extra))
	for c := range extra {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var said []string
	for _, code := range codes {
		n := extra[code]
		i := slices.IndexFunc(sc.Depots, func(d demo.DepotSpec) bool { return d.Depot.Code == code })
		if i < 0 {
			return "", fmt.Errorf("what-if: no depot %q", code)
		}
		if n <= 0 || n > 20 {
			return "", fmt.Errorf("what-if: %d vehicles for %s, want 1 to 20", n, code)
		}
		ds := &sc.Depots[i]
		k := slices.IndexFunc(ds.Vehicles, func(v demo.VehicleSpec) bool { return v.Vehicle.Kind == thugom.VehicleMotorbike })
		if k < 0 {
			return "", fmt.Errorf("what-if: %s has no motorbike to copy", code)
		}
		for j := 0; j < n; j++ {
			v := ds.Vehicles[k]
			v.Vehicle.Code = fmt.Sprintf("%s-XT%02d", strings.TrimPrefix(strings.TrimPrefix(code, "VNP-"), "VTP-"), j+1)
			v.Driver.Name = fmt.Sprintf("Lái xe tăng cường %d", j+1)
			v.Driver.Phone = fmt.Sprintf("+84999%04d%02d", i, j)
			ds.Vehicles = append(ds.Vehicles, v)
		}
		said = append(said, fmt.Sprintf("+%d motorbike(s) at %s (%s)", n, ds.Depot.Name, code))
	}
	return strings.Join(said, ", "), nil
}
