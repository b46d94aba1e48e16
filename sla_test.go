package thugom_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
)

func hm(h, m int) int { return h*3600 + m*60 }

func at(day, h, m int) time.Time {
	return time.Date(2026, 11, day, h, m, 0, 0, thugom.Local)
}

// Two departures a day from a Chi Lăng depot: a morning truck to the hub and
// Hà Nội (cutoff 10:30, 8 h to the buyer), and an evening one everywhere
// (cutoff 17:00, 12 h to the buyer, modelled as one transit).
func depots() []thugom.Departure {
	return []thugom.Departure{
		{ID: 1, CutoffAt: hm(10, 30), DepartsAt: hm(11, 0), TransitHours: 8, Destinations: []string{"20", "01"}},
		{ID: 2, CutoffAt: hm(17, 0), DepartsAt: hm(17, 30), TransitHours: 12},
	}
}

func TestHandoverDeadline(t *testing.T) {
	t.Parallel()
	policy := thugom.DefaultPromisePolicy()
	tests := []struct {
		name      string
		placed    time.Time
		province  string
		deps      []thugom.Departure
		wantDep   int64
		wantDL    time.Time
		wantRisk  bool
		promiseBy time.Time
	}{
		{
			// Placed 08:00 for Hà Nội (24 h): the evening truck arrives 05:30
			// next day, in time; the morning truck of the next day arrives
			// 19:00, too late. Latest fitting cutoff: today 17:00.
			name: "region, evening truck", placed: at(22, 8, 0), province: "Thành phố Hà Nội",
			deps: depots(), wantDep: 2, wantDL: at(22, 17, 0), promiseBy: at(23, 8, 0),
		},
		{
			// Placed 20:00 for Hà Nội: tomorrow's morning truck (cutoff 10:30,
			// arrives 19:00) meets 20:00; the evening one (arrives 05:30 the
			// day after) does not.
			name: "placed in the evening", placed: at(22, 20, 0), province: "ha noi",
			deps: depots(), wantDep: 1, wantDL: at(23, 10, 30), promiseBy: at(23, 20, 0),
		},
		{
			// Hồ Chí Minh City is beyond the region (48 h); only the evening
			// truck serves it. Placed 08:00 on the 22nd: the evening truck of
			// the 23rd arrives 05:30 on the 24th, within the promise.
			name: "beyond the region", placed: at(22, 8, 0), province: "Hồ Chí Minh",
			deps: depots(), wantDep: 2, wantDL: at(23, 17, 0), promiseBy: at(24, 8, 0),
		},
		{
			// Placed 17:30 for Hà Nội, after the evening cutoff: the morning
			// truck of the 23rd arrives 19:00, 1.5 h late, the evening one of
			// the 23rd (05:30 on the 24th) later still: at risk from the start.
			name: "after the evening cutoff", placed: at(22, 17, 30), province: "Hà Nội",
			deps: depots(), wantDep: 1, wantDL: at(23, 10, 30), wantRisk: true, promiseBy: at(23, 17, 30),
		},
		{
			// Only a slow truck: nothing meets 24 h → at risk, earliest arrival.
			name: "no departure meets the promise", placed: at(22, 8, 0), province: "lang-son",
			deps:    []thugom.Departure{{ID: 3, CutoffAt: hm(9, 0), DepartsAt: hm(9, 30), TransitHours: 30}},
			wantDep: 3, wantDL: at(22, 9, 0), wantRisk: true, promiseBy: at(23, 8, 0),
		},
		{
			name: "no departure serves the province", placed: at(22, 8, 0), province: "Cao Bằng",
			deps:    []thugom.Departure{{ID: 4, CutoffAt: hm(9, 0), DepartsAt: hm(9, 30), TransitHours: 5, Destinations: []string{"Hà Nội"}}},
			wantDep: 0, wantDL: at(23, 8, 0), wantRisk: true, promiseBy: at(23, 8, 0),
		},
		{
			// Overnight truck at 01:00 with its cutoff at 23:00 the evening
			// before: placed 22:00 on the 22nd, cutoff 23:00 the same evening.
			name: "overnight cutoff before midnight", placed: at(22, 22, 0), province: "ha-noi",
			deps:    []thugom.Departure{{ID: 5, CutoffAt: hm(23, 0), DepartsAt: hm(1, 0), TransitHours: 6}},
			wantDep: 5, wantDL: at(22, 23, 0), promiseBy: at(23, 22, 0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			promise := policy.Promise(tt.province)
			got, err := thugom.HandoverDeadline(tt.placed, promise, tt.province, tt.deps)
			if err != nil {
				t.Fatal(err)
			}
			if got.DepartureID != tt.wantDep || !got.Deadline.Equal(tt.wantDL) || got.AtRisk != tt.wantRisk || !got.PromisedBy.Equal(tt.promiseBy) {
				t.Errorf("got dep=%d deadline=%s risk=%v promised=%s (%s); want dep=%d deadline=%s risk=%v promised=%s",
					got.DepartureID, got.Deadline.In(thugom.Local), got.AtRisk, got.PromisedBy.In(thugom.Local), got.Reason,
					tt.wantDep, tt.wantDL, tt.wantRisk, tt.promiseBy)
			}
			if got.AtRisk && got.Reason == "" {
				t.Error("at-risk SLA without a reason")
			}
			if !got.AtRisk && got.ArrivesAt.After(got.PromisedBy) {
				t.Errorf("arrives %s after the promise %s", got.ArrivesAt, got.PromisedBy)
			}
		})
	}
}

