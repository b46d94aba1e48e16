package thugom

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// The SLA model: when must an order be handed over at its depot so that the
// line-haul truck still delivers it within the promise, and how long may its
// produce ride in a collecting vehicle.
//
// An order placed at placed_at is promised to the buyer by placed_at + 24 h
// when the buyer is within the region and + 48 h beyond (configurable per
// destination province). Each depot has line-haul departures: a time of day,
// a handover cutoff before it, the provinces it serves and the hours in
// transit to the buyer. The handover deadline is the cutoff of the latest
// departure whose arrival still meets the promise. When none does, the order
// is at risk from the start: it gets the earliest usable cutoff (so it is
// as little late as possible) and is flagged.

// Serves reports whether the departure carries orders to the province
// (a province code such as "01" or a name; see ProvinceKey): no
// destinations or "*" is every province.
func (d Departure) Serves(province string) bool { return serves(d, province) }

func serves(d Departure, province string) bool {
	if len(d.Destinations) == 0 {
		return true
	}
	k := ProvinceKey(province)
	for _, p := range d.Destinations {
		if p == "*" || ProvinceKey(p) == k {
			return true
		}
	}
	return false
}

// validDeparture checks the departure's times of day.
func validDeparture(d Departure) error {
	if d.CutoffAt < 0 || d.CutoffAt >= 86400 {
		return Errorf(EInvalid, "cutoff_at", "departure %d: cutoff must be a time of day (0-86399 s), got %d", d.ID, d.CutoffAt)
	}
	if d.DepartsAt < 0 || d.DepartsAt >= 86400 {
		return Errorf(EInvalid, "departs_at", "departure %d: departure must be a time of day (0-86399 s), got %d", d.ID, d.DepartsAt)
	}
	if d.TransitHours < 0 || d.TransitHours > 7*24 {
		return Errorf(EInvalid, "transit_hours", "departure %d: transit must be between 0 and 168 hours, got %g", d.ID, d.TransitHours)
	}
	return nil
}

// PromisePolicy gives the promised delivery time per destination province.
type PromisePolicy struct {
	// Region lists the provinces within the region (RegionPromise applies).
	Region []string
	// RegionPromise is the promise within the region (24 h by default).
	RegionPromise time.Duration
	// OtherPromise is the promise beyond the region (48 h by default).
	OtherPromise time.Duration
	// Provinces overrides the promise for single provinces (keys as
	// ProvinceKey returns; names are normalised on lookup).
	Provinces map[string]time.Duration
}

// DefaultPromisePolicy is 24 h within the north-east and the Red River delta
// (the provinces after the 2025 merger that line-haul from Lạng Sơn reaches
// overnight) and 48 h elsewhere.
func DefaultPromisePolicy() PromisePolicy {
	return PromisePolicy{
		Region: []string{
			"lang-son", "cao-bang", "thai-nguyen", "bac-ninh", "quang-ninh",
			"ha-noi", "hai-phong", "hung-yen", "ninh-binh", "phu-tho",
			"tuyen-quang", "lao-cai",
		},
		RegionPromise: 24 * time.Hour,
		OtherPromise:  48 * time.Hour,
	}
}

// Promise returns the promised time from placement to delivery for an order
// bound to the province.
func (p PromisePolicy) Promise(province string) time.Duration {
	k := ProvinceKey(province)
	for name, d := range p.Provinces {
		if ProvinceKey(name) == k {
			return d
		}
	}
	for _, r := range p.Region {
		if ProvinceKey(r) == k {
			return nonZero(p.RegionPromise, 24*time.Hour)
		}
	}
	return nonZero(p.OtherPromise, 48*time.Hour)
}

