package thugom

import "time"

// Position is where a driver's phone was at a time (its GPS fix), as the
// driver app sends it through the day.
type Position struct {
	At        time.Time `json:"at"`
	Lon       float64   `json:"lon"`
	Lat       float64   `json:"lat"`
	AccuracyM *float64  `json:"accuracy_m,omitempty"` // nil: the phone did not say
}
