package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/thugom/thugom"
)

// LoadRefData reads the reference data orders name (a few dozen rows):
// marketplaces to carriers, product codes and depot codes to ids.
func LoadRefData(ctx context.Context, q DBTX) (*thugom.OrderRefs, error) {
	ref := &thugom.OrderRefs{CarrierByMarketplace: map[string]int64{}, ProductByCode: map[string]int64{}, Depots: map[string]thugom.DepotRef{}}
	rows, err := q.Query(ctx, query("RefCarriers"))
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
	rows, err = q.Query(ctx, query("RefProducts"))
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
	rows, err = q.Query(ctx, query("RefDepots"))
	if err != nil {
		return nil, fmt.Errorf("ref depots: %w", err)
	}
	var carrier int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &carrier, &code}, func() error {
		ref.Depots[code] = thugom.DepotRef{ID: id, CarrierID: carrier}
		ref.Depots[fmt.Sprint(id)] = thugom.DepotRef{ID: id, CarrierID: carrier}
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
	// QuoteID is the quote the order was placed with (0: none); the core
	// marks it used in the import's transaction.
	QuoteID int64
	// Buyer is the order's receiver, checked (thugom.Buyer.Check); its
	// empty fields are stored as NULL.
	Buyer thugom.Buyer
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
	rows, err := q.Query(ctx, query("UpsertHouseholds"), names, phones, addrs)
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
		// The buyer's columns, in the order of InsertOrders.
		buyer = [7][]string{make([]string, n), make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n)}
	)
	for i, o := range orders {
		m[i], mid[i], dest[i], note[i] = o.Marketplace, o.MarketplaceOrderID, o.DestinationProvince, o.Note
		carrier[i], household[i], p[i], depot[i] = o.CarrierID, hid[o.HouseholdPhone], o.ProductID, o.DepotID
		weight[i], parcels[i], promiseH[i], cod[i] = o.WeightKg, int32(o.Parcels), int32(o.PromiseHours), o.CODAmount
		placed[i], promised[i], readyFrom[i], readyUntil[i] = o.PlacedAt, o.PromisedBy, o.ReadyFrom, o.ReadyUntil
		b := o.Buyer
		for k, v := range []string{b.Name, b.Phone, b.Address, b.DistrictID, b.WardID, b.District, b.Ward} {
			buyer[k][i] = v
		}
		res.HouseholdIDs[i] = household[i]
	}
	rows, err = q.Query(ctx, query("InsertOrders"), m, mid, carrier, depot, household, p, weight, parcels, cod, dest,
		placed, promiseH, promised, readyFrom, readyUntil, note,
		buyer[0], buyer[1], buyer[2], buyer[3], buyer[4], buyer[5], buyer[6])
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
	err := tx.QueryRow(ctx, query("OrderForUpdate"), id).Scan(&o.ID, &o.CarrierID, &o.DepotID, &o.HouseholdID, &o.Status, &o.PlacedAt, &o.ReadyFrom)
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
	if _, err := tx.Exec(ctx, query("SetOrderLock"), id, vehicleID, at); err != nil {
		if pgCode(err) == codeForeignKeyViolation {
			return thugom.Errorf(thugom.EInvalid, "vehicle_id", "no such vehicle")
		}
		return fmt.Errorf("order %d lock: %w", id, err)
	}
	return nil
}

// OrderRef is an order id with its carrier.
type OrderRef struct {
	ID        int64
	CarrierID int64
}

// SetOrderDepot assigns a depot to an order that has none.
func SetOrderDepot(ctx context.Context, q DBTX, orderID, depotID int64, at time.Time) error {
	_, err := q.Exec(ctx, query("SetOrderDepot"), orderID, depotID, at)
	return err
}

// SLAOrder is what the SLA needs of an order.
type SLAOrder struct {
	ID           int64
	DepotID      int64
	Province     string
	PlacedAt     time.Time
	PromiseHours int
	PromisedBy   time.Time
	ReadyFrom    *time.Time
	// KeepableBy is what can be kept instead when the promise was lost at
	// placement (nil otherwise).
	KeepableBy *time.Time
	// Household and Depot are where the produce is and goes (Household nil
	// when not geocoded).
	Household, Depot *orb.Point
}

