package thugom

import "time"

// Draft is a re-plan kept back by the publish policy: what it would change
// against the version it was built on, until a dispatcher publishes or
// discards it (its State, one of DraftStates).
type Draft struct {
	ID          int64        `json:"id"`
	DepotID     int64        `json:"depot_id"`
	Day         time.Time    `json:"-"`
	Cause       string       `json:"cause"`
	Subject     string       `json:"subject"`
	FromVersion int          `json:"from_version"`
	Revision    int64        `json:"revision"`
	Changes     []StopChange `json:"changes"`
	// Counted is how many of the changes the policy counts (a new, dropped
	// or moved stop, a new window, a time moved); SMS how many households
	// would be told.
	Counted   int        `json:"counted"`
	SMS       int        `json:"sms"`
	State     string     `json:"state"`
	CreatedAt time.Time  `json:"created_at"`
	DecidedAt *time.Time `json:"decided_at"`
	DecidedBy string     `json:"decided_by"`
}
