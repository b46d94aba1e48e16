package fakecarrier

import (
	"fmt"
	"strings"

	"github.com/thugom/thugom"
)

// The receiver's fields of a create, checked as the carriers' documented
// shapes say: ViettelPost's createOrder takes RECEIVER_FULLNAME,
// RECEIVER_PHONE and RECEIVER_ADDRESS as required strings and
// RECEIVER_PROVINCE, RECEIVER_DISTRICT and RECEIVER_WARD as integer ids
// (integrators' typed clients and their specification of the partner
// API); MyVNPost's CreateOrder takes ReceiverFullname, ReceiverTel and
// ReceiverAddress as strings and ReceiverProvinceId, ReceiverDistrictId
// and ReceiverWardId as strings (integrators' clients). A phone that is not
// a Vietnamese number is refused by both.
//
// The fakes accept a create with no receiver at all (no name, no phone):
// thugom sends that for an order whose marketplace gave no buyer, and the
// post office's clerk completes it (the real partner API may refuse it:
// README, "Carriers").

// receiverFields names a carrier's receiver fields.
type receiverFields struct {
	name, phone string
	ids         []string // the province, district and ward ids
	idNumbers   bool     // ids are JSON numbers (else strings)
	// together: the name and the phone are both required once either is
	// given (the documented required fields).
	together bool
}

var (
	vtpReceiver = receiverFields{name: "RECEIVER_FULLNAME", phone: "RECEIVER_PHONE",
		ids: []string{"RECEIVER_PROVINCE", "RECEIVER_DISTRICT", "RECEIVER_WARD"}, idNumbers: true, together: true}
	vnpReceiver = receiverFields{name: "ReceiverFullname", phone: "ReceiverTel",
		ids: []string{"ReceiverProvinceId", "ReceiverDistrictId", "ReceiverWardId"}}
)

// check returns what the carrier refuses in body's receiver; "" when
// nothing.
func (f receiverFields) check(body map[string]any) string {
	for _, k := range f.ids {
		v, ok := body[k]
		if !ok || v == nil {
			continue
		}
		switch v.(type) {
		case float64:
			if !f.idNumbers {
				return k + " must be a string id"
			}
		case string:
			if f.idNumbers {
				return k + " must be an integer id"
			}
		default:
			return k + " is not an id"
		}
	}
	name, phone := strings.TrimSpace(str(body, f.name)), strings.TrimSpace(str(body, f.phone))
	if f.together && (name == "") != (phone == "") {
		if name == "" {
			return f.name + " is required"
		}
		return f.phone + " is required"
	}
	if phone != "" {
		if _, err := thugom.NormalizePhone(f.phone, phone); err != nil {
			return fmt.Sprintf("%s %q is not a phone number", f.phone, phone)
		}
	}
	return ""
}
