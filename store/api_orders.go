package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/thugom/thugom"
)

// RefData resolves the names an order refers to: marketplaces to carriers,
// product codes and depot codes to ids.
type RefData struct {
	CarrierByMarketplace map[string]int64
	ProductByCode        map[string]int64
	Depots               map[string]DepotRef // by code and by id (text)
}

// DepotRef is a depot's id and carrier.
type DepotRef struct{ ID, CarrierID int64 }

// LoadRefData reads the reference tables (a few dozen rows).
func LoadRefData(ctx context.Context, q DBTX) (*RefData, error) {
	ref := &RefData{CarrierByMarketplace: map[string]int64{}, ProductByCode: map[string]int64{}, Depots: map[string]DepotRef{}}
	rows, err := q.Query(ctx, Query("RefCarriers"))
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
	rows, err = q.Query(ctx, Query("RefProducts"))
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
	rows, err = q.Query(ctx, Query("RefDepots"))
	if err != nil {
		return nil, fmt.Errorf("ref depots: %w", err)
	}
	var carrier int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &carrier, &code}, func() error {
		ref.Depots[code] = DepotRef{id, carrier}
		ref.Depots[fmt.Sprint(id)] = DepotRef{id, carrier}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("ref depots: %w", err)
	}
	return ref, nil
}

// NewOrder is one validated order to import, with its household.
type NewOrder struct {
	thugom.Order
	HouseholdName    string
	HouseholdPhone   string // E.164
	HouseholdAddress string
	Line             int // CSV line (or 0)
}

// ImportResult says what ImportOrders wrote.
type ImportResult struct {
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

// ImportOrders writes orders and their households in bulk on q (a
// transaction: the caller decides to commit). Households are upserted by
// phone; orders already present are reported as duplicates and not written.
func ImportOrders(ctx context.Context, q DBTX, orders []NewOrder) (*ImportResult, error) {
	res := &ImportResult{OrderIDs: make([]int64, len(orders)), HouseholdIDs: make([]int64, len(orders))}
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
	rows, err := q.Query(ctx, Query("UpsertHouseholds"), names, phones, addrs)
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
	rows, err = q.Query(ctx, Query("InsertOrders"), m, mid, carrier, depot, household, p, weight, parcels, cod, dest,
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

// InsertEvents appends one event per subject, all with the same actor,
// action and time.
func InsertEvents(ctx context.Context, q DBTX, at time.Time, actor, action string, subjects []string, payloads []map[string]any) error {
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
	if _, err := q.Exec(ctx, Query("InsertEvents"), at, actor, action, subjects, payloads); err != nil {
		return fmt.Errorf("record events %s: %w", action, err)
	}
	return nil
}

// OrderView is an order with its household's name and phone and its
// product's code.
type OrderView struct {
	thugom.Order
	HouseholdName  string
	HouseholdPhone string
	ProductCode    string
}

// OrderFilter selects orders; nil fields mean "any". CarrierID 0 means every
// carrier (administrators).
type OrderFilter struct {
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

func scanOrderView(r pgx.Row) (OrderView, error) {
	var o OrderView
	err := r.Scan(&o.ID, &o.Marketplace, &o.MarketplaceOrderID, &o.CarrierID, &o.DepotID, &o.HouseholdID, &o.ProductID,
		&o.WeightKg, &o.Parcels, &o.CODAmount, &o.DestinationProvince, &o.PlacedAt, &o.PromiseHours, &o.PromisedBy,
		&o.HandoverDeadline, &o.ReadyFrom, &o.ReadyUntil, &o.Status, &o.AtRisk, &o.AtRiskReason, &o.LockedVehicleID,
		&o.Note, &o.CreatedAt, &o.UpdatedAt, &o.HouseholdName, &o.HouseholdPhone, &o.ProductCode)
	return o, err
}

// ListOrders returns the orders matching f, by id.
func ListOrders(ctx context.Context, q DBTX, f OrderFilter) ([]OrderView, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := q.Query(ctx, Query("ListOrders"), f.CarrierID, f.DepotID, f.Status, f.Marketplace, f.Phone,
		f.HouseholdID, f.AtRisk, f.PlacedFrom, f.PlacedTo, f.Text, f.AfterID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OrderView, error) { return scanOrderView(r) })
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	return out, nil
}

// OrderByID returns one order or thugom.ErrNotFound.
func OrderByID(ctx context.Context, q DBTX, id int64) (*OrderView, error) {
	o, err := scanOrderView(q.QueryRow(ctx, Query("Order"), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "no order %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("order %d: %w", id, err)
	}
	return &o, nil
}

// OrderLock is an order's row locked for an update.
type OrderLock struct {
	ID, CarrierID, HouseholdID int64
	DepotID                    *int64
	Status                     string
	PlacedAt, ReadyFrom        time.Time
}

// LockOrder locks an order's row in tx (SELECT ... FOR UPDATE).
func LockOrder(ctx context.Context, tx DBTX, id int64) (*OrderLock, error) {
	var o OrderLock
	err := tx.QueryRow(ctx, Query("OrderForUpdate"), id).Scan(&o.ID, &o.CarrierID, &o.DepotID, &o.HouseholdID, &o.Status, &o.PlacedAt, &o.ReadyFrom)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, thugom.Errorf(thugom.ENotFound, "", "no order %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("lock order %d: %w", id, err)
	}
	return &o, nil
}

// SetOrderLock fixes an order to a vehicle (nil unlocks).
func SetOrderLock(ctx context.Context, tx DBTX, id int64, vehicleID *int64, at time.Time) error {
	if _, err := tx.Exec(ctx, Query("SetOrderLock"), id, vehicleID, at); err != nil {
		if pgCode(err) == codeForeignKeyViolation {
			return thugom.Errorf(thugom.EInvalid, "vehicle_id", "no such vehicle")
		}
		return fmt.Errorf("order %d lock: %w", id, err)
	}
	return nil
}
