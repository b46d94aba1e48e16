package thugom

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SMS to households. Many have feature phones, so one message per event,
// Vietnamese without diacritics, in the GSM-7 alphabet and at most 160
// characters (one SMS segment): no Unicode message that splits into three.
// Every message names the sender ("Thugom") and the bưu cục, and messages
// that expect an answer say how to reply: 1 = ready, 2 = postpone to
// tomorrow, 0 = cancel.

// SMSMaxLen is the length of one GSM-7 SMS segment, in septets.
const SMSMaxLen = 160

// SMSKind is the event a message tells a household about.
type SMSKind string

// The kinds of SMS households receive.
const (
	SMSPickupWindow    SMSKind = "pickup_window"    // the day's plan: when the carrier comes
	SMSPickupChanged   SMSKind = "pickup_changed"   // a re-plan moved the window
	SMSPickupCancelled SMSKind = "pickup_cancelled" // the pickup is off (order cancelled, ...)
	SMSPackReminder    SMSKind = "pack_reminder"    // pack before the carrier arrives
	SMSPickupFailed    SMSKind = "pickup_failed"    // the driver could not pick up
	SMSPickupLate      SMSKind = "pickup_late"      // planned after its handover deadline: the buyer gets it late
	SMSReplyReady      SMSKind = "reply_ready"      // acknowledgement of reply 1
	SMSReplyPostponed  SMSKind = "reply_postponed"  // acknowledgement of reply 2
	SMSReplyCancelled  SMSKind = "reply_cancelled"  // acknowledgement of reply 0
	SMSReplyRestored   SMSKind = "reply_restored"   // acknowledgement of an undone cancel
	SMSReplyHelp       SMSKind = "reply_help"       // answer to a reply that is not 0/1/2
	// SMSDropOff: the household agreed (by phone) to bring its produce to
	// its commune's drop-off point; where and by when.
	SMSDropOff SMSKind = "drop_off"
)

// Valid reports whether k is one of the known kinds.
func (k SMSKind) Valid() bool {
	switch k {
	case SMSPickupWindow, SMSPickupChanged, SMSPickupCancelled, SMSPackReminder, SMSPickupFailed, SMSPickupLate,
		SMSReplyReady, SMSReplyPostponed, SMSReplyCancelled, SMSReplyRestored, SMSReplyHelp, SMSDropOff:
		return true
	}
	return false
}

// SMSData is what a message can say. Fields a kind does not use are ignored.
type SMSData struct {
	Kind SMSKind
	// Depot is the bưu cục's name, e.g. "Bưu cục Chi Lăng" (diacritics are
	// stripped when rendering).
	Depot string
	// DepotPhone is the bưu cục's phone for questions (optional).
	DepotPhone string
	// WindowStart and WindowEnd bound the pickup window.
	WindowStart, WindowEnd time.Time
	// Orders, WeightKg: what is collected.
	Orders   int
	WeightKg float64
	// Boxes and Nets (foam nets) the household needs for packing.
	Boxes, Nets int
	// Reason for a failure or cancellation, already in plain Vietnamese
	// (e.g. "chua san sang"); optional.
	Reason string
	// Link is the household page's short link without scheme, e.g.
	// "thugom.vn/s/4fTq9Zk2LmB" (ShortLinkURL); optional. Window and
	// changed messages carry it only when it fits with everything else.
	Link string
	// Place and By: where the household brings its produce and by when
	// (SMSDropOff).
	Place string
	By    time.Time
	// Via is the channel a household's answer came by ("sms", "page",
	// "dispatcher"): its acknowledgement names it (ViaText).
	Via string
}

// ViaText names, for an acknowledgement, the channel a household's answer
// came by ("" for none known). The same answer is the same action by every
// channel — the same change and the same kind of SMS — and the SMS says
// which channel it heard, so a tap on the page is not told "you texted".
func ViaText(via string) string {
	switch via {
	case "page":
		return "tren trang"
	case "sms":
		return "qua tin nhan"
	case "zalo":
		return "qua Zalo"
	case "dispatcher":
		return "qua dien thoai voi buu cuc"
	}
	return ""
}

// SMSReply is a household's one-character answer.
type SMSReply int

// The replies a household can send.
const (
	ReplyUnknown  SMSReply = -1
	ReplyCancel   SMSReply = 0 // "0": cancel the order(s)
	ReplyReady    SMSReply = 1 // "1": packed and ready
	ReplyPostpone SMSReply = 2 // "2": postpone to tomorrow
)

