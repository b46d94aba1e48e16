package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

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
	err = q.QueryRow(ctx, query("UpsertHousehold"), h.Name, h.Phone, h.Address).Scan(&h.ID, &inserted, &needsGeocode)
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
	err := q.QueryRow(ctx, query("PinHousehold"), id, lon, lat, h3, at, precision).Scan(&got)
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
	if err := q.QueryRow(ctx, query("CountHouseholds")).Scan(&n); err != nil {
		return 0, fmt.Errorf("count households: %w", err)
	}
	return n, nil
}

// GeocodeTarget is what geocoding reads of a household.
type GeocodeTarget struct {
	ID          int64
	Address     string
	Pin         *orb.Point // the household's own pin (Pinned) or current point
	Precision   string
	Pinned      bool
	Village     string
	CommuneCode string
}

// HouseholdForGeocode returns a household for geocoding or
// thugom.ErrNotFound.
func HouseholdForGeocode(ctx context.Context, q DBTX, id int64) (*GeocodeTarget, error) {
	var t GeocodeTarget
	var lon, lat *float64
	err := q.QueryRow(ctx, query("HouseholdForGeocode"), id).Scan(&t.ID, &t.Address, &lon, &lat, &t.Precision, &t.Pinned, &t.Village, &t.CommuneCode)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "household_id", "no household %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("household %d: %w", id, err)
	}
	if lon != nil && lat != nil {
		t.Pin = &orb.Point{*lon, *lat}
	}
	return &t, nil
}

// SetHouseholdGeocode stores a geocoding result. A nil point clears it
// (precision must then be "").
func SetHouseholdGeocode(ctx context.Context, q DBTX, id int64, commune, village string, pt *orb.Point, h3, precision string, confidence float64, at time.Time) error {
	var lon, lat *float64
	if pt != nil {
		lon, lat = &pt[0], &pt[1]
	}
	_, err := q.Exec(ctx, query("SetHouseholdGeocode"), id, commune, village, lon, lat, h3, precision, confidence, at)
	if err != nil {
		return fmt.Errorf("store geocode of household %d: %w", id, err)
	}
	return nil
}

// HouseholdByPhone returns (id, name) of the household with the phone,
// or thugom.ErrNotFound.
func HouseholdByPhone(ctx context.Context, q DBTX, phone string) (int64, string, error) {
	var id int64
	var name, p string
	err := q.QueryRow(ctx, query("HouseholdByPhone"), phone).Scan(&id, &name, &p)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", thugom.Errorf(thugom.ENotFound, "from", "no household with phone %s", phone)
	}
	return id, name, err
}

// OpenOrdersOfHousehold returns the household's orders still to collect,
// locked for update.
func OpenOrdersOfHousehold(ctx context.Context, q DBTX, householdID int64) ([]OpenOrder, error) {
	rows, err := q.Query(ctx, query("OpenOrdersOfHousehold"), householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OpenOrder
	for rows.Next() {
		var o OpenOrder
		if err := rows.Scan(&o.ID, &o.DepotID, &o.Status, &o.Deadline, &o.WeightKg); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// HouseholdPhone returns a household's phone or thugom.ErrNotFound.
func HouseholdPhone(ctx context.Context, q DBTX, id int64) (string, error) {
	var p string
	err := q.QueryRow(ctx, query("HouseholdPhone"), id).Scan(&p)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", thugom.Errorf(thugom.ENotFound, "household_id", "no household %d", id)
	}
	return p, err
}

// HouseholdPoints returns the positions of households (those that have
// one).
func HouseholdPoints(ctx context.Context, q DBTX, ids []int64) (map[int64]orb.Point, error) {
	out := map[int64]orb.Point{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, query("HouseholdPoints"), ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var lon, lat float64
		if err := rows.Scan(&id, &lon, &lat); err != nil {
			return nil, err
		}
		out[id] = orb.Point{lon, lat}
	}
	return out, rows.Err()
}
