package jobs

import (
	"context"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// CarrierPricer is a connector that prices a shipment at its carrier
// (VNPost's TinhCuocTatCaDichVu).
type CarrierPricer interface {
	Price(ctx context.Context, s CarrierShipment) (CarrierPrice, error)
}

// CarrierPrice is a carrier's charge of a shipment.
type CarrierPrice struct {
	OrderID int64  `json:"order_id"`
	Carrier string `json:"carrier"`
	Service string `json:"service,omitempty"`
	// Fee is the carrier's charge in đồng (VAT and extra services
	// included); 0 with Error when it could not be had.
	Fee int64 `json:"fee"`
	// Error is the carrier's refusal, or why it did not answer.
	Error string `json:"error,omitempty"`
}

// ShipmentPrice asks an order's carrier what its shipment costs, as the
// create sends it (shipmentOf). Errors: thugom.ErrNotFound (no such
// order), EConflict (the carrier's connector has no price call, or none is
// configured); a carrier that refuses or does not answer in time is in
// the answer's Error.
func (s *Service) ShipmentPrice(ctx context.Context, orderID int64) (*CarrierPrice, error) {
	o, err := store.ShipmentOrderOf(ctx, s.db, orderID)
	if err != nil {
		return nil, err
	}
	p, ok := s.carrier.cfg.Connectors[o.Carrier].(CarrierPricer)
	if !ok {
		return nil, thugom.Errorf(thugom.EConflict, "order_id", "thugom does not ask %s for its price (no price call in its connector, or no connector configured)", o.Carrier)
	}
	cctx, cancel := context.WithTimeout(ctx, labelTimeout)
	defer cancel()
	price, err := p.Price(cctx, shipmentOf(o))
	if err != nil {
		s.log.Warn("carrier price", "carrier", o.Carrier, "order", orderID, "err", err)
		price = CarrierPrice{Carrier: o.Carrier, Error: truncate(err.Error(), 300)}
	}
	price.OrderID = orderID
	return &price, nil
}
