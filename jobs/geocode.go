package jobs

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/riverqueue/river"
	"github.com/uber/h3-go/v4"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/store"
)

type geocodeWorker struct {
	river.WorkerDefaults[GeocodeHouseholdArgs]
	s *Service
}

func (w *geocodeWorker) Work(ctx context.Context, job *river.Job[GeocodeHouseholdArgs]) error {
	_, err := w.s.GeocodeHousehold(ctx, job.Args.HouseholdID)
	if thugom.ErrorCode(err) == thugom.ENotFound {
		return river.JobCancel(err) // the household is gone: nothing to retry
	}
	return err
}

// GeocodeResult says what geocoding a household did.
type GeocodeResult struct {
	Precision   string  `json:"precision"`
	CommuneCode string  `json:"commune_code"`
	Confidence  float64 `json:"confidence"`
	Status      string  `json:"status"`
	Reason      string  `json:"reason,omitempty"`
	// OrdersRouted counts orders given a depot; VillageLearned is set when
	// the household's pin updated its village's centre.
	OrdersRouted   int  `json:"orders_routed"`
	VillageLearned bool `json:"village_learned"`
}

// GeocodeHousehold geocodes one household's address (its GPS pin wins over
// the text), learns its village's centre when it is pinned, gives its new
// orders the nearest depot of their carrier and computes their SLA. All in
// one transaction.
func (s *Service) GeocodeHousehold(ctx context.Context, householdID int64) (*GeocodeResult, error) {
	var res GeocodeResult
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		h, err := store.HouseholdForGeocode(ctx, tx, householdID)
		if err != nil {
			return err
		}
		villages, err := store.LearnedVillages(ctx, tx)
		if err != nil {
			return err
		}
		opt := geo.Options{Villages: villageSet(villages)}
		if h.Pinned && h.Pin != nil {
			opt.Pin = &geo.Point{Lat: h.Pin[1], Lon: h.Pin[0]}
		}
		r := s.geo.GeocodeWith(h.Address, opt)
		res = GeocodeResult{CommuneCode: r.CommuneCode, Confidence: r.Confidence, Status: string(r.Status), Reason: r.Reason}
		now := s.now()
		var pt *orb.Point
		precision := thugom.PrecisionNone
		cell := ""
		switch {
		case h.Pinned && h.Pin != nil:
			pt, precision = h.Pin, h.Precision
			if precision != thugom.PrecisionManual && precision != thugom.PrecisionGPSPin {
				precision = thugom.PrecisionManual
			}
			cell = h3Cell(*h.Pin)
		case r.Precision != geo.PrecisionNone:
			pt = &orb.Point{r.Lon, r.Lat}
			precision, cell = precisionOf(r.Precision), r.Cell
		}
		res.Precision = precision
		conf := math.Max(0, math.Min(1, r.Confidence))
		if err := store.SetHouseholdGeocode(ctx, tx, h.ID, r.CommuneCode, r.Village, pt, cell, precision, conf, now); err != nil {
			return err
		}
		if h.Pinned && h.Pin != nil && r.CommuneCode != "" && r.Village != "" {
			learned, err := s.learnVillage(ctx, tx, r.CommuneCode, r.VillageKey, r.Village, now)
			if err != nil {
				return err
			}
			res.VillageLearned = learned
		}
		if pt != nil {
			n, err := s.routeOrders(ctx, tx, h.ID, *pt, now)
			if err != nil {
				return err
			}
			res.OrdersRouted = n
		}
		if err := s.computeSLA(ctx, tx, h.ID, now); err != nil {
			return err
		}
		action := "household.geocoded"
		if precision == thugom.PrecisionNone {
			action = "household.geocode_failed"
		}
		return s.event(ctx, tx, "job:"+KindGeocodeHousehold, action, fmt.Sprintf("household:%d", h.ID), map[string]any{
			"precision": precision, "commune_code": r.CommuneCode, "confidence": conf, "status": r.Status, "reason": r.Reason,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("geocode household %d: %w", householdID, err)
	}
	return &res, nil
}

// learnVillage recomputes the centre of a village from the pinned
// households that name it.
func (s *Service) learnVillage(ctx context.Context, tx pgx.Tx, commune string, key geo.VillageKey, name string, now time.Time) (bool, error) {
	names, pts, err := store.PinnedVillagePoints(ctx, tx, commune)
	if err != nil {
		return false, err
	}
	var pins []geo.Point
	for i, n := range names {
		if geo.MakeVillageKey(commune, n) == key {
			pins = append(pins, geo.Point{Lat: pts[i][1], Lon: pts[i][0]})
		}
	}
	c, kept, ok := geo.RobustCentre(pins)
	if !ok {
		return false, nil
	}
	p := orb.Point{c.Lon, c.Lat}
	return true, store.UpsertVillage(ctx, tx, store.Village{
		Key: string(key), CommuneCode: commune, Name: name, Point: p, H3: h3Cell(p), Pins: kept,
	}, now)
}

// routeOrders gives the household's new orders the nearest depot of their
// carrier, or the depot of the quote an order was placed with.
func (s *Service) routeOrders(ctx context.Context, tx pgx.Tx, householdID int64, pt orb.Point, now time.Time) (int, error) {
	orders, err := store.UnassignedOrdersOfHousehold(ctx, tx, householdID)
	if err != nil {
		return 0, err
	}
	depots := map[int64][]thugom.Depot{}
	n := 0
	for _, o := range orders {
		ds, ok := depots[o.CarrierID]
		if !ok {
			if ds, err = store.DepotsOfCarrier(ctx, tx, o.CarrierID); err != nil {
				return n, err
			}
			depots[o.CarrierID] = ds
		}
		best, bestKm := int64(0), math.Inf(1)
		for _, d := range ds {
			if km := haversineKm(pt, d.Point); km < bestKm {
				best, bestKm = d.ID, km
			}
			if o.QuotedDepot != nil && *o.QuotedDepot == d.ID {
				// The quote's promise is that depot's: its timetable and
				// capacity (the nearest can change once the household is
				// located better).
				best, bestKm = d.ID, math.Inf(-1)
			}
		}
		if best == 0 {
			continue
		}
		if err := store.SetOrderDepot(ctx, tx, o.ID, best, now); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// computeSLA fills the handover deadline and risk flag of the household's
// orders that have a depot but no deadline yet.
func (s *Service) computeSLA(ctx context.Context, tx pgx.Tx, householdID int64, now time.Time) error {
	orders, err := store.OrdersWithoutSLA(ctx, tx, householdID)
	if err != nil {
		return err
	}
	deps := map[int64][]thugom.Departure{}
	fleets := map[int64][]thugom.Vehicle{}
	for _, o := range orders {
		d, ok := deps[o.DepotID]
		if !ok {
			if d, err = store.DeparturesOfDepot(ctx, tx, o.DepotID); err != nil {
				return err
			}
			deps[o.DepotID] = d
			if fleets[o.DepotID], err = store.VehiclesOfDepot(ctx, tx, o.DepotID); err != nil {
				return err
			}
		}
		promise := time.Duration(o.PromiseHours) * time.Hour
		if o.PromisedBy.After(o.PlacedAt) {
			promise = o.PromisedBy.Sub(o.PlacedAt) // a quoted promise is not whole hours
		}
		sla, err := thugom.HandoverDeadline(o.PlacedAt, promise, o.Province, d)
		if err != nil {
			return err
		}
		if o.Household != nil && o.Depot != nil && o.ReadyFrom != nil {
			sla = sla.WithReadiness(o.ReadyFrom, s.earliestAtDepot(fleets[o.DepotID], d, *o.Depot, *o.Household, *o.ReadyFrom, o.PlacedAt, o.Province))
		}
		sla = aimAtKeepable(sla, o, d)
		if err := store.SetOrderSLA(ctx, tx, o.ID, sla.Deadline, sla.AtRisk, sla.Reason, now); err != nil {
			return err
		}
	}
	return nil
}

// aimAtKeepable makes the handover deadline of an order whose promise was
// lost at placement the cutoff of the truck that keeps what was offered
// instead (keepable_by): the order stays at risk of the marketplace's
// promise, and the planner aims at the time the marketplace was told.
// Without it the lost promise's own cutoff, already out of reach, made
// the deadline soft and the order waited behind those that could still
// be kept (the week: 82.8 % of flagged orders arrived by keepable_by).
func aimAtKeepable(sla thugom.SLA, o store.SLAOrder, deps []thugom.Departure) thugom.SLA {
	if !sla.AtRisk || o.KeepableBy == nil || !o.KeepableBy.After(o.PromisedBy) {
		return sla
	}
	alt, err := thugom.HandoverDeadline(o.PlacedAt, o.KeepableBy.Sub(o.PlacedAt), o.Province, deps)
	if err != nil || alt.AtRisk || !alt.Deadline.After(sla.Deadline) {
		return sla
	}
	sla.Deadline = alt.Deadline
	return sla
}

// earliestAtDepot is the earliest an order's produce, ready at ready, could
// be at its depot, as the promise function says when everything goes right
// (thugom.Promise: a vehicle out at the start of its shift, at the household
// when the produce is ready, back within its shift). Zero when the depot
// has no active vehicle or no truck serves the province.
func (s *Service) earliestAtDepot(vehicles []thugom.Vehicle, deps []thugom.Departure, depot, household orb.Point, ready, placed time.Time, province string) time.Time {
	a, err := thugom.Promise(thugom.PromiseInput{At: placed, Ready: s.noticeReady(placed, ready), Province: province, Departures: deps,
		Vehicles: s.promiseVehicles(vehicles, depot, household), ServiceS: serviceBaseS, Visits: 1})
	if err != nil {
		return time.Time{}
	}
	return a.AtDepot
}

// promiseVehicles are the depot's active vehicles as a promise needs them:
// their shifts and their drive to the household and back.
func (s *Service) promiseVehicles(vehicles []thugom.Vehicle, depot, household orb.Point) []thugom.PromiseVehicle {
	d, h := geo.Point{Lat: depot[1], Lon: depot[0]}, geo.Point{Lat: household[1], Lon: household[0]}
	var out []thugom.PromiseVehicle
	for _, v := range vehicles {
		if v.Status != thugom.VehicleActive {
			continue
		}
		prof, err := s.profile(v.Kind)
		if err != nil {
			continue
		}
		_, there := prof.Leg(d, h)
		_, back := prof.Leg(h, d)
		out = append(out, thugom.PromiseVehicle{ShiftStart: v.ShiftStart, ShiftEnd: v.ShiftEnd, ThereS: there, BackS: back})
	}
	return out
}

func precisionOf(p geo.Precision) string {
	switch p {
	case geo.PrecisionGPSPin:
		return thugom.PrecisionGPSPin
	case geo.PrecisionVillage:
		return thugom.PrecisionVillage
	case geo.PrecisionCommune:
		return thugom.PrecisionCommune
	case geo.PrecisionDistrict:
		return thugom.PrecisionDistrict
	}
	return thugom.PrecisionNone
}

type villageSet map[string]orb.Point

func (v villageSet) Village(k geo.VillageKey) (geo.Point, bool) {
	p, ok := v[string(k)]
	return geo.Point{Lat: p[1], Lon: p[0]}, ok
}

func h3Cell(p orb.Point) string {
	c, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), geo.DefaultResolution)
	if err != nil {
		return ""
	}
	return c.String()
}

func haversineKm(a, b orb.Point) float64 {
	const r = 6371.0088
	la1, la2 := a[1]*math.Pi/180, b[1]*math.Pi/180
	dla, dlo := la2-la1, (b[0]-a[0])*math.Pi/180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}
