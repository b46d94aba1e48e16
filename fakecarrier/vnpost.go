package fakecarrier

import (
	"crypto/md5" //nolint:gosec // VNPost's signature scheme, as assumed (README)
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/thugom/thugom"
)

// VNPost serves VNPost's MyVNPost customer API (mount it at the base URL,
// e.g. an httptest server's URL + "/api/api"): POST
// /MobileAuthentication/GetAccessToken, POST /CustomerConnect/CreateOrder,
// POST /CustomerConnect/TinhCuocTatCaDichVu (the price) and POST
// /CustomerConnect/CancelOrder, and the post office's status
// interface at StatusPath, the token in the h-token header
// (401 without it). A refused order is HTTP 400 {Message}.
type VNPost struct {
	core
	Username, Password string
	tokens             map[string]bool
}

// NewVNPost returns a fake VNPost taking these credentials.
func NewVNPost(username, password string) *VNPost {
	return &VNPost{core: newCore(), Username: username, Password: password, tokens: map[string]bool{}}
}

func vnpRefuse(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"Message": msg})
}

func (f *VNPost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := decode(w, r, vnpRefuse)
	if !ok {
		return
	}
	p := r.URL.Path
	if strings.HasSuffix(p, "/MobileAuthentication/GetAccessToken") {
		if str(body, "TenDangNhap") != f.Username || str(body, "MatKhau") != f.Password {
			writeJSON(w, http.StatusOK, map[string]any{"IsSuccess": false, "Token": nil, "ErrorMessage": "Sai tên đăng nhập hoặc mật khẩu"})
			return
		}
		t := token()
		f.mu.Lock()
		f.tokens[t] = true
		f.logins++
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"IsSuccess": true, "Token": t, "ErrorMessage": nil})
		return
	}
	f.mu.Lock()
	authed := f.tokens[r.Header.Get("H-Token")]
	f.mu.Unlock()
	if !authed {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"Message": "Authorization has been denied for this request."})
		return
	}
	switch {
	case strings.HasSuffix(p, "/CustomerConnect/CreateOrder"):
		f.create(w, r, body)
	case strings.HasSuffix(p, "/CustomerConnect/TinhCuocTatCaDichVu"):
		f.charge(w, body)
	case strings.HasSuffix(p, "/CustomerConnect/CancelOrder"):
		found, done := f.update(w, str(body, "OrderId"), true, "cancel")
		switch {
		case done:
		case !found:
			vnpRefuse(w, "Không tìm thấy đơn hàng")
		default:
			writeJSON(w, http.StatusOK, map[string]any{"IsSuccess": true})
		}
	case strings.HasSuffix(p, StatusPath):
		// The post office's status interface: VNPost's status shape.
		what := str(body, "StatusName")
		if c := num(body, "OrderStatusId"); c != 0 {
			what = fmt.Sprint(c)
		}
		if what == "" || str(body, "SendDate") == "" {
			vnpRefuse(w, "StatusName (or OrderStatusId) and SendDate are required")
			return
		}
		found, done := f.update(w, str(body, "ItemCode"), false, what)
		if found && num(body, "OrderStatusId") == vnpAccepted {
			if err := f.handedOver(str(body, "ItemCode"), str(body, "SendDate")); err != nil {
				vnpRefuse(w, err.Error())
				return
			}
		}
		switch {
		case done:
		case !found:
			vnpRefuse(w, "Không tìm thấy bưu gửi")
		default:
			writeJSON(w, http.StatusOK, map[string]any{"IsSuccess": true})
		}
	default:
		http.NotFound(w, r)
	}
}

// vnpRequired are the CreateOrder fields MyVNPost refuses an order without.
var vnpRequired = []string{"OrderCode", "SenderFullname", "SenderTel", "SenderAddress", "SenderProvinceId", "ServiceName", "PackageContent"}

func (f *VNPost) create(w http.ResponseWriter, r *http.Request, body map[string]any) {
	lose, done := f.begin(w, r)
	if done {
		return
	}
	if m := missing(body, vnpRequired, "WeightEvaluation"); m != "" {
		vnpRefuse(w, m)
		return
	}
	o := f.make(str(body, "OrderCode"), body, func(n int) (string, string) {
		return fmt.Sprintf("EB%09dVN", 100000000+n), fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
	})
	if lose != nil {
		writeFault(w, *lose)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": o.ID, "ItemCode": o.Waybill, "OrderCode": o.Reference,
		"OriginalCodAmountEvaluation": num(body, "CodAmountEvaluation"), "TotalFreightIncludeVatEvaluation": 27500})
}

