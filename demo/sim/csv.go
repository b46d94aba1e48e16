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
	// Dest is the buyer's province; ReadyAtPlacement the readiness the
	// household gave when it ordered (Ready is the last one); Source
	// "quoted" or "policy"; QuotedEarliest and QuotedLikely the quote's
	// (zero for a policy order); Flagged that the marketplace was told at
	// placement the promise is lost, KeepableBy what it was offered
	// instead; PolicyBy the 24 h / 48 h policy's promise. EarliestPossible
	// is the earliest arrival physically possible (handed over the moment
	// the household said it would be ready, the first truck whose cutoff
	// is not past, plus its transit) and SecondTruck the line-haul arrival
	// after that one.
	Dest                          string
	ReadyAtPlacement              *time.Time
	Source                        string
	QuotedEarliest, QuotedLikely  time.Time
	Flagged                       bool
	KeepableBy, PolicyBy          time.Time
	EarliestPossible, SecondTruck time.Time
	// DeliveredAt is the carrier's delivered time, told by its webhook
	// (zero when it told none); DeliverySource says which delivery the
	// promise is measured on: "carrier" (DeliveredAt) or "estimate"
	// (Delivered); "" when not collected.
	DeliveredAt    time.Time
	DeliverySource string
}

// WriteOrdersCSV writes every order's outcome, one line each (local
// times), for whoever wants to check the report's counts.
func WriteOrdersCSV(w io.Writer, rep *WeekReport) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"order_id", "depot_id", "day", "placed_at", "promised_by", "ready_from", "handed_over_at", "delivered_est", "outcome", "late_cause", "late_min", "impossible_at_placement", "collected_first_day",
		"destination_province", "ready_from_at_placement", "promise_source", "quoted_earliest_by", "quoted_likely_by", "flagged_at_placement",
		"keepable_by", "earliest_possible_by", "second_truck_by", "policy_promised_by", "delivered_at", "delivery_source"})
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(thugom.Local).Format("2006-01-02 15:04")
	}
	for _, o := range rep.Orders {
		ready, given := "", ""
		if o.Ready != nil {
			ready = ts(*o.Ready)
		}
		if o.ReadyAtPlacement != nil {
			given = ts(*o.ReadyAtPlacement)
		}
		late := ""
		if o.Outcome == "late" {
			late = strconv.FormatFloat(math.Round(o.LateMin), 'f', 0, 64)
		}
		if err := cw.Write([]string{strconv.FormatInt(o.ID, 10), strconv.FormatInt(o.Depot, 10), strconv.Itoa(o.Day), ts(o.Placed), ts(o.Promised),
			ready, ts(o.Handed), ts(o.Delivered), o.Outcome, o.Cause, late, strconv.FormatBool(o.Impossible), strconv.FormatBool(o.FirstDay),
			o.Dest, given, o.Source, ts(o.QuotedEarliest), ts(o.QuotedLikely), strconv.FormatBool(o.Flagged),
			ts(o.KeepableBy), ts(o.EarliestPossible), ts(o.SecondTruck), ts(o.PolicyBy), ts(o.DeliveredAt), o.DeliverySource}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
