package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/uber/h3-go/v4"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/store"
)

// CreateVehicle adds a vehicle to a depot of the actor's carrier (the
// vehicle takes the depot's carrier) and journals it.
func (s *Service) CreateVehicle(ctx context.Context, v thugom.Vehicle, a Actor) (*thugom.Vehicle, error) {
	v.Code = strings.TrimSpace(v.Code)
	if err := checkVehicle(v); err != nil {
		return nil, err
	}
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		d, err := store.DepotByID(ctx, tx, v.DepotID)
		if err != nil {
			return thugom.Errorf(thugom.EInvalid, "depot_id", "no depot %d", v.DepotID)
		}
		if err := a.check(d.CarrierID); err != nil {
			return err
		}
		v.CarrierID = d.CarrierID
		if err := store.InsertVehicle(ctx, tx, &v); err != nil {
			return err
		}
		return s.event(ctx, tx, a.Name, "vehicle.create", fmt.Sprintf("vehicle:%d", v.ID), map[string]any{"code": v.Code, "depot_id": v.DepotID})
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// checkVehicle is what a new vehicle must be: a code, a kind the travel
// profiles know, capacities and a shift within reason.
func checkVehicle(v thugom.Vehicle) error {
	switch {
	case v.DepotID <= 0:
		return thugom.Errorf(thugom.EInvalid, "depot_id", "depot_id is required")
	case v.Code == "" || len(v.Code) > 50:
		return thugom.Errorf(thugom.EInvalid, "code", "code is required (at most 50 characters)")
	case v.Kind != thugom.VehicleMotorbike && v.Kind != thugom.VehicleVan:
		return thugom.Errorf(thugom.EInvalid, "kind", "kind must be motorbike or van")
	case !(v.CapacityKg > 0) || v.CapacityKg > 20000:
		return thugom.Errorf(thugom.EInvalid, "capacity_kg", "capacity_kg must be between 0 and 20000")
	case v.CapacityParcels <= 0 || v.CapacityParcels > 10000:
		return thugom.Errorf(thugom.EInvalid, "capacity_parcels", "capacity_parcels must be between 1 and 10000")
	case v.ShiftStart < 0 || v.ShiftEnd > 86400 || v.ShiftEnd <= v.ShiftStart:
		return thugom.Errorf(thugom.EInvalid, "shift_end", "the shift must be within the day and end after it starts")
	case v.MaxTrips < 0 || v.MaxTrips > 10:
		return thugom.Errorf(thugom.EInvalid, "max_trips", "max_trips must be between 1 and 10")
	}
	return nil
}

// CreateDriver adds an active driver to a depot of the actor's carrier,
// with a vehicle of that depot or none, and journals it. The phone is
// normalised (E.164).
func (s *Service) CreateDriver(ctx context.Context, d thugom.Driver, a Actor) (*thugom.Driver, error) {
	d.Name, d.Active = strings.TrimSpace(d.Name), true
	if d.DepotID <= 0 {
		return nil, thugom.Errorf(thugom.EInvalid, "depot_id", "depot_id is required")
	}
	if d.Name == "" || len(d.Name) > 200 {
		return nil, thugom.Errorf(thugom.EInvalid, "name", "name is required (at most 200 characters)")
	}
	phone, err := thugom.NormalizePhone("phone", d.Phone)
	if err != nil {
		return nil, err
	}
	d.Phone = phone
	err = s.db.InTx(ctx, func(tx pgx.Tx) error {
		dep, err := store.DepotByID(ctx, tx, d.DepotID)
		if err != nil {
			return thugom.Errorf(thugom.EInvalid, "depot_id", "no depot %d", d.DepotID)
		}
		if err := a.check(dep.CarrierID); err != nil {
			return err
		}
		d.CarrierID = dep.CarrierID
		if d.VehicleID != nil {
			v, err := store.VehicleByID(ctx, tx, *d.VehicleID)
			if err != nil || v.DepotID != dep.ID {
				return thugom.Errorf(thugom.EInvalid, "vehicle_id", "no vehicle %d at depot %d", *d.VehicleID, dep.ID)
			}
		}
		if err := store.InsertDriver(ctx, tx, &d); err != nil {
			return err
		}
		return s.event(ctx, tx, a.Name, "driver.create", fmt.Sprintf("driver:%d", d.ID), map[string]any{"depot_id": d.DepotID})
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// PinHousehold places a household by hand at (lon, lat), a dispatcher's
// fix for an address the geocoder could not place, and queues its
// geocoding, which assigns its depot. A household without an order of the
// actor's carrier is not found.
func (s *Service) PinHousehold(ctx context.Context, householdID int64, lon, lat float64, a Actor) (*thugom.Household, error) {
	// Lạng Sơn lies around 106–107.5° E, 21.3–22.5° N: a swapped pair is
	// a common slip, so anything outside Vietnam's box is refused.
	if !inVietnam(lon, lat) {
		return nil, thugom.Errorf(thugom.EInvalid, "point", "[%g, %g] is not a [lon, lat] in Vietnam", lon, lat)
	}
	cell, err := h3.LatLngToCell(h3.NewLatLng(lat, lon), geo.DefaultResolution)
	if err != nil {
		return nil, thugom.Errorf(thugom.EInvalid, "point", "no H3 cell for this point")
	}
	var h *thugom.Household
	err = s.db.InTx(ctx, func(tx pgx.Tx) error {
		if err := householdOfCarrier(ctx, tx, householdID, a); err != nil {
			return err
		}
		// The household's place is part of the days that plan its orders:
		// they change (a planner that read the old place writes nothing)
		// and are planned again from the new one.
		days, err := s.openDaysOfHousehold(ctx, tx, householdID)
		if err != nil {
			return err
		}
		if err := s.bump(ctx, tx, days); err != nil {
			return err
		}
		if err := store.PinHousehold(ctx, tx, householdID, lon, lat, cell.String(), s.now()); err != nil {
			return err
		}
		if err := s.replan(ctx, tx, days, CausePinned, fmt.Sprintf("household:%d", householdID)); err != nil {
			return err
		}
		if _, err := s.client.InsertTx(ctx, tx, GeocodeHouseholdArgs{HouseholdID: householdID}, nil); err != nil {
			return fmt.Errorf("enqueue geocoding: %w", err)
		}
		if err := s.event(ctx, tx, a.Name, "household.pin", fmt.Sprintf("household:%d", householdID), map[string]any{"lon": lon, "lat": lat}); err != nil {
			return err
		}
		h, err = store.HouseholdByID(ctx, tx, householdID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// openDaysOfHousehold are the depot days from today on whose plans hold
// the household's orders (the days gone are not planned again).
func (s *Service) openDaysOfHousehold(ctx context.Context, tx pgx.Tx, householdID int64) ([]store.DepotDay, error) {
	days, err := store.DepotDaysOfHousehold(ctx, tx, householdID)
	if err != nil {
		return nil, err
	}
	today := thugom.Day(s.now())
	return slices.DeleteFunc(days, func(d store.DepotDay) bool { return d.Day.Before(today) }), nil
}

// inVietnam reports whether [lon, lat] is within Vietnam's box (lon
// 102–110, lat 8–24): a swapped pair lands outside.
func inVietnam(lon, lat float64) bool { return lon >= 102 && lon <= 110 && lat >= 8 && lat <= 24 }
