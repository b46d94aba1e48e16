package jobs

import (
	"context"
	"sort"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// NoticeBucket counts window messages whose notice (window start − sent)
// was at least From and under To (To zero: no upper bound).
type NoticeBucket struct {
	Label string        `json:"label"`
	From  time.Duration `json:"-"`
	To    time.Duration `json:"-"`
	Count int           `json:"count"`
}

// NoticeReport is the notice households got for a local day's pickups:
// the distribution of the notice of every window message (pickup_window,
// pickup_changed) sent, the share with at least 12 h, and the messages
// that could wait but left outside waking hours (the target is none).
type NoticeReport struct {
	Day            string         `json:"day"`
	WindowMessages int            `json:"window_messages"`
	Buckets        []NoticeBucket `json:"buckets"`
	// AtLeast12h is the share (0–1) of window messages giving ≥ 12 h.
	AtLeast12h float64 `json:"at_least_12h"`
	// MinHours, MedianHours: of the window messages' notice.
	MinHours    float64 `json:"min_hours"`
	MedianHours float64 `json:"median_hours"`
	// NightNonUrgent counts windows and reminders sent outside waking hours;
	// NightUrgent the changes, cancellations and failures sent then.
	NightNonUrgent int `json:"night_non_urgent"`
	NightUrgent    int `json:"night_urgent"`
	// SentByHour counts every message sent, by local hour (0–23).
	SentByHour [24]int `json:"sent_by_hour"`
}

// NoticeDistribution computes the notice report of a local day from what
// was sent (pure: the report of rows).
func NoticeDistribution(day time.Time, sent []thugom.SentNotice, w thugom.WakingHours) NoticeReport {
	rep := NoticeReport{Day: DayString(day), Buckets: []NoticeBucket{
		{Label: "<1h", To: time.Hour}, {Label: "1-2h", From: time.Hour, To: 2 * time.Hour},
		{Label: "2-6h", From: 2 * time.Hour, To: 6 * time.Hour}, {Label: "6-12h", From: 6 * time.Hour, To: 12 * time.Hour},
		{Label: ">=12h", From: 12 * time.Hour},
	}}
	var notices []time.Duration
	for _, n := range sent {
		rep.SentByHour[n.SentAt.In(thugom.Local).Hour()]++
		if !w.Awake(n.SentAt) {
			if urgentKind(thugom.SMSKind(n.Kind)) {
				rep.NightUrgent++
			} else {
				rep.NightNonUrgent++
			}
		}
		if n.WindowStart == nil || (n.Kind != string(thugom.SMSPickupWindow) && n.Kind != string(thugom.SMSPickupChanged)) {
			continue
		}
		d := n.WindowStart.Sub(n.SentAt)
		notices = append(notices, d)
		for i := range rep.Buckets {
			b := &rep.Buckets[i]
			if d >= b.From && (b.To == 0 || d < b.To) {
				b.Count++
				break
			}
		}
	}
	rep.WindowMessages = len(notices)
	if len(notices) > 0 {
		sort.Slice(notices, func(i, j int) bool { return notices[i] < notices[j] })
		rep.MinHours = round2(notices[0].Hours())
		rep.MedianHours = round2(notices[len(notices)/2].Hours())
		rep.AtLeast12h = round2(float64(rep.Buckets[len(rep.Buckets)-1].Count) / float64(len(notices)))
	}
	return rep
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// NoticeReport reports the notice given for a local day's pickups.
func (s *Service) NoticeReport(ctx context.Context, day time.Time) (*NoticeReport, error) {
	return s.NoticeReportOf(ctx, day, 0, 0)
}

// NoticeReportOf is NoticeReport for the households of one carrier and one
// depot (0: any) — what a dispatcher's board shows.
func (s *Service) NoticeReportOf(ctx context.Context, day time.Time, carrierID, depotID int64) (*NoticeReport, error) {
	d := thugom.Day(day)
	sent, err := store.SentNoticesOfDay(ctx, s.db, d, d.Add(24*time.Hour), carrierID, depotID)
	if err != nil {
		return nil, err
	}
	notices := make([]thugom.SentNotice, len(sent))
	for i, n := range sent {
		notices[i] = thugom.SentNotice(n) // the store's row, the same fields
	}
	rep := NoticeDistribution(d, notices, s.deps.WakingHours)
	return &rep, nil
}
