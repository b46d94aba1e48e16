package thugom_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/thugom/thugom"
)

func TestRenderSMSPickupWindow(t *testing.T) {
	t.Parallel()
	msg, err := thugom.RenderSMS(thugom.SMSData{
		Kind: thugom.SMSPickupWindow, Depot: "Bưu cục Chi Lăng",
		WindowStart: at(22, 9, 30), WindowEnd: at(22, 10, 30),
		Orders: 3, WeightKg: 12, Boxes: 2, Nets: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "Thugom: Buu cuc Chi Lang lay hang 3 don (12 kg) ngay 22/11 luc 09:30-10:30. Can 2 thung, 3 luoi xop. Tra loi 1=san sang, 2=hoan sang mai, 0=huy"
	if msg != want {
		t.Errorf("got  %q\nwant %q", msg, want)
	}
	checkGSM(t, msg)
}

func TestRenderSMSAllKindsFit(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Bưu cục văn hóa xã Hữu Lũng Đồng Đăng ", 5)
	kinds := []thugom.SMSKind{
		thugom.SMSPickupWindow, thugom.SMSPickupChanged, thugom.SMSPickupCancelled, thugom.SMSPackReminder,
		thugom.SMSPickupFailed, thugom.SMSPickupLate, thugom.SMSReplyReady, thugom.SMSReplyPostponed, thugom.SMSReplyCancelled, thugom.SMSReplyHelp,
	}
	for _, k := range kinds {
		for _, depot := range []string{"Bưu cục Lạng Sơn", long} {
			msg, err := thugom.RenderSMS(thugom.SMSData{
				Kind: k, Depot: depot, DepotPhone: "0205 3870 123",
				WindowStart: at(22, 9, 30), WindowEnd: at(22, 10, 30),
				Orders: 12, WeightKg: 123.5, Boxes: 10, Nets: 24, Reason: "không có người ở nhà",
			})
			if err != nil {
				t.Errorf("%s: %v", k, err)
				continue
			}
			checkGSM(t, msg)
			if !strings.HasPrefix(msg, "Thugom:") {
				t.Errorf("%s: message does not name the sender: %q", k, msg)
			}
		}
	}
}

func TestRenderSMSRepliesExplained(t *testing.T) {
	t.Parallel()
	for _, k := range []thugom.SMSKind{thugom.SMSPickupWindow, thugom.SMSPickupChanged, thugom.SMSPackReminder, thugom.SMSReplyHelp} {
		msg, err := thugom.RenderSMS(thugom.SMSData{Kind: k, Depot: "Bưu cục Bắc Sơn", WindowStart: at(22, 14, 0), WindowEnd: at(22, 15, 0)})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{"1", "2", "0"} {
			if !strings.Contains(msg, d) {
				t.Errorf("%s does not explain reply %s: %q", k, d, msg)
			}
		}
	}
}

func TestRenderSMSBadInput(t *testing.T) {
	t.Parallel()
	for _, d := range []thugom.SMSData{
		{Kind: "shout"},
		{Kind: thugom.SMSPickupWindow, Depot: "x"},                                            // no window
		{Kind: thugom.SMSPickupChanged, WindowStart: at(22, 11, 0), WindowEnd: at(22, 10, 0)}, // reversed
		{Kind: thugom.SMSPickupCancelled, Orders: -1},                                         // negative
	} {
		if _, err := thugom.RenderSMS(d); !errors.Is(err, thugom.ErrInvalid) {
			t.Errorf("%+v: err = %v, want invalid", d, err)
		}
	}
}

func TestRenderSMSStrangeCharacters(t *testing.T) {
	t.Parallel()
	msg, err := thugom.RenderSMS(thugom.SMSData{Kind: thugom.SMSPickupCancelled, Depot: "Bưu cục 🍊 Bắc Sơn\n«mới»", Reason: "hết hàng"})
	if err != nil {
		t.Fatal(err)
	}
	checkGSM(t, msg)
	if strings.ContainsAny(msg, "\n🍊") {
		t.Errorf("unclean: %q", msg)
	}
}

func TestParseSMSReply(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]thugom.SMSReply{
		"1": thugom.ReplyReady, " 1 ": thugom.ReplyReady, "1.": thugom.ReplyReady, "#2": thugom.ReplyPostpone,
		"0\r\n": thugom.ReplyCancel, "2": thugom.ReplyPostpone,
	} {
		got, err := thugom.ParseSMSReply(in)
		if err != nil || got != want {
			t.Errorf("ParseSMSReply(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "3", "12", "ok", "co", "1 2", strings.Repeat("x", 500), "１"} {
		got, err := thugom.ParseSMSReply(in)
		if !errors.Is(err, thugom.ErrInvalid) || got != thugom.ReplyUnknown {
			t.Errorf("ParseSMSReply(%q) = %v, %v; want invalid", in, got, err)
		}
		if err != nil && len(err.Error()) > 200 {
			t.Errorf("error message too long for %q", in)
		}
	}
}

func TestGSM7Len(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s  string
		n  int
		ok bool
	}{
		{"abc", 3, true}, {"a{b}", 6, true}, {"€", 2, true}, {"Lạng", 1, false}, {"", 0, true},
	} {
		n, ok := thugom.GSM7Len(c.s)
		if ok != c.ok || (ok && n != c.n) {
			t.Errorf("GSM7Len(%q) = %d, %v", c.s, n, ok)
		}
	}
}

func checkGSM(t *testing.T, msg string) {
	t.Helper()
	n, ok := thugom.GSM7Len(msg)
	if !ok {
		t.Errorf("not GSM-7: %q", msg)
	}
	if n > thugom.SMSMaxLen {
		t.Errorf("%d septets > %d: %q", n, thugom.SMSMaxLen, msg)
	}
}

func ExampleRenderSMS() {
	msg, _ := thugom.RenderSMS(thugom.SMSData{
		Kind: thugom.SMSPickupChanged, Depot: "Bưu cục Văn Quan",
		WindowStart: at(22, 13, 0), WindowEnd: at(22, 14, 0), Orders: 2, WeightKg: 8,
	})
	fmt.Println(msg)
	// Output: Thugom: DOI GIO lay hang 2 don (8 kg): ngay 22/11 luc 13:00-14:00 (Buu cuc Van Quan). Tra loi 1=san sang, 2=hoan sang mai, 0=huy
}
