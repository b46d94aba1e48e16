package thugom_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
)

var linkSecret = []byte("0123456789abcdef0123456789abcdef")

func TestShortLinkSignVerify(t *testing.T) {
	t.Parallel()
	now := at(22, 17, 0) // the evening before a pickup on the 23rd
	for _, id := range []int64{1, 2, 93, 94, 5773, 5774, 12345, 358179, 358180, 1 << 40} {
		code := thugom.SignShortLink(linkSecret, id, at(25, 0, 0))
		got, err := thugom.VerifyShortLink(linkSecret, code, now)
		if err != nil || got != id {
			t.Errorf("id %d: code %q verifies as %d, %v", id, code, got, err)
		}
		for _, c := range code {
			if !strings.ContainsRune("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", c) {
				t.Errorf("id %d: code %q has %q, not base62", id, code, c)
			}
		}
	}
}

// TestShortLinkLength: the length the SMS budget counts on.
func TestShortLinkLength(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id   int64
		max  int
		name string
	}{
		{1, 10, "first household"},
		{92, 10, "tiny"},
		{5773, 11, "the demo's ids"},
		{358179, 12, "a province's households"},
		{1 << 30, 14, "a billion"},
	} {
		for d := 0; d < 40; d++ { // every day bit pattern and MAC
			code := thugom.SignShortLink(linkSecret, tc.id, at(1, 0, 0).AddDate(0, 0, d))
			if len(code) > tc.max {
				t.Errorf("%s (id %d): code %q is %d characters, want ≤ %d", tc.name, tc.id, code, len(code), tc.max)
			}
		}
	}
	if got := thugom.ShortLinkURL("https://thugom.vn/", linkSecret, 358179, at(25, 0, 0)); !strings.HasPrefix(got, "thugom.vn/s/") || len(got) > len("thugom.vn/s/")+12 {
		t.Errorf("ShortLinkURL = %q", got)
	}
}

func TestShortLinkRejects(t *testing.T) {
	t.Parallel()
	now := at(22, 17, 0)
	code := thugom.SignShortLink(linkSecret, 4321, at(24, 12, 0))
	flip := func(i int) string {
		b := []byte(code)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return string(b)
	}
	cases := []struct {
		name   string
		secret []byte
		code   string
		now    time.Time
		want   error
	}{
		{"valid on its last day", linkSecret, code, at(24, 23, 59), nil},
		{"valid a week before", linkSecret, code, at(17, 8, 0), nil},
		{"expired the day after", linkSecret, code, at(25, 0, 0), thugom.ErrShortLinkExpired},
		{"expired a fortnight after", linkSecret, code, at(24, 0, 0).AddDate(0, 0, 15), thugom.ErrShortLinkExpired},
		{"a month later: another day, invalid", linkSecret, code, at(24, 0, 0).AddDate(0, 0, 32), thugom.ErrShortLinkInvalid},
		{"a year later", linkSecret, code, at(24, 0, 0).AddDate(1, 0, 0), thugom.ErrShortLinkInvalid},
		{"wrong secret", []byte("another secret of 32 bytes......"), code, now, thugom.ErrShortLinkInvalid},
		{"first character changed", linkSecret, flip(0), now, thugom.ErrShortLinkInvalid},
		{"middle character changed", linkSecret, flip(len(code) / 2), now, thugom.ErrShortLinkInvalid},
		{"last character changed", linkSecret, flip(len(code) - 1), now, thugom.ErrShortLinkInvalid},
		{"cut", linkSecret, code[:len(code)-1], now, thugom.ErrShortLinkInvalid},
		{"extended", linkSecret, code + "0", now, thugom.ErrShortLinkInvalid},
		{"leading zero", linkSecret, "0" + code, now, thugom.ErrShortLinkInvalid},
		{"not base62", linkSecret, code[:3] + "-" + code[4:], now, thugom.ErrShortLinkInvalid},
		{"empty", linkSecret, "", now, thugom.ErrShortLinkInvalid},
		{"long", linkSecret, strings.Repeat("z", 200), now, thugom.ErrShortLinkInvalid},
		{"zero", linkSecret, "0", now, thugom.ErrShortLinkInvalid},
		{"unicode", linkSecret, "Hữu" + code, now, thugom.ErrShortLinkInvalid},
	}
	for _, tc := range cases {
		id, err := thugom.VerifyShortLink(tc.secret, tc.code, tc.now)
		switch {
		case tc.want == nil && (err != nil || id != 4321):
			t.Errorf("%s: got %d, %v; want 4321", tc.name, id, err)
		case tc.want != nil && (!errors.Is(err, tc.want) || id != 0):
			t.Errorf("%s: got %d, %v; want %v", tc.name, id, err, tc.want)
		}
	}
}

