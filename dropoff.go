package thugom

import (
	"time"

	"github.com/paulmach/orb"
)

// DropOffPoint is a commune's post office (điểm bưu điện văn hóa xã) where a
// household far from every route may bring its produce; a van sweeps it on
// its round as one stop for every household that brings orders there.
//
// The data has no positions for these offices: each commune's point is
// made at the commune's label point and is Approximate until a dispatcher or
// an administrator corrects it.
type DropOffPoint struct {
	ID          int64     `json:"id"`
	CommuneCode string    `json:"commune_code"`
	Name        string    `json:"name"`  // "Điểm BĐVH xã Bình Gia"
	Point       orb.Point `json:"point"` // [lon, lat]
	H3          string    `json:"h3"`
	OpensAt     int       `json:"opens_at"`  // seconds since local midnight
	ClosesAt    int       `json:"closes_at"` // seconds since local midnight
	Approximate bool      `json:"approximate"`
}

// DropOffTravel is the time a household is given to bring its produce to
// the point once it is ready: a hub stop's window opens that long after the
// latest of its households' ready times.
const DropOffTravel = 30 * time.Minute

// DropOffAcceptable reports whether an order may still be brought to a
// drop-off point instead of being collected at home: while it waits for a
// plan or is planned, never once collected, cancelled or postponed.
func DropOffAcceptable(status string) bool { return OrderPlannable(status) }

// DropOffBy is the time a household agreeing now must have brought orders
// ready at readyFrom (zero: ready now) to a point open opensAt–closesAt
// (seconds of the day) on day: the travel allowance after the later of
// now, readiness and opening, on the quarter hour; ok is false when that is
// after closing.
func DropOffBy(day, now, readyFrom time.Time, opensAt, closesAt int) (time.Time, bool) {
	from := now
	if readyFrom.After(from) {
		from = readyFrom
	}
	if open := day.Add(time.Duration(opensAt) * time.Second); open.After(from) {
		from = open
	}
	by := from.Add(DropOffTravel)
	if t := by.Truncate(15 * time.Minute); t.Before(by) {
		by = t.Add(15 * time.Minute)
	}
	return by, !by.After(day.Add(time.Duration(closesAt) * time.Second))
}
