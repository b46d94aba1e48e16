package thugom_test

import (
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
)

// promiseDepot: one evening truck to Hà Nội (cutoff 19:00, departs 20:00,
// 4 h to the buyer) and one to the south (cutoff 19:30, 30 h); one
// motorbike 07:00-17:00, 30 min from the village each way.
func promiseDepot(at time.Time) thugom.PromiseInput {
	return thugom.PromiseInput{
		At: at, Province: "01",
		Departures: []thugom.Departure{
			{ID: 1, CutoffAt: hm(19, 0), DepartsAt: hm(20, 0), TransitHours: 4, Destinations: []string{"01"}},
			{ID: 2, CutoffAt: hm(19, 30), DepartsAt: hm(21, 0), TransitHours: 30, Destinations: []string{"79"}},
		},
		Vehicles: []thugom.PromiseVehicle{{ShiftStart: hm(7, 0), ShiftEnd: hm(17, 0), ThereS: 1800, BackS: 1800}},
		ServiceS: 300, WeightKg: 20,
	}
}

// sure is a household whose visits never failed in a long history.
func sure(in thugom.PromiseInput) thugom.PromiseInput {
	in.Visits = 1_000_000
	return in
}

func TestPromise(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		in                thugom.PromiseInput
		earliest, promise time.Time
		atDepot, orderBy  time.Time
		later             bool
		reason            string
	}{
		{name: "morning order, sure household: tonight's truck", in: sure(promiseDepot(at(10, 8, 0))),
			earliest: at(11, 0, 0), promise: at(11, 0, 0), atDepot: at(10, 8, 35), orderBy: at(10, 16, 25)},
		{name: "morning order, the prior's 10 %: a retry the same afternoon still makes the truck", in: promiseDepot(at(10, 8, 0)),
			earliest: at(11, 0, 0), promise: at(11, 0, 0), atDepot: at(10, 8, 35), orderBy: at(10, 13, 25)},
		{name: "afternoon order: a failed visit is retried tomorrow", in: promiseDepot(at(10, 16, 0)),
			earliest: at(11, 0, 0), promise: at(12, 0, 0), atDepot: at(10, 16, 35), orderBy: at(11, 13, 25),
			later: true, reason: "lấy hàng không thành"},
		{name: "cutoff rollover: after the shift, tomorrow's truck", in: sure(promiseDepot(at(10, 18, 0))),
			earliest: at(12, 0, 0), promise: at(12, 0, 0), atDepot: at(11, 8, 5), orderBy: at(11, 16, 25),
			later: true, reason: "giao sớm nhất 00:00 12/11"},
		{name: "ready later than placed", in: func() thugom.PromiseInput {
			in := sure(promiseDepot(at(10, 8, 0)))
			in.Ready = at(10, 14, 0)
			return in
		}(), earliest: at(11, 0, 0), promise: at(11, 0, 0), atDepot: at(10, 14, 35), orderBy: at(10, 16, 25)},
		{name: "a far village: back after the cutoff, tomorrow's truck", in: func() thugom.PromiseInput {
			in := sure(promiseDepot(at(10, 9, 0)))
			in.Vehicles = []thugom.PromiseVehicle{{ShiftStart: hm(7, 0), ShiftEnd: hm(21, 0), ThereS: 6 * 3600, BackS: 6 * 3600}}
			in.Ready = at(10, 14, 0)
			return in
		}(), earliest: at(12, 0, 0), promise: at(12, 0, 0), atDepot: at(10, 20, 5), orderBy: at(10, 14, 55),
			later: true, reason: "hàng về bưu cục sớm nhất 20:05 10/11"},
		{name: "no room today: tomorrow", in: func() thugom.PromiseInput {
			in := sure(promiseDepot(at(10, 8, 0)))
			in.Capacity = []thugom.DayCapacity{{Day: thugom.Day(at(10, 0, 0)), KgLeft: 10}, {Day: thugom.Day(at(11, 0, 0)), KgLeft: 500}}
			return in
		}(), earliest: at(12, 0, 0), promise: at(12, 0, 0), atDepot: at(11, 8, 5), orderBy: at(11, 16, 25),
			later: true, reason: "bưu cục đã hết chỗ ngày 10/11"},
		{name: "freshness: collected later so it is fresh at the buyer", in: func() thugom.PromiseInput {
			in := sure(promiseDepot(at(10, 8, 0)))
			in.Freshness = 12 * time.Hour
			return in
		}(), earliest: at(11, 0, 0), promise: at(11, 0, 0), atDepot: at(10, 12, 35), orderBy: at(10, 16, 25)},
		{name: "the south: 30 h in transit", in: func() thugom.PromiseInput {
			in := sure(promiseDepot(at(10, 8, 0)))
			in.Province = "Thành phố Hồ Chí Minh"
			return in
		}(), earliest: at(12, 3, 0), promise: at(12, 3, 0), atDepot: at(10, 8, 35), orderBy: at(10, 16, 25)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := thugom.Promise(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what      string
				got, want time.Time
			}{{"earliest_by", a.EarliestBy, tc.earliest}, {"promise_by", a.PromiseBy, tc.promise},
				{"at depot", a.AtDepot, tc.atDepot}, {"order_by", a.OrderBy, tc.orderBy}} {
				if !c.got.Equal(c.want) {
					t.Errorf("%s = %s, want %s", c.what, c.got.In(thugom.Local), c.want)
				}
			}
			if a.LaterThanPolicy != tc.later || !strings.Contains(a.Reason, tc.reason) || (tc.reason == "") != (a.Reason == "") {
				t.Errorf("later %v reason %q, want %v and %q", a.LaterThanPolicy, a.Reason, tc.later, tc.reason)
			}
			if a.Confidence < thugom.DefaultConfidence {
				t.Errorf("confidence %g, want >= %g", a.Confidence, thugom.DefaultConfidence)
			}
		})
	}
}

