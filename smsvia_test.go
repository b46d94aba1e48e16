package thugom_test

import (
	"strings"
	"testing"

	"github.com/thugom/thugom"
)

// TestAcknowledgementNamesTheChannel: the same answer by each channel is
// the same kind of SMS, and its text says which channel was heard (a tap
// on the page is not told "you texted").
func TestAcknowledgementNamesTheChannel(t *testing.T) {
	t.Parallel()
	for _, kind := range []thugom.SMSKind{thugom.SMSReplyReady, thugom.SMSReplyPostponed, thugom.SMSReplyCancelled} {
		for via, want := range map[string]string{"page": "tren trang", "sms": "qua tin nhan", "dispatcher": "qua dien thoai voi buu cuc", "": ""} {
			s, err := thugom.RenderSMS(thugom.SMSData{Kind: kind, Via: via, Depot: "Buu cuc Chi Lang", DepotPhone: "0205 3820 111"})
			if err != nil {
				t.Fatalf("%s via %q: %v", kind, via, err)
			}
			if want != "" && !strings.Contains(s, want) {
				t.Errorf("%s via %q: %q does not say %q", kind, via, s, want)
			}
			if via == "page" && strings.Contains(s, "qua tin nhan") {
				t.Errorf("%s via the page says it was texted: %q", kind, s)
			}
			if len(s) > 160 {
				t.Errorf("%s via %q: %d characters, over one SMS", kind, via, len(s))
			}
		}
	}
}
