package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
	"github.com/uber/h3-go/v4"
)

// h3Resolution matches the geocoder's cells (geo.DefaultResolution).
const h3Resolution = 9

// listVehicles: GET /v1/vehicles?depot_id=&status=.
func (s *server) listVehicles(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	depot, err := optInt(r.URL.Query(), "depot_id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	status := r.URL.Query().Get("status")
	switch status {
	case "", thugom.VehicleActive, thugom.VehicleBroken, thugom.VehicleOff:
	default:
		s.writeProblem(w, r, errf(codeInvalid, "status", "status must be active, broken or off"))
		return
	}
	var depotID int64
	if depot != nil {
		depotID = *depot
	}
	vs, err := store.ListVehicles(r.Context(), s.deps.DB, depotID, status)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := make([]thugom.Vehicle, 0, len(vs))
	for _, v := range vs {
		if p.canCarrier(v.CarrierID) {
			out = append(out, v)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

type vehicleIn struct {
	DepotID         int64   `json:"depot_id"`
	Code            string  `json:"code"`
	Kind            string  `json:"kind"`
	CapacityKg      float64 `json:"capacity_kg"`
	CapacityParcels int     `json:"capacity_parcels"`
	ShiftStart      *int    `json:"shift_start"`
	ShiftEnd        *int    `json:"shift_end"`
	MaxTrips        int     `json:"max_trips"`
}

// createVehicle: POST /v1/vehicles.
func (s *server) createVehicle(w http.ResponseWriter, r *http.Request) {
	var in vehicleIn
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	p := principalOf(r.Context())
	v := thugom.Vehicle{DepotID: in.DepotID, Code: strings.TrimSpace(in.Code), Kind: in.Kind, CapacityKg: in.CapacityKg,
		CapacityParcels: in.CapacityParcels, ShiftStart: 7 * 3600, ShiftEnd: 18 * 3600, MaxTrips: in.MaxTrips}
	if in.ShiftStart != nil {
		v.ShiftStart = *in.ShiftStart
	}
	if in.ShiftEnd != nil {
		v.ShiftEnd = *in.ShiftEnd
	}
	switch {
	case in.DepotID <= 0:
		s.writeProblem(w, r, errf(codeInvalid, "depot_id", "depot_id is required"))
		return
	case v.Code == "" || len(v.Code) > 50:
		s.writeProblem(w, r, errf(codeInvalid, "code", "code is required (at most 50 characters)"))
		return
	case v.Kind != thugom.VehicleMotorbike && v.Kind != thugom.VehicleVan:
		s.writeProblem(w, r, errf(codeInvalid, "kind", "kind must be motorbike or van"))
		return
	case !(v.CapacityKg > 0) || v.CapacityKg > 20000:
		s.writeProblem(w, r, errf(codeInvalid, "capacity_kg", "capacity_kg must be between 0 and 20000"))
		return
	case v.CapacityParcels <= 0 || v.CapacityParcels > 10000:
		s.writeProblem(w, r, errf(codeInvalid, "capacity_parcels", "capacity_parcels must be between 1 and 10000"))
		return
	case v.ShiftStart < 0 || v.ShiftEnd > 86400 || v.ShiftEnd <= v.ShiftStart:
		s.writeProblem(w, r, errf(codeInvalid, "shift_end", "the shift must be within the day and end after it starts"))
		return
	case v.MaxTrips < 0 || v.MaxTrips > 10:
		s.writeProblem(w, r, errf(codeInvalid, "max_trips", "max_trips must be between 1 and 10"))
		return
	}
	err := s.deps.DB.InTx(r.Context(), func(tx pgx.Tx) error {
		d, err := store.DepotByID(r.Context(), tx, in.DepotID)
		if err != nil {
			return errf(codeInvalid, "depot_id", "no depot %d", in.DepotID)
		}
		if !p.canCarrier(d.CarrierID) {
			return errForbiddenCarrier
		}
		v.CarrierID = d.CarrierID
		if err := store.InsertVehicle(r.Context(), tx, &v); err != nil {
			return err
		}
		return store.InsertEvent(r.Context(), tx, &thugom.Event{At: s.now(), Actor: p.actor(), Action: "vehicle.create",
			Subject: fmt.Sprintf("vehicle:%d", v.ID), Payload: map[string]any{"code": v.Code, "depot_id": v.DepotID}})
	})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

// patchVehicle: PATCH /v1/vehicles/{id} {"status": "broken"}: a broken,
// withdrawn or returned vehicle re-plans today's plan of its depot.
func (s *server) patchVehicle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var in struct {
		Status string `json:"status"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !s.hasService(w, r) {
		return
	}
	v, err := s.deps.Service.SetVehicleStatus(r.Context(), id, in.Status, principalOf(r.Context()).coreActor())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// listDrivers: GET /v1/drivers?depot_id=.
func (s *server) listDrivers(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	depot, err := optInt(r.URL.Query(), "depot_id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var depotID int64
	if depot != nil {
		depotID = *depot
	}
	ds, err := store.ListDrivers(r.Context(), s.deps.DB, depotID)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := make([]thugom.Driver, 0, len(ds))
	for _, d := range ds {
		if p.canCarrier(d.CarrierID) {
			out = append(out, d)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// createDriver: POST /v1/drivers {"depot_id", "name", "phone", "vehicle_id"}.
func (s *server) createDriver(w http.ResponseWriter, r *http.Request) {
	var in struct {
		DepotID   int64  `json:"depot_id"`
		Name      string `json:"name"`
		Phone     string `json:"phone"`
		VehicleID *int64 `json:"vehicle_id"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	d := thugom.Driver{DepotID: in.DepotID, Name: strings.TrimSpace(in.Name), VehicleID: in.VehicleID, Active: true}
	if in.DepotID <= 0 {
		s.writeProblem(w, r, errf(codeInvalid, "depot_id", "depot_id is required"))
		return
	}
	if d.Name == "" || len(d.Name) > 200 {
		s.writeProblem(w, r, errf(codeInvalid, "name", "name is required (at most 200 characters)"))
		return
	}
	phone, err := thugom.NormalizePhone("phone", in.Phone)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	d.Phone = phone
	p := principalOf(r.Context())
	err = s.deps.DB.InTx(r.Context(), func(tx pgx.Tx) error {
		dep, err := store.DepotByID(r.Context(), tx, in.DepotID)
		if err != nil {
			return errf(codeInvalid, "depot_id", "no depot %d", in.DepotID)
		}
		if !p.canCarrier(dep.CarrierID) {
			return errForbiddenCarrier
		}
		d.CarrierID = dep.CarrierID
		if d.VehicleID != nil {
			v, err := store.VehicleByID(r.Context(), tx, *d.VehicleID)
			if err != nil || v.DepotID != dep.ID {
				return errf(codeInvalid, "vehicle_id", "no vehicle %d at depot %d", *d.VehicleID, dep.ID)
			}
		}
		if err := store.InsertDriver(r.Context(), tx, &d); err != nil {
			return err
		}
		return store.InsertEvent(r.Context(), tx, &thugom.Event{At: s.now(), Actor: p.actor(), Action: "driver.create",
			Subject: fmt.Sprintf("driver:%d", d.ID), Payload: map[string]any{"depot_id": d.DepotID}})
	})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

// listHouseholds: GET /v1/households?phone=&commune=&ungeocoded=&q=&after=&limit=
// — e.g. ungeocoded=true lists the households to pin by hand.
func (s *server) listHouseholds(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.HouseholdFilter{CarrierID: principalOf(r.Context()).carrierScope(), Limit: 100}
	var err error
	if v := q.Get("phone"); v != "" {
		ph, err := thugom.NormalizePhone("phone", v)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		f.Phone = &ph
	}
	if v := q.Get("commune"); v != "" {
		if len(v) > 10 {
			s.writeProblem(w, r, errf(codeInvalid, "commune", "a commune code has at most 10 characters"))
			return
		}
		f.Commune = &v
	}
	ungeocoded, err := optBool(q.Get("ungeocoded"), "ungeocoded")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	f.Ungeocoded = ungeocoded
	if v := q.Get("q"); v != "" {
		if len(v) > 200 {
			s.writeProblem(w, r, errf(codeInvalid, "q", "longer than 200 characters"))
			return
		}
		f.Text = &v
	}
	if f.AfterID, err = optInt(q, "after"); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.writeProblem(w, r, errf(codeInvalid, "limit", "must be between 1 and 1000"))
			return
		}
		f.Limit = n
	}
	hs, err := store.ListHouseholds(r.Context(), s.deps.DB, f)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if hs == nil {
		hs = []thugom.Household{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": hs})
}

// getHousehold: GET /v1/households/{id}.
func (s *server) getHousehold(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if err := s.householdInScope(r, s.deps.DB, id); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	h, err := store.HouseholdByID(r.Context(), s.deps.DB, id)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

// patchHousehold: PATCH /v1/households/{id} {"point": [lon, lat]}: a
// dispatcher pins the household (the fix for an address the geocoder could
// not place); geocoding then assigns its depot.
func (s *server) patchHousehold(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var in struct {
		Point []float64 `json:"point"` // a slice, so [lon, lat, z] is seen and refused
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if in.Point == nil {
		s.writeProblem(w, r, errf(codeInvalid, "point", "point [lon, lat] is required"))
		return
	}
	if len(in.Point) != 2 {
		s.writeProblem(w, r, errf(codeInvalid, "point", "point must be exactly [lon, lat], not %d numbers", len(in.Point)))
		return
	}
	lon, lat := in.Point[0], in.Point[1]
	// Lạng Sơn lies around 106–107.5° E, 21.3–22.5° N: a swapped pair is
	// a common slip, so anything outside Vietnam's box is refused.
	if lon < 102 || lon > 110 || lat < 8 || lat > 24 {
		s.writeProblem(w, r, errf(codeInvalid, "point", "[%g, %g] is not a [lon, lat] in Vietnam", lon, lat))
		return
	}
	cell, err := h3.LatLngToCell(h3.NewLatLng(lat, lon), h3Resolution)
	if err != nil {
		s.writeProblem(w, r, errf(codeInvalid, "point", "no H3 cell for this point"))
		return
	}
	p := principalOf(r.Context())
	var h *thugom.Household
	err = s.deps.DB.InTx(r.Context(), func(tx pgx.Tx) error {
		if err := s.householdInScope(r, tx, id); err != nil {
			return err
		}
		if err := store.PinHousehold(r.Context(), tx, id, lon, lat, cell.String(), s.now()); err != nil {
			return err
		}
		if _, err := s.deps.Jobs.InsertTx(r.Context(), tx, jobs.GeocodeHouseholdArgs{HouseholdID: id}, nil); err != nil {
			return fmt.Errorf("enqueue geocoding: %w", err)
		}
		if err := store.InsertEvent(r.Context(), tx, &thugom.Event{At: s.now(), Actor: p.actor(), Action: "household.pin",
			Subject: fmt.Sprintf("household:%d", id), Payload: map[string]any{"lon": lon, "lat": lat}}); err != nil {
			return err
		}
		h, err = store.HouseholdByID(r.Context(), tx, id)
		return err
	})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}
