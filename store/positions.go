package store

import (
	"context"
	"fmt"
	"time"

	"github.com/thugom/thugom"
)

// InsertPositions stores a batch of a driver's positions.
func InsertPositions(ctx context.Context, q DBTX, driverID int64, ps []thugom.Position, recordedAt time.Time) error {
	at, lon, lat, acc := make([]time.Time, len(ps)), make([]float64, len(ps)), make([]float64, len(ps)), make([]*float64, len(ps))
	for i, p := range ps {
		at[i], lon[i], lat[i], acc[i] = p.At, p.Lon, p.Lat, p.AccuracyM
	}
	if _, err := q.Exec(ctx, query("InsertPositions"), driverID, at, lon, lat, acc, recordedAt); err != nil {
		if pgCode(err) == codeCheckViolation {
			return thugom.Errorf(thugom.EInvalid, "positions", "a position is out of range")
		}
		return fmt.Errorf("insert positions: %w", err)
	}
	return nil
}
