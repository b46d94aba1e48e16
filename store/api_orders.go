package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/thugom/thugom"
)

// APIRefData resolves the names an order refers to: marketplaces to carriers,
// product codes and depot codes to ids.
type APIRefData struct {
	CarrierByMarketplace map[string]int64
	ProductByCode        map[string]int64
	Depots               map[string]APIDepotRef // by code and by id (text)
}

// APIDepotRef is a depot's id and carrier.
type APIDepotRef struct{ ID, CarrierID int64 }

// APILoadRefData reads the reference tables (a few dozen rows).
func APILoadRefData(ctx context.Context, q DBTX) (*APIRefData, error) {
	ref := &APIRefData{CarrierByMarketplace: map[string]int64{}, ProductByCode: map[string]int64{}, Depots: map[string]APIDepotRef{}}
	rows, err := q.Query(ctx, Query("APIRefCarriers"))
	if err != nil {
		return nil, fmt.Errorf("ref carriers: %w", err)
	}
	var id int64
	var code, market string
	if _, err := pgx.ForEachRow(rows, []any{&id, &code, &market}, func() error {
		ref.CarrierByMarketplace[market] = id
		return nil
	}); err != nil {
		return nil, fmt.Errorf("ref carriers: %w", err)
	}
	rows, err = q.Query(ctx, Query("APIRefProducts"))
	if err != nil {
		return nil, fmt.Errorf("ref products: %w", err)
	}
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&id, &code, &name}, func() error {
		ref.ProductByCode[code] = id
		return nil
	}); err != nil {
		return nil, fmt.Errorf("ref products: %w", err)
	}
	rows, err = q.Query(ctx, Query("APIRefDepots"))
	if err != nil {
		return nil, fmt.Errorf("ref depots: %w", err)
	}
	var carrier int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &carrier, &code}, func() error {
		ref.Depots[code] = APIDepotRef{id, carrier}
		ref.Depots[fmt.Sprint(id)] = APIDepotRef{id, carrier}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("ref depots: %w", err)
	}
	return ref, nil
}

// APINewOrder is one validated order to import, with its household.
type APINewOrder struct {
	thugom.Order
	HouseholdName    string
	HouseholdPhone   string // E.164
	HouseholdAddress string
	Line             int // CSV line (or 0)
}

// APIImportResult says what APIImportOrders wrote.
type APIImportResult struct {
	// OrderIDs[i] is the id of orders[i], 0 when it was a duplicate.
	OrderIDs []int64
	// HouseholdIDs[i] is the household of orders[i].
	HouseholdIDs []int64
	// Duplicates are the indexes of orders whose (marketplace,
	// marketplace_order_id) already existed.
	Duplicates []int
	// NewHouseholds counts households created.
	NewHouseholds int
	// ToGeocode are the households (new, or with a new address) without a
	// point.
	ToGeocode []int64
}

