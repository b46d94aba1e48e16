package thugom_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

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
		thugom.SMSPickupFailed, thugom.SMSPickupLate, thugom.SMSReplyReady, thugom.SMSReplyPostponed, thugom.SMSReplyCancelled, thugom.SMSReplyRestored, thugom.SMSReplyHelp,
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
	for _, c := range []struct {
		in   string
		want thugom.SMSReply
	}{
		// digits, as before
		{"1", thugom.ReplyReady}, {" 1 ", thugom.ReplyReady}, {"1.", thugom.ReplyReady}, {"#2", thugom.ReplyPostpone},
		{"0\r\n", thugom.ReplyCancel}, {"2", thugom.ReplyPostpone},
		// ready in words
		{"co", thugom.ReplyReady}, {"có", thugom.ReplyReady}, {"Có", thugom.ReplyReady}, {"CÓ", thugom.ReplyReady},
		{"ok", thugom.ReplyReady}, {"OK!", thugom.ReplyReady}, {"Ok nhé", thugom.ReplyReady},
		{"san sang", thugom.ReplyReady}, {"sẵn sàng", thugom.ReplyReady}, {"Sẵn Sàng", thugom.ReplyReady},
		{"SAN SANG", thugom.ReplyReady}, {"sansang", thugom.ReplyReady}, {"san  sang.", thugom.ReplyReady},
		{"đã sẵn sàng", thugom.ReplyReady}, {"roi", thugom.ReplyReady}, {"rồi", thugom.ReplyReady}, {"Rồi ạ", thugom.ReplyReady},
		{"san xang", thugom.ReplyReady}, {"sna sang", thugom.ReplyReady}, {"san sangg", thugom.ReplyReady},
		// postpone in words
		{"hoan", thugom.ReplyPostpone}, {"hoãn", thugom.ReplyPostpone}, {"HOÃN", thugom.ReplyPostpone},
		{"mai", thugom.ReplyPostpone}, {"Mai", thugom.ReplyPostpone}, {"de mai", thugom.ReplyPostpone}, {"để mai", thugom.ReplyPostpone},
		{"Để mai nhé", thugom.ReplyPostpone}, {"hoanx", thugom.ReplyPostpone}, {"hoang", thugom.ReplyPostpone}, {"hoan lai", thugom.ReplyPostpone},
		// cancel in words
		{"huy", thugom.ReplyCancel}, {"hủy", thugom.ReplyCancel}, {"Hủy", thugom.ReplyCancel}, {"HỦY", thugom.ReplyCancel},
		{"huỷ", thugom.ReplyCancel}, // the old placement of the tone mark
		{"khong", thugom.ReplyCancel}, {"không", thugom.ReplyCancel}, {"Không ạ", thugom.ReplyCancel}, {"ko", thugom.ReplyCancel},
		{"thoi", thugom.ReplyCancel}, {"thôi", thugom.ReplyCancel}, {"khogn", thugom.ReplyCancel}, {"khôngg", thugom.ReplyCancel},
		{"huy don", thugom.ReplyCancel}, {"thoii", thugom.ReplyCancel},
	} {
		got, err := thugom.ParseSMSReply(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSMSReply(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "3", "12", "1 2", "co khong", "hoan huy", strings.Repeat("x", 500), "１",
		"xin chao", "bao gio den", "c", "ho", "may", "hu", "ai", "khoai", "thong", "?", "...", "chao ban",
		"1 hoac 2"} {
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

func TestWakingHoursSendAt(t *testing.T) {
	t.Parallel()
	w := thugom.DefaultWakingHours
	for _, c := range []struct {
		name   string
		due    time.Time
		kind   thugom.SMSKind
		urgent bool
		pickup time.Time
		want   time.Time
	}{
		{"window in the evening leaves at once", at(22, 17, 0), thugom.SMSPickupWindow, false, at(23, 6, 45), at(22, 17, 0)},
		{"window at 21:00 waits for 06:30", at(22, 21, 0), thugom.SMSPickupWindow, false, at(23, 9, 0), at(23, 6, 30)},
		{"window at 02:45 waits for 06:30", at(23, 2, 45), thugom.SMSPickupWindow, false, at(23, 6, 45), at(23, 6, 30)},
		{"cancel at 02:45 waits when the pickup is late", at(23, 2, 45), thugom.SMSPickupCancelled, true, at(23, 9, 0), at(23, 6, 30)},
		{"cancel at 02:45 leaves when the pickup is at 07:00", at(23, 2, 45), thugom.SMSPickupCancelled, true, at(23, 7, 0), at(23, 2, 45)},
		{"change at 20:59 leaves", at(22, 20, 59), thugom.SMSPickupChanged, true, at(23, 9, 0), at(22, 20, 59)},
		{"change at 06:29 waits a minute", at(23, 6, 29), thugom.SMSPickupChanged, true, at(23, 10, 0), at(23, 6, 30)},
		{"an answer to a reply leaves at night", at(23, 1, 0), thugom.SMSReplyCancelled, true, time.Time{}, at(23, 1, 0)},
		{"urgent without a pickup waits", at(23, 1, 0), thugom.SMSPickupFailed, true, time.Time{}, at(23, 6, 30)},
	} {
		if got := w.SendAt(c.due, c.kind, c.urgent, c.pickup); !got.Equal(c.want) {
			t.Errorf("%s: SendAt = %s, want %s", c.name, got.In(thugom.Local), c.want.In(thugom.Local))
		}
		if got := w.SendAt(c.due, c.kind, c.urgent, c.pickup); !c.urgent && !w.Awake(got) {
			t.Errorf("%s: a message that can wait leaves at %s", c.name, got.In(thugom.Local))
		}
	}
	if got := w.LastEvening(at(23, 5, 15), 30*time.Minute); !got.Equal(at(22, 20, 30)) {
		t.Errorf("LastEvening(05:15) = %s, want the 22nd 20:30", got.In(thugom.Local))
	}
	if got := w.LastEvening(at(23, 22, 15), 30*time.Minute); !got.Equal(at(23, 20, 30)) {
		t.Errorf("LastEvening(22:15) = %s, want 20:30 the same day", got.In(thugom.Local))
	}
	if got := (thugom.WakingHours{From: 7 * 3600, Until: 20 * 3600}).NextMorning(at(22, 20, 0)); !got.Equal(at(23, 7, 0)) {
		t.Errorf("configured hours: NextMorning = %s", got.In(thugom.Local))
	}
}

func TestParseWakingHours(t *testing.T) {
	t.Parallel()
	w, err := thugom.ParseWakingHours("06:30-21:00")
	if err != nil || w != thugom.DefaultWakingHours {
		t.Errorf("default: %+v %v", w, err)
	}
	if back, err := thugom.ParseWakingHours(w.String()); err != nil || back != w || w.String() != "06:30-21:00" {
		t.Errorf("String %q reads back as %+v %v", w.String(), back, err)
	}
	for _, bad := range []string{"", "6-21", "21:00-06:30", "06:30", "25:00-26:00"} {
		if _, err := thugom.ParseWakingHours(bad); !errors.Is(err, thugom.ErrInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if s, err := thugom.ParseClockTime("evening_at", "17:00"); err != nil || s != 17*3600 {
		t.Errorf("17:00: %d %v", s, err)
	}
}
