package fakecarrier

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/thugom/thugom"
)

// ViettelPost serves ViettelPost's partner API v2 (mount it at the base
// URL, e.g. an httptest server's URL + "/v2"): POST /user/Login, POST
// /user/ownerconnect, POST /order/createOrder, POST /order/UpdateOrder
// (TYPE 1 approves, 4 cancels), POST /order/printing-code, and the post
// office's status interface at StatusPath. Every answer is the envelope
// {status, error, message, data}; a refused field is {status: 205, error:
// true} with HTTP 200, as ViettelPost answers it; a missing or unknown
// Token is HTTP 401.
type ViettelPost struct {
	core
	Username, Password string
	short, long        map[string]bool
	prints             map[string]vtpPrint // printing codes issued
}

// vtpPrint is a printing code's waybills. The fake keeps its codes (the
// tests run on clocks of their own, the expiry asked is not checked).
type vtpPrint struct {
	bills []string
}

// PrintPath is where the fake opens a printing code's label (GET
// ?type=1&bill=<code>&showPostage=1), as ViettelPost's DigitalizePrint
// does: jobs' PrintURL is the fake's base URL + PrintPath.
const PrintPath = "/DigitalizePrint/report.do"

// NewViettelPost returns a fake ViettelPost taking these credentials.
func NewViettelPost(username, password string) *ViettelPost {
	return &ViettelPost{core: newCore(), Username: username, Password: password, short: map[string]bool{}, long: map[string]bool{}, prints: map[string]vtpPrint{}}
}

// Expire forgets every token issued: the next call must log in again.
func (f *ViettelPost) Expire() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.short, f.long = map[string]bool{}, map[string]bool{}
}

func vtpOK(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, map[string]any{"status": 200, "error": false, "message": "OK", "data": data})
}

func vtpRefuse(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusOK, map[string]any{"status": 205, "error": true, "message": msg, "data": nil})
}

func token() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (f *ViettelPost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, PrintPath) {
		f.label(w, r)
		return
	}
	body, ok := decode(w, r, vtpRefuse)
	if !ok {
		return
	}
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/user/Login"):
		f.login(w, body, f.short, false)
		return
	case strings.HasSuffix(p, "/user/ownerconnect"):
		if f.authorized(w, r, false) {
			f.login(w, body, f.long, true)
		}
		return
	}
	if !f.authorized(w, r, true) {
		return
	}
	switch {
	case strings.HasSuffix(p, "/order/createOrder"):
		f.create(w, r, body)
	case strings.HasSuffix(p, "/order/UpdateOrder"):
		f.update(w, body)
	case strings.HasSuffix(p, StatusPath):
		f.status(w, body)
	case strings.HasSuffix(p, "/order/printing-code"):
		f.printingCode(w, body)
	default:
		http.NotFound(w, r)
	}
}

// authorized checks the Token header against the short (login) or the
// long-lived tokens, answering 401 when it is unknown.
func (f *ViettelPost) authorized(w http.ResponseWriter, r *http.Request, long bool) bool {
	f.mu.Lock()
	set := f.short
	if long {
		set = f.long
	}
	ok := set[r.Header.Get("Token")]
	f.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"status": 401, "error": true, "message": "Token invalid"})
	}
	return ok
}

func (f *ViettelPost) login(w http.ResponseWriter, body map[string]any, into map[string]bool, long bool) {
	if str(body, "USERNAME") != f.Username || str(body, "PASSWORD") != f.Password {
		vtpRefuse(w, "Tài khoản hoặc mật khẩu không đúng")
		return
	}
	t := token()
	f.mu.Lock()
	into[t] = true
	if long {
		f.logins++
	}
	f.mu.Unlock()
	vtpOK(w, map[string]any{"userId": 1, "token": t, "partner": 1, "phone": f.Username, "expired": 0})
}

// vtpRequired are the createOrder fields ViettelPost refuses an order
// without.
var vtpRequired = []string{"ORDER_NUMBER", "SENDER_FULLNAME", "SENDER_PHONE", "SENDER_ADDRESS", "PRODUCT_NAME", "ORDER_SERVICE"}

