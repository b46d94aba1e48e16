package store

import (
	"context"
	"fmt"
	"time"

	"github.com/thugom/thugom"
)

// StopReport is what a driver reports at a pickup stop.
type StopReport struct {
	StopID     int64
	DriverID   *int64
	Outcome    string // thugom.StopPickedUp or thugom.StopFailed
	Parcels    *int
	WeightKg   *float64
	Reason     string
	Note       string
	HappenedAt time.Time // on the phone
	RecordedAt time.Time // on the server
}

// SaveStopReport keeps what a driver reported at a stop (the phone's
// time, counts, reason) for the day report. A report older than the one
// kept (by the phone's clock) is ignored.
func SaveStopReport(ctx context.Context, q DBTX, rep StopReport) error {
	if _, err := q.Exec(ctx, Query("UpsertStopReport"), rep.StopID, rep.DriverID, rep.Outcome, rep.Parcels, rep.WeightKg,
		rep.Reason, rep.Note, rep.HappenedAt, rep.RecordedAt); err != nil {
		if pgCode(err) == codeCheckViolation {
			return thugom.Errorf(thugom.EInvalid, "", "report out of range (%s)", pgConstraint(err))
		}
		return fmt.Errorf("stop %d report: %w", rep.StopID, err)
	}
	return nil
}

// Position is a driver's position at a time.
type Position struct {
	At        time.Time
	Lon, Lat  float64
	AccuracyM *float64
}

// InsertPositions stores a batch of a driver's positions.
func InsertPositions(ctx context.Context, q DBTX, driverID int64, ps []Position, recordedAt time.Time) error {
	at, lon, lat, acc := make([]time.Time, len(ps)), make([]float64, len(ps)), make([]float64, len(ps)), make([]*float64, len(ps))
	for i, p := range ps {
		at[i], lon[i], lat[i], acc[i] = p.At, p.Lon, p.Lat, p.AccuracyM
	}
	if _, err := q.Exec(ctx, Query("InsertPositions"), driverID, at, lon, lat, acc, recordedAt); err != nil {
		if pgCode(err) == codeCheckViolation {
			return thugom.Errorf(thugom.EInvalid, "positions", "a position is out of range")
		}
		return fmt.Errorf("insert positions: %w", err)
	}
	return nil
}
