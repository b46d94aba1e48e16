package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// An order's page carries its carrier's waybill once the shipment exists,
// and the carrier's refusal when there is one; without a shipment,
// neither.
func TestOrderCarrierWaybill(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.seedDay(2)
	ctx := context.Background()
	if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: ids[0], Carrier: thugom.CarrierVNPost, Waybill: "EB100000001VN", Status: thugom.ShipmentCreated, UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveShipment(ctx, b.db, &store.Shipment{OrderID: ids[1], Carrier: thugom.CarrierVNPost, Status: thugom.ShipmentFailed, Error: "vnpost: refused: 422", UpdatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Waybill string `json:"carrier_waybill"`
		Error   string `json:"carrier_error"`
	}
	r := b.do("GET", fmt.Sprintf("/v1/orders/%d", ids[0]), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &got)
	if got.Waybill != "EB100000001VN" || got.Error != "" {
		t.Errorf("created: %+v", got)
	}
	got.Waybill, got.Error = "", ""
	r = b.do("GET", fmt.Sprintf("/v1/orders/%d", ids[1]), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	r.json(t, &got)
	if got.Waybill != "" || got.Error == "" {
		t.Errorf("refused: %+v", got)
	}
}