func (f *ViettelPost) create(w http.ResponseWriter, r *http.Request, body map[string]any) {
	lose, done := f.begin(w, r)
	if done {
		return
	}
	if m := missing(body, vtpRequired, "PRODUCT_WEIGHT"); m != "" {
		vtpRefuse(w, m)
		return
	}
	if items, _ := body["LIST_ITEM"].([]any); len(items) == 0 {
		vtpRefuse(w, "LIST_ITEM is required")
		return
	}
	o := f.make(str(body, "ORDER_NUMBER"), body, func(n int) (string, string) { return fmt.Sprintf("1%011d", 85500000000+n), "" })
	if lose != nil {
		writeFault(w, *lose)
		return
	}
	vtpOK(w, map[string]any{"ORDER_NUMBER": o.Waybill, "MONEY_COLLECTION": num(body, "MONEY_COLLECTION"),
		"EXCHANGE_WEIGHT": num(body, "PRODUCT_WEIGHT"), "MONEY_TOTAL": 32000, "MONEY_TOTAL_FEE": 29091, "MONEY_FEE": 25000,
		"MONEY_COLLECTION_FEE": 0, "MONEY_FEE_VAT": 2909, "KPI_HT": 48})
}

// update serves UpdateOrder: TYPE 1 approves the order (duyệt đơn), TYPE
// 4 cancels it; the other TYPEs (2, 3, 5, 11) are not thugom's to send.
func (f *ViettelPost) update(w http.ResponseWriter, body map[string]any) {
	what := map[float64]string{1: "approve", 4: "cancel"}[num(body, "TYPE")]
	if what == "" {
		vtpRefuse(w, "the fake takes TYPE 1 (approve) and 4 (cancel)")
		return
	}
	found, done := f.core.update(w, str(body, "ORDER_NUMBER"), false, what)
	vtpUpdated(w, found, done)
}

