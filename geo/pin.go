package geo

import "fmt"

// Vietnam's bounding box, for telling a swapped pin from a foreign one.
const (
	vnMinLat, vnMaxLat = 8.1, 23.5
	vnMinLon, vnMaxLon = 102.1, 117.9 // includes the Paracels and Spratlys
)

func inVietnam(p Point) bool {
	return p.Lat >= vnMinLat && p.Lat <= vnMaxLat && p.Lon >= vnMinLon && p.Lon <= vnMaxLon
}

// pinMatchKm: a pin this close to the named commune's polygon agrees with it
// (phone fixes are off by tens of metres; borders are generalised).
const pinMatchKm = 0.5

// applyPin checks the household's GPS pin against the province and the
// commune the address named, and flags a mismatch instead of trusting either
// side silently.
func (g *Geocoder) applyPin(r *Result, pin Point) {
	note := func(s string) {
		if r.Reason == "" {
			r.Reason = s
		} else {
			r.Reason += "; " + s
		}
	}
	swapped := Point{Lat: pin.Lon, Lon: pin.Lat}
	if !validPoint(pin) && validPoint(swapped) && inVietnam(swapped) {
		note(fmt.Sprintf("pin ignored: latitude and longitude look swapped (%.5f, %.5f)", pin.Lat, pin.Lon))
		return
	}
	if !validPoint(pin) || pin.Lat == 0 && pin.Lon == 0 {
		note("pin ignored: not a valid coordinate")
		return
	}
	if !inVietnam(pin) {
		if inVietnam(swapped) {
			note(fmt.Sprintf("pin ignored: latitude and longitude look swapped (%.5f, %.5f)", pin.Lat, pin.Lon))
		} else {
			note("pin ignored: outside Vietnam")
		}
		if r.Precision == PrecisionNone {
			r.Status = StatusOutsideArea
		}
		return
	}
	rv := g.gaz.Reverse(pin)
	if !rv.InProvince {
		note("pin ignored: outside Lạng Sơn")
		if r.Precision == PrecisionNone {
			r.Status = StatusOutsideArea
		}
		return
	}
	usePin := func(conf float64) {
		c, _ := g.gaz.Commune(rv.CommuneCode)
		r.CommuneCode, r.CommuneName = c.Code, c.Name
		r.Lat, r.Lon = pin.Lat, pin.Lon
		r.Precision = PrecisionGPSPin
		r.OldDistrictCode = rv.OldDistrictCode
		r.Confidence = round3(conf)
		r.Status = StatusOK
	}
	switch {
	case r.Precision == PrecisionNone:
		if r.Status == StatusOutsideArea {
			note("the pin is in Lạng Sơn but the address names another province")
			r.Status = StatusPinMismatch
			usePin(0.5)
			r.Status = StatusPinMismatch
			r.Candidates = []string{rv.CommuneCode}
			return
		}
		usePin(0.7)
		r.Candidates = []string{rv.CommuneCode}
		note("commune from the pin only: the address was not recognised")
	case rv.CommuneCode == r.CommuneCode || g.gaz.nearCommune(r.CommuneCode, pin, pinMatchKm):
		code := r.CommuneCode
		usePin(0.99)
		// Near a border the named commune wins over the polygon lookup.
		if code != rv.CommuneCode {
			c, _ := g.gaz.Commune(code)
			r.CommuneCode, r.CommuneName = c.Code, c.Name
		}
		if r.Reason != "" && r.Status == StatusOK {
			r.Reason = ""
		}
	default:
		// Is the pin's commune one of the candidates? Then it decides.
		for _, c := range r.Candidates {
			if c == rv.CommuneCode {
				old := r.OldCommuneCode
				usePin(0.95)
				r.Reason = "the pin picked one of the candidate communes"
				if old != "" {
					if o, ok := g.gaz.OldCommune(old); !ok || !contains(o.NewCodes, rv.CommuneCode) {
						r.OldCommuneCode = ""
					}
				}
				return
			}
		}
		r.Status = StatusPinMismatch
		r.Confidence = round3(r.Confidence * 0.5)
		r.Candidates = append(r.Candidates, rv.CommuneCode)
		note(fmt.Sprintf("pin mismatch: the pin lies in %s (%s), not in the commune the address names; kept the address",
			rv.CommuneName, rv.CommuneCode))
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
