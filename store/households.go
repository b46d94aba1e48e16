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

// HouseholdIDByPhone returns the id of the household with this E.164 phone
// or ErrNotFound.
func HouseholdIDByPhone(ctx context.Context, q DBTX, phone string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, Query("HouseholdIDByPhone"), phone).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, thugom.Errorf(thugom.ENotFound, "phone", "no household with phone %s", phone)
	}
	if err != nil {
		return 0, fmt.Errorf("household by phone: %w", err)
	}
	return id, nil
}

// HouseholdsToGeocode returns up to limit households without a point.
func HouseholdsToGeocode(ctx context.Context, q DBTX, limit int) ([]thugom.Household, error) {
	rows, err := q.Query(ctx, Query("HouseholdsToGeocode"), limit)
	if err != nil {
		return nil, fmt.Errorf("households to geocode: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (thugom.Household, error) {
		var h thugom.Household
		return h, r.Scan(&h.ID, &h.Name, &h.Phone, &h.Address)
	})
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

// SetHouseholdGeocode stores a geocoding result. It reports false (and
// changes nothing) when the household is pinned by a person.
func SetHouseholdGeocode(ctx context.Context, q DBTX, id int64, g Geocode, at time.Time) (bool, error) {
	if g.Precision == thugom.PrecisionNone {
		return false, thugom.Errorf(thugom.EInvalid, "precision", "a geocode needs a precision")
	}
	var got int64
	err := q.QueryRow(ctx, Query("SetHouseholdGeocode"), id, g.CommuneCode, g.Village, g.Lon, g.Lat, g.H3,
		g.Precision, g.Confidence, at).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, writeErr("set household geocode", err, map[string]string{
			"households_precision_check": "precision", "households_confidence_check": "confidence"})
	}
	return true, nil
}

// MarkHouseholdNotFound records that geocoding found nothing for the
// household's address, so it is not tried again until the address changes.
func MarkHouseholdNotFound(ctx context.Context, q DBTX, id int64, at time.Time) error {
	var got int64
	err := q.QueryRow(ctx, Query("MarkHouseholdNotFound"), id, at).Scan(&got)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("mark household not found: %w", err)
	}
	return nil
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
