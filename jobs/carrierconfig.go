package jobs

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/thugom/thugom"
)

// CarriersFromEnv builds the carriers' connectors named by THUGOM_CARRIERS
// (a comma-separated list of carrier codes; empty: no carrier is told)
// from the environment (getenv is os.Getenv; secrets never come from
// flags):
//
//   - THUGOM_CARRIER_SHIP_AT: "pickup" (default) or "intake", when an
//     order's shipment is created at its carrier;
//   - "viettelpost": ViettelPost, THUGOM_VIETTELPOST_USERNAME and
//     THUGOM_VIETTELPOST_PASSWORD (required), THUGOM_VIETTELPOST_GROUPADDRESS_ID
//     and THUGOM_VIETTELPOST_CUS_ID (the sender's registered address),
//     THUGOM_VIETTELPOST_SERVICE (ORDER_SERVICE, default VCN),
//     THUGOM_VIETTELPOST_URL (default the partner API v2; the demo's fake),
//     THUGOM_VIETTELPOST_WEBHOOK_TOKEN (16+ characters: the TOKEN of its
//     webhook), THUGOM_VIETTELPOST_STATUS_URL (the post office's status
//     interface for picked up, failed, handed over; unset: not told),
//     THUGOM_VIETTELPOST_PRINT_URL (where a printing code opens the label,
//     default ViettelPostPrintURL; the demo's fake),
//     THUGOM_VIETTELPOST_PROVINCE_IDS (ViettelPost's PROVINCE_ID of each
//     destination province, "Hà Nội=1, 79=2": a name or code, then the id);
//   - "vnpost": VNPost (MyVNPost), THUGOM_VNPOST_USERNAME and
//     THUGOM_VNPOST_PASSWORD (required), THUGOM_VNPOST_SERVICE (ServiceName,
//     default BK), THUGOM_VNPOST_SENDER_PROVINCE_ID (default 24),
//     THUGOM_VNPOST_URL, THUGOM_VNPOST_WEBHOOK_KEY (16+ characters: the key
//     of its webhook's SignData), THUGOM_VNPOST_STATUS_URL (as
//     ViettelPost's), THUGOM_VNPOST_PROVINCE_IDS (VNPost's ProvinceId of
//     each destination province, as ViettelPost's).
func CarriersFromEnv(getenv func(string) string) (CarrierConfig, error) {
	cfg := CarrierConfig{Connectors: map[string]CarrierConnector{}, ShipAt: strings.TrimSpace(getenv("THUGOM_CARRIER_SHIP_AT"))}
	switch cfg.ShipAt {
	case "":
		cfg.ShipAt = ShipAtPickup
	case ShipAtPickup, ShipAtIntake:
	default:
		return cfg, fmt.Errorf("carriers: THUGOM_CARRIER_SHIP_AT must be pickup or intake, not %q", cfg.ShipAt)
	}
	for _, code := range strings.Split(getenv("THUGOM_CARRIERS"), ",") {
		code = strings.TrimSpace(code)
		if code == "" {
			continue
		}
		c, err := carrierFromEnv(code, getenv)
		if err != nil {
			return cfg, err
		}
		cfg.Connectors[code] = c
	}
	return cfg, nil
}

func carrierFromEnv(code string, getenv func(string) string) (CarrierConnector, error) {
	env := func(k string) string { return strings.TrimSpace(getenv("THUGOM_" + strings.ToUpper(code) + "_" + k)) }
	user, pass, u, su, pu := env("USERNAME"), env("PASSWORD"), env("URL"), env("STATUS_URL"), env("PRINT_URL")
	if user == "" || pass == "" {
		return nil, fmt.Errorf("carriers: %s needs THUGOM_%s_USERNAME and THUGOM_%s_PASSWORD", code, strings.ToUpper(code), strings.ToUpper(code))
	}
	for k, v := range map[string]string{"URL": u, "STATUS_URL": su, "PRINT_URL": pu} {
		if v == "" {
			continue
		}
		if p, err := url.ParseRequestURI(v); err != nil || p.Host == "" {
			return nil, fmt.Errorf("carriers: THUGOM_%s_%s must be a URL", strings.ToUpper(code), k)
		}
	}
	switch code {
	case thugom.CarrierViettelPost:
		v := &ViettelPost{URL: u, StatusURL: su, PrintURL: pu, Username: user, Password: pass, Service: env("SERVICE"), WebhookToken: env("WEBHOOK_TOKEN")}
		if v.WebhookToken != "" && len(v.WebhookToken) < 16 {
			return nil, errNoWebhook("THUGOM_VIETTELPOST_WEBHOOK_TOKEN")
		}
		ids, err := provinceIDs("THUGOM_VIETTELPOST_PROVINCE_IDS", env("PROVINCE_IDS"))
		if err != nil {
			return nil, err
		}
		for k, id := range ids {
			n, err := strconv.Atoi(id)
			if err != nil {
				return nil, fmt.Errorf("carriers: THUGOM_VIETTELPOST_PROVINCE_IDS: ViettelPost's id of %s must be a number, not %q", k, id)
			}
			if v.ReceiverProvince == nil {
				v.ReceiverProvince = map[string]int{}
			}
			v.ReceiverProvince[k] = n
		}
		for k, dst := range map[string]*int64{"GROUPADDRESS_ID": &v.GroupAddressID, "CUS_ID": &v.CusID} {
			if s := env(k); s != "" {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("carriers: THUGOM_VIETTELPOST_%s must be a number", k)
				}
				*dst = n
			}
		}
		return v, nil
	case thugom.CarrierVNPost:
		v := &VNPost{URL: u, StatusURL: su, Username: user, Password: pass, Service: env("SERVICE"), SenderProvinceID: env("SENDER_PROVINCE_ID"), WebhookKey: env("WEBHOOK_KEY")}
		if v.WebhookKey != "" && len(v.WebhookKey) < 16 {
			return nil, errNoWebhook("THUGOM_VNPOST_WEBHOOK_KEY")
		}
		ids, err := provinceIDs("THUGOM_VNPOST_PROVINCE_IDS", env("PROVINCE_IDS"))
		if err != nil {
			return nil, err
		}
		v.ReceiverProvince = ids
		return v, nil
	default:
		return nil, fmt.Errorf("carriers: unknown carrier %q in THUGOM_CARRIERS (viettelpost, vnpost)", code)
	}
}

// provinceIDs parses a carrier's own ids of the destination provinces:
// "Hà Nội=1, 79=2" (a province's name or code, then the carrier's id),
// keyed by thugom.ProvinceKey; nil when empty.
func provinceIDs(name, v string) (map[string]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	out := map[string]string{}
	for _, part := range strings.Split(v, ",") {
		k, id, ok := strings.Cut(part, "=")
		k, id = thugom.ProvinceKey(k), strings.TrimSpace(id)
		if !ok || k == "" || id == "" {
			return nil, fmt.Errorf("carriers: %s: %q is not province=id", name, strings.TrimSpace(part))
		}
		out[k] = id
	}
	return out, nil
}