func nonZero(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// provinceCodes maps the 2025 province codes (those kept by the merged
// provinces) to their keys, so departures and orders may name a destination
// by code ("01") or by name ("Hà Nội").
var provinceCodes = map[string]string{
	"01": "ha-noi", "04": "cao-bang", "08": "tuyen-quang", "11": "dien-bien", "12": "lai-chau",
	"14": "son-la", "15": "lao-cai", "19": "thai-nguyen", "20": "lang-son", "22": "quang-ninh",
	"24": "bac-ninh", "25": "phu-tho", "31": "hai-phong", "33": "hung-yen", "37": "ninh-binh",
	"38": "thanh-hoa", "40": "nghe-an", "42": "ha-tinh", "44": "quang-tri", "46": "hue",
	"48": "da-nang", "51": "quang-ngai", "52": "gia-lai", "56": "khanh-hoa", "66": "dak-lak",
	"68": "lam-dong", "75": "dong-nai", "79": "ho-chi-minh", "80": "tay-ninh", "82": "dong-thap",
	"86": "vinh-long", "91": "an-giang", "92": "can-tho", "96": "ca-mau",
}

// ProvinceKey normalises a province name or code to a key: lower case,
// without diacritics, words joined by '-', and prefixes such as "tỉnh",
// "thành phố", "TP." dropped; known codes become their name's key. "Thành
// phố Hà Nội", "ha noi", "Ha-Noi" and "01" all give "ha-noi".
func ProvinceKey(name string) string {
	s := strings.ToLower(StripDiacritics(strings.TrimSpace(name)))
	s = strings.NewReplacer(".", " ", "_", " ", "-", " ", ",", " ").Replace(s)
	words := strings.Fields(s)
	for len(words) > 1 {
		switch {
		case words[0] == "tinh" || words[0] == "tp":
			words = words[1:]
			continue
		case len(words) > 2 && words[0] == "thanh" && words[1] == "pho":
			words = words[2:]
			continue
		}
		break
	}
	k := strings.Join(words, "-")
	if len(k) == 1 && k[0] >= '0' && k[0] <= '9' {
		k = "0" + k
	}
	if named, ok := provinceCodes[k]; ok {
		return named
	}
	return k
}

// StripDiacritics removes Vietnamese (and other Latin) diacritics: "Lạng
// Sơn" → "Lang Son", "đ" → "d".
func StripDiacritics(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case r == 'đ':
			b.WriteRune('d')
		case r == 'Đ':
			b.WriteRune('D')
		case r >= 0x0300 && r <= 0x036f: // combining marks
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// SLA is the outcome of the model for one order.
type SLA struct {
	// PromisedBy is placed_at + promise: when the buyer must have it.
	PromisedBy time.Time
	// Deadline is the handover deadline at the depot (the chosen
	// departure's cutoff).
	Deadline time.Time
	// DepartureID is the chosen departure (0 when none serves the
	// destination).
	DepartureID int64
	// DepartsAt and ArrivesAt are the chosen truck's departure and its
	// delivery at the buyer.
	DepartsAt time.Time
	ArrivesAt time.Time
	// AtRisk is set when no departure can meet the promise (or none serves
	// the destination): the order is late from the start.
	AtRisk bool
	// Reason says why the order is at risk, in English for dispatchers.
	Reason string
}

// The beginnings of the reasons an SLA is at risk from placement
// (BrokenAtPlacement reads them back).
const (
	reasonNoDeparture = "no line-haul departure"
	reasonReadyAt     = "ready at"
)

// slaSearchDays bounds how many days after placement the model looks for a
// departure; a promise longer than this is clamped.
const slaSearchDays = 15

// HandoverDeadline computes the SLA of an order placed at placedAt, promised
// within promise, bound to province, at a depot with the given departures.
// Departures with invalid times are an error, as is a non-positive promise.
func HandoverDeadline(placedAt time.Time, promise time.Duration, province string, deps []Departure) (SLA, error) {
	if placedAt.IsZero() {
		return SLA{}, Errorf(EInvalid, "placed_at", "placed_at is required")
	}
	if promise <= 0 || promise > slaSearchDays*24*time.Hour {
		return SLA{}, Errorf(EInvalid, "promise", "promise must be between 0 and %d days, got %s", slaSearchDays, promise)
	}
	for _, d := range deps {
		if err := validDeparture(d); err != nil {
			return SLA{}, err
		}
	}
	out := SLA{PromisedBy: placedAt.Add(promise)}
	// The trucks whose cutoff is still ahead (the one expansion of the
	// timetable, as the promise reads it).
	all := Trucks(deps, province, Day(placedAt), -1, slaSearchDays)
	cands := all[sort.Search(len(all), func(i int) bool { return all[i].Cutoff.After(placedAt) }):]
	if len(cands) == 0 {
		out.AtRisk = true
		out.Reason = fmt.Sprintf(reasonNoDeparture+" serves %s", nonEmpty(province, "the destination"))
		out.Deadline = out.PromisedBy
		return out, nil
	}
	best := -1
	for i, c := range cands {
		if !c.Arrive.After(out.PromisedBy) {
			best = i // sorted by cutoff: the last fitting one is the latest
		}
	}
	if best < 0 {
		// Nothing meets the promise: the earliest arrival is the least late.
		best = 0
		for i, c := range cands {
			if c.Arrive.Before(cands[best].Arrive) {
				best = i
			}
		}
		out.AtRisk = true
		out.Reason = fmt.Sprintf(reasonNoDeparture+" delivers to %s within %s of placement", nonEmpty(province, "the destination"), fmtHours(promise))
	}
	c := cands[best]
	out.Deadline, out.DepartureID, out.DepartsAt, out.ArrivesAt = c.Cutoff, c.DepartureID, c.Departs, c.Arrive
	return out, nil
}

// WithReadiness puts an SLA at risk from the start when its produce cannot
// reach the depot by the deadline even fetched the moment it is ready:
// ready is when the household says it is (nil: unknown, no check) and
// atDepot the earliest the produce could be at the depot — a vehicle waiting
// at the household when it is ready (or there as soon as its shift allows)
// and driving straight back (zero: unknown, no check). The deadline stays:
// the planner makes an impossible one soft and collects the order as early
// as it can.
func (s SLA) WithReadiness(ready *time.Time, atDepot time.Time) SLA {
	if s.AtRisk || ready == nil || atDepot.IsZero() || s.Deadline.IsZero() {
		return s
	}
	if atDepot.After(s.Deadline) {
		s.AtRisk = true
		s.Reason = fmt.Sprintf(reasonReadyAt+" %s, too late for the %s cutoff its promise needs (at the depot %s at the earliest)",
			ready.In(Local).Format("15:04 02/01"), s.Deadline.In(Local).Format("15:04"), atDepot.In(Local).Format("15:04"))
	}
	return s
}

// BrokenAtPlacement reports whether an order's risk is the one its SLA
// gave it when it was placed — no departure keeps the promise, or the
// produce is ready too late for the truck it needs — rather than one a plan
// gave it later (planned late, a failed pickup): its promise was lost
// before any plan.
func BrokenAtPlacement(atRisk bool, reason string) bool {
	return atRisk && (strings.HasPrefix(reason, reasonNoDeparture) || strings.HasPrefix(reason, reasonReadyAt))
}

// MaxAge is how long an order's produce may ride in a collecting vehicle
// (from pickup to unloading at the depot) given the product's freshness
// limit (pickup to buyer): the freshness limit less the rest of the journey
// from the handover deadline to the buyer. ok is false when the rest of the
// journey alone exceeds the limit (the order is at risk); zero freshness
// means no limit and gives (0, true).
func MaxAge(freshness time.Duration, s SLA) (age time.Duration, ok bool) {
	if freshness <= 0 {
		return 0, true
	}
	rest := s.ArrivesAt.Sub(s.Deadline)
	if s.ArrivesAt.IsZero() || rest < 0 {
		rest = 0
	}
	age = freshness - rest
	if age <= 0 {
		return 0, false
	}
	return age, true
}

// SecondsSince returns t as seconds since day (a local midnight), the time
// axis of a plan's routing model. Times before day are negative.
func SecondsSince(day, t time.Time) int {
	return int(t.Sub(day) / time.Second)
}

// TripDeparture returns the departure (the line-haul truck) whose cutoff a
// trip back at the depot at ret (seconds after the day's midnight) makes
// first; nil when it is back after the last cutoff. The planner and the
// console's trips ask it.
func TripDeparture(deps []Departure, ret float64) *Departure {
	var best *Departure
	for i := range deps {
		d := &deps[i]
		if float64(d.CutoffAt) >= ret && (best == nil || d.CutoffAt < best.CutoffAt) {
			best = d
		}
	}
	return best
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func fmtHours(d time.Duration) string {
	return fmt.Sprintf("%g h", d.Hours())
}