func TestHandoverDeadlineOvernightWindow(t *testing.T) {
	t.Parallel()
	// The overnight truck of the 23rd 01:00 has its cutoff at 22nd 23:00.
	// Placed 22nd 21:00 with 24 h: the 24th 01:00 truck arrives 07:00 on the
	// 24th, later than 21:00 on the 23rd; the 23rd 01:00 truck (cutoff 22nd
	// 23:00) arrives 07:00 on the 23rd: in time.
	deps := []thugom.Departure{{ID: 5, CutoffAt: hm(23, 0), DepartsAt: hm(1, 0), TransitHours: 6}}
	got, err := thugom.HandoverDeadline(at(22, 21, 0), 24*time.Hour, "ha-noi", deps)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Deadline.Equal(at(22, 23, 0)) || !got.DepartsAt.Equal(at(23, 1, 0)) || got.AtRisk {
		t.Fatalf("deadline %s departs %s risk %v", got.Deadline.In(thugom.Local), got.DepartsAt.In(thugom.Local), got.AtRisk)
	}
}

func TestHandoverDeadlineBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		placed  time.Time
		promise time.Duration
		deps    []thugom.Departure
	}{
		{"zero placed_at", time.Time{}, 24 * time.Hour, depots()},
		{"negative promise", at(22, 8, 0), -time.Hour, depots()},
		{"absurd promise", at(22, 8, 0), 30 * 24 * time.Hour, depots()},
		{"cutoff out of the day", at(22, 8, 0), 24 * time.Hour, []thugom.Departure{{ID: 9, CutoffAt: 90000, DepartsAt: 100}}},
		{"negative departure", at(22, 8, 0), 24 * time.Hour, []thugom.Departure{{ID: 9, CutoffAt: 10, DepartsAt: -1}}},
		{"negative transit", at(22, 8, 0), 24 * time.Hour, []thugom.Departure{{ID: 9, CutoffAt: 10, DepartsAt: 20, TransitHours: -1}}},
	}
	for _, c := range cases {
		_, err := thugom.HandoverDeadline(c.placed, c.promise, "ha-noi", c.deps)
		if !errors.Is(err, thugom.ErrInvalid) {
			t.Errorf("%s: err = %v, want invalid", c.name, err)
		}
	}
}

func TestPromisePolicy(t *testing.T) {
	t.Parallel()
	p := thugom.DefaultPromisePolicy()
	p.Provinces = map[string]time.Duration{"Cao Bằng": 36 * time.Hour}
	for prov, want := range map[string]time.Duration{
		"Lạng Sơn": 24 * time.Hour, "TP. Hà Nội": 24 * time.Hour, "tinh Bac Ninh": 24 * time.Hour,
		"Cao Bang": 36 * time.Hour, "Hồ Chí Minh": 48 * time.Hour, "Đà Nẵng": 48 * time.Hour, "": 48 * time.Hour,
	} {
		if got := p.Promise(prov); got != want {
			t.Errorf("Promise(%q) = %s, want %s", prov, got, want)
		}
	}
	for in, want := range map[string]string{"  Thành phố  Hồ Chí Minh ": "ho-chi-minh", "79": "ho-chi-minh", "1": "ha-noi", "Tỉnh Lạng Sơn": "lang-son"} {
		if got := thugom.ProvinceKey(in); got != want {
			t.Errorf("ProvinceKey(%q) = %q, want %q", in, got, want)
		}
	}
	if got := p.Promise("20"); got != 24*time.Hour {
		t.Errorf("Promise(20) = %s", got)
	}
}

