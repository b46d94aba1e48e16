package api

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// The console's "Giao cho xe …" fixes are offered only when they work: each
// is previewed by the core (jobs.CheckFixes, kept per revision of the day)
// before the list is drawn, and offered when its preview places the order
// on the vehicle, or brings a late order in on time or less late. An issue
// with no such fix says why, and which other fixes would help.

// maxFixChecks bounds the previews one console read solves: a day with
// more fixes to try gets the rest on its next reads (the console reads
// again every few seconds), from the answers kept meanwhile.
const maxFixChecks = 16

// assignFixes asks the core which assign fixes of the day's issues work,
// puts those first among each issue's fixes, and words the advice of the
// issues none works for.
func (s *server) assignFixes(ctx context.Context, d *thugom.Depot, day time.Time, found []thugom.Issue, dp *dayPlan, out []issueOut, codes map[int64]string) error {
	var asks []jobs.FixAsk
	lockable := make([]bool, len(found))
	for i, is := range found {
		lockable[i] = is.Kind == thugom.IssueLate || jobs.LockMayPlace(outsideCode(dp.Unassigned[i]))
		if !lockable[i] {
			continue
		}
		for _, v := range is.AssignTo {
			a := jobs.FixAsk{OrderID: is.Order.OrderID, VehicleID: v}
			if is.Kind == thugom.IssueLate {
				a.StopID, a.LateMin = is.StopID, is.LateMin
			}
			asks = append(asks, a)
		}
	}
	var checks []jobs.FixCheck
	if len(asks) > 0 && s.deps.Service != nil {
		var err error
		if checks, err = s.deps.Service.CheckFixes(ctx, d.ID, day, asks, maxFixChecks); err != nil {
			return err
		}
	}
	byOrder := map[int64][]jobs.FixCheck{}
	for _, c := range checks {
		byOrder[c.OrderID] = append(byOrder[c.OrderID], c)
	}
	for i, is := range found {
		var works []fixOut
		var tried []string
		for _, c := range byOrder[is.Order.OrderID] {
			if c.Works {
				works = append(works, fixOut{Kind: "assign", VehicleID: c.VehicleID, Label: assignLabel(c, codes[c.VehicleID], len(dp.Unassigned))})
			} else {
				tried = append(tried, codes[c.VehicleID])
			}
		}
		out[i].Fixes = append(works, out[i].Fixes...)
		if len(works) == 0 {
			out[i].Advice = fixAdvice(out[i], lockable[i], len(is.AssignTo), tried)
		}
	}
	return nil
}

// assignLabel words a fix that works: the vehicle, and what the preview
// showed (on time or late, the orders it would leave out).
func assignLabel(c jobs.FixCheck, code string, leftOut int) string {
	label := "Giao cho xe " + code
	var notes []string
	if c.LateMin > 0 {
		notes = append(notes, fmt.Sprintf("trễ %d phút", c.LateMin))
	} else {
		notes = append(notes, "đúng giờ")
	}
	after := leftOut
	if c.StopID == 0 {
		after-- // this order placed
	}
	if c.Unassigned > after {
		notes = append(notes, fmt.Sprintf("nhưng bỏ ra %d đơn khác", c.Unassigned-after))
	}
	return label + " (" + strings.Join(notes, ", ") + ")"
}

// fixKindVI names the other fixes an issue may have.
var fixKindVI = map[string]string{
	"borrow": "mượn xe của bưu cục gần", "drop_off": "hẹn hộ mang hàng đến điểm bưu điện xã", "tomorrow": "hẹn hộ sang ngày mai",
	"widen_window": "gọi hộ nới khung giờ",
}

// fixAdvice says why no vehicle of the depot can take the order, and what
// would help instead (the issue's other fixes), or that nothing does today.
func fixAdvice(is issueOut, lockable bool, vehicles int, tried []string) string {
	var why string
	switch {
	case vehicles == 0:
		why = "Không còn xe nào khác đang chạy để giao."
	case !lockable:
		why = "Giao cho xe khác không giúp được: đơn không vừa xe nào của bưu cục, kể cả xe trống (" + is.Reason + ")."
	case len(tried) < vehicles:
		why = "Đang thử giao cho từng xe (" + fmt.Sprint(len(tried)) + "/" + fmt.Sprint(vehicles) + " xe đã thử, chưa xe nào nhận được)."
	case is.Kind == thugom.IssueLate:
		why = "Đã thử chuyển sang xe " + strings.Join(tried, ", ") + ": không xe nào về kịp hơn."
	default:
		why = "Đã thử giao cho xe " + strings.Join(tried, ", ") + ": không xe nào nhận được đơn."
	}
	var other []string
	seen := map[string]bool{}
	for _, f := range is.Fixes {
		if t, ok := fixKindVI[f.Kind]; ok && !seen[f.Kind] {
			seen[f.Kind] = true
			other = append(other, t)
		}
	}
	if len(other) == 0 {
		return why + " Hôm nay không còn cách nào: báo khách hàng đơn trễ, hoặc thêm xe cho bưu cục."
	}
	return why + " Cách khác: " + strings.Join(other, "; ") + "."
}
