package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

type workdayManifest struct {
	Date   string   `json:"date"`
	Days   []string `json:"days"`
	Routes []struct {
		Stops []struct {
			ID int64 `json:"id"`
		} `json:"stops"`
	} `json:"routes"`
}

// planTomorrow gives driver idx a route tomorrow: an order more, placed
// today, planned with tomorrow's plan while the other motorbike is off.
func (b *bundle) planTomorrow(idx int) time.Time {
	b.t.Helper()
	wantStatus(b.t, b.do("PATCH", fmt.Sprintf("/v1/vehicles/%d", b.vehicle[1-idx].ID), b.disp, map[string]any{"status": thugom.VehicleOff}), http.StatusOK, "")
	ctx := context.Background()
	tomorrow := jobs.Tomorrow(testNow)
	o0 := order("PM-TMR", "0913999001", addresses[0], 10)
	delete(o0, "cod_amount") // no cash on delivery: nothing to print for it
	if _, err := b.svc.GeocodeHousehold(ctx, b.postOrder(o0)); err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.svc.PlanDepotDay(ctx, b.depot.ID, tomorrow, jobs.PlanRequest{Cause: "test"}); err != nil {
		b.t.Fatal(err)
	}
	return tomorrow
}

// postOrder places an order by the API and returns its household.
func (b *bundle) postOrder(o map[string]any) int64 {
	b.t.Helper()
	r := b.do("POST", "/v1/orders", b.disp, o)
	wantStatus(b.t, r, http.StatusCreated, "")
	var out struct {
		HouseholdID int64 `json:"household_id"`
	}
	r.json(b.t, &out)
	return out.HouseholdID
}

// finishDay reports every stop of the driver's day done, at 08:00 on:
// each pickup picked up, each handover made; sent at sentAt.
func (b *bundle) finishDay(d driverDay, sentAt time.Time) {
	b.t.Helper()
	evs := []any{}
	for i, id := range append(slices.Clone(d.pickups), d.depots...) {
		st := thugom.StopPickedUp
		if i >= len(d.pickups) {
			st = thugom.StopDone
		}
		evs = append(evs, ev(fmt.Sprintf("done-%d", i), i+1, id, st, thugom.Day(testNow).Add(8*time.Hour+time.Duration(i)*time.Minute)))
	}
	if a := b.sendEvents(d.token, map[string]any{"sent_at": sentAt.Format(time.RFC3339), "events": evs}); a.Refused != 0 {
		b.t.Fatalf("events refused: %+v", a)
	}
}

// TestManifestWorkingDay: /v1/me/manifest without a date serves the
// driver's working day (thugom.WorkingDay) and lists the days to switch
// between; a plan published for tomorrow changes the answer (and its ETag).
func TestManifestWorkingDay(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.driverDay(2)
	today := testNow.Format(time.DateOnly)
	at := func(h, m int) {
		b.moved.Store(thugom.Day(testNow).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute).UnixNano())
	}
	get := func(path string, headers ...string) (workdayManifest, string) {
		t.Helper()
		r := b.do("GET", path, d.token, nil, headers...)
		wantStatus(t, r, http.StatusOK, "")
		var m workdayManifest
		r.json(t, &m)
		return m, r.header.Get("ETag")
	}

	at(18, 0)
	m, tag := get("/v1/me/manifest")
	if m.Date != today || !slices.Equal(m.Days, []string{today}) || len(m.Routes) == 0 {
		t.Fatalf("18:00, nothing tomorrow: %s %v, %d routes; want today", m.Date, m.Days, len(m.Routes))
	}
	tomorrow := b.planTomorrow(d.idx).Format(time.DateOnly)
	if n := b.count(`SELECT count(*) FROM routes r JOIN plans p ON p.id = r.plan_id WHERE p.status = 'done' AND p.day = $1 AND r.driver_id = $2`,
		tomorrow, d.driver); n == 0 {
		t.Fatalf("tomorrow's plan gave driver %d no route", d.driver)
	}
	// Today's stops are still to do: today, at any hour, with tomorrow to
	// switch to; the answer changed, so the old ETag gets it whole.
	for _, h := range []int{0, 6, 12, 17, 20, 23} {
		at(h, 0)
		m, _ = get("/v1/me/manifest", "If-None-Match", tag)
		if m.Date != today || !slices.Equal(m.Days, []string{today, tomorrow}) {
			t.Errorf("%02d:00, stops open: %s %v; want today of [today tomorrow]", h, m.Date, m.Days)
		}
	}
	// The day done (every pickup picked up, every handover made).
	at(15, 0)
	b.finishDay(d, thugom.Day(testNow).Add(15*time.Hour))
	for _, c := range []struct {
		h, m int
		want string
	}{{15, 0, today}, {16, 59, today}, {17, 0, tomorrow}, {21, 30, tomorrow}, {23, 59, tomorrow}} {
		at(c.h, c.m)
		if m, _ = get("/v1/me/manifest"); m.Date != c.want || !slices.Equal(m.Days, []string{today, tomorrow}) {
			t.Errorf("%02d:%02d, the day done: %s %v; want %s", c.h, c.m, m.Date, m.Days, c.want)
		}
	}
	// A date asked is served as asked, without days; the printed sheet of
	// the working day says which day it is.
	at(19, 0)
	if m, _ = get("/v1/me/manifest?date=" + today); m.Date != today || m.Days != nil {
		t.Errorf("?date=today: %s %v", m.Date, m.Days)
	}
	r := b.do("GET", fmt.Sprintf("/v1/drivers/%d/manifest.html", d.driver), b.disp, nil)
	wantStatus(t, r, http.StatusOK, "")
	if want := "ngày " + tomorrow + " (Ngày mai, "; !strings.Contains(string(r.body), want) {
		t.Errorf("the evening's sheet does not say %q", want)
	}
	wantStatus(t, b.do("GET", "/v1/me/manifest?date=tomorrow", d.token, nil), http.StatusUnprocessableEntity, "date")
}
