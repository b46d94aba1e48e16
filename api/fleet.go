package api

import (
	"net/http"
	"strconv"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

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
	v := thugom.Vehicle{DepotID: in.DepotID, Code: in.Code, Kind: in.Kind, CapacityKg: in.CapacityKg,
		CapacityParcels: in.CapacityParcels, ShiftStart: 7 * 3600, ShiftEnd: 18 * 3600, MaxTrips: in.MaxTrips}
	if in.ShiftStart != nil {
		v.ShiftStart = *in.ShiftStart
	}
	if in.ShiftEnd != nil {
		v.ShiftEnd = *in.ShiftEnd
	}
	if !s.hasService(w, r) {
		return
	}
	created, err := s.deps.Service.CreateVehicle(r.Context(), v, principalOf(r.Context()).coreActor())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, created)
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
	if !s.hasService(w, r) {
		return
	}
	d, err := s.deps.Service.CreateDriver(r.Context(), thugom.Driver{DepotID: in.DepotID, Name: in.Name, Phone: in.Phone, VehicleID: in.VehicleID},
		principalOf(r.Context()).coreActor())
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
	if !s.hasService(w, r) {
		return
	}
	h, err := s.deps.Service.PinHousehold(r.Context(), id, in.Point[0], in.Point[1], principalOf(r.Context()).coreActor())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}