func TestPromiseRefuses(t *testing.T) {
	t.Parallel()
	south := promiseDepot(at(10, 8, 0))
	south.Province = "48" // Đà Nẵng: no truck of the depot goes there
	stale := promiseDepot(at(10, 8, 0))
	stale.Province, stale.Freshness = "79", 10*time.Hour
	none := promiseDepot(at(10, 8, 0))
	none.Vehicles = nil
	full := promiseDepot(at(10, 8, 0))
	for d := 0; d <= 16; d++ {
		full.Capacity = append(full.Capacity, thugom.DayCapacity{Day: thugom.Day(at(10, 0, 0)).AddDate(0, 0, d)})
	}
	for name, in := range map[string]thugom.PromiseInput{"no truck to the province": south, "too perishable for the trip": stale,
		"no vehicle": none, "no room for 16 days": full} {
		if a, err := thugom.Promise(in); thugom.ErrorCode(err) != thugom.EInvalid {
			t.Errorf("%s: %+v, %v; want EInvalid", name, a, err)
		}
	}
}

// TestPromiseEveryHour checks the answer's own promises at every quarter
// hour of two days: earliest <= likely <= promise; never earlier than the
// drive; order_by is the last placement with the same promise_by.
func TestPromiseEveryHour(t *testing.T) {
	t.Parallel()
	for _, fails := range []int{0, 2, 40} {
		for q := 0; q < 2*24*4; q++ {
			in := promiseDepot(at(10, 0, 0).Add(time.Duration(q) * 15 * time.Minute))
			in.Failures, in.Visits = fails, 50
			a, err := thugom.Promise(in)
			if err != nil {
				t.Fatal(err)
			}
			if a.LikelyBy.Before(a.EarliestBy) || a.PromiseBy.Before(a.LikelyBy) || a.OrderBy.Before(in.At) {
				t.Fatalf("%s: out of order %+v", in.At, a)
			}
			if a.AtDepot.Before(in.At.Add(35*time.Minute)) || a.EarliestBy.Before(a.Deadline) {
				t.Fatalf("%s: earlier than possible %+v", in.At, a)
			}
			in.At = a.OrderBy
			if b, _ := thugom.Promise(in); !b.PromiseBy.Equal(a.PromiseBy) {
				t.Fatalf("%s: at order_by %s the promise is %s, not %s", in.At, a.OrderBy, b.PromiseBy, a.PromiseBy)
			}
			in.At = a.OrderBy.Add(time.Minute)
			if b, _ := thugom.Promise(in); !b.PromiseBy.After(a.PromiseBy) {
				t.Fatalf("%s: a minute after order_by %s the promise is still %s", in.At, a.OrderBy, b.PromiseBy)
			}
		}
	}
}

