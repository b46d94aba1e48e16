package thugom_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/thugom/thugom"
)

func TestWorkingDay(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, thugom.Local) // a Monday
	tomorrow, later := today.AddDate(0, 0, 1), today.AddDate(0, 0, 3)
	at := func(h, m int) time.Time { return today.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	const evening = 17 * 3600
	cases := []struct {
		name    string
		now     time.Time
		evening int
		f       thugom.WorkDayFacts
		want    time.Time
	}{
		{"nothing planned anywhere", at(10, 0), evening, thugom.WorkDayFacts{}, today},
		{"nothing planned, late evening", at(23, 0), evening, thugom.WorkDayFacts{}, today},
		{"midnight, today's open stops", at(0, 0), evening, thugom.WorkDayFacts{Stops: 5, Open: 5, Next: tomorrow}, today},
		{"06:00, open stops", at(6, 0), evening, thugom.WorkDayFacts{Stops: 5, Open: 5, Next: tomorrow}, today},
		{"10:00, all done, before the evening", at(10, 0), evening, thugom.WorkDayFacts{Stops: 5, Open: 0, Next: tomorrow}, today},
		{"16:59, all done", at(16, 59), evening, thugom.WorkDayFacts{Stops: 5, Next: tomorrow}, today},
		{"17:00, all done, tomorrow published", at(17, 0), evening, thugom.WorkDayFacts{Stops: 5, Next: tomorrow}, tomorrow},
		{"21:00, all done, tomorrow published", at(21, 0), evening, thugom.WorkDayFacts{Stops: 5, Next: tomorrow}, tomorrow},
		{"23:59, all done", at(23, 59), evening, thugom.WorkDayFacts{Stops: 5, Next: tomorrow}, tomorrow},
		{"19:00, still one open", at(19, 0), evening, thugom.WorkDayFacts{Stops: 5, Open: 1, Next: tomorrow}, today},
		{"23:30, still one open", at(23, 30), evening, thugom.WorkDayFacts{Stops: 5, Open: 1, Next: tomorrow}, today},
		{"20:00, all done, nothing published", at(20, 0), evening, thugom.WorkDayFacts{Stops: 5}, today},
		{"10:00, nothing today, tomorrow published", at(10, 0), evening, thugom.WorkDayFacts{Next: tomorrow}, tomorrow},
		{"06:00, nothing today, tomorrow published", at(6, 0), evening, thugom.WorkDayFacts{Next: tomorrow}, tomorrow},
		{"18:00, all done, next plan in three days", at(18, 0), evening, thugom.WorkDayFacts{Stops: 2, Next: later}, later},
		{"evening planning at 20:00, 18:00", at(18, 0), 20 * 3600, thugom.WorkDayFacts{Stops: 2, Next: tomorrow}, today},
		{"evening planning at 20:00, 20:01", at(20, 1), 20 * 3600, thugom.WorkDayFacts{Stops: 2, Next: tomorrow}, tomorrow},
		{"no evening planning, 23:00", at(23, 0), -1, thugom.WorkDayFacts{Stops: 2, Next: tomorrow}, today},
		{"no evening planning, nothing today", at(23, 0), -1, thugom.WorkDayFacts{Next: tomorrow}, tomorrow},
		{"a stale next (today)", at(20, 0), evening, thugom.WorkDayFacts{Stops: 2, Next: today}, today},
		{"now given in UTC", at(18, 0).UTC(), evening, thugom.WorkDayFacts{Stops: 2, Next: tomorrow}, tomorrow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := thugom.WorkingDay(c.now, c.evening, c.f); !got.Equal(c.want) {
				t.Errorf("WorkingDay(%s, %+v) = %s, want %s", c.now.In(thugom.Local).Format("15:04"), c.f, got.Format(time.DateOnly), c.want.Format(time.DateOnly))
			}
		})
	}
	// Every hour of the day: today's open stops keep today; done, the
	// day flips at the evening and not before.
	for h := range 24 {
		now := at(h, 30)
		if got := thugom.WorkingDay(now, evening, thugom.WorkDayFacts{Stops: 3, Open: 1, Next: tomorrow}); !got.Equal(today) {
			t.Errorf("%02d:30 with an open stop: %s, want today", h, got.Format(time.DateOnly))
		}
		want := today
		if h >= 17 {
			want = tomorrow
		}
		if got := thugom.WorkingDay(now, evening, thugom.WorkDayFacts{Stops: 3, Next: tomorrow}); !got.Equal(want) {
			t.Errorf("%02d:30 all done: %s, want %s", h, got.Format(time.DateOnly), want.Format(time.DateOnly))
		}
	}
}

func TestDayLabel(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 19, 0, 0, 0, thugom.Local) // Monday evening
	for _, c := range []struct {
		days int
		want string
	}{
		{0, "Hôm nay"}, {1, "Ngày mai, thứ ba 08/12"}, {-1, "Hôm qua, chủ nhật 06/12"}, {2, "Thứ tư 09/12"}, {6, "Chủ nhật 13/12"},
	} {
		if got := thugom.DayLabel(now.AddDate(0, 0, c.days), now); got != c.want {
			t.Errorf("DayLabel(+%d) = %q, want %q", c.days, got, c.want)
		}
	}
}

func ExampleWorkingDay() {
	now := time.Date(2026, 12, 7, 18, 30, 0, 0, thugom.Local)
	tomorrow := time.Date(2026, 12, 8, 0, 0, 0, 0, thugom.Local)
	day := thugom.WorkingDay(now, 17*3600, thugom.WorkDayFacts{Stops: 12, Open: 0, Next: tomorrow})
	fmt.Println(day.Format(time.DateOnly), thugom.DayLabel(day, now))
	// Output: 2026-12-08 Ngày mai, thứ ba 08/12
}