// OrdersWithoutSLA returns the household's orders with a depot but no
// handover deadline yet.
func OrdersWithoutSLA(ctx context.Context, q DBTX, householdID int64) ([]SLAOrder, error) {
	rows, err := q.Query(ctx, query("OrdersWithoutSLA"), householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SLAOrder
	for rows.Next() {
		var o SLAOrder
		var hlon, hlat, dlon, dlat *float64
		if err := rows.Scan(&o.ID, &o.DepotID, &o.Province, &o.PlacedAt, &o.PromiseHours, &o.PromisedBy, &o.ReadyFrom, &o.KeepableBy, &hlon, &hlat, &dlon, &dlat); err != nil {
			return nil, err
		}
		if hlon != nil && hlat != nil {
			o.Household = &orb.Point{*hlon, *hlat}
		}
		if dlon != nil && dlat != nil {
			o.Depot = &orb.Point{*dlon, *dlat}
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OpenOrder is an order still to collect.
type OpenOrder struct {
	ID       int64
	DepotID  *int64
	Status   string
	Deadline *time.Time
	WeightKg float64
}

// PostponeOrders postpones orders until readyFrom.
func PostponeOrders(ctx context.Context, q DBTX, ids []int64, readyFrom, at time.Time) error {
	_, err := q.Exec(ctx, query("PostponeOrders"), ids, readyFrom, at)
	return err
}

// RiskOrder is an order the SLA watch looks at.
type RiskOrder struct {
	ID          int64
	DepotID     *int64
	HouseholdID int64
	Status      string
	Deadline    time.Time
	AtRisk      bool
	ETA         *time.Time // planned arrival at the household, nil if unplanned
	BackAt      *time.Time // planned return to the depot with it
}

// OrdersAtRisk returns orders not yet collected whose handover deadline
// is before horizon.
func OrdersAtRisk(ctx context.Context, q DBTX, horizon time.Time) ([]RiskOrder, error) {
	rows, err := q.Query(ctx, query("OrdersAtRisk"), horizon)
	if err != nil {
		return nil, fmt.Errorf("orders at risk: %w", err)
	}
	defer rows.Close()
	var out []RiskOrder
	for rows.Next() {
		var o RiskOrder
		if err := rows.Scan(&o.ID, &o.DepotID, &o.HouseholdID, &o.Status, &o.Deadline, &o.AtRisk, &o.ETA, &o.BackAt); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SetOrderAtRisk flags an order at risk.
func SetOrderAtRisk(ctx context.Context, q DBTX, orderID int64, reason string, at time.Time) error {
	_, err := q.Exec(ctx, query("SetOrderAtRisk"), orderID, reason, at)
	return err
}

// CountOrdersByStatus counts orders per status.
func CountOrdersByStatus(ctx context.Context, q DBTX) (map[string]int, error) {
	return countBy(ctx, q, "CountOrdersByStatus")
}

func countBy(ctx context.Context, q DBTX, name string) (map[string]int, error) {
	rows, err := q.Query(ctx, query(name))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// SetOrdersReadyFrom sets when orders are ready (next pickup attempt).
func SetOrdersReadyFrom(ctx context.Context, q DBTX, ids []int64, readyFrom, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := q.Exec(ctx, query("SetOrdersReadyFrom"), ids, readyFrom, at)
	return err
}

// PlanOrder is an order as planning sees it, with its household and
// product.
type PlanOrder struct {
	Order     thugom.Order
	Household thugom.Household
	Product   thugom.Product
	// DropOff: the household brings the order to a commune drop-off
	// point (nil: collected at home).
	DropOff *OrderDropOff
}

// SetOrderSLA stores an order's handover deadline and risk flag.
func SetOrderSLA(ctx context.Context, q DBTX, orderID int64, deadline time.Time, atRisk bool, reason string, at time.Time) error {
	_, err := q.Exec(ctx, query("SetOrderSLA"), orderID, deadline, atRisk, reason, at)
	return err
}

// DepotsWithOrders returns the depots with orders to plan for the day
// ending at dayEnd.
func DepotsWithOrders(ctx context.Context, q DBTX, dayEnd time.Time) ([]int64, error) {
	rows, err := q.Query(ctx, query("DepotsWithOrders"), dayEnd, dateArg(dayEnd.Add(-time.Hour)))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// OrderDeadlines returns the handover deadlines of orders (those that
// have one).
func OrderDeadlines(ctx context.Context, q DBTX, ids []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, query("OrderDeadlines"), ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t time.Time
		if err := rows.Scan(&id, &t); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}

// InsertOrder validates and stores an order and sets its ID. A second order
// with the same (marketplace, marketplace_order_id) is an ErrConflict naming
// marketplace_order_id; unknown references are ErrInvalid naming theirs.
func InsertOrder(ctx context.Context, q DBTX, o *thugom.Order) error {
	if err := o.Validate(); err != nil {
		return err
	}
	err := q.QueryRow(ctx, query("InsertOrder"), o.Marketplace, o.MarketplaceOrderID, o.CarrierID, o.DepotID, o.HouseholdID,
		o.ProductID, o.WeightKg, o.Parcels, o.CODAmount, o.DestinationProvince, o.PlacedAt, o.PromiseHours, o.PromisedBy,
		o.HandoverDeadline, o.ReadyFrom, o.ReadyUntil, o.Status, o.AtRisk, o.AtRiskReason, o.LockedVehicleID, o.Note,
	).Scan(&o.ID, &o.CreatedAt, &o.UpdatedAt)
	if pgCode(err) == codeUniqueViolation && pgConstraint(err) == "orders_marketplace_marketplace_order_id_key" {
		return thugom.Errorf(thugom.EConflict, "marketplace_order_id", "order %s already exists on %s", o.MarketplaceOrderID, o.Marketplace)
	}
	return writeErr("insert order", err, map[string]string{
		"orders_carrier_id_fkey": "carrier_id", "orders_depot_id_fkey": "depot_id", "orders_household_id_fkey": "household_id",
		"orders_product_id_fkey": "product_id", "orders_locked_vehicle_id_fkey": "locked_vehicle_id",
		"orders_weight_kg_check": "weight_kg", "orders_parcels_check": "parcels", "orders_cod_amount_check": "cod_amount",
		"orders_status_check": "status", "orders_promise_hours_check": "promise_hours"})
}

// PlanOrders marks orders planned on a depot's day, except those someone
// moved on meanwhile or another day's plan holds; it returns those marked.
func PlanOrders(ctx context.Context, q DBTX, ids []int64, day, at time.Time) ([]int64, error) {
	return collectIDs(ctx, q, "OrdersPlan", ids, dateArg(day), at)
}

// UnplanOrders sends orders that a plan of day no longer holds back to
// received; it returns those changed.
func UnplanOrders(ctx context.Context, q DBTX, ids []int64, day, at time.Time) ([]int64, error) {
	return collectIDs(ctx, q, "OrdersUnplan", ids, dateArg(day), at)
}

// SetOrdersStatus moves orders to status to, only those whose status allows
// it (thugom.OrderCanMove); it returns the orders changed.
func SetOrdersStatus(ctx context.Context, q DBTX, ids []int64, to string, at time.Time) ([]int64, error) {
	return collectIDs(ctx, q, "OrdersSetStatus", ids, to, at, thugom.OrderFrom(to))
}

func collectIDs(ctx context.Context, q DBTX, name string, ids []int64, args ...any) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryIDs(ctx, q, name, append([]any{ids}, args...)...)
}

// queryIDs returns the ids the named query selects.
func queryIDs(ctx context.Context, q DBTX, name string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query(name), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
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

// CancelledOrder is an order a household cancelled, with when.
type CancelledOrder struct {
	ID          int64
	DepotID     *int64
	CancelledAt time.Time
}

// OrdersCancelledSince returns, locked, the household's orders cancelled at
// or after since.
func OrdersCancelledSince(ctx context.Context, q DBTX, householdID int64, since time.Time) ([]CancelledOrder, error) {
	rows, err := q.Query(ctx, query("OrdersCancelledSince"), householdID, since)
	if err != nil {
		return nil, fmt.Errorf("cancelled orders of household %d: %w", householdID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CancelledOrder, error) {
		var o CancelledOrder
		return o, r.Scan(&o.ID, &o.DepotID, &o.CancelledAt)
	})
}

// RestoreOrders brings cancelled orders back to received; it returns those
// changed.
func RestoreOrders(ctx context.Context, q DBTX, ids []int64, at time.Time) ([]int64, error) {
	return collectIDs(ctx, q, "OrdersRestore", ids, at)
}

// OrderBuyer returns an order's buyer (empty when none was given, or
// once blanked).
func OrderBuyer(ctx context.Context, q DBTX, id int64) (thugom.Buyer, error) {
	var b thugom.Buyer
	err := q.QueryRow(ctx, query("OrderBuyer"), id).Scan(&b.Name, &b.Phone, &b.Address, &b.DistrictID, &b.WardID, &b.District, &b.Ward)
	if errors.Is(err, pgx.ErrNoRows) {
		return b, thugom.Errorf(thugom.ENotFound, "", "no order %d", id)
	}
	if err != nil {
		return b, fmt.Errorf("buyer of order %d: %w", id, err)
	}
	return b, nil
}

// ForgetBuyers blanks the buyer of the orders delivered (the carrier's
// delivered time) or cancelled before before, and returns those orders.
func ForgetBuyers(ctx context.Context, q DBTX, before time.Time) ([]int64, error) {
	return queryIDs(ctx, q, "OrdersForgetBuyer", before)
}