// APIImportOrders writes orders and their households in bulk on q (a
// transaction: the caller decides to commit). Households are upserted by
// phone; orders already present are reported as duplicates and not written.
func APIImportOrders(ctx context.Context, q DBTX, orders []APINewOrder) (*APIImportResult, error) {
	res := &APIImportResult{OrderIDs: make([]int64, len(orders)), HouseholdIDs: make([]int64, len(orders))}
	if len(orders) == 0 {
		return res, nil
	}
	// Households, one row per phone (the last address given wins).
	idx := map[string]int{}
	var names, phones, addrs []string
	for _, o := range orders {
		if i, ok := idx[o.HouseholdPhone]; ok {
			addrs[i] = o.HouseholdAddress
			if names[i] == "" {
				names[i] = o.HouseholdName
			}
			continue
		}
		idx[o.HouseholdPhone] = len(phones)
		names = append(names, o.HouseholdName)
		phones = append(phones, o.HouseholdPhone)
		addrs = append(addrs, o.HouseholdAddress)
	}
	rows, err := q.Query(ctx, Query("APIUpsertHouseholds"), names, phones, addrs)
	if err != nil {
		return nil, fmt.Errorf("upsert households: %w", err)
	}
	hid := map[string]int64{}
	var (
		id       int64
		phone    string
		needsGeo bool
		inserted bool
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &phone, &needsGeo, &inserted}, func() error {
		hid[phone] = id
		if needsGeo {
			res.ToGeocode = append(res.ToGeocode, id)
		}
		if inserted {
			res.NewHouseholds++
		}
		return nil
	}); err != nil {
		if pgCode(err) == codeCheckViolation {
			return nil, thugom.Errorf(thugom.EInvalid, "phone", "a household phone is not a Vietnamese number")
		}
		return nil, fmt.Errorf("upsert households: %w", err)
	}

	n := len(orders)
	var (
		m, mid, dest, note    = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		carrier, household, p = make([]int64, n), make([]int64, n), make([]int64, n)
		depot                 = make([]*int64, n)
		weight                = make([]float64, n)
		parcels, promiseH     = make([]int32, n), make([]int32, n)
		cod                   = make([]int64, n)
		placed, promised      = make([]time.Time, n), make([]time.Time, n)
		readyFrom, readyUntil = make([]*time.Time, n), make([]*time.Time, n)
	)
	for i, o := range orders {
		m[i], mid[i], dest[i], note[i] = o.Marketplace, o.MarketplaceOrderID, o.DestinationProvince, o.Note
		carrier[i], household[i], p[i], depot[i] = o.CarrierID, hid[o.HouseholdPhone], o.ProductID, o.DepotID
		weight[i], parcels[i], promiseH[i], cod[i] = o.WeightKg, int32(o.Parcels), int32(o.PromiseHours), o.CODAmount
		placed[i], promised[i], readyFrom[i], readyUntil[i] = o.PlacedAt, o.PromisedBy, o.ReadyFrom, o.ReadyUntil
		res.HouseholdIDs[i] = household[i]
	}
	rows, err = q.Query(ctx, Query("APIInsertOrders"), m, mid, carrier, depot, household, p, weight, parcels, cod, dest,
		placed, promiseH, promised, readyFrom, readyUntil, note)
	if err != nil {
		return nil, fmt.Errorf("insert orders: %w", err)
	}
	type key struct{ m, mid string }
	got := map[key]int64{}
	var mk, mo string
	if _, err := pgx.ForEachRow(rows, []any{&id, &mk, &mo}, func() error {
		got[key{mk, mo}] = id
		return nil
	}); err != nil {
		switch pgCode(err) {
		case codeCheckViolation:
			return nil, thugom.Errorf(thugom.EInvalid, "", "an order breaks a rule of the schema (%s)", pgConstraint(err))
		case codeForeignKeyViolation:
			return nil, thugom.Errorf(thugom.EInvalid, "", "an order refers to an unknown carrier, depot or product")
		}
		return nil, fmt.Errorf("insert orders: %w", err)
	}
	for i, o := range orders {
		k := key{o.Marketplace, o.MarketplaceOrderID}
		if id, ok := got[k]; ok {
			res.OrderIDs[i] = id
			delete(got, k) // a second row with the same key is a duplicate
		} else {
			res.Duplicates = append(res.Duplicates, i)
		}
	}
	return res, nil
}

// APIRecordEvents appends one event per subject, all with the same actor,
// action and time.
func APIRecordEvents(ctx context.Context, q DBTX, at time.Time, actor, action string, subjects []string, payloads []map[string]any) error {
	if len(subjects) == 0 {
		return nil
	}
	if payloads == nil {
		payloads = make([]map[string]any, len(subjects))
	}
	for i := range payloads {
		if payloads[i] == nil {
			payloads[i] = map[string]any{}
		}
	}
	if _, err := q.Exec(ctx, Query("APIRecordEvents"), at, actor, action, subjects, payloads); err != nil {
		return fmt.Errorf("record events %s: %w", action, err)
	}
	return nil
}

