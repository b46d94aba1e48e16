package jobs

import (
	"context"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// The label printed at the depot hand-over (issue 23): the carrier's own
// when its connector prints one (ViettelPost's printing link), thugom's
// otherwise (VNPost, whose partner API gives none, or a carrier that
// refused or did not answer), with the waybill as a Code 128 barcode (api
// renders it) and the shipment's details as sent to the carrier.

// LabelPrinter is a connector that prints its carrier's own label: the
// address of the waybill's printable label, valid until expires.
type LabelPrinter interface {
	LabelURL(ctx context.Context, waybill string, expires time.Time) (string, error)
}

// labelTTL is how long a carrier's label link is asked to stay valid.
const labelTTL = time.Hour

// labelTimeout bounds the carrier's answer: past it the depot prints
// thugom's own label rather than wait.
const labelTimeout = 10 * time.Second

// OrderLabel is what the depot prints on an order's parcel.
type OrderLabel struct {
	OrderID   int64  `json:"order_id"`
	Reference string `json:"marketplace_order_id"`
	Carrier   string `json:"carrier"`
	Waybill   string `json:"carrier_waybill"`
	// CarrierURL is the carrier's own printable label; "" when it gives
	// none (thugom's is printed).
	CarrierURL string `json:"carrier_label_url,omitempty"`
	// CarrierError says why the carrier's label could not be had (its
	// refusal, or no answer in time); "" otherwise.
	CarrierError string `json:"carrier_label_error,omitempty"`
	// The shipment as sent to the carrier: the household sends, the
	// marketplace's buyer receives.
	SenderName          string    `json:"sender_name"`
	SenderPhone         string    `json:"sender_phone"`
	SenderAddress       string    `json:"sender_address"`
	DestinationProvince string    `json:"destination_province"`
	Product             string    `json:"product"`
	WeightKg            float64   `json:"weight_kg"`
	Parcels             int       `json:"parcels"`
	CODAmount           int64     `json:"cod_amount"`
	Note                string    `json:"note,omitempty"`
	PrintedAt           time.Time `json:"printed_at"`
}

// OrderLabel returns the label of an order's parcel. Errors:
// thugom.ErrNotFound (no such order), EConflict (no waybill: its shipment
// is not created yet, was refused or cancelled).
func (s *Service) OrderLabel(ctx context.Context, orderID int64) (*OrderLabel, error) {
	o, err := store.ShipmentOrderOf(ctx, s.db, orderID)
	if err != nil {
		return nil, err
	}
	sh, err := store.ShipmentOfOrder(ctx, s.db, orderID)
	if err != nil {
		return nil, err
	}
	switch {
	case sh != nil && sh.Status == thugom.ShipmentFailed:
		return nil, thugom.Errorf(thugom.EConflict, "order_id", "order %d has no waybill: %s refused its shipment (%s)", orderID, o.Carrier, sh.Error)
	case sh != nil && sh.Status == thugom.ShipmentCancelled:
		return nil, thugom.Errorf(thugom.EConflict, "order_id", "order %d's shipment %s is cancelled: nothing to print", orderID, sh.Waybill)
	case sh == nil || sh.Waybill == "":
		return nil, thugom.Errorf(thugom.EConflict, "order_id", "order %d has no waybill yet: its shipment at %s is not created (it is, at the latest, when the order is picked up)", orderID, o.Carrier)
	}
	now := s.now()
	l := &OrderLabel{
		OrderID: o.OrderID, Reference: o.MarketplaceOrderID, Carrier: o.Carrier, Waybill: sh.Waybill,
		SenderName: o.SenderName, SenderPhone: o.SenderPhone, SenderAddress: o.SenderAddress,
		DestinationProvince: o.DestinationProvince, Product: o.ProductName, WeightKg: o.WeightKg,
		Parcels: o.Parcels, CODAmount: o.CODAmount, Note: o.Note, PrintedAt: now,
	}
	if p, ok := s.carrier.cfg.Connectors[o.Carrier].(LabelPrinter); ok {
		cctx, cancel := context.WithTimeout(ctx, labelTimeout)
		defer cancel()
		u, err := p.LabelURL(cctx, sh.Waybill, now.Add(labelTTL))
		if err != nil {
			l.CarrierError = truncate(err.Error(), 300)
			s.log.Warn("carrier label", "carrier", o.Carrier, "order", orderID, "err", err)
		} else {
			l.CarrierURL = u
		}
	}
	return l, nil
}