// TestShortLinkTamperAnyID: a code's MAC covers the household, so no
// other household's code can be made from it by changing the id's bits.
func TestShortLinkTamperAnyID(t *testing.T) {
	t.Parallel()
	now := at(22, 17, 0)
	for id := int64(1); id <= 300; id++ {
		code := thugom.SignShortLink(linkSecret, id, at(23, 0, 0))
		other := thugom.SignShortLink(linkSecret, id+1, at(23, 0, 0))
		// Splice the other's id part onto this MAC.
		if len(other) == len(code) {
			spliced := other[:len(other)-8] + code[len(code)-8:]
			if got, err := thugom.VerifyShortLink(linkSecret, spliced, now); err == nil {
				t.Fatalf("spliced code %q verifies as %d", spliced, got)
			}
		}
	}
}

func TestShortLinkURL(t *testing.T) {
	t.Parallel()
	through := at(24, 0, 0)
	code := thugom.SignShortLink(linkSecret, 7, through)
	for _, tc := range []struct {
		base   string
		secret []byte
		id     int64
		want   string
	}{
		{"https://thugom.vn", linkSecret, 7, "thugom.vn/s/" + code},
		{"http://127.0.0.1:8080/", linkSecret, 7, "127.0.0.1:8080/s/" + code},
		{"thugom.vn", linkSecret, 7, "thugom.vn/s/" + code},
		{"", linkSecret, 7, ""},
		{"https://thugom.vn", []byte("short"), 7, ""},
		{"https://thugom.vn", linkSecret, 0, ""},
	} {
		if got := thugom.ShortLinkURL(tc.base, tc.secret, tc.id, through); got != tc.want {
			t.Errorf("ShortLinkURL(%q, %q, %d) = %q, want %q", tc.base, tc.secret, tc.id, got, tc.want)
		}
	}
}

