package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/thugom/thugom"
)

// VNPostDefaultURL is MyVNPost's customer API.
const VNPostDefaultURL = "https://donhang.vnpost.vn/api/api"

// VNPost is VNPost's MyVNPost API (donhang.vnpost.vn), in the shape
// integrators' clients use (read for the shape only):
//
//   - access token: POST /MobileAuthentication/GetAccessToken {TenDangNhap,
//     MatKhau} answers {IsSuccess, Token, ErrorMessage}; later calls send the
//     token in the h-token header; a 401 logs in again once.
//   - create: POST /CustomerConnect/CreateOrder with OrderCode (ours),
//     Sender* and Receiver* (names, Tel, Address, and VNPost's own
//     ProvinceId/DistrictId/WardId as strings), ServiceName, PackageContent,
//     WeightEvaluation in grams, CodAmountEvaluation, OrderAmountEvaluation,
//     IsReceiverPayFreight, PickupType (1: picked up at the sender's) and
//     IsPackageViewable; the answer's Id is VNPost's order id and ItemCode
//     the waybill (số hiệu bưu gửi).
//   - cancel: POST /CustomerConnect/CancelOrder {OrderId: the Id}.
//
// The issue names the cancel "orderCancel"; the integrators' code we read
// calls CustomerConnect/CancelOrder, which this follows (and the fake
// serves). HTTP 400 with a message is a refusal.
type VNPost struct {
	URL string // default VNPostDefaultURL
	// StatusURL is the post office's status interface (UpdateShipment);
	// "" skips the transitions.
	StatusURL string
	Username  string
	Password  string
	// Service is ServiceName (default "BK", bưu kiện).
	Service string
	// SenderProvinceID and SenderDistrictID are VNPost's ids of the
	// province and district households send from (Lạng Sơn's, by default
	// "24" and "" — the carrier fills the district from the address).
	SenderProvinceID string
	SenderDistrictID string
	// ReceiverProvince is VNPost's own id of each destination province, by
	// thugom.ProvinceKey (THUGOM_VNPOST_PROVINCE_IDS); "" when unknown.
	ReceiverProvince map[string]string
	Client           *http.Client // nil: 20 s timeout
	// WebhookKey signs VNPost's webhook (VNPostSign); "" refuses every
	// webhook.
	WebhookKey string

	session carrierSession
}

// Name implements CarrierConnector.
func (v *VNPost) Name() string { return thugom.CarrierVNPost }

func (v *VNPost) base() string {
	if v.URL == "" {
		return VNPostDefaultURL
	}
	return strings.TrimRight(v.URL, "/")
}

func (v *VNPost) login(ctx context.Context) (string, error) {
	raw, err := postCarrier(ctx, v.Client, "vnpost", v.base()+"/MobileAuthentication/GetAccessToken", nil,
		map[string]string{"TenDangNhap": v.Username, "MatKhau": v.Password})
	if err != nil {
		return "", fmt.Errorf("vnpost access token: %w", err)
	}
	var a struct {
		IsSuccess    bool   `json:"IsSuccess"`
		Token        string `json:"Token"`
		ErrorMessage string `json:"ErrorMessage"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return "", fmt.Errorf("vnpost access token: unreadable answer: %w", err)
	}
	if !a.IsSuccess || a.Token == "" {
		return "", fmt.Errorf("vnpost access token: %w: %s", ErrCarrierRefused, a.ErrorMessage)
	}
	return a.Token, nil
}

// authed POSTs body to path with the token (carrierSession).
func (v *VNPost) authed(ctx context.Context, path string, body any) ([]byte, error) {
	var raw []byte
	err := v.session.with(ctx, v.login, func(tok string) error {
		var err error
		raw, err = postCarrier(ctx, v.Client, "vnpost", v.base()+path, map[string]string{"H-Token": tok}, body)
		return err
	})
	return raw, err
}

// CreateShipment implements CarrierConnector.
func (v *VNPost) CreateShipment(ctx context.Context, s CarrierShipment) (Waybill, error) {
	svc := v.service()
	prov := v.senderProvince()
	body := map[string]any{
		"OrderCode": s.Reference, "SenderFullname": s.SenderName, "SenderTel": esmsPhone(s.SenderPhone),
		"SenderAddress": s.SenderAddress, "SenderProvinceId": prov, "SenderDistrictId": v.SenderDistrictID, "SenderWardId": "",
		"ReceiverFullname": "", "ReceiverTel": "", "ReceiverAddress": s.DestinationProvince,
		"ReceiverProvinceId": v.ReceiverProvince[thugom.ProvinceKey(s.DestinationProvince)], "ReceiverDistrictId": "", "ReceiverWardId": "",
		"ServiceName": svc, "PackageContent": s.ProductName, "WeightEvaluation": s.WeightGrams,
		"WidthEvaluation": 0, "LengthEvaluation": 0, "HeightEvaluation": 0,
		"CodAmountEvaluation": s.CODAmount, "OrderAmountEvaluation": s.CODAmount, "IsReceiverPayFreight": false,
		"IsPackageViewable": false, "PickupType": 1, "CustomerNote": s.Note,
		"UseBaoPhat": false, "UseHoaDon": false,
	}
	raw, err := v.authed(ctx, "/CustomerConnect/CreateOrder", body)
	if err != nil {
		return Waybill{}, err
	}
	var a struct {
		ID       string `json:"Id"`
		ItemCode string `json:"ItemCode"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return Waybill{}, fmt.Errorf("vnpost CreateOrder: unreadable answer %q: %w", truncate(string(raw), 100), err)
	}
	if a.ItemCode == "" || a.ID == "" {
		return Waybill{}, fmt.Errorf("vnpost CreateOrder: no Id or ItemCode in the answer")
	}
	return Waybill{Number: a.ItemCode, Ref: a.ID}, nil
}