// String names the reply.
func (r SMSReply) String() string {
	switch r {
	case ReplyCancel:
		return "cancel"
	case ReplyReady:
		return "ready"
	case ReplyPostpone:
		return "postpone"
	}
	return "unknown"
}

// ParseSMSReply reads a household's reply, in digits or in words, with or
// without diacritics, in any case, with a few typos: ready (1, co, có, ok,
// san sang, sẵn sàng, roi, rồi), postpone (2, hoan, hoãn, mai, de mai),
// cancel (0, huy, hủy, khong, không, thoi). Surrounding spaces and
// punctuation and a polite tail ("a", "nhe", "nha") are tolerated.
// Anything else — two answers, other numbers, other words — is an
// invalid-input error that says what to send.
func ParseSMSReply(text string) (SMSReply, error) {
	if r, ok := parseReplyWords(text); ok {
		return r, nil
	}
	shown := text
	if utf8.RuneCountInString(shown) > 20 {
		shown = string([]rune(shown)[:20]) + "..."
	}
	return ReplyUnknown, Errorf(EInvalid, "text", "reply %q is not 0, 1 or 2 (or co, hoan, huy)", shown)
}

// replyWords are the accepted answers after normalisation (lower case, no
// diacritics, single spaces). "ko"/"k" are how "không" is texted.
var replyWords = map[string]SMSReply{
	"1": ReplyReady, "co": ReplyReady, "ok": ReplyReady, "oke": ReplyReady, "okay": ReplyReady, "san sang": ReplyReady,
	"roi": ReplyReady, "xong": ReplyReady, "da san sang": ReplyReady, "san sang roi": ReplyReady, "co roi": ReplyReady,
	"2": ReplyPostpone, "hoan": ReplyPostpone, "mai": ReplyPostpone, "de mai": ReplyPostpone, "hoan lai": ReplyPostpone,
	"hoan sang mai": ReplyPostpone, "mai nhe": ReplyPostpone, "ngay mai": ReplyPostpone,
	"0": ReplyCancel, "huy": ReplyCancel, "khong": ReplyCancel, "thoi": ReplyCancel, "ko": ReplyCancel, "k": ReplyCancel,
	"kg": ReplyCancel, "khg": ReplyCancel, "huy don": ReplyCancel, "khong lay": ReplyCancel, "thoi khong": ReplyCancel,
}

// politeTail are words a household adds that change nothing.
var politeTail = []string{"a", "nhe", "nha", "nhé", "cam on", "nhe a", "a nhe"}

func parseReplyWords(text string) (SMSReply, bool) {
	t := normalizeReply(text)
	if t == "" {
		return ReplyUnknown, false
	}
	try := func(t string) (SMSReply, bool) {
		if r, ok := replyWords[t]; ok {
			return r, true
		}
		if r, ok := replyWords[strings.ReplaceAll(t, " ", "")]; ok { // "sansang"
			return r, true
		}
		return fuzzyReply(t)
	}
	if r, ok := try(t); ok {
		return r, true
	}
	// The hint of a message with a link says "TL 1=..." (tra loi): "TL 1",
	// "tl1" or "tra loi 1" is the answer after it.
	for _, p := range []string{"tra loi ", "tl ", "tl"} {
		if h, ok := strings.CutPrefix(t, p); ok && h != "" {
			return parseReplyWords(h)
		}
	}
	for _, tail := range politeTail {
		if h, ok := strings.CutSuffix(t, " "+tail); ok {
			if r, ok := try(h); ok {
				return r, true
			}
		}
	}
	return ReplyUnknown, false
}

