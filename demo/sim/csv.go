package sim

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/thugom/thugom"
)

// OrderOutcome is what became of one order in the week: Outcome is
// within_promise, late (with its Cause, as in Account.LateBy),
// never_collected or cancelled; Handed is its handover at the depot and
// Delivered the estimated delivery to the buyer (zero when not collected);
// Impossible says its promise was lost at placement and FirstDay that it
// was collected on its first possible day (its own, or the one the
// household postponed it to).
type OrderOutcome struct {
	ID, Depot            int64
	Day                  int // 1-based day of the week
	Placed, Promised     time.Time
	Ready                *time.Time
	Handed, Delivered    time.Time
	Outcome, Cause       string
	LateMin              float64
	Impossible, FirstDay bool
}

// WriteOrdersCSV writes every order's outcome, one line each (local
// times), for whoever wants to check the report's counts.
func WriteOrdersCSV(w io.Writer, rep *WeekReport) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"order_id", "depot_id", "day", "placed_at", "promised_by", "ready_from", "handed_over_at", "delivered_est", "outcome", "late_cause", "late_min", "impossible_at_placement", "collected_first_day"})
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(thugom.Local).Format("2006-01-02 15:04")
	}
	for _, o := range rep.Orders {
		ready := ""
		if o.Ready != nil {
			ready = ts(*o.Ready)
		}
		late := ""
		if o.Outcome == "late" {
			late = strconv.FormatFloat(math.Round(o.LateMin), 'f', 0, 64)
		}
		if err := cw.Write([]string{strconv.FormatInt(o.ID, 10), strconv.FormatInt(o.Depot, 10), strconv.Itoa(o.Day), ts(o.Placed), ts(o.Promised),
			ready, ts(o.Handed), ts(o.Delivered), o.Outcome, o.Cause, late, strconv.FormatBool(o.Impossible), strconv.FormatBool(o.FirstDay)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