// status serves the post office's status interface (StatusPath): a status
// in ViettelPost's own shape (ORDER_NUMBER, ORDER_STATUS,
// ORDER_STATUSDATE "dd/MM/yyyy HH:mm:ss").
func (f *ViettelPost) status(w http.ResponseWriter, body map[string]any) {
	at, err := time.ParseInLocation(vtpDate, str(body, "ORDER_STATUSDATE"), thugom.Local)
	if err != nil || num(body, "ORDER_STATUS") == 0 {
		vtpRefuse(w, "ORDER_STATUS and ORDER_STATUSDATE (dd/MM/yyyy HH:mm:ss) are required")
		return
	}
	found, done := f.core.update(w, str(body, "ORDER_NUMBER"), false, strconv.Itoa(int(num(body, "ORDER_STATUS"))))
	if found && num(body, "ORDER_STATUS") == vtpReceivedAtOrigin {
		if err := f.deliver(str(body, "ORDER_NUMBER"), at); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	vtpUpdated(w, found, done)
}

// vtpDate is ViettelPost's date format (dd/MM/yyyy HH:mm:ss, local).
const vtpDate = "02/01/2006 15:04:05"

// vtpReceivedAtOrigin is ViettelPost's 200 (Nhận từ bưu tá - Bưu cục
// gốc): the parcel handed over at the origin office, where the fake's
// Courier takes it.
const vtpReceivedAtOrigin = 200

// vtpSteps are ViettelPost's codes after the handover, from integrators'
// status tables: 400 arrived at the destination office's list, 500 out
// with the postman, 506 not delivered (nobody home), 501 delivered.
var vtpSteps = courierSteps{
	arrived:   courierStatus{400, "Nhận bảng kê đến"},
	out:       courierStatus{500, "Giao bưu tá đi phát"},
	failed:    courierStatus{506, "Tồn - Khách hàng nghỉ, không có nhà"},
	delivered: courierStatus{501, "Phát thành công"},
}

// Deliver makes the fake carry and deliver what thugom hands over (see
// Courier), telling thugom at webhookURL as ViettelPost's webhook does:
// {"DATA": {ORDER_NUMBER (the waybill), ORDER_REFERENCE, ORDER_STATUSDATE,
// ORDER_STATUS, STATUS_NAME, LOCALION_CURRENTLY, NOTE, MONEY_COLLECTION},
// "TOKEN": token}. seed draws the delivery times.
func (f *ViettelPost) Deliver(webhookURL, tok string, client *http.Client, seed uint64) *Courier {
	c := newCourier(webhookURL, client, seed, vtpSteps, func(o Order, code int, name string, at time.Time) ([]byte, error) {
		return json.Marshal(map[string]any{"TOKEN": tok, "DATA": map[string]any{
			"ORDER_NUMBER": o.Waybill, "ORDER_REFERENCE": o.Reference, "ORDER_STATUSDATE": at.In(thugom.Local).Format(vtpDate),
			"ORDER_STATUS": code, "STATUS_NAME": name, "LOCALION_CURRENTLY": "", "NOTE": "",
			"MONEY_COLLECTION": num(o.Fields, "MONEY_COLLECTION")}})
	})
	f.mu.Lock()
	f.courier = c
	f.mu.Unlock()
	return c
}

// vtpUpdated answers an update: nothing more when a fault was answered, a
// refusal when the waybill is unknown, OK otherwise.
func vtpUpdated(w http.ResponseWriter, found, done bool) {
	switch {
	case done:
	case !found:
		vtpRefuse(w, "Không tìm thấy vận đơn")
	default:
		writeJSON(w, http.StatusOK, map[string]any{"status": 200, "error": false, "message": "OK"})
	}
}

// printingCode serves POST /order/printing-code {EXPIRY_TIME (ms since the
// epoch), ORDER_ARRAY (waybills)}: the printing code in message, as
// ViettelPost answers it; an unknown waybill is refused; down, 503.
func (f *ViettelPost) printingCode(w http.ResponseWriter, body map[string]any) {
	arr, _ := body["ORDER_ARRAY"].([]any)
	if len(arr) == 0 || num(body, "EXPIRY_TIME") <= 0 {
		vtpRefuse(w, "ORDER_ARRAY and EXPIRY_TIME are required")
		return
	}
	var p vtpPrint
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		f.refused++
		writeFault(w, Fault{Status: http.StatusServiceUnavailable})
		return
	}
	for _, a := range arr {
		b, _ := a.(string)
		if f.byBill[b] == nil {
			vtpRefuse(w, "Không tìm thấy vận đơn "+b)
			return
		}
		p.bills = append(p.bills, b)
	}
	code := "print-" + token()
	f.prints[code] = p
	writeJSON(w, http.StatusOK, map[string]any{"status": 200, "error": false, "message": code})
}

// vtpLabel is the fake's printed label: the waybill and what the create
// said of the parcel (the real one is ViettelPost's own layout).
var vtpLabel = template.Must(template.New("vtp").Parse(`<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Viettel Post {{range .}}{{.Waybill}} {{end}}</title></head><body>
{{range .}}<section class="vtp-label" data-waybill="{{.Waybill}}"><h1>Viettel Post</h1><p class="bill">{{.Waybill}}</p>
<p>Người gửi: {{index .Fields "SENDER_FULLNAME"}} · {{index .Fields "SENDER_PHONE"}}</p><p>Người nhận: {{index .Fields "RECEIVER_FULLNAME"}} · {{index .Fields "RECEIVER_ADDRESS"}}</p>
<p>{{index .Fields "PRODUCT_NAME"}} · {{index .Fields "PRODUCT_WEIGHT"}} g · thu hộ {{index .Fields "MONEY_COLLECTION"}} đ</p></section>{{end}}
</body></html>`))

// label serves PrintPath: the labels of a printing code.
func (f *ViettelPost) label(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	p, ok := f.prints[r.URL.Query().Get("bill")]
	var orders []Order
	if ok {
		for _, b := range p.bills {
			orders = append(orders, *f.byBill[b])
		}
	}
	f.mu.Unlock()
	if len(orders) == 0 {
		http.Error(w, "Mã in không hợp lệ", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = vtpLabel.Execute(w, orders)
}