// TestRenderSMSLink: the window and changed messages carry the link when it
// fits without losing day, window, kg, packing or the reply digits; the
// order of shortening is the long reply hint, then "Buu cuc" → "BC"; and
// when even that does not fit, the message is the complete one without it.
func TestRenderSMSLink(t *testing.T) {
	t.Parallel()
	link := "thugom.vn/s/" + thugom.SignShortLink(linkSecret, 358179, at(24, 0, 0)) // 12 characters, the longest we send
	long := "Bưu cục văn hóa xã Hữu Lũng Đồng Đăng Tràng Định"
	type tc struct {
		name           string
		kind           thugom.SMSKind
		depot          string
		orders         int
		kg             float64
		boxes, nets    int
		wantLink       bool
		wantHint, want string // a prefix of the message, when set
	}
	cases := []tc{
		{"short changed keeps the full hint", thugom.SMSPickupChanged, "Bưu cục Chi Lăng", 1, 5, 0, 0, true, "Tra loi 1=san sang, 2=hoan sang mai, 0=huy", ""},
		{"window, one order, no packing", thugom.SMSPickupWindow, "Bưu cục Chi Lăng", 1, 5, 0, 0, true, "Tra loi 1=san sang, 2=hoan sang mai, 0=huy", ""},
		{"window with packing: medium hint", thugom.SMSPickupWindow, "Bưu cục Chi Lăng", 2, 12, 2, 1, true, "Tra loi 1=san sang, 2=hoan, 0=huy", ""},
		{"2-digit orders and packing", thugom.SMSPickupWindow, "Bưu cục Tràng Định", 12, 123.5, 10, 24, true, "TL 1=san sang 2=hoan 0=huy", "Thugom: Buu cuc Trang Dinh"},
		{"longest demo depot, 2-digit everything", thugom.SMSPickupWindow, "Bưu cục GD Cấp 1 Lạng Sơn", 12, 123.5, 10, 24, true, "TL 1=san sang 2=hoan 0=huy", "Thugom: BC GD Cap 1 Lang Son"},
		{"ViettelPost, 2-digit everything", thugom.SMSPickupWindow, "ViettelPost Hữu Lũng", 12, 123.5, 10, 24, true, "TL 1=san sang 2=hoan 0=huy", "Thugom: ViettelPost Huu Lung"},
		{"long depot: no link, complete", thugom.SMSPickupWindow, long, 12, 123.5, 10, 24, false, "Tra loi 1=san sang, 2=hoan sang mai, 0=huy", ""},
		{"cultural post office changed keeps the link", thugom.SMSPickupChanged, "Bưu cục văn hóa xã Yên Trạch", 12, 123.5, 0, 0, true, "", ""},
		{"reminder never carries it", thugom.SMSPackReminder, "Bưu cục Chi Lăng", 1, 5, 0, 0, false, "", ""},
		{"cancel never carries it", thugom.SMSPickupCancelled, "Bưu cục Chi Lăng", 1, 5, 0, 0, false, "", ""},
	}
	for _, c := range cases {
		d := thugom.SMSData{Kind: c.kind, Depot: c.depot, WindowStart: at(23, 9, 30), WindowEnd: at(23, 10, 30),
			Orders: c.orders, WeightKg: c.kg, Boxes: c.boxes, Nets: c.nets, Link: link}
		msg, err := thugom.RenderSMS(d)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		checkGSM(t, msg)
		t.Logf("%s:\n%s", c.name, msg)
		if got := strings.HasSuffix(msg, "\n"+link); got != c.wantLink {
			t.Errorf("%s: link %v, want %v: %q", c.name, got, c.wantLink, msg)
		}
		if c.wantHint != "" && !strings.Contains(msg, c.wantHint) {
			t.Errorf("%s: want hint %q in %q", c.name, c.wantHint, msg)
		}
		if c.want != "" && !strings.HasPrefix(msg, c.want) {
			t.Errorf("%s: want prefix %q in %q", c.name, c.want, msg)
		}
		// What the household needs is all there, link or not.
		if c.kind == thugom.SMSPickupWindow || c.kind == thugom.SMSPickupChanged {
			need := []string{"23/11", "09:30-10:30", fmt.Sprintf("%d don", c.orders), "1=san sang", "2=hoan", "0=huy"}
			if c.kg >= 10 {
				need = append(need, fmt.Sprintf("(%.0f kg)", c.kg))
			}
			if c.boxes > 0 {
				need = append(need, fmt.Sprintf("%d thung", c.boxes), fmt.Sprintf("%d luoi xop", c.nets))
			}
			for _, n := range need {
				if !strings.Contains(msg, n) {
					t.Errorf("%s: %q missing from %q", c.name, n, msg)
				}
			}
		}
		// Without the link, the message is exactly today's.
		d.Link = ""
		plain, err := thugom.RenderSMS(d)
		if err != nil {
			t.Fatal(err)
		}
		if !c.wantLink {
			if msg != plain {
				t.Errorf("%s: without room for the link the message changed:\n%q\n%q", c.name, msg, plain)
			}
		} else if strings.Contains(plain, "/s/") || !strings.Contains(plain, "Tra loi 1=san sang, 2=hoan sang mai, 0=huy") {
			t.Errorf("%s: the plain message is not the complete one: %q", c.name, plain)
		}
	}
}

// TestRenderSMSLinkBad: a link that is not plain GSM-7 without spaces is
// left out, never sent mangled.
func TestRenderSMSLinkBad(t *testing.T) {
	t.Parallel()
	for _, link := range []string{"thugom.vn/s/ab cd", "thugöm.vn/s/ab€", "thugom.vn/s/ảb"} {
		msg, err := thugom.RenderSMS(thugom.SMSData{Kind: thugom.SMSPickupWindow, Depot: "Bưu cục Chi Lăng",
			WindowStart: at(23, 9, 30), WindowEnd: at(23, 10, 30), Orders: 1, WeightKg: 5, Link: link})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(msg, "/s/") {
			t.Errorf("link %q sent as %q", link, msg)
		}
	}
}

// TestParseSMSReplyAfterShortHint: a household copying the short hint's
// "TL" is understood; "TL" alone or with two answers is not.
func TestParseSMSReplyAfterShortHint(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]thugom.SMSReply{
		"TL 1": thugom.ReplyReady, "tl1": thugom.ReplyReady, "TL 2": thugom.ReplyPostpone, "tl0": thugom.ReplyCancel,
		"Tra loi 0": thugom.ReplyCancel, "TL san sang": thugom.ReplyReady, "tl huy": thugom.ReplyCancel, "TL: 1": thugom.ReplyReady,
	} {
		if got, err := thugom.ParseSMSReply(in); err != nil || got != want {
			t.Errorf("ParseSMSReply(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"TL", "tl 1 2", "tra loi", "tltl", "TL 3"} {
		if got, err := thugom.ParseSMSReply(in); !errors.Is(err, thugom.ErrInvalid) || got != thugom.ReplyUnknown {
			t.Errorf("ParseSMSReply(%q) = %v, %v; want invalid", in, got, err)
		}
	}
}
