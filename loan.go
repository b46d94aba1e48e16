package thugom

import "time"

// Loan is a vehicle lent for one day by its home depot (From) to another
// depot of the same carrier (To): To plans it that day, starting from its
// home depot, and From does not. EmptyRunM and EmptyRunS are the empty run
// from the home depot to the borrowing depot, one way.
type Loan struct {
	ID          int64      `json:"id"`
	VehicleID   int64      `json:"vehicle_id"`
	Day         time.Time  `json:"-"`
	FromDepotID int64      `json:"from_depot_id"`
	ToDepotID   int64      `json:"to_depot_id"`
	EmptyRunM   int        `json:"empty_run_m"`
	EmptyRunS   int        `json:"empty_run_s"`
	Actor       string     `json:"actor"`
	CreatedAt   time.Time  `json:"created_at"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
}
