package jobs

import (
	"fmt"
	"net/url"
	"strings"
)

// SMSFromEnv builds the SMS provider named by THUGOM_SMS_PROVIDER from the
// environment (getenv is os.Getenv; secrets never come from flags):
//
//   - "outbox" (default): the sms_outbox table (the demo; a modem polls it);
//   - "http": HTTPGateway, THUGOM_SMS_HTTP_URL and THUGOM_SMS_HTTP_TOKEN;
//   - "esms": ESMS, THUGOM_ESMS_API_KEY, THUGOM_ESMS_SECRET_KEY,
//     THUGOM_ESMS_BRANDNAME (required), THUGOM_ESMS_CALLBACK_URL and
//     THUGOM_ESMS_CALLBACK_TOKEN (receipts), THUGOM_ESMS_CPID and
//     THUGOM_ESMS_PRIVATE_KEY (short-code replies), THUGOM_ESMS_URL;
//   - "sim": SIMGateway (an Android phone polls /hooks/sim), with
//     THUGOM_SIM_TOKEN the phone's basic-auth password;
//   - "zalo": ZaloZNS, THUGOM_ZALO_ACCESS_TOKEN, THUGOM_ZALO_TEMPLATE_ID,
//     falling back to the provider THUGOM_ZALO_FALLBACK names (outbox,
//     http, esms or sim, with their own variables).
//
// The ESMS is also returned when configured, for the API's webhooks.
func SMSFromEnv(getenv func(string) string) (SMSProvider, *ESMS, error) {
	switch p := strings.TrimSpace(getenv("THUGOM_SMS_PROVIDER")); p {
	case "", "outbox":
		return Outbox{}, nil, nil
	case "http":
		u := getenv("THUGOM_SMS_HTTP_URL")
		if _, err := url.ParseRequestURI(u); err != nil || u == "" {
			return nil, nil, fmt.Errorf("sms: THUGOM_SMS_HTTP_URL must be a URL")
		}
		return &HTTPGateway{URL: u, Token: getenv("THUGOM_SMS_HTTP_TOKEN")}, nil, nil
	case "esms":
		e := &ESMS{URL: getenv("THUGOM_ESMS_URL"), APIKey: getenv("THUGOM_ESMS_API_KEY"), SecretKey: getenv("THUGOM_ESMS_SECRET_KEY"),
			Brandname: getenv("THUGOM_ESMS_BRANDNAME"), CallbackURL: getenv("THUGOM_ESMS_CALLBACK_URL"),
			CallbackToken: getenv("THUGOM_ESMS_CALLBACK_TOKEN"), CPID: getenv("THUGOM_ESMS_CPID"), PrivateKey: getenv("THUGOM_ESMS_PRIVATE_KEY")}
		if e.APIKey == "" || e.SecretKey == "" || e.Brandname == "" {
			return nil, nil, fmt.Errorf("sms: esms needs THUGOM_ESMS_API_KEY, THUGOM_ESMS_SECRET_KEY and THUGOM_ESMS_BRANDNAME")
		}
		if e.CallbackURL != "" && len(e.CallbackToken) < 16 {
			return nil, nil, fmt.Errorf("sms: THUGOM_ESMS_CALLBACK_TOKEN (16+ characters) is required with a callback URL")
		}
		return e, e, nil
	case "sim":
		if len(getenv("THUGOM_SIM_TOKEN")) < 16 {
			return nil, nil, fmt.Errorf("sms: sim needs THUGOM_SIM_TOKEN (16+ characters), the phone's password")
		}
		return SIMGateway{}, nil, nil
	case "zalo":
		z := &ZaloZNS{URL: getenv("THUGOM_ZALO_URL"), AccessToken: getenv("THUGOM_ZALO_ACCESS_TOKEN"), TemplateID: getenv("THUGOM_ZALO_TEMPLATE_ID")}
		if z.AccessToken == "" || z.TemplateID == "" {
			return nil, nil, fmt.Errorf("sms: zalo needs THUGOM_ZALO_ACCESS_TOKEN and THUGOM_ZALO_TEMPLATE_ID")
		}
		fb := getenv("THUGOM_ZALO_FALLBACK")
		if fb == "zalo" {
			return nil, nil, fmt.Errorf("sms: THUGOM_ZALO_FALLBACK cannot be zalo")
		}
		sms, e, err := SMSFromEnv(func(k string) string {
			if k == "THUGOM_SMS_PROVIDER" {
				return fb
			}
			return getenv(k)
		})
		if err != nil {
			return nil, nil, err
		}
		z.Fallback = sms
		return z, e, nil
	default:
		return nil, nil, fmt.Errorf("sms: unknown THUGOM_SMS_PROVIDER %q (outbox, http, esms, sim, zalo)", p)
	}
}