// APIOrderView is an order with its household's name and phone and its
// product's code.
type APIOrderView struct {
	thugom.Order
	HouseholdName  string
	HouseholdPhone string
	ProductCode    string
}

// APIOrderFilter selects orders; nil fields mean "any". CarrierID 0 means every
// carrier (administrators).
type APIOrderFilter struct {
	CarrierID   int64
	DepotID     *int64
	Status      *string
	Marketplace *string
	Phone       *string
	HouseholdID *int64
	AtRisk      *bool
	PlacedFrom  *time.Time
	PlacedTo    *time.Time
	Text        *string // marketplace order id, or part of the household's name or address
	AfterID     *int64  // keyset pagination
	Limit       int
}

func apiScanOrderView(r pgx.Row) (APIOrderView, error) {
	var o APIOrderView
	err := r.Scan(&o.ID, &o.Marketplace, &o.MarketplaceOrderID, &o.CarrierID, &o.DepotID, &o.HouseholdID, &o.ProductID,
		&o.WeightKg, &o.Parcels, &o.CODAmount, &o.DestinationProvince, &o.PlacedAt, &o.PromiseHours, &o.PromisedBy,
		&o.HandoverDeadline, &o.ReadyFrom, &o.ReadyUntil, &o.Status, &o.AtRisk, &o.AtRiskReason, &o.LockedVehicleID,
		&o.Note, &o.CreatedAt, &o.UpdatedAt, &o.HouseholdName, &o.HouseholdPhone, &o.ProductCode)
	return o, err
}

// APIListOrders returns the orders matching f, by id.
func APIListOrders(ctx context.Context, q DBTX, f APIOrderFilter) ([]APIOrderView, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := q.Query(ctx, Query("APIListOrders"), f.CarrierID, f.DepotID, f.Status, f.Marketplace, f.Phone,
		f.HouseholdID, f.AtRisk, f.PlacedFrom, f.PlacedTo, f.Text, f.AfterID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (APIOrderView, error) { return apiScanOrderView(r) })
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	return out, nil
}

// APIOrderByID returns one order or thugom.ErrNotFound.
func APIOrderByID(ctx context.Context, q DBTX, id int64) (*APIOrderView, error) {
	o, err := apiScanOrderView(q.QueryRow(ctx, Query("APIOrder"), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "no order %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("order %d: %w", id, err)
	}
	return &o, nil
}

// APIOrderLock is an order's row locked for an update.
type APIOrderLock struct {
	ID, CarrierID, HouseholdID int64
	DepotID                    *int64
	Status                     string
	PlacedAt, ReadyFrom        time.Time
}

// APILockOrder locks an order's row in tx (SELECT ... FOR UPDATE).
func APILockOrder(ctx context.Context, tx DBTX, id int64) (*APIOrderLock, error) {
	var o APIOrderLock
	err := tx.QueryRow(ctx, Query("APIOrderForUpdate"), id).Scan(&o.ID, &o.CarrierID, &o.DepotID, &o.HouseholdID, &o.Status, &o.PlacedAt, &o.ReadyFrom)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "no order %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("lock order %d: %w", id, err)
	}
	return &o, nil
}

// APISetOrderLock fixes an order to a vehicle (nil unlocks).
func APISetOrderLock(ctx context.Context, tx DBTX, id int64, vehicleID *int64, at time.Time) error {
	if _, err := tx.Exec(ctx, Query("APISetOrderLock"), id, vehicleID, at); err != nil {
		if pgCode(err) == codeForeignKeyViolation {
			return thugom.Errorf(thugom.EInvalid, "vehicle_id", "no such vehicle")
		}
		return fmt.Errorf("order %d lock: %w", id, err)
	}
	return nil
}