func TestMaxAge(t *testing.T) {
	t.Parallel()
	s := thugom.SLA{Deadline: at(22, 17, 0), ArrivesAt: at(23, 13, 30)} // 20.5 h after handover
	if age, ok := thugom.MaxAge(96*time.Hour, s); !ok || age != 75*time.Hour+30*time.Minute {
		t.Errorf("custard apple: %s %v", age, ok)
	}
	if age, ok := thugom.MaxAge(12*time.Hour, s); ok || age != 0 {
		t.Errorf("too fresh for the journey: %s %v", age, ok)
	}
	if age, ok := thugom.MaxAge(0, s); !ok || age != 0 {
		t.Errorf("no limit: %s %v", age, ok)
	}
}

func TestStripDiacritics(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Lạng Sơn": "Lang Son", "Đồng Đăng": "Dong Dang", "Bưu cục Chi Lăng": "Buu cuc Chi Lang",
		"thôn Nà Pàn, xã Bắc Sơn": "thon Na Pan, xa Bac Son", "ASCII": "ASCII",
	} {
		if got := thugom.StripDiacritics(in); got != want {
			t.Errorf("StripDiacritics(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSLAWithReadiness(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	cutoff := day.Add(10*time.Hour + 30*time.Minute)
	ready := func(h, m int) *time.Time {
		t := day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
		return &t
	}
	base := thugom.SLA{Deadline: cutoff}
	for _, c := range []struct {
		name    string
		sla     thugom.SLA
		ready   *time.Time
		atDepot *time.Time
		risk    bool
	}{
		{"ready early", base, ready(7, 0), ready(8, 0), false},
		{"back at the cutoff", base, ready(10, 0), ready(10, 30), false},
		{"back a minute after", base, ready(10, 0), ready(10, 31), true},
		{"ready after the cutoff", base, ready(11, 0), ready(11, 0), true},
		{"no readiness known", base, nil, ready(11, 0), false},
		{"no earliest known (no vehicle)", base, ready(11, 0), &time.Time{}, false},
		{"already at risk keeps its reason", thugom.SLA{Deadline: cutoff, AtRisk: true, Reason: "no departure"}, ready(11, 0), ready(11, 0), true},
		{"no deadline", thugom.SLA{}, ready(11, 0), ready(11, 0), false},
	} {
		got := c.sla.WithReadiness(c.ready, *c.atDepot)
		if got.AtRisk != c.risk {
			t.Errorf("%s: at risk %v, want %v (%s)", c.name, got.AtRisk, c.risk, got.Reason)
		}
		if c.sla.AtRisk && got.Reason != c.sla.Reason {
			t.Errorf("%s: reason %q changed", c.name, got.Reason)
		}
		if got.AtRisk && !c.sla.AtRisk && !strings.Contains(got.Reason, "10:30") {
			t.Errorf("%s: reason %q does not name the cutoff", c.name, got.Reason)
		}
		if !got.Deadline.Equal(c.sla.Deadline) {
			t.Errorf("%s: deadline moved", c.name)
		}
	}
}

func TestBrokenAtPlacement(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	ready := day.Add(11 * time.Hour)
	late := thugom.SLA{Deadline: day.Add(10*time.Hour + 30*time.Minute)}.WithReadiness(&ready, ready.Add(20*time.Minute))
	none, err := thugom.HandoverDeadline(day.Add(20*time.Hour), 24*time.Hour, "Hà Nội", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		risk   bool
		reason string
		want   bool
	}{
		{"ready too late (WithReadiness)", late.AtRisk, late.Reason, true},
		{"no departure (HandoverDeadline)", none.AtRisk, none.Reason, true},
		{"planned late", true, "late: planned back 12 min after its handover deadline (next departure)", false},
		{"not at risk", false, late.Reason, false},
	} {
		if got := thugom.BrokenAtPlacement(c.risk, c.reason); got != c.want {
			t.Errorf("%s: BrokenAtPlacement(%v, %q) = %v", c.name, c.risk, c.reason, got)
		}
	}
}