// BenchmarkPromise: the pure function, order_by's search included.
func BenchmarkPromise(b *testing.B) {
	in := promiseDepot(at(10, 16, 0))
	for range b.N {
		if _, err := thugom.Promise(in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTomorrowKeepsPromiseOvernight: a truck leaving at 02:00 takes the
// produce handed over by 22:00 the evening before (Trucks' cutoff
// rollover), so a pickup postponed to tomorrow rides the one leaving the
// day after, not the one leaving tomorrow night.
func TestTomorrowKeepsPromiseOvernight(t *testing.T) {
	t.Parallel()
	deps := []thugom.Departure{{ID: 1, DepartsAt: hm(2, 0), CutoffAt: hm(22, 0), TransitHours: 4}}
	is := thugom.Issue{Kind: thugom.IssueLate, Order: thugom.IssueOrder{OrderID: 1, HouseholdID: 1}}
	day, now := thugom.Day(at(10, 0, 0)), at(10, 9, 0)
	if thugom.TomorrowKeepsPromise(is, deps, day, now, at(11, 8, 0)) {
		t.Error("the truck leaving tomorrow at 02:00 closed tonight: a pickup tomorrow misses it")
	}
	if !thugom.TomorrowKeepsPromise(is, deps, day, now, at(12, 6, 0)) {
		t.Error("tomorrow evening's cutoff, the 02:00 truck the day after, arrives 06:00 on the 12th")
	}
}

// TestPromiseRecord: the depot's record of keeping its promises corrects
// the visits' model. An afternoon order (16:00, the second visit would be
// tomorrow) is promised tomorrow's truck by the model; a depot whose
// record keeps tonight's truck at that slack (3 h: ready 16:00, cutoff
// 19:00) 199 times in 200 is promised tonight's, one that kept it 150
// times in 200 is not; a depot whose record shows the morning's slack
// (11 h) kept only 70 % of the time gets a later promise than the model's.
func TestPromiseRecord(t *testing.T) {
	t.Parallel()
	rec := func(slack time.Duration, aimed, kept int) []thugom.SlackKept {
		return []thugom.SlackKept{{Slack: slack, Aimed: aimed, Kept: kept}}
	}
	for _, tc := range []struct {
		name    string
		at      time.Time
		record  []thugom.SlackKept
		promise time.Time
	}{
		{"no record: the model", at(10, 16, 0), nil, at(12, 0, 0)},
		{"kept 199 of 200 at 3 h: tonight's truck", at(10, 16, 0), rec(3*time.Hour, 200, 199), at(11, 0, 0)},
		{"kept 150 of 200 at 3 h: tomorrow's", at(10, 16, 0), rec(3*time.Hour, 200, 150), at(12, 0, 0)},
		{"a record at another slack does not count", at(10, 16, 0), rec(8*time.Hour, 200, 200), at(12, 0, 0)},
		{"morning order, kept 70 % at 11 h: tomorrow's", at(10, 8, 0), rec(11*time.Hour, 200, 140), at(12, 0, 0)},
	} {
		in := promiseDepot(tc.at)
		in.Record = tc.record
		a, err := thugom.Promise(in)
		if err != nil {
			t.Fatal(err)
		}
		if !a.PromiseBy.Equal(tc.promise) {
			t.Errorf("%s: promise_by %s, want %s", tc.name, a.PromiseBy.In(thugom.Local), tc.promise)
		}
		if a.PromiseBy.Equal(at(11, 0, 0)) && a.Confidence < thugom.DefaultConfidence {
			t.Errorf("%s: confidence %g", tc.name, a.Confidence)
		}
	}
}

// TestPromiseRetryAfter: with the household's wait after a failed visit
// given (jobs.RetryAfter), the next visit is that wait, the visit and the
// quickest round trip later (1 h 35 min), not the default 3 h: an order
// placed at 14:00 (visit 14:00, a retry at 15:35 back at 16:10) keeps
// tonight's 19:00 truck, which the 3 h gap (a retry at 17:00, after the
// shift) did not.
func TestPromiseRetryAfter(t *testing.T) {
	t.Parallel()
	in := promiseDepot(at(10, 14, 0))
	model, err := thugom.Promise(in)
	if err != nil {
		t.Fatal(err)
	}
	in.RetryAfter = 30 * time.Minute
	a, err := thugom.Promise(in)
	if err != nil {
		t.Fatal(err)
	}
	if !model.PromiseBy.Equal(at(12, 0, 0)) || !a.PromiseBy.Equal(at(11, 0, 0)) || a.Confidence < thugom.DefaultConfidence {
		t.Fatalf("promise_by %s with the 3 h gap (want 00:00 12/11), %s at %g with the retry (want 00:00 11/11)",
			model.PromiseBy.In(thugom.Local), a.PromiseBy.In(thugom.Local), a.Confidence)
	}
	// The last placement for it: the retry back at 17:00, the shift's end.
	if !a.OrderBy.Equal(at(10, 14, 50)) {
		t.Errorf("order_by %s, want 14:50", a.OrderBy.In(thugom.Local))
	}
}
