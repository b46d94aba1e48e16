package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// UpsertHousehold stores a household by its phone (normalised to E.164): a
// new phone inserts, a known one updates name and address. A changed address
// clears the geocode unless the point was pinned by a person. It sets h.ID
// and reports whether the household needs geocoding (enqueue the job in the
// same transaction). (Read one: HouseholdByID.)
func UpsertHousehold(ctx context.Context, q DBTX, h *thugom.Household) (needsGeocode bool, err error) {
	phone, err := thugom.NormalizePhone("phone", h.Phone)
	if err != nil {
		return false, err
	}
	h.Phone = phone
	h.Name = strings.TrimSpace(h.Name)
	h.Address = strings.TrimSpace(h.Address)
	switch {
	case h.Name == "":
		return false, thugom.Errorf(thugom.EInvalid, "name", "required")
	case len(h.Name) > 200:
		return false, thugom.Errorf(thugom.EInvalid, "name", "longer than 200 bytes")
	case h.Address == "":
		return false, thugom.Errorf(thugom.EInvalid, "address", "required")
	case len(h.Address) > 500:
		return false, thugom.Errorf(thugom.EInvalid, "address", "longer than 500 bytes")
	}
	var inserted bool
	err = q.QueryRow(ctx, Query("UpsertHousehold"), h.Name, h.Phone, h.Address).Scan(&h.ID, &inserted, &needsGeocode)
	if err != nil {
		return false, writeErr("upsert household", err, map[string]string{"households_phone_check": "phone"})
	}
	return needsGeocode, nil
}

// Geocode is the result of geocoding a household's address.
type Geocode struct {
	CommuneCode string
	Village     string
	Lon, Lat    float64
	H3          string
	Precision   string // thugom.Precision*, not PrecisionNone
	Confidence  float64
}

// PinHousehold sets a household's point by hand (dispatcher or household);
// geocoding will not move it again.
func PinHousehold(ctx context.Context, q DBTX, id int64, lon, lat float64, h3 string, at time.Time) error {
	return SetHouseholdPin(ctx, q, id, lon, lat, h3, thugom.PrecisionManual, at)
}

// SetHouseholdPin pins a household's point with its precision: manual (set
// by a person on a map) or gps_pin (the household's own phone position).
// Geocoding keeps a pinned point and learns the village's centre from it.
func SetHouseholdPin(ctx context.Context, q DBTX, id int64, lon, lat float64, h3, precision string, at time.Time) error {
	if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return thugom.Errorf(thugom.EInvalid, "point", "not a [lon, lat] position")
	}
	if precision != thugom.PrecisionManual && precision != thugom.PrecisionGPSPin {
		return thugom.Errorf(thugom.EInvalid, "precision", "a pin is manual or gps_pin, not %q", precision)
	}
	var got int64
	err := q.QueryRow(ctx, Query("PinHousehold"), id, lon, lat, h3, at, precision).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return thugom.Errorf(thugom.ENotFound, "household_id", "no household %d", id)
	}
	if err != nil {
		return fmt.Errorf("pin household %d: %w", id, err)
	}
	return nil
}

// CountHouseholds returns the number of households.
func CountHouseholds(ctx context.Context, q DBTX) (int, error) {
	var n int
	if err := q.QueryRow(ctx, Query("CountHouseholds")).Scan(&n); err != nil {
		return 0, fmt.Errorf("count households: %w", err)
	}
	return n, nil
}
