package jobs

import "strconv"

// The buyer on the carrier's shipment (người nhận): both connectors send
// the order's buyer when its marketplace gave one (name, phone, the
// address line with the ward's, the district's and the province's names,
// and the carrier's own district and ward ids as given), and as before
// when it did not: no name, no phone, the province as the address, no
// district or ward (the carrier's clerk completes them).

// receiver is the buyer's contact as the carriers take it: the phone in
// the national writing (0…), the one-line address.
func receiver(s CarrierShipment) (name, phone, address string) {
	b := s.Receiver
	if b.Phone != "" {
		phone = esmsPhone(b.Phone)
	}
	return b.Name, phone, b.AddressLine(s.DestinationProvince)
}

// areaID is a carrier's district or ward id as ViettelPost's integer
// fields take it: 0 when not given (thugom.Buyer.Check keeps digits only).
func areaID(id string) int64 {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0
	}
	return n
}