// normalizeReply lowers, strips diacritics, drops punctuation (keeping
// digits and letters) and collapses spaces.
func normalizeReply(s string) string {
	s = strings.ToLower(StripDiacritics(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r > 127:
			b.WriteRune(r) // kept so that "１" or emoji are not mistaken for nothing
		default:
			b.WriteRune(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// fuzzyReply accepts one typo (an edit or a swap of neighbours) in a word
// of four letters or more, keeping its first letter ("thong" is not a
// mistyped "khong"); shorter words must be exact ("co" and "ko" are
// one letter apart and mean opposite things). An input close to two
// different answers is not guessed.
func fuzzyReply(t string) (SMSReply, bool) {
	if len(t) < 4 || len(t) > 20 {
		return ReplyUnknown, false
	}
	found, got := false, ReplyUnknown
	for w, r := range replyWords {
		if len(w) < 4 || w[0] != t[0] || osaDistance(t, w) > 1 {
			continue
		}
		if found && got != r {
			return ReplyUnknown, false
		}
		found, got = true, r
	}
	return got, found
}

// osaDistance is the optimal string alignment distance (Levenshtein with
// transpositions of neighbours) between two ASCII strings.
func osaDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := 0; j <= len(b); j++ {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// RenderSMS writes the message for an event: GSM-7 text without
// diacritics, at most SMSMaxLen septets. Long depot names are shortened to
// fit; data that cannot fit even then is an error.
func RenderSMS(d SMSData) (string, error) {
	if !d.Kind.Valid() {
		return "", Errorf(EInvalid, "kind", "unknown SMS kind %q", d.Kind)
	}
	needsWindow := d.Kind == SMSPickupWindow || d.Kind == SMSPickupChanged || d.Kind == SMSPackReminder
	if needsWindow {
		if d.WindowStart.IsZero() || d.WindowEnd.IsZero() || d.WindowEnd.Before(d.WindowStart) {
			return "", Errorf(EInvalid, "window", "%s needs a pickup window with start <= end", d.Kind)
		}
	}
	if d.Kind == SMSDropOff && (d.By.IsZero() || gsmClean(d.Place) == "") {
		return "", Errorf(EInvalid, "place", "%s needs a place and a time", d.Kind)
	}
	if d.Orders < 0 || d.Boxes < 0 || d.Nets < 0 || d.WeightKg < 0 {
		return "", Errorf(EInvalid, "orders", "counts and weight must not be negative")
	}
	depot := gsmClean(d.Depot)
	if depot == "" {
		depot = "Buu cuc"
	}
	// Try the full depot name, then fewer of its words, then a cut word,
	// until the text fits.
	var names []string
	words := strings.Fields(depot)
	for n := len(words); n > 0; n-- {
		names = append(names, strings.Join(words[:n], " "))
	}
	if first := []rune(words[0]); len(first) > 1 {
		for n := len(first) - 1; n > 0; n-- {
			names = append(names, string(first[:n]))
		}
	}
	names = append(names, "Buu cuc")
	if msg, ok := renderWithLink(d, depot); ok {
		return msg, nil
	}
	d.Link = ""
	for _, name := range names {
		msg := renderSMS(d, name, smsReplyHint)
		if l, ok := GSM7Len(msg); ok && l <= SMSMaxLen {
			return msg, nil
		}
	}
	return "", Errorf(EInvalid, "sms", "%s message does not fit in one SMS", d.Kind)
}

// The reply hint, in full and in the shorter forms a message with a link
// may use ("TL" is how "tra loi" is texted).
const (
	smsReplyHint       = "Tra loi 1=san sang, 2=hoan sang mai, 0=huy"
	smsReplyHintMedium = "Tra loi 1=san sang, 2=hoan, 0=huy"
	smsReplyHintShort  = "TL 1=san sang 2=hoan 0=huy"
)

// renderWithLink renders a window or changed message with its link on a
// line of its own, giving up, in this order, the long reply hint (for a
// medium, then a short one) and then "Buu cuc" (for "BC"); it never cuts
// the depot's place name, the day, window, kg, packing line or reply
// digits for the link. ok is false when it does not fit: the message then
// goes without the link, complete as always.
func renderWithLink(d SMSData, depot string) (string, bool) {
	if d.Link == "" || (d.Kind != SMSPickupWindow && d.Kind != SMSPickupChanged) {
		return "", false
	}
	if l, ok := GSM7Len(d.Link); !ok || l != len(d.Link) || strings.ContainsAny(d.Link, " \n\r") {
		return "", false // never sent mangled: plain ASCII of GSM-7, one word
	}
	depots := []string{depot}
	if rest, ok := cutPrefixFold(depot, "Buu cuc "); ok && rest != "" {
		depots = append(depots, "BC "+rest)
	}
	for _, name := range depots {
		for _, hint := range []string{smsReplyHint, smsReplyHintMedium, smsReplyHintShort} {
			if name != depot && hint != smsReplyHintShort {
				continue // "BC" only once the hint is as short as it gets
			}
			msg := renderSMS(d, name, hint)
			if l, ok := GSM7Len(msg); ok && l <= SMSMaxLen {
				return msg, true
			}
		}
	}
	return "", false
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func renderSMS(d SMSData, depot, hint string) string {
	via := ""
	if t := ViaText(d.Via); t != "" {
		via = " " + t
	}
	day := ""
	win := ""
	if !d.WindowStart.IsZero() {
		s, e := d.WindowStart.In(Local), d.WindowEnd.In(Local)
		day = s.Format("02/01")
		win = s.Format("15:04") + "-" + e.Format("15:04")
	}
	what := ""
	if d.Orders > 0 {
		what = fmt.Sprintf(" %d don", d.Orders)
		if d.WeightKg > 0 {
			what += fmt.Sprintf(" (%s kg)", fmtKg(d.WeightKg))
		}
	}
	pack := ""
	if d.Boxes > 0 || d.Nets > 0 {
		var parts []string
		if d.Boxes > 0 {
			parts = append(parts, fmt.Sprintf("%d thung", d.Boxes))
		}
		if d.Nets > 0 {
			parts = append(parts, fmt.Sprintf("%d luoi xop", d.Nets))
		}
		pack = " Can " + strings.Join(parts, ", ") + "."
	}
	call := ""
	if p := gsmClean(d.DepotPhone); p != "" {
		call = " Hoi: " + p
	}
	reason := gsmClean(d.Reason)
	var s string
	switch d.Kind {
	case SMSPickupWindow:
		s = fmt.Sprintf("Thugom: %s lay hang%s ngay %s luc %s.%s %s", depot, what, day, win, pack, hint)
	case SMSPickupChanged:
		s = fmt.Sprintf("Thugom: DOI GIO lay hang%s: ngay %s luc %s (%s). %s", what, day, win, depot, hint)
	case SMSPickupCancelled:
		s = fmt.Sprintf("Thugom: %s HUY lay hang%s", depot, what)
		if reason != "" {
			s += ": " + reason
		}
		s += "." + call
	case SMSPackReminder:
		s = fmt.Sprintf("Thugom: nhac dong goi%s truoc %s ngay %s.%s Xong tra loi 1. Hoan: 2. Huy: 0", what, d.WindowStart.In(Local).Format("15:04"), day, pack)
	case SMSPickupFailed:
		s = fmt.Sprintf("Thugom: %s chua lay duoc hang%s", depot, what)
		if reason != "" {
			s += " (" + reason + ")"
		}
		s += ". Se hen lai gio moi." + call
	case SMSPickupLate:
		s = fmt.Sprintf("Thugom: %s van lay hang%s nhung TRE HEN", depot, what)
		if reason != "" {
			s += " (" + reason + ")"
		}
		s += ", nguoi mua nhan muon. Hoan: 2. Huy: 0"
	case SMSReplyReady:
		// The same kind of SMS for every channel (every answer is the same
		// action), naming the channel it came by (ViaText).
		s = "Thugom: da ghi nhan hang SAN SANG" + via + ". Cam on, xe se den dung hen."
	case SMSReplyPostponed:
		s = "Thugom: da HOAN lay hang sang ngay mai" + via + ". Se nhan tin gio moi."
	case SMSReplyCancelled:
		s = "Thugom: da HUY don theo yeu cau" + via + "." + call
	case SMSReplyRestored:
		s = "Thugom: da KHOI PHUC don, se bao gio lay hang moi." + call
	case SMSReplyHelp:
		s = "Thugom: khong hieu tin nhan. " + smsReplyHint + "."
	case SMSDropOff:
		by := d.By.In(Local)
		s = fmt.Sprintf("Thugom: mang%s den %s truoc %s ngay %s (%s). Hoan: 2. Huy: 0.%s", what, gsmClean(d.Place),
			by.Format("15:04"), by.Format("02/01"), depot, call)
	}
	if d.Link != "" && (d.Kind == SMSPickupWindow || d.Kind == SMSPickupChanged) {
		s += "\n" + d.Link // its own line: no linkifier takes the hint's last word with it
	}
	return s
}

func fmtKg(kg float64) string {
	if kg >= 10 || kg == float64(int(kg)) {
		return fmt.Sprintf("%.0f", kg)
	}
	return fmt.Sprintf("%.1f", kg)
}

// gsmClean strips diacritics, replaces characters outside the GSM-7 basic
// set with '?', and collapses runs of spaces.
func gsmClean(s string) string {
	s = StripDiacritics(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			r = ' '
		case !gsmBasic(r):
			r = '?'
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// gsm7Basic is the GSM 03.38 default alphabet (one septet each).
const gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsm7Ext is the GSM 03.38 extension table (two septets each: escape + char).
const gsm7Ext = "^{}\\[~]|€\f"

func gsmBasic(r rune) bool { return strings.ContainsRune(gsm7Basic, r) }

// GSM7Len returns the length of s in GSM-7 septets and whether every
// character is in the GSM-7 alphabet (extension characters count two).
func GSM7Len(s string) (int, bool) {
	n := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune(gsm7Basic, r):
			n++
		case strings.ContainsRune(gsm7Ext, r):
			n += 2
		default:
			return n, false
		}
	}
	return n, true
}

// SentNotice is a message that left: its kind, when, and the pickup window
// it told (window messages).
type SentNotice struct {
	Kind        string
	WindowStart *time.Time
	SentAt      time.Time
	CreatedAt   time.Time
}

// WakingHours bound when households are texted: From and Until are
// seconds after local midnight (default 06:30–21:00). Outside them only
// what cannot wait leaves at once.
type WakingHours struct{ From, Until int }

// DefaultWakingHours are 06:30–21:00 local: the one place these hours are
// written (the binary's --waking-hours default is its String).
var DefaultWakingHours = WakingHours{From: 6*3600 + 30*60, Until: 21 * 3600}

// String is the hours as ParseWakingHours reads them, "HH:MM-HH:MM".
func (w WakingHours) String() string {
	w = w.orDefault()
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.From/3600, w.From%3600/60, w.Until/3600, w.Until%3600/60)
}

func (w WakingHours) orDefault() WakingHours {
	if w.From <= 0 && w.Until <= 0 || w.Until <= w.From {
		return DefaultWakingHours
	}
	return w
}

// Awake reports whether t is inside the waking hours.
func (w WakingHours) Awake(t time.Time) bool {
	w = w.orDefault()
	sec := int(t.Sub(Day(t)) / time.Second)
	return sec >= w.From && sec < w.Until
}

// NextMorning is the first waking instant at or after t.
func (w WakingHours) NextMorning(t time.Time) time.Time {
	w = w.orDefault()
	if w.Awake(t) {
		return t
	}
	m := Day(t).Add(time.Duration(w.From) * time.Second)
	if !m.After(t) {
		m = Day(Day(t).Add(36 * time.Hour)).Add(time.Duration(w.From) * time.Second)
	}
	return m
}

// LastEvening is the last waking instant at or before t, less margin: a
// reminder that would fall in the night goes the evening before.
func (w WakingHours) LastEvening(t time.Time, margin time.Duration) time.Time {
	w = w.orDefault()
	if w.Awake(t) {
		return t
	}
	e := Day(t).Add(time.Duration(w.Until) * time.Second)
	if e.After(t) {
		e = Day(Day(t).Add(-12 * time.Hour)).Add(time.Duration(w.Until) * time.Second)
	}
	return e.Add(-margin)
}

// SendAt says when a message due at t may leave. Inside waking hours, at
// once. Outside: a message that can wait (a window told in advance, a
// reminder) at the next morning; a change or a cancellation (urgent) too,
// unless its pickup starts before that morning plus an hour — then waiting
// would leave no time to act, so it leaves at once. Answers to a household's
// own reply always leave at once: it has just texted.
func (w WakingHours) SendAt(t time.Time, kind SMSKind, urgent bool, pickup time.Time) time.Time {
	switch kind {
	case SMSReplyReady, SMSReplyPostponed, SMSReplyCancelled, SMSReplyRestored, SMSReplyHelp:
		return t
	}
	m := w.NextMorning(t)
	if urgent && !pickup.IsZero() && pickup.Before(m.Add(time.Hour)) {
		return t
	}
	return m
}

// ParseClockTime reads a local time of day "HH:MM" as seconds after
// midnight.
func ParseClockTime(field, s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, Errorf(EInvalid, field, "%q is not a time of day HH:MM", s)
	}
	return t.Hour()*3600 + t.Minute()*60, nil
}

// ParseWakingHours reads "HH:MM-HH:MM" (from before until).
func ParseWakingHours(s string) (WakingHours, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return WakingHours{}, Errorf(EInvalid, "waking_hours", "%q is not HH:MM-HH:MM", s)
	}
	from, err := ParseClockTime("waking_hours", a)
	if err != nil {
		return WakingHours{}, err
	}
	until, err := ParseClockTime("waking_hours", b)
	if err != nil {
		return WakingHours{}, err
	}
	if until <= from {
		return WakingHours{}, Errorf(EInvalid, "waking_hours", "%q ends before it starts", s)
	}
	return WakingHours{From: from, Until: until}, nil
}
