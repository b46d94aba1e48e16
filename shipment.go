package thugom

import (
	"sort"
	"time"
)

// An order's shipment at its carrier (issue 23): created once, at intake or
// at pickup; failed when the carrier refused it (an administrator looks);
// cancelled with the order.
const (
	ShipmentCreated   = "created"
	ShipmentFailed    = "failed"
	ShipmentCancelled = "cancelled"
)

// ShipmentStatuses lists a shipment's statuses (shipments.status).
var ShipmentStatuses = []string{ShipmentCreated, ShipmentFailed, ShipmentCancelled}

// A message to a carrier's system (carrier_outbox.status): queued, then
// sending (leased by one sender), then sent, failed (refused by the
// carrier) or skipped (nothing to tell: the cancel of a shipment never
// created); a retry puts a sending message back to queued.
const (
	CarrierQueued  = "queued"
	CarrierSending = "sending"
	CarrierSent    = "sent"
	CarrierFailed  = "failed"
	CarrierSkipped = "skipped"
)

// CarrierMessageStatuses lists a carrier message's statuses.
var CarrierMessageStatuses = []string{CarrierQueued, CarrierSending, CarrierSent, CarrierFailed, CarrierSkipped}

// Carriers' status codes of a delivery to the buyer: ViettelPost's 501
// (phát thành công), VNPost's 100 (phát thành công).
const (
	ViettelPostDelivered = 501
	VNPostDelivered      = 100
)

// CarrierDelivered reports whether a carrier's status code means the
// parcel reached its buyer.
func CarrierDelivered(carrier string, code int) bool {
	switch carrier {
	case CarrierViettelPost:
		return code == ViettelPostDelivered
	case CarrierVNPost:
		return code == VNPostDelivered
	}
	return false
}

// EstimatedDelivery is thugom's estimate of when a parcel at the depot at
// the given time reaches its buyer, when the carrier has not told it: the
// first truck of the depot's timetable serving the province whose cutoff
// it makes, plus that truck's transit; false when none serves the province
// within eight days. The rule is the promise's (Trucks): "*" serves every
// province, destinations and the order's province are compared by
// ProvinceKey ("01", "Hà Nội" and "Thành phố Hà Nội" are one), and an
// overnight truck's cutoff is the evening before it leaves. It is computed
// once, at pickup and again at the hand-over, and stored
// (orders.estimated_delivery): the SLA board and the day report read it.
func EstimatedDelivery(departures []Departure, province string, atDepot time.Time) (time.Time, bool) {
	trucks := Trucks(departures, province, Day(atDepot), -1, 8)
	i := sort.Search(len(trucks), func(i int) bool { return !trucks[i].Cutoff.Before(atDepot) })
	if i == len(trucks) {
		return time.Time{}, false
	}
	return trucks[i].Arrive, true
}
