package thugom

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Buyer is an order's receiver (người nhận) as its marketplace knows them:
// the carrier delivers to them, the label prints them. Every field is
// optional (an order without a buyer ships as before, to its province);
// the phone is E.164. DistrictID and WardID are the carrier's own ids of
// the buyer's district (quận/huyện) and ward (phường/xã), passed to the
// carrier as given; District and Ward are their names, written into the
// address the carrier reads when it has no id.
//
// A buyer is personal data thugom needs only until delivery: the hourly
// housekeeping blanks it BuyerRetention after the order was delivered or
// cancelled (jobs.Housekeep).
type Buyer struct {
	Name       string `json:"receiver_name,omitempty"`
	Phone      string `json:"receiver_phone,omitempty"`
	Address    string `json:"receiver_address,omitempty"`
	DistrictID string `json:"receiver_district_id,omitempty"`
	WardID     string `json:"receiver_ward_id,omitempty"`
	District   string `json:"receiver_district,omitempty"`
	Ward       string `json:"receiver_ward,omitempty"`
}

// BuyerRetention is how long after its delivery (the carrier's delivered
// time) or its cancellation an order keeps its buyer's details: long
// enough for a complaint or a return to find them, no longer.
const BuyerRetention = 30 * 24 * time.Hour

// Lengths a buyer's fields may have (characters): a person's name, an
// address line, a district's or ward's name, a carrier's id.
const (
	MaxBuyerName     = 100
	MaxBuyerAddress  = 300
	MaxBuyerPlace    = 100
	MaxCarrierAreaID = 12
)

// Empty says no field is given.
func (b Buyer) Empty() bool { return b == Buyer{} }

// Check returns the buyer trimmed, the phone in E.164 (any Vietnamese
// writing, NormalizePhone), or an EInvalid error naming the field at fault
// by its JSON name: a control character (a line break included: each
// field is one line of a label), a field too long, a phone that is not
// Vietnamese, an id that is not the carrier's (digits).
func (b Buyer) Check() (Buyer, error) {
	fields := []struct {
		name string
		v    *string
		max  int
	}{
		{"receiver_name", &b.Name, MaxBuyerName}, {"receiver_phone", &b.Phone, 30},
		{"receiver_address", &b.Address, MaxBuyerAddress}, {"receiver_district_id", &b.DistrictID, MaxCarrierAreaID},
		{"receiver_ward_id", &b.WardID, MaxCarrierAreaID}, {"receiver_district", &b.District, MaxBuyerPlace},
		{"receiver_ward", &b.Ward, MaxBuyerPlace},
	}
	for _, f := range fields {
		*f.v = strings.TrimSpace(*f.v)
		if i := strings.IndexFunc(*f.v, unicode.IsControl); i >= 0 {
			return b, Errorf(EInvalid, f.name, "contains a control character (U+%04X at byte %d): one line of text", []rune((*f.v)[i:])[0], i)
		}
		if n := utf8.RuneCountInString(*f.v); n > f.max {
			return b, Errorf(EInvalid, f.name, "%d characters, more than %d", n, f.max)
		}
	}
	for _, f := range fields[3:5] {
		if strings.Trim(*f.v, "0123456789") != "" {
			return b, Errorf(EInvalid, f.name, "%q is not a carrier's id (digits, as the carrier's address list gives it)", *f.v)
		}
	}
	if b.Phone != "" {
		var err error
		if b.Phone, err = NormalizePhone("receiver_phone", b.Phone); err != nil {
			return b, err
		}
	}
	return b, nil
}

// AddressLine is the buyer's address as one line for a carrier or a
// label: the address, the ward's and the district's names (those given),
// and the province as the order writes it.
func (b Buyer) AddressLine(province string) string {
	var parts []string
	for _, p := range []string{b.Address, b.Ward, b.District, strings.TrimSpace(province)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
