package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// Seeded says what Seed wrote.
type Seeded struct {
	Day          time.Time
	CarrierIDs   map[string]int64 // by code
	ProductIDs   map[string]int64 // by code
	DepotIDs     []int64          // as Scenario.Depots
	DriverIDs    []int64
	HouseholdIDs []int64 // as Scenario.Households
	// ToGeocode are the households to geocode (all of them, pinned first).
	ToGeocode []int64
	OrderIDs  []int64
}

// Seed writes the whole scenario on q (a transaction, so a failure leaves
// nothing) and records a "demo.seed" event. Call it on an empty database.
func Seed(ctx context.Context, q store.DBTX, sc *Scenario, at time.Time) (*Seeded, error) {
	out, err := SeedNetwork(ctx, q, sc)
	if err != nil {
		return nil, err
	}
	// Households that shared their phone's position first: their pins teach
	// the geocoder where their villages are before the others are placed.
	out.HouseholdIDs = make([]int64, len(sc.Households))
	for _, pass := range []bool{true, false} {
		for i, hs := range sc.Households {
			if hs.SharedGPS != pass {
				continue
			}
			h := hs.Household
			if _, err := store.UpsertHousehold(ctx, q, &h); err != nil {
				return nil, fmt.Errorf("seed household %q: %w", h.Name, err)
			}
			if hs.SharedGPS {
				err := store.SetHouseholdPin(ctx, q, h.ID, hs.Truth.Lon(), hs.Truth.Lat(), cell(hs.Truth), thugom.PrecisionGPSPin, at)
				if err != nil {
					return nil, err
				}
			}
			out.HouseholdIDs[i] = h.ID
			// Every household goes through geocoding: it checks the pin,
			// learns villages, picks the depot and computes the SLA.
			out.ToGeocode = append(out.ToGeocode, h.ID)
		}
	}
	for _, os := range sc.Orders {
		o := os.Order
		o.CarrierID = out.CarrierIDs[os.Carrier]
		o.HouseholdID = out.HouseholdIDs[os.Household]
		o.ProductID = out.ProductIDs[os.Product]
		// No depot: geocoding gives each order the nearest office of its
		// carrier, as for orders from the API.
		if err := store.InsertOrder(ctx, q, &o); err != nil {
			return nil, fmt.Errorf("seed order %s: %w", o.MarketplaceOrderID, err)
		}
		out.OrderIDs = append(out.OrderIDs, o.ID)
	}
	ev := thugom.Event{At: at, Actor: "system:demo", Action: "demo.seed", Subject: "demo",
		Payload: map[string]any{"day": sc.Day.Format(time.DateOnly), "households": len(out.HouseholdIDs), "orders": len(out.OrderIDs), "depots": len(out.DepotIDs)}}
	if err := store.InsertEvent(ctx, q, &ev); err != nil {
		return nil, err
	}
	return out, nil
}

// SeedNetwork writes only the carriers' side of the scenario: carriers,
// products, depots with their departures, vehicles and drivers. Households
// and orders can then come in through the API.
func SeedNetwork(ctx context.Context, q store.DBTX, sc *Scenario) (*Seeded, error) {
	out := &Seeded{Day: sc.Day, CarrierIDs: map[string]int64{}, ProductIDs: map[string]int64{}}
	for i := range sc.Carriers {
		c := sc.Carriers[i]
		if err := store.InsertCarrier(ctx, q, &c); err != nil {
			return nil, fmt.Errorf("seed carrier %s: %w", c.Code, err)
		}
		out.CarrierIDs[c.Code] = c.ID
	}
	for i := range sc.Products {
		p := sc.Products[i]
		if err := store.UpsertProduct(ctx, q, &p); err != nil {
			return nil, fmt.Errorf("seed product %s: %w", p.Code, err)
		}
		out.ProductIDs[p.Code] = p.ID
	}
	for _, ds := range sc.Depots {
		d := ds.Depot
		d.CarrierID = out.CarrierIDs[ds.Carrier]
		if err := store.InsertDepot(ctx, q, &d); err != nil {
			return nil, fmt.Errorf("seed depot %s: %w", d.Code, err)
		}
		out.DepotIDs = append(out.DepotIDs, d.ID)
		for _, dep := range ds.Departures {
			dep.DepotID = d.ID
			if err := store.InsertDeparture(ctx, q, &dep); err != nil {
				return nil, fmt.Errorf("seed departure of %s: %w", d.Code, err)
			}
		}
		for _, vs := range ds.Vehicles {
			v := vs.Vehicle
			v.CarrierID, v.DepotID = d.CarrierID, d.ID
			if err := store.InsertVehicle(ctx, q, &v); err != nil {
				return nil, fmt.Errorf("seed vehicle %s: %w", v.Code, err)
			}
			dr := vs.Driver
			phone, err := thugom.NormalizePhone("phone", dr.Phone)
			if err != nil {
				return nil, err
			}
			dr.Phone, dr.CarrierID, dr.DepotID, dr.VehicleID = phone, d.CarrierID, d.ID, &v.ID
			if err := store.InsertDriver(ctx, q, &dr); err != nil {
				return nil, fmt.Errorf("seed driver of %s: %w", v.Code, err)
			}
			out.DriverIDs = append(out.DriverIDs, dr.ID)
		}
	}
	return out, nil
}

// SeededDay returns the harvest day of the demo seeded in the database, and
// false when no demo was seeded.
func SeededDay(ctx context.Context, q store.DBTX) (time.Time, bool, error) {
	evs, err := store.ListEvents(ctx, q, "demo", 20)
	if err != nil {
		return time.Time{}, false, err
	}
	for _, e := range evs {
		if e.Action != "demo.seed" {
			continue
		}
		s, _ := e.Payload["day"].(string)
		d, err := time.ParseInLocation(time.DateOnly, s, thugom.Local)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("demo.seed event: bad day %q", s)
		}
		return d, true, nil
	}
	return time.Time{}, false, nil
}
