package sim

import (
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"
)

// Lang is the language of the HTML report.
type Lang string

// The report's languages: Vietnamese (the default: the province reads it)
// and English.
const (
	LangVi Lang = "vi"
	LangEn Lang = "en"
)

// ParseLang reads a --lang value ("" is the default, Vietnamese).
func ParseLang(s string) (Lang, error) {
	switch Lang(s) {
	case "", LangVi:
		return LangVi, nil
	case LangEn:
		return LangEn, nil
	}
	return "", fmt.Errorf("language %q: want %s or %s", s, LangVi, LangEn)
}

// lang formats the report in one language: its texts (format strings,
// keyed alike in every language) and its numbers.
type lang struct {
	code    Lang
	decimal string // decimal separator
	group   string // thousands separator, "" for none
	text    map[string]string
	// isoDay turns a YYYY-MM-DD day into the language's way of writing it.
	isoDay func(y, m, d string) string
}

func langOf(l Lang) *lang {
	if l == LangEn {
		return &langEn
	}
	return &langVi
}

// s is the text key formatted with args (numbers already formatted).
func (l *lang) s(key string, args ...any) string {
	f, ok := l.text[key]
	if !ok {
		panic("sim: no report text " + key) // a programming error: TestReportTexts
	}
	return fmt.Sprintf(f, args...)
}

// msg is s for the page: the text is ours (it may hold <b>), the args
// are escaped.
func (l *lang) msg(key string, args ...any) template.HTML {
	esc := make([]any, len(args))
	for i, a := range args {
		esc[i] = template.HTMLEscapeString(fmt.Sprint(a))
	}
	return template.HTML(l.s(key, esc...)) //nolint:gosec // G203: our own text, the args escaped
}

