package thugom

import (
	"strings"
	"time"
)

// WorkDayFacts is what the working-day rule needs to know of one person's
// days (a driver's routes, a household's pickups, a sheet's vehicle).
type WorkDayFacts struct {
	// Stops and Open count today's stops in the current plans, and those
	// of them still to do (StopOpen).
	Stops, Open int
	// Next is the first day after today with a published plan for them;
	// zero when there is none yet.
	Next time.Time
}

// WorkingDay is the day someone is working on at now: today while today
// has unfinished stops, or before the evening planning time (eveningAt
// seconds after local midnight, when tomorrow is planned; negative: no
// evening planning, the day ends at midnight) when today has anything
// planned; otherwise the next day with a published plan. A day with nothing
// planned is nobody's working day: a driver opening the app at 10:00 for a
// plan made for tomorrow sees tomorrow. With no later plan it is today.
func WorkingDay(now time.Time, eveningAt int, f WorkDayFacts) time.Time {
	today := Day(now)
	if f.Next.IsZero() || !Day(f.Next).After(today) || f.Open > 0 {
		return today
	}
	if f.Stops > 0 && (eveningAt < 0 || now.In(Local).Sub(today) < time.Duration(eveningAt)*time.Second) {
		return today
	}
	return Day(f.Next)
}

var weekdays = [...]string{"chủ nhật", "thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy"}

// DayLabel names a day as the driver and the household read it, seen at
// now: "Hôm nay", "Ngày mai, thứ ba 08/12", "Hôm qua, thứ hai 07/12",
// otherwise "Thứ tư 09/12".
func DayLabel(day, now time.Time) string {
	d := Day(day)
	long := weekdays[d.Weekday()] + " " + d.Format("02/01")
	switch d.Sub(Day(now)).Round(time.Hour) / (24 * time.Hour) {
	case 0:
		return "Hôm nay"
	case 1:
		return "Ngày mai, " + long
	case -1:
		return "Hôm qua, " + long
	}
	return strings.ToUpper(long[:1]) + long[1:] // both weekday names start with ASCII c or t
}
