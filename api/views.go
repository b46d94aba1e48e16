package api

import (
	"time"

	"github.com/paulmach/orb"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// JSON shapes shared by the dispatcher's plan and the drivers' manifests.

type vehicleOut struct {
	ID         int64   `json:"id"`
	Code       string  `json:"code"`
	Name       string  `json:"name"`
	Kind       string  `json:"kind"`
	CapacityKg float64 `json:"capacity_kg"`
}

type driverOut struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

type householdRef struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	Address   string `json:"address"`
	H3        string `json:"h3"`
	Precision string `json:"precision"`
}

type stopOut struct {
	ID              int64                 `json:"id"`
	Seq             int                   `json:"seq"`
	Trip            int                   `json:"trip"`
	Kind            string                `json:"kind"`
	Status          string                `json:"status"`
	Household       *householdRef         `json:"household"`
	Point           *orb.Point            `json:"point"`
	ETA             time.Time             `json:"eta"`
	WindowStart     time.Time             `json:"window_start"`
	WindowEnd       time.Time             `json:"window_end"`
	ServiceS        int                   `json:"service_s"`
	LoadKg          float64               `json:"load_kg"`
	Parcels         int                   `json:"parcels"`
	Collect         []store.StopOrderView `json:"collect"`
	Packaging       map[string]any        `json:"packaging"`
	CODAmount       int64                 `json:"cod_amount"`
	LockedVehicleID *int64                `json:"locked_vehicle_id"`
	ReportedAt      *time.Time            `json:"reported_at"`

	// DropOff: a hub stop at a commune drop-off point (Household nil).
	DropOff *dropOffRef `json:"dropoff_point,omitempty"`
}

type dropOffRef struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Approximate bool   `json:"approximate"`
}

type routeOut struct {
	ID        int64          `json:"id"`
	PlanID    int64          `json:"plan_id"`
	Vehicle   vehicleOut     `json:"vehicle"`
	Driver    *driverOut     `json:"driver"`
	StartAt   time.Time      `json:"start_at"`
	EndAt     time.Time      `json:"end_at"`
	KM        float64        `json:"km"`
	DurationS int            `json:"duration_s"`
	LoadKg    float64        `json:"load_kg"`
	Line      orb.LineString `json:"line"`
	Stops     []stopOut      `json:"stops"`
}

type depotOut struct {
	ID        int64     `json:"id"`
	CarrierID int64     `json:"carrier_id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Address   string    `json:"address"`
	Point     orb.Point `json:"point"`
}

func depotOutOf(d *thugom.Depot) depotOut {
	return depotOut{ID: d.ID, CarrierID: d.CarrierID, Code: d.Code, Name: d.Name, Kind: d.Kind, Address: d.Address, Point: d.Point}
}

type planOut struct {
	ID         int64            `json:"id"`
	DepotID    int64            `json:"depot_id"`
	Date       string           `json:"date"`
	Version    int              `json:"version"`
	Status     string           `json:"status"`
	Algorithm  string           `json:"algorithm"`
	Stats      thugom.PlanStats `json:"stats"`
	Error      string           `json:"error"`
	CreatedAt  time.Time        `json:"created_at"`
	FinishedAt *time.Time       `json:"finished_at"`
}

type unassignedOut struct {
	OrderID            int64      `json:"order_id"`
	MarketplaceOrderID string     `json:"marketplace_order_id"`
	HouseholdID        int64      `json:"household_id"`
	HouseholdName      string     `json:"household_name"`
	Point              *orb.Point `json:"point"`
	WeightKg           float64    `json:"weight_kg"`
	Reason             string     `json:"reason"`
	Fix                string     `json:"fix"`
}

func planOutOf(p *thugom.Plan) *planOut {
	if p == nil {
		return nil
	}
	return &planOut{ID: p.ID, DepotID: p.DepotID, Date: p.Day.Format(time.DateOnly), Version: p.Version, Status: p.Status,
		Algorithm: p.Algorithm, Stats: p.Stats, Error: p.Error, CreatedAt: p.CreatedAt, FinishedAt: p.FinishedAt}
}

func routeOutOf(r store.RouteView) routeOut {
	out := routeOut{ID: r.ID, PlanID: r.PlanID, StartAt: r.StartAt, EndAt: r.EndAt, KM: float64(r.DistanceM) / 1000,
		DurationS: r.DurationS, LoadKg: r.LoadKg, Line: r.Line, Stops: make([]stopOut, 0, len(r.Stops)),
		Vehicle: vehicleOut{ID: r.VehicleID, Code: r.VehicleCode, Name: vehicleName(r.VehicleKind, r.VehicleCode), Kind: r.VehicleKind, CapacityKg: r.CapacityKg}}
	if out.Line == nil {
		out.Line = orb.LineString{}
	}
	if r.DriverID != nil {
		out.Driver = &driverOut{ID: *r.DriverID, Name: r.DriverName, Phone: r.DriverPhone}
	}
	for _, s := range r.Stops {
		out.Stops = append(out.Stops, stopOutOf(s))
	}
	return out
}

func vehicleName(kind, code string) string {
	switch kind {
	case thugom.VehicleMotorbike:
		return "Xe máy " + code
	case thugom.VehicleVan:
		return "Xe tải " + code
	}
	return code
}

func stopOutOf(s store.StopView) stopOut {
	out := stopOut{ID: s.ID, Seq: s.Seq, Trip: s.Trip, Kind: s.Kind, Status: s.Status, Point: s.Point, ETA: s.ArriveAt,
		WindowStart: s.WindowStart, WindowEnd: s.WindowEnd, ServiceS: s.ServiceS, LoadKg: s.LoadKg, Parcels: s.Parcels,
		Collect: s.Orders, Packaging: s.Packaging, LockedVehicleID: s.LockedVehicleID, ReportedAt: s.ReportedAt}
	if out.Collect == nil {
		out.Collect = []store.StopOrderView{}
	}
	if out.Packaging == nil {
		out.Packaging = map[string]any{}
	}
	if s.HouseholdID != nil {
		out.Household = &householdRef{ID: *s.HouseholdID, Name: s.HouseholdName, Phone: s.Phone, Address: s.Address, H3: s.H3, Precision: s.Precision}
	}
	if s.DropOffPointID != nil {
		out.DropOff = &dropOffRef{ID: *s.DropOffPointID, Name: s.HouseholdName, Approximate: s.Precision != thugom.PrecisionManual}
	}
	for _, o := range s.Orders {
		out.CODAmount += o.CODAmount
	}
	return out
}
