package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// householdLinkTTL is how long a link sent by SMS stays valid.
const householdLinkTTL = 72 * time.Hour

// badLinkTmpl is the small page a household sees for a link that is not
// valid or has expired: in Vietnamese, with the post office's phone.
var badLinkTmpl = template.Must(template.New("badlink").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Liên kết không dùng được</title>
<style>body{margin:0;font:17px/1.45 system-ui,sans-serif;background:#f6f7f4;color:#1a1a1a}main{max-width:32em;margin:0 auto;padding:1em}
.card{background:#fff;border-radius:10px;padding:.8em 1em;box-shadow:0 1px 3px rgba(0,0,0,.12)}a{color:#0b4f6c}</style></head>
<body><main><div class="card" id="badlink"><h1 style="font-size:1.2em">{{.Title}}</h1>
<p>Bạn vẫn có thể trả lời tin nhắn của bưu điện: <strong>1</strong> = sẵn sàng, <strong>2</strong> = hoãn, <strong>0</strong> = hủy.</p>
<p>{{if .Phone}}Cần hỏi, gọi bưu cục: <a id="phone" href="tel:{{.Phone}}">{{.Phone}}</a>{{else}}Cần hỏi, gọi bưu cục nơi bạn gửi hàng.{{end}}</p>
</div></main></body></html>`))

// wantsHTML reports whether the caller is a browser (a household opening
// its link), not an API client.
func wantsHTML(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "text/html") && !strings.Contains(a, "application/json")
}

// writeLinkProblem answers a bad link: a small Vietnamese page for a
// browser, problem+json for others; the status is the same.
func (s *server) writeLinkProblem(w http.ResponseWriter, r *http.Request, err error) {
	var ae *thugom.Error
	if !wantsHTML(r) || !errors.As(err, &ae) || ae.Code != codeUnauthorized {
		s.writeProblem(w, r, err)
		return
	}
	title := "Liên kết này không đúng."
	if strings.Contains(ae.Message, "expired") {
		title = "Liên kết này đã hết hạn."
	}
	var buf bytes.Buffer
	if err := badLinkTmpl.Execute(&buf, map[string]string{"Title": title, "Phone": s.deps.HelpPhone}); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write(buf.Bytes())
}

// householdFromLink verifies the signed link of the path (401 when tampered
// or expired) and returns the household id.
func (s *server) householdFromLink(r *http.Request) (int64, error) {
	if len(s.deps.Secret) < 16 {
		return 0, errf(codeUnauthorized, "", "household links are disabled: no signing secret configured")
	}
	id, err := VerifyHouseholdLink(s.deps.Secret, chi.URLParam(r, "link"), s.now())
	switch {
	case errors.Is(err, errLinkExpired):
		return 0, errf(codeUnauthorized, "", "this link has expired; reply to the SMS or call the post office")
	case err != nil:
		return 0, errf(codeUnauthorized, "", "this link is not valid")
	}
	return id, nil
}

var householdTmpl = template.Must(template.New("household").Parse(string(webFile("household.html"))))

type householdPage struct {
	Name        string
	Message     string
	HasWindow   bool
	Day         string
	From, To    string
	PostOffice  string
	DriverPhone string
	ICSURL      string
	StatusText  string
	Items       []householdItem
	// Shipped: the orders collected with their carrier's waybill number,
	// to follow on the carrier's tracking (postmart.vn, viettelpost.vn).
	Shipped   []householdItem
	Packaging []string
	COD       string
	CanAnswer bool
	ActionURL string
	// ConfirmCancel asks once before a cancel (?confirm=cancel).
	ConfirmCancel bool
	// CanUndo offers to take the cancel back (right after it), for
	// UndoMinutes (thugom.UndoMinutes).
	CanUndo     bool
	UndoMinutes int
}

type householdItem struct {
	Product string
	Kg      string
	Parcels int
	Order   string
	Waybill string // the carrier's waybill number ("" before its shipment)
}

var stopStatusVI = map[string]string{
	thugom.StopPlanned: "Đã lên lịch", thugom.StopEnRoute: "Xe đang đến", thugom.StopArrived: "Xe đã đến",
	thugom.StopPickedUp: "Đã lấy hàng", thugom.StopFailed: "Chưa lấy được hàng", thugom.StopSkipped: "Đã bỏ qua",
}

// doneVI says what an answer did, by its outcome: a tap that changed
// nothing says so (a "ready" after a cancel is no thank-you).
var doneVI = map[string]string{
	jobs.InboundReady:       "Cảm ơn! Bưu điện đã biết hàng của bạn sẵn sàng.",
	jobs.InboundPostponed:   "Đã hoãn sang hôm sau. Bưu điện sẽ nhắn giờ lấy hàng mới.",
	jobs.InboundCancelled:   fmt.Sprintf("Đã hủy lần lấy hàng này. Bấm \"Hoàn tác\" trong %d phút nếu hủy nhầm.", thugom.UndoMinutes()),
	jobs.InboundRestored:    "Đã khôi phục đơn. Bưu điện sẽ nhắn giờ lấy hàng mới.",
	jobs.InboundNothingToDo: "Không có đơn nào đang chờ lấy, nên không có gì thay đổi.",
	"confirm":               "", // the cancel confirmation shows its own card
}

// householdView loads what the household's page shows.
func (s *server) householdView(ctx context.Context, id int64) (*householdPage, error) {
	now := s.now()
	h, stop, orders, err := store.HouseholdPage(ctx, s.deps.DB, id, now)
	if err != nil {
		return nil, err
	}
	pg := &householdPage{Name: h.Name}
	dropOff := "" // the household brings its orders to its commune's point
	var open, ready, postponed, cancelled, picked int
	var cod int64
	var boxes int
	for _, o := range orders {
		switch o.Status {
		case thugom.OrderReceived, thugom.OrderPlanned:
			open++
			if o.DropOff != "" && o.DropOffBy != nil {
				by := o.DropOffBy.In(thugom.Local)
				dropOff = "Mang hàng đến " + o.DropOff + " trước " + by.Format("15:04") + " ngày " + by.Format("02/01")
			}
			if o.ReadyFrom != nil && !o.ReadyFrom.After(now) {
				ready++
			}
		case thugom.OrderPostponed:
			postponed++
			continue
		case thugom.OrderCancelled:
			cancelled++
			continue
		case thugom.OrderPickedUp:
			picked++
			if o.CarrierWaybill != "" {
				pg.Shipped = append(pg.Shipped, householdItem{Product: o.Product, Kg: fmtKg(o.WeightKg), Parcels: o.Parcels,
					Order: o.MarketplaceOrderID, Waybill: o.CarrierWaybill})
			}
			continue
		}
		pg.Items = append(pg.Items, householdItem{Product: o.Product, Kg: fmtKg(o.WeightKg), Parcels: o.Parcels, Order: o.MarketplaceOrderID,
			Waybill: o.CarrierWaybill})
		if o.KgPerBox > 0 {
			boxes += int(math.Ceil(o.WeightKg/o.KgPerBox - 1e-9))
		}
		cod += o.CODAmount
	}
	if boxes > 0 {
		pg.Packaging = append(pg.Packaging, fmt.Sprintf("%d thùng carton (bưu điện mang đến nếu cần)", boxes),
			"Hái và đóng gói trước giờ xe đến; để nơi râm mát")
	}
	if cod > 0 {
		pg.COD = fmtVND(cod)
	}
	if stop != nil && open > 0 && dropOff == "" {
		ws, we := stop.WindowStart.In(thugom.Local), stop.WindowEnd.In(thugom.Local)
		pg.HasWindow = true
		pg.Day = thugom.DayLabel(ws, s.now()) // the day as the driver app names it: "Hôm nay", "Ngày mai, thứ ba 08/12" (workday.go)
		pg.From, pg.To = ws.Format("15:04"), we.Format("15:04")
		pg.PostOffice = stop.DepotName // the post office, not a vehicle code households do not know
		pg.DriverPhone = stop.DriverPhone
	}
	switch {
	case open > 0 && dropOff != "":
		pg.StatusText = dropOff
	case open > 0 && ready == open:
		pg.StatusText = "Bạn đã báo hàng sẵn sàng"
	case stop != nil && open > 0:
		pg.StatusText = stopStatusVI[stop.Status]
	case open > 0:
		pg.StatusText = "Chờ xếp lịch"
	case picked > 0:
		pg.StatusText = "Đã lấy hàng"
	case postponed > 0:
		pg.StatusText = "Đã hoãn"
	case cancelled > 0:
		pg.StatusText = "Đã hủy"
	default:
		pg.StatusText = "Không có đơn nào cần lấy"
	}
	if pg.StatusText == "" {
		pg.StatusText = "Đã lên lịch"
	}
	pg.CanAnswer = open > 0 && (stop == nil || stop.Status == thugom.StopPlanned || stop.Status == thugom.StopEnRoute)
	return pg, nil
}

// householdPageHandler: GET /h/{link}.
func (s *server) householdPageHandler(w http.ResponseWriter, r *http.Request) {
	id, err := s.householdFromLink(r)
	if err != nil {
		s.writeLinkProblem(w, r, err)
		return
	}
	pg := s.pages.get(id)
	if pg == nil {
		if pg, err = s.householdView(r.Context(), id); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		s.pages.put(id, pg)
	}
	view := *pg // the link and the message are per request
	link := chi.URLParam(r, "link")
	view.ActionURL, view.ICSURL = "/h/"+link, "/h/"+link+"/pickup.ics"
	view.Message = doneVI[r.URL.Query().Get("done")]
	view.ConfirmCancel = view.CanAnswer && r.URL.Query().Get("confirm") == "cancel"
	view.CanUndo, view.UndoMinutes = r.URL.Query().Get("done") == jobs.InboundCancelled, thugom.UndoMinutes()
	pg = &view
	var buf bytes.Buffer
	if err := householdTmpl.Execute(&buf, pg); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	writeCacheable(w, r, "text/html; charset=utf-8", buf.Bytes())
}

// householdICS: GET /h/{link}/pickup.ics — the pickup window as a calendar
// event (RFC 5545).
func (s *server) householdICS(w http.ResponseWriter, r *http.Request) {
	id, err := s.householdFromLink(r)
	if err != nil {
		s.writeLinkProblem(w, r, err)
		return
	}
	stop, err := store.HouseholdNextStop(r.Context(), s.deps.DB, id, s.now())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if stop == nil {
		s.writeProblem(w, r, errf(codeNotFound, "", "no pickup is scheduled"))
		return
	}
	const stamp = "20060102T150405Z"
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\r\n") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//thugom//pickup//VI")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("BEGIN:VEVENT")
	// One event per household and day whatever the re-plans: calendars
	// update it (SEQUENCE counts the window messages told for that day)
	// instead of collecting duplicates.
	day := stop.WindowStart.In(thugom.Local).Format("20060102")
	seq, err := store.WindowNoticesOfDay(r.Context(), s.deps.DB, id, thugom.Day(stop.WindowStart), thugom.Day(stop.WindowStart).Add(24*time.Hour))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	line(fmt.Sprintf("UID:household-%d-%s@thugom", id, day))
	line(fmt.Sprintf("SEQUENCE:%d", max(seq-1, 0)))
	line("DTSTAMP:" + s.now().UTC().Format(stamp))
	line("DTSTART:" + stop.WindowStart.UTC().Format(stamp))
	line("DTEND:" + stop.WindowEnd.UTC().Format(stamp))
	line("SUMMARY:" + icsEscape(stop.DepotName+" đến lấy hàng"))
	line("DESCRIPTION:" + icsEscape("Chuẩn bị hàng đã đóng gói trước giờ xe đến."))
	line("BEGIN:VALARM")
	line("TRIGGER:-PT1H")
	line("ACTION:DISPLAY")
	line("DESCRIPTION:" + icsEscape("Còn 1 giờ nữa bưu điện đến lấy hàng"))
	line("END:VALARM")
	line("END:VEVENT")
	line("END:VCALENDAR")
	w.Header().Set("Content-Disposition", `attachment; filename="lich-thu-gom.ics"`)
	writeCacheable(w, r, "text/calendar; charset=utf-8", []byte(b.String()))
}

func icsEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`).Replace(s)
}

// householdAction: POST /h/{link}/{action} with action ready, postpone or
// cancel — the same answers as the SMS replies 1, 2 and 0.
func (s *server) householdAction(w http.ResponseWriter, r *http.Request) {
	id, err := s.householdFromLink(r)
	if err != nil {
		s.writeLinkProblem(w, r, err)
		return
	}
	action := chi.URLParam(r, "action")
	var reply thugom.SMSReply
	switch action {
	case "ready":
		reply = thugom.ReplyReady
	case "postpone":
		reply = thugom.ReplyPostpone
	case "cancel":
		reply = thugom.ReplyCancel
	case "undo":
	default:
		s.writeProblem(w, r, errf(codeNotFound, "action", "unknown action %q", action))
		return
	}
	if !s.hasService(w, r) {
		return
	}
	var res *jobs.AnswerResult
	if action == "undo" {
		res, err = s.deps.Service.UndoCancel(r.Context(), id, "page")
	} else {
		res, err = s.deps.Service.AnswerHousehold(r.Context(), jobs.Answer{HouseholdID: id, Reply: reply, Via: "page"})
	}
	s.pages.drop(id) // after the commit: the next view reads the answer
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, http.StatusOK, map[string]any{"household_id": id, "action": action, "orders": len(res.Orders), "outcome": res.Outcome})
		return
	}
	http.Redirect(w, r, "/h/"+chi.URLParam(r, "link")+"?done="+res.Outcome, http.StatusSeeOther)
}

// householdInScope checks the caller's carrier has orders of household id;
// a household outside the scope is answered as not found.
func (s *server) householdInScope(r *http.Request, q store.DBTX, id int64) error {
	ok, err := store.HouseholdHasCarrier(r.Context(), q, id, principalOf(r.Context()).carrierScope())
	if err == nil && !ok {
		err = errf(codeNotFound, "", "no household %d with orders of your carrier", id)
	}
	return err
}

// householdLink: POST /v1/households/{id}/link — a signed page link for a
// household (for a dispatcher to send by other means than the SMS).
func (s *server) householdLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if len(s.deps.Secret) < 16 {
		s.writeProblem(w, r, errf(codeInternal, "", "no signing secret configured"))
		return
	}
	exp := s.now().Add(householdLinkTTL).Truncate(time.Second)
	if !s.hasService(w, r) {
		return
	}
	if err := s.deps.Service.HouseholdLinked(r.Context(), id, exp, principalOf(r.Context()).coreActor()); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"household_id": id, "url": HouseholdPageURL(s.deps.BaseURL, s.deps.Secret, id, exp), "expires_at": exp})
}