func (v *VNPost) service() string {
	if v.Service == "" {
		return "BK"
	}
	return v.Service
}

func (v *VNPost) senderProvince() string {
	if v.SenderProvinceID == "" {
		return "24"
	}
	return v.SenderProvinceID
}

// vnpCharge is one service's line of TinhCuocTatCaDichVu's answer.
type vnpCharge struct {
	Service string `json:"MaDichVu"`
	// Total is TongCuocBaoGomDVCT: the charge with VAT and the extra
	// services (COD included), what the sender pays.
	Total   float64 `json:"TongCuocBaoGomDVCT"`
	Success *bool   `json:"Success"`
}

// Price implements CarrierPricer: MyVNPost's charge of the shipment for
// the configured service. The issue calls it ServicesCharge; the
// integrators' code read calls POST /CustomerConnect/TinhCuocTatCaDichVu
// (tính cước tất cả dịch vụ) with SenderProvinceId, SenderDistrictId,
// ReceiverProvinceId, ReceiverDistrictId, Weight in grams, the sizes,
// CodAmount, IsReceiverPayFreight, OrderAmount and the extra services'
// Use* flags, answered by one line per service ({MaDichVu,
// TongCuocBaoGomDVCT, TongCuocSauVAT, …}): that is followed, and the fake
// serves it.
func (v *VNPost) Price(ctx context.Context, s CarrierShipment) (CarrierPrice, error) {
	body := map[string]any{
		"SenderProvinceId": v.senderProvince(), "SenderDistrictId": v.SenderDistrictID,
		"ReceiverProvinceId": v.ReceiverProvince[thugom.ProvinceKey(s.DestinationProvince)], "ReceiverDistrictId": "",
		"Weight": s.WeightGrams, "Width": 0, "Length": 0, "Height": 0, "CodAmount": s.CODAmount,
		"IsReceiverPayFreight": false, "OrderAmount": s.CODAmount, "UseBaoPhat": false, "UseHoaDon": false,
		"UseNhanTinSmsNguoiNhanTruocPhat": false, "UseNhanTinSmsNguoiNhanSauPhat": false, "CustomerCode": "",
	}
	raw, err := v.authed(ctx, "/CustomerConnect/TinhCuocTatCaDichVu", body)
	if err != nil {
		return CarrierPrice{}, err
	}
	var lines []vnpCharge
	if err := json.Unmarshal(raw, &lines); err != nil {
		return CarrierPrice{}, fmt.Errorf("vnpost TinhCuocTatCaDichVu: unreadable answer %q: %w", truncate(string(raw), 100), err)
	}
	svc := v.service()
	for _, l := range lines {
		if l.Service == svc && (l.Success == nil || *l.Success) {
			return CarrierPrice{Carrier: thugom.CarrierVNPost, Service: svc, Fee: int64(math.Round(l.Total))}, nil
		}
	}
	return CarrierPrice{}, fmt.Errorf("vnpost TinhCuocTatCaDichVu: %w: no price for service %s", ErrCarrierRefused, svc)
}

// CancelShipment implements CarrierConnector.
func (v *VNPost) CancelShipment(ctx context.Context, w Waybill, _ string) error {
	_, err := v.authed(ctx, "/CustomerConnect/CancelOrder", map[string]string{"OrderId": w.Ref})
	return err
}

// VNPost's names (and its code where its status table has one: 70, nhận
// tại bưu cục) of the transitions thugom reports.
var vnpTransition = map[string]struct {
	code int // 0: none in VNPost's table
	name string
}{
	carrierPlanned:    {0, "Đã lên lịch lấy hàng"},
	carrierPickedUp:   {0, "Bưu tá đã lấy hàng"},
	carrierFailed:     {0, "Lấy hàng không thành công, hẹn lấy lại"},
	carrierHandedOver: {70, "Bưu cục đã nhận hàng"},
}

// UpdateShipment implements CarrierConnector. MyVNPost's customer API has
// calls to create, price and cancel an order, none for its progress, which
// VNPost's own staff record: thugom, the post office's first mile, posts
// each transition to StatusURL, the operators' interface, in the shape of
// VNPost's own status message (the webhook's Data: ItemCode, OrderCode,
// OrderStatusId where VNPost has a code, StatusName, with SendDate and the
// note) with the h-token header; without StatusURL it is skipped
// (ErrCarrierNoStatusURL). No public document names that interface.
func (v *VNPost) UpdateShipment(ctx context.Context, w Waybill, u ShipmentUpdate) error {
	t, ok := vnpTransition[u.Transition]
	if !ok {
		return fmt.Errorf("vnpost: %w: no status for transition %q", ErrCarrierRefused, u.Transition)
	}
	if v.StatusURL == "" {
		return ErrCarrierNoStatusURL
	}
	body := map[string]any{"ItemCode": w.Number, "OrderCode": u.Reference, "StatusName": t.name,
		"SendDate": u.At.In(thugom.Local).Format("2006-01-02T15:04:05"), "Note": failText[u.Reason]}
	if t.code != 0 {
		body["OrderStatusId"] = t.code
	}
	return v.session.with(ctx, v.login, func(tok string) error {
		_, err := postCarrier(ctx, v.Client, "vnpost", v.StatusURL, map[string]string{"H-Token": tok}, body)
		return err
	})
}
