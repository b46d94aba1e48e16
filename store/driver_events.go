package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/thugom/thugom"
)

// MaxPhotoBytes is the largest photo a driver's report may carry: the phone
// compresses it to this before queueing it.
const MaxPhotoBytes = 200 * 1024

// DriverEvent is one report of a driver as the phone sent it, with what the
// server made of it.
type DriverEvent struct {
	DriverID    int64
	Key         string // the phone's event id: its idempotency key
	RequestHash []byte // of the event's content, to refuse a key reused for another event
	Seq         int64  // the phone's sequence number
	StopID      int64
	Status      string
	HappenedAt  time.Time // the phone's clock
	ReceivedAt  time.Time // the server's clock
	SkewSeconds int       // phone minus server when the batch was sent
	SkewFlagged bool
	Outcome     string // applied, unchanged, superseded, reassigned
	StopStatus  string // the stop's status after the event
	Note        string
	Photo       []byte
	PhotoBytes  int // read back: the photo's size
}

// DriverEventByKey returns the event a driver sent with key, or nil.
func DriverEventByKey(ctx context.Context, q DBTX, driverID int64, key string) (*DriverEvent, error) {
	e := DriverEvent{DriverID: driverID, Key: key}
	err := q.QueryRow(ctx, query("DriverEventByKey"), driverID, key).Scan(&e.RequestHash, &e.StopID, &e.Status, &e.Outcome,
		&e.StopStatus, &e.HappenedAt, &e.ReceivedAt, &e.SkewSeconds, &e.SkewFlagged)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("driver %d event %q: %w", driverID, key, err)
	}
	return &e, nil
}

// InsertDriverEvent records an event; it reports false when the driver
// already sent an event with that key (nothing is written).
func InsertDriverEvent(ctx context.Context, q DBTX, e *DriverEvent) (bool, error) {
	var photo []byte
	if len(e.Photo) > 0 {
		photo = e.Photo
	}
	var id int64
	err := q.QueryRow(ctx, query("InsertDriverEvent"), e.DriverID, e.Key, e.RequestHash, e.Seq, e.StopID, e.Status,
		e.HappenedAt, e.ReceivedAt, e.SkewSeconds, e.SkewFlagged, e.Outcome, e.StopStatus, e.Note, photo).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		if pgCode(err) == codeCheckViolation {
			return false, thugom.Errorf(thugom.EInvalid, "events", "an event is out of range (photo over %d bytes?)", MaxPhotoBytes)
		}
		return false, fmt.Errorf("insert driver event: %w", err)
	}
	return true, nil
}

// DriverEventsOfDriver returns a driver's events received since, in the
// phone's order (photos are not read back, only their size).
func DriverEventsOfDriver(ctx context.Context, q DBTX, driverID int64, since time.Time) ([]DriverEvent, error) {
	rows, err := q.Query(ctx, query("DriverEventsOfDriver"), driverID, since)
	if err != nil {
		return nil, fmt.Errorf("events of driver %d: %w", driverID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DriverEvent, error) {
		e := DriverEvent{DriverID: driverID}
		err := r.Scan(&e.Key, &e.Seq, &e.StopID, &e.Status, &e.HappenedAt, &e.ReceivedAt, &e.SkewSeconds, &e.SkewFlagged,
			&e.Outcome, &e.StopStatus, &e.Note, &e.PhotoBytes)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("events of driver %d: %w", driverID, err)
	}
	return out, nil
}

// StopHeldByDriver reports whether the driver's vehicle had the stop in a
// version of its day's plan, or the driver's route has it now: a report
// queued offline on a stop re-planned to another vehicle meanwhile is still
// the driver's to make.
func StopHeldByDriver(ctx context.Context, q DBTX, stopID, driverID, depotID int64, day time.Time) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, query("StopHeldByDriver"), stopID, driverID, depotID, dateArg(day)).Scan(&ok); err != nil {
		return false, fmt.Errorf("stop %d held by driver %d: %w", stopID, driverID, err)
	}
	return ok, nil
}

// DriverPosition is a position of a driver, for the dispatcher.
type DriverPosition struct {
	DriverID  int64     `json:"driver_id"`
	At        time.Time `json:"at"`
	Lon       float64   `json:"lon"`
	Lat       float64   `json:"lat"`
	AccuracyM *float64  `json:"accuracy_m,omitempty"`
}

// DriverPositions returns a driver's positions in [from, to), oldest first
// (at most limit).
func DriverPositions(ctx context.Context, q DBTX, driverID int64, from, to time.Time, limit int) ([]DriverPosition, error) {
	rows, err := q.Query(ctx, query("DriverPositionsBetween"), driverID, from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("positions of driver %d: %w", driverID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DriverPosition, error) {
		p := DriverPosition{DriverID: driverID}
		err := r.Scan(&p.At, &p.Lon, &p.Lat, &p.AccuracyM)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("positions of driver %d: %w", driverID, err)
	}
	return out, nil
}

// LastDriverPositions returns the last position since `since` of each
// driver of a depot: the dispatcher's "last seen".
func LastDriverPositions(ctx context.Context, q DBTX, depotID int64, since time.Time) ([]DriverPosition, error) {
	rows, err := q.Query(ctx, query("LastPositions"), depotID, since)
	if err != nil {
		return nil, fmt.Errorf("last positions of depot %d: %w", depotID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DriverPosition, error) {
		var p DriverPosition
		err := r.Scan(&p.DriverID, &p.At, &p.Lon, &p.Lat)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("last positions of depot %d: %w", depotID, err)
	}
	return out, nil
}