// vnpAccepted is VNPost's 70 (Bưu cục đã nhận hàng): the parcel handed
// over at the office, where the fake's Courier takes it.
const vnpAccepted = 70

// vnpSteps are VNPost's codes after the handover: it tells none for the
// line haul or the round, 91 a failed delivery, 100 delivered.
var vnpSteps = courierSteps{
	failed:    courierStatus{91, "Phát không thành công"},
	delivered: courierStatus{100, "Phát thành công"},
}

// vnpDate is the status interface's SendDate (local, no zone).
const vnpDate = "2006-01-02T15:04:05"

// handedOver gives the parcel of waybill bill to the courier, handed over
// at sendDate.
func (f *VNPost) handedOver(bill, sendDate string) error {
	at, err := time.ParseInLocation(vnpDate, sendDate, thugom.Local)
	if err != nil {
		if at, err = time.Parse(time.RFC3339, sendDate); err != nil {
			return fmt.Errorf("SendDate %q is not a date and time", sendDate)
		}
	}
	return f.deliver(bill, at)
}

// VNPostSign is VNPost's SignData as the fake computes it: the hex MD5 of
// Data followed by the shared key (the scheme thugom assumes: README).
func VNPostSign(data, key string) string {
	sum := md5.Sum([]byte(data + key)) //nolint:gosec // the carrier's scheme, as assumed
	return hex.EncodeToString(sum[:])
}

// Deliver makes the fake carry and deliver what thugom hands over (see
// Courier), telling thugom at webhookURL as VNPost's webhook does: {Data
// (a JSON string: ItemCode, OrderCode, OrderStatusId, StatusName),
// SendDate, SignData (VNPostSign of Data with key)}. seed draws the
// delivery times.
func (f *VNPost) Deliver(webhookURL, key string, client *http.Client, seed uint64) *Courier {
	c := newCourier(webhookURL, client, seed, vnpSteps, func(o Order, code int, name string, at time.Time) ([]byte, error) {
		data, err := json.Marshal(map[string]any{"ItemCode": o.Waybill, "OrderCode": o.Reference, "OrderStatusId": code, "StatusName": name})
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"Data": string(data), "SendDate": at.In(thugom.Local).Format(time.RFC3339),
			"SignData": VNPostSign(string(data), key)})
	})
	f.mu.Lock()
	f.courier = c
	f.mu.Unlock()
	return c
}

// charge serves TinhCuocTatCaDichVu: one line per service, {MaDichVu,
// CuocChinh, VAT, TongCuocSauVAT, CuocCod, TongCuocBaoGomDVCT, Success},
// as MyVNPost answers it. The fake's tariff is its own: BK 16,500 đ the
// first 500 g and 2,500 đ each 500 g more, EMS 1.6 times that, 10 % VAT,
// COD 1 % of the amount (10,000 đ at least). Without SenderProvinceId,
// ReceiverProvinceId or a positive Weight it refuses, as the carrier does.
func (f *VNPost) charge(w http.ResponseWriter, body map[string]any) {
	if m := missing(body, []string{"SenderProvinceId", "ReceiverProvinceId"}, "Weight"); m != "" {
		vnpRefuse(w, m)
		return
	}
	f.mu.Lock()
	down := f.down
	if down {
		f.refused++
	}
	f.mu.Unlock()
	if down {
		writeFault(w, Fault{Status: http.StatusServiceUnavailable})
		return
	}
	steps := (int(num(body, "Weight")) - 1) / 500 // 500 g steps past the first
	var cod float64
	if c := num(body, "CodAmount"); c > 0 {
		cod = max(10000, c/100)
	}
	var lines []map[string]any
	for _, s := range []struct {
		code   string
		factor float64
	}{{"EMS", 1.6}, {"BK", 1}} {
		main := (16500 + 2500*float64(steps)) * s.factor
		vat := main / 10
		lines = append(lines, map[string]any{"MaDichVu": s.code, "CuocChinh": main, "VAT": vat, "TongCuocSauVAT": main + vat,
			"CuocCod": cod, "TongCuocBaoGomDVCT": main + vat + cod, "Success": true})
	}
	writeJSON(w, http.StatusOK, lines)
}
