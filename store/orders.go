package store

import (
	"context"

	"github.com/thugom/thugom"
)

// InsertOrder validates and stores an order and sets its ID. A second order
// with the same (marketplace, marketplace_order_id) is an ErrConflict naming
// marketplace_order_id; unknown references are ErrInvalid naming theirs.
func InsertOrder(ctx context.Context, q DBTX, o *thugom.Order) error {
	if err := o.Validate(); err != nil {
		return err
	}
	err := q.QueryRow(ctx, Query("InsertOrder"), o.Marketplace, o.MarketplaceOrderID, o.CarrierID, o.DepotID, o.HouseholdID,
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