// int writes n with the language's thousands separator.
func (l *lang) int(n int) string {
	s := strconv.Itoa(n)
	if l.group == "" {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(l.group)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// num writes x as it is (shortest form), in the language's way.
func (l *lang) num(x float64) string {
	if l.group == "" && l.decimal == "." {
		return fmt.Sprint(x)
	}
	return l.local(strconv.FormatFloat(x, 'f', -1, 64))
}

// fixed writes x with digits decimals.
func (l *lang) fixed(x float64, digits int) string {
	return l.local(strconv.FormatFloat(x, 'f', digits, 64))
}

// local turns a number written the Go way (digits, '.') into the
// language's.
func (l *lang) local(s string) string {
	whole, frac, ok := strings.Cut(s, ".")
	n, err := strconv.Atoi(whole)
	if err != nil {
		return s
	}
	out := l.int(n)
	if whole == "-0" {
		out = "-0"
	}
	if ok {
		out += l.decimal + frac
	}
	return out
}

func (l *lang) pct(x float64) string { return l.fixed(100*x, 1) + " %" }

func (l *lang) hours(minutes float64) string {
	return l.fixed(minutes/60, 1) + " " + l.s("unit_h")
}

var isoDayRe = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)

// day writes the days (YYYY-MM-DD) in s the language's way.
func (l *lang) day(s string) string {
	return isoDayRe.ReplaceAllStringFunc(s, func(m string) string {
		p := isoDayRe.FindStringSubmatch(m)
		return l.isoDay(p[1], p[2], p[3])
	})
}

// shortDay is a day without its year, for the plot's labels.
func (l *lang) shortDay(iso string) string {
	if l.code == LangEn {
		return iso[5:]
	}
	p := strings.Split(iso, "-")
	if len(p) != 3 {
		return iso
	}
	return p[2] + "/" + p[1]
}

// title is the report's title, by its days.
func (l *lang) title(days int) string {
	if days == 1 {
		return l.s("title_1")
	}
	return l.s("title_n", days)
}

var langEn = lang{code: LangEn, decimal: ".", isoDay: func(y, m, d string) string { return y + "-" + m + "-" + d }, text: map[string]string{
	"title_1":           "A harvest day",
	"title_n":           "A harvest of %d days",
	"doc_title":         "%s: pickups of farm produce in Lạng Sơn",
	"what_if":           "<b>What-if run, not the network as it is:</b> %s.",
	"days_1":            "1 day",
	"days_n":            "%s days",
	"intro":             "%s, %s households, %s post office depots (simulation, seed %s).\nEvery order a household placed is counted; only orders the household itself cancelled are left out of the rate.",
	"big_rate":          "<b>%s</b>of orders reached the buyer within the promise (%s of %s placed, %s cancelled by the household)",
	"big_rate_estimate": ", on thugom's estimate (the first truck after the handover, plus its transit)",
	"big_facts":         "<b>%s</b>within the promise on the carriers' facts (%s: delivered_at told by their webhooks for %s orders, the estimate for %s; half delivered at most %s min after the estimate, 90 %% at most %s)",
	"carriers":          "The carriers (their fakes, through thugom's connectors, River and webhooks): %s shipments for %s orders picked up; %s status updates sent, %s received (%s missing, %s twice, %s orders out of order); %s webhooks, %s statuses kept (%s twice).",
	"carriers_outage":   "Both carriers down %s–%s: %s requests refused, %s messages waiting when they came back, all sent by %s.",
	"big_late":          "<b>%s</b>orders late (half of them by at most %s, 95 %% by at most %s)",
	"big_never":         "<b>%s</b>orders never collected",
	"big_age":           "<b>%s</b>at most, the age of the produce at handover for 95 %% of orders (half under %s)",
	"big_notice":        "<b>%s</b>of households who sold by 17:00 the day before knew their pickup time 12 hours ahead",
	"big_night":         "<b>%s</b>messages that could have waited were sent at night (21:00–06:30); %s urgent ones left then, for a pickup before 07:30",
	"big_first":         "<b>%s</b>of orders whose promise was impossible from the start were collected on their first possible day (%s of %s)",
	"h_on_time":         "Orders within the promise, day by day",
	"key_within":        "within promise",
	"key_late":          "late",
	"key_never":         "never collected",
	"key_rainy":         "☂ rainy day: travel 40 %% slower",
	"h_why":             "Why were orders late?",
	"of_orders":         "%s of orders",
	"best":              "On this network (its line-haul trucks and their hours) no plan could have kept more than <b>%s</b> of the promises; of the orders some plan could have kept, %s were kept.",
	"no_dep":            "For %s orders no truck at all reached the buyer within the promise, even had the produce been at the post office the minute the order was placed: only an earlier or faster truck could keep those.",
	"after":             "The last orders still open after day %s were collected on the following days (%s: %s km, %s failed pickups tried again); they count on their own day.",
	"h_promises":        "Promises",
	"promises":          "policy: the marketplace's 24 h / 48 h promise, with the orders thugom knew lost told apart at placement; quoted: each order first asked thugom's quote (capable-to-promise: readiness, distance, vehicles, timetable, freshness, failed visits) and got its date.",
	"mode_policy":       "policy",
	"mode_quoted":       "quoted",
	"p_orders":          "orders (placed − cancelled)",
	"p_quoted":          "placed with a quote",
	"p_within":          "within promise, of all",
	"p_flagged":         "flagged at placement (promise lost, marketplace told)",
	"p_keepable":        "within promise, of the keepable (not flagged)",
	"p_fl_kept":         "flagged, arrived within the original promise anyway",
	"p_fl_by":           "flagged, arrived by the keepable_by offered",
	"p_len50":           "promise length, median (policy's for the same orders)",
	"p_len90":           "promise length, p90",
	"p_second":          "promise no later than the second truck after the earliest possible",
	"p_earlier":         "quotes earlier than physically possible",
	"p_age":             "produce age at handover, p95",
	"p_wall":            "wall time",
	"unit_h":            "h",
	"unit_s":            "s",
	"unit_min":          "min",
	"h_late":            "How late were the late orders?",
	"late_plot":         "orders late by (minutes at the buyer, after the promise)",
	"h_age":             "How old was the produce when it reached the depot?",
	"age_note":          "Hours from the time the household said the produce was ready to the handover at the post office.",
	"age_plot":          "orders by produce age at handover (hours since ready)",
	"h_map":             "Where were the late orders?",
	"map_late":          "late (larger: later)",
	"map_never":         "never collected (×)",
	"map_depot":         "depot",
	"map_plot":          "map of late orders",
	"on_time_plot":      "on time per day",
	"target":            "target 97 %%",
	"h_days":            "Day by day",
	"c_day":             "day", "c_placed": "placed", "c_cancelled": "cancelled", "c_within": "within", "c_late": "late", "c_never": "never",
	"c_rate": "rate", "c_age": "age p95 (min)", "c_notice": "12 h notice", "c_km": "km", "c_litres": "litres/kg", "c_vehicles": "vehicles",
	"c_driver": "driver-h", "c_sms": "SMS", "c_total": "total",
	"footer":                    "Collected %s kg with %s km (%s km per kg) and about %s litres of fuel; %s pickups failed and were tried again, %s vehicles broke down, %s households postponed, %s re-plans. Planning: %s. Lateness is the estimated delivery to the buyer (the first line-haul truck after the handover, plus its transit) after the promised time.",
	"cause_promise_unreachable": "the promise was lost at placement, and the marketplace told so: even collected the moment it was ready by a free vehicle, no line-haul truck could reach the buyer within it",
	"cause_after_failed_pickup": "a pickup failed (nobody home, not ready) and the second visit was too late for the truck",
	"cause_household_later":     "the household postponed, or had the produce ready later than it first said",
	"cause_same_day":            "collected on its day, but after the truck its promise needed (the vehicles were busy elsewhere)",
	"cause_later_day":           "collected on a later day (the vehicles were full on its day)",
	// What the week says of itself (WeekReport.Budgets, WhatIf).
	"budgets":       BudgetsSaid,
	"what_if_bikes": " motorbike(s) at ",
}}

var langVi = lang{code: LangVi, decimal: ",", group: ".", isoDay: func(y, m, d string) string { return d + "/" + m + "/" + y }, text: map[string]string{
	"title_1":           "Một ngày thu hoạch",
	"title_n":           "%d ngày thu hoạch",
	"doc_title":         "%s: thu gom nông sản ở Lạng Sơn",
	"what_if":           "<b>Chạy thử giả định, không phải mạng lưới như hiện có:</b> %s.",
	"days_1":            "1 ngày",
	"days_n":            "%s ngày",
	"intro":             "%s, %s hộ gia đình, %s bưu cục (mô phỏng, số khởi tạo ngẫu nhiên %s).\nMọi đơn hộ gia đình đã đặt đều được tính; chỉ những đơn do chính hộ gia đình hủy mới không tính vào tỉ lệ.",
	"big_rate":          "<b>%s</b>số đơn đến tay người mua trong thời hạn đã hứa (%s trên %s đơn đã đặt, %s đơn do hộ gia đình hủy)",
	"big_rate_estimate": ", theo ước tính của thugom (chuyến xe tải đầu tiên sau khi giao tại bưu cục, cộng thời gian vận chuyển)",
	"big_facts":         "<b>%s</b>trong thời hạn đã hứa theo dữ liệu của hãng vận chuyển (%s: thời điểm giao do webhook của hãng báo cho %s đơn, theo ước tính cho %s đơn; một nửa giao không quá %s phút sau ước tính, 90 %% không quá %s phút)",
	"carriers":          "Các hãng vận chuyển (bản giả lập của hãng, qua bộ kết nối của thugom, River và webhook): %s vận đơn cho %s đơn đã lấy; %s cập nhật trạng thái đã gửi, %s đã nhận (%s thiếu, %s trùng, %s đơn sai thứ tự); %s webhook, %s trạng thái được lưu (%s trùng).",
	"carriers_outage":   "Cả hai hãng ngừng hoạt động %s–%s: %s yêu cầu bị từ chối, %s tin chờ gửi khi hãng hoạt động lại, tất cả đã gửi lúc %s.",
	"big_late":          "<b>%s</b>đơn bị trễ (một nửa trễ không quá %s, 95 %% trễ không quá %s)",
	"big_never":         "<b>%s</b>đơn không được thu gom",
	"big_age":           "<b>%s</b>là thời gian tối đa từ lúc nông sản sẵn sàng đến khi giao tại bưu cục, với 95 %% số đơn (một nửa dưới %s)",
	"big_notice":        "<b>%s</b>số hộ bán hàng trước 17:00 hôm trước được biết giờ lấy hàng trước 12 tiếng",
	"big_night":         "<b>%s</b>tin nhắn lẽ ra có thể chờ đã được gửi vào ban đêm (21:00–06:30); %s tin khẩn được gửi lúc đó, cho lần lấy hàng trước 07:30",
	"big_first":         "<b>%s</b>số đơn có lời hứa bất khả thi ngay từ đầu được thu gom vào ngày sớm nhất có thể (%s trên %s)",
	"h_on_time":         "Đơn trong thời hạn hứa, theo từng ngày",
	"key_within":        "trong hạn",
	"key_late":          "trễ",
	"key_never":         "không được thu gom",
	"key_rainy":         "☂ ngày mưa: xe đi chậm hơn 40 %%",
	"h_why":             "Vì sao đơn bị trễ?",
	"of_orders":         "%s số đơn",
	"best":              "Trên mạng lưới này (các chuyến xe tuyến và giờ chạy của chúng), không kế hoạch nào giữ được quá <b>%s</b> số lời hứa; trong các đơn mà một kế hoạch nào đó có thể giữ, %s đã được giữ.",
	"no_dep":            "Với %s đơn, không có chuyến xe tuyến nào đến được người mua trong thời hạn hứa, kể cả khi nông sản đã ở bưu cục ngay phút đặt đơn: chỉ một chuyến xe sớm hơn hoặc nhanh hơn mới giữ được các đơn đó.",
	"after":             "Các đơn cuối cùng còn mở sau ngày %s được thu gom trong những ngày tiếp theo (%s: %s km, %s lần lấy hàng thất bại được thử lại); chúng được tính vào ngày của mình.",
	"h_promises":        "Lời hứa giao hàng",
	"promises":          "theo sàn (policy): lời hứa 24 giờ / 48 giờ của sàn, các đơn thugom biết không giữ được hứa được tách riêng ngay khi đặt; báo giá (quoted): mỗi đơn hỏi báo giá của thugom trước (khả năng hứa: lúc sẵn sàng, quãng đường, xe, lịch chạy, độ tươi, lần lấy hàng thất bại) và nhận ngày giao của mình.",
	"mode_policy":       "theo sàn (policy)",
	"mode_quoted":       "báo giá (quoted)",
	"p_orders":          "đơn (đã đặt − đã hủy)",
	"p_quoted":          "đặt kèm báo giá",
	"p_within":          "trong hạn hứa, trên tất cả các đơn",
	"p_flagged":         "gắn cờ khi đặt (không giữ được hứa, đã báo sàn)",
	"p_keepable":        "trong hạn hứa, trên các đơn giữ được (không gắn cờ)",
	"p_fl_kept":         "gắn cờ nhưng vẫn đến trong hạn hứa ban đầu",
	"p_fl_by":           "gắn cờ, đến trước hạn keepable_by đã đề nghị",
	"p_len50":           "độ dài lời hứa, trung vị (của sàn cho cùng các đơn)",
	"p_len90":           "độ dài lời hứa, p90",
	"p_second":          "lời hứa không muộn hơn chuyến xe thứ hai sau lúc sớm nhất có thể",
	"p_earlier":         "báo giá sớm hơn mức thực tế có thể",
	"p_age":             "thời gian nông sản chờ đến khi giao, p95",
	"p_wall":            "thời gian chạy",
	"unit_h":            "giờ",
	"unit_s":            "giây",
	"unit_min":          "phút",
	"h_late":            "Các đơn trễ bị trễ bao lâu?",
	"late_plot":         "số đơn theo độ trễ (phút đến tay người mua, sau hạn hứa)",
	"h_age":             "Nông sản đã chờ bao lâu khi đến bưu cục?",
	"age_note":          "Số giờ từ lúc hộ gia đình báo nông sản sẵn sàng đến khi giao tại bưu cục.",
	"age_plot":          "số đơn theo thời gian chờ của nông sản khi giao (giờ kể từ lúc sẵn sàng)",
	"h_map":             "Các đơn trễ ở đâu?",
	"map_late":          "trễ (càng lớn càng trễ)",
	"map_never":         "không được thu gom (×)",
	"map_depot":         "bưu cục",
	"map_plot":          "bản đồ các đơn trễ",
	"on_time_plot":      "tỉ lệ trong hạn theo ngày",
	"target":            "mục tiêu 97 %%",
	"h_days":            "Từng ngày",
	"c_day":             "ngày", "c_placed": "đã đặt", "c_cancelled": "đã hủy", "c_within": "trong hạn", "c_late": "trễ", "c_never": "không thu gom",
	"c_rate": "tỉ lệ", "c_age": "chờ p95 (phút)", "c_notice": "báo trước 12 giờ", "c_km": "km", "c_litres": "lít/kg", "c_vehicles": "xe",
	"c_driver": "giờ lái", "c_sms": "SMS", "c_total": "cộng",
	"footer":                    "Đã thu gom %s kg với %s km (%s km mỗi kg) và khoảng %s lít nhiên liệu; %s lần lấy hàng thất bại và được thử lại, %s xe bị hỏng, %s hộ xin hoãn, %s lần lập lại kế hoạch. Lập kế hoạch: %s. Độ trễ là thời điểm giao dự kiến đến người mua (chuyến xe tuyến đầu tiên sau khi giao tại bưu cục, cộng thời gian vận chuyển) so với thời hạn đã hứa.",
	"cause_promise_unreachable": "lời hứa đã mất ngay khi đặt, và sàn đã được báo: kể cả được một xe rảnh lấy ngay lúc sẵn sàng, không chuyến xe tuyến nào đến được người mua trong hạn",
	"cause_after_failed_pickup": "một lần lấy hàng thất bại (không có ai ở nhà, hàng chưa sẵn sàng) và lần đến thứ hai quá muộn cho chuyến xe",
	"cause_household_later":     "hộ gia đình xin hoãn, hoặc nông sản sẵn sàng muộn hơn đã báo",
	"cause_same_day":            "được lấy đúng ngày, nhưng sau chuyến xe mà lời hứa cần (các xe bận ở nơi khác)",
	"cause_later_day":           "được lấy vào một ngày sau (các xe đã đầy vào ngày của đơn)",
	// What the week says of itself (WeekReport.Budgets, WhatIf), found by
	// its English text.
	"budgets":       "số vòng lặp của bộ giải theo số đơn của bưu cục ở lần lập kế hoạch gần nhất: ≤40 → 1.000, ≤100 → 2.000, ≤200 → 4.000, nhiều hơn → 6.000; lập lại kế hoạch một phần tư (ít nhất 300)",
	"what_if_bikes": " xe máy tại ",
}}
