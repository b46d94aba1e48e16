package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// manifest is a driver's day: every route (usually one) with its stops in
// order. It is what the phone downloads once and works from offline.
type manifest struct {
	Driver driverOut  `json:"driver"`
	Date   string     `json:"date"`
	Routes []routeOut `json:"routes"`
	// Days, when the manifest was asked without a date, are the days the
	// app switches between: today and the next day with a published plan
	// (Date is one of them, the working day: thugom.WorkingDay).
	Days []string `json:"days,omitempty"`
}

// manifestDay is the day a manifest request asks for: its ?date=, or the
// driver's working day, with the days the app may switch between.
func (s *server) manifestDay(r *http.Request) (time.Time, []string, error) {
	if r.URL.Query().Get("date") != "" {
		day, err := s.dayParam(r)
		return day, nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return time.Time{}, nil, err
	}
	now := s.now()
	today := thugom.Day(now)
	f, err := store.DriverWorkDays(r.Context(), s.deps.DB, id, today)
	if err != nil {
		return time.Time{}, nil, err
	}
	days := []string{today.Format(time.DateOnly)}
	if !f.Next.IsZero() {
		days = append(days, f.Next.Format(time.DateOnly))
	}
	return thugom.WorkingDay(now, s.deps.Service.EveningAt(), f), days, nil
}

// manifestInScope checks the caller may read the driver's manifest (a
// driver only their own; dispatchers their carrier's drivers) and returns
// the driver with the manifest's version.
func (s *server) manifestInScope(ctx context.Context, r *http.Request, day time.Time) (*thugom.Driver, string, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, "", err
	}
	p := principalOf(ctx)
	if p.Role == thugom.RoleDriver && p.DriverID != id {
		return nil, "", errf(codeForbidden, "", "a driver may only read their own manifest")
	}
	d, version, err := store.ManifestVersion(ctx, s.deps.DB, id, day)
	if err != nil {
		return nil, "", err
	}
	if p.Role != thugom.RoleDriver && !p.canCarrier(d.CarrierID) {
		return nil, "", errForbiddenCarrier
	}
	return d, version, nil
}

func (s *server) loadManifest(ctx context.Context, d *thugom.Driver, day time.Time, days []string) (*manifest, error) {
	refs, err := store.DriverRoutes(ctx, s.deps.DB, d.ID, day)
	if err != nil {
		return nil, err
	}
	m := &manifest{Driver: driverOut{ID: d.ID, Name: d.Name, Phone: d.Phone}, Date: day.Format(time.DateOnly), Routes: []routeOut{}, Days: days}
	for _, ref := range refs {
		rs, err := store.PlanRoutes(ctx, s.deps.DB, ref.PlanID, ref.RouteID)
		if err != nil {
			return nil, err
		}
		for _, rt := range rs {
			m.Routes = append(m.Routes, routeOutOf(rt))
		}
	}
	return m, nil
}

// getManifest serves GET /v1/drivers/{id}/manifest[.geojson|.html]?date=;
// without a date, the driver's working day.
func (s *server) getManifest(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		day, days, err := s.manifestDay(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		d, version, err := s.manifestInScope(r.Context(), r, day)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		e, err := s.cachedManifest(r.Context(), d, day, days, version)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		switch format {
		case "geojson":
			writeEncoded(w, r, "application/geo+json", e.geojson)
		case "html":
			var buf bytes.Buffer
			if err := manifestTmpl.Execute(&buf, manifestPage(e.m, s.now())); err != nil {
				s.writeProblem(w, r, err)
				return
			}
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
			writeCacheable(w, r, "text/html; charset=utf-8", buf.Bytes())
		default:
			writeEncoded(w, r, "application/json", e.json)
		}
	}
}

// cachedManifest returns the driver's manifest of the day, rebuilt only
// when its version changed.
// The days the app switches between are part of the key: a plan published
// for tomorrow changes the answer without a date, not today's version.
func (s *server) cachedManifest(ctx context.Context, d *thugom.Driver, day time.Time, days []string, version string) (*manifestEntry, error) {
	k := manifestKey{d.ID, day.Format(time.DateOnly) + "|" + strings.Join(days, ",")}
	if e := s.manifests.get(k, version); e != nil {
		return e, nil
	}
	m, err := s.loadManifest(ctx, d, day, days)
	if err != nil {
		return nil, err
	}
	e := &manifestEntry{version: version, m: m}
	if e.json, err = encode(m); err != nil {
		return nil, err
	}
	if e.geojson, err = encode(manifestGeoJSON(m)); err != nil {
		return nil, err
	}
	s.manifests.put(k, e)
	return e, nil
}

// manifestGeoJSON: one LineString feature per route, one Point feature per
// stop with everything the driver needs at the door.
func manifestGeoJSON(m *manifest) featureCollection {
	fc := featureCollection{Type: "FeatureCollection", Features: []*feature{}}
	for _, rt := range m.Routes {
		line := rt.Line
		if len(line) < 2 {
			line = orb.LineString{}
			for _, st := range rt.Stops {
				if st.Point != nil {
					line = append(line, *st.Point)
				}
			}
		}
		if len(line) >= 2 {
			fc.Features = append(fc.Features, newFeature(line, map[string]any{"kind": "route", "route_id": rt.ID,
				"vehicle": rt.Vehicle.Name, "km": rt.KM, "start_at": rt.StartAt, "end_at": rt.EndAt}))
		}
		for _, st := range rt.Stops {
			if st.Point == nil {
				continue
			}
			props := map[string]any{"kind": st.Kind, "route_id": rt.ID, "stop_id": st.ID, "seq": st.Seq, "trip": st.Trip,
				"status": st.Status, "eta": st.ETA, "window_start": st.WindowStart, "window_end": st.WindowEnd,
				"collect": st.Collect, "packaging": st.Packaging, "cod_amount": st.CODAmount, "load_kg": st.LoadKg, "parcels": st.Parcels}
			if st.Household != nil {
				props["household"], props["phone"], props["address"], props["h3"] = st.Household.Name, st.Household.Phone, st.Household.Address, st.Household.H3
			}
			if st.DropOff != nil { // a hub stop: the commune drop-off point
				props["dropoff_point"], props["dropoff_point_id"], props["approximate"] = st.DropOff.Name, st.DropOff.ID, st.DropOff.Approximate
			}
			fc.Features = append(fc.Features, newFeature(*st.Point, props))
		}
	}
	return fc
}

var manifestTmpl = template.Must(template.New("manifest").Parse(string(webFile("manifest.html"))))

type manifestPageData struct {
	Date    string
	Label   string // the day as read at printing: "Ngày mai, thứ ba 08/12"
	Depot   string
	Printed string
	Routes  []manifestPageRoute
}

type manifestPageRoute struct {
	Vehicle vehicleOut
	Driver  *driverOut
	KM      float64
	Stops   []manifestPageStop
	Sketch  *routeSketch
}

// routeSketch is the route line drawn small on the printed sheet, with the
// stops numbered as in the list.
type routeSketch struct {
	W, H   int
	Points string // SVG polyline points
	Marks  []sketchMark
}

type sketchMark struct {
	X, Y float64
	N    int
}

type manifestPageStop struct {
	Seq       int
	Household householdRef
	Window    string
	Lat, Lon  float64
	Collect   []manifestCollect
	Packaging string
	CODText   string
}

type manifestCollect struct {
	Product string
	Kg      string
	Parcels int
}

func manifestPage(m *manifest, now time.Time) manifestPageData {
	out := manifestPageData{Date: m.Date, Printed: now.In(thugom.Local).Format("15:04 02/01"), Depot: "Bảng kê thu gom"}
	if day, err := time.ParseInLocation(time.DateOnly, m.Date, thugom.Local); err == nil {
		out.Label = thugom.DayLabel(day, now)
	}
	for _, rt := range m.Routes {
		pr := manifestPageRoute{Vehicle: rt.Vehicle, Driver: rt.Driver, KM: rt.KM}
		for _, st := range rt.Stops {
			if st.Kind != thugom.StopPickup || (st.Household == nil && st.DropOff == nil) {
				continue
			}
			hh := st.Household
			if hh == nil { // a hub stop: the commune drop-off point
				hh = &householdRef{Name: st.DropOff.Name, Address: "Điểm bưu điện văn hóa xã: các hộ mang hàng đến"}
			}
			ps := manifestPageStop{Seq: len(pr.Stops) + 1, Household: *hh,
				Window: st.WindowStart.In(thugom.Local).Format("15:04") + "–" + st.WindowEnd.In(thugom.Local).Format("15:04")}
			if st.Point != nil {
				ps.Lon, ps.Lat = st.Point[0], st.Point[1]
			}
			for _, c := range st.Collect {
				ps.Collect = append(ps.Collect, manifestCollect{Product: c.Product, Kg: fmtKg(c.WeightKg), Parcels: c.Parcels})
			}
			ps.Packaging = packagingText(st.Packaging)
			if st.CODAmount > 0 {
				ps.CODText = fmtVND(st.CODAmount)
			}
			pr.Stops = append(pr.Stops, ps)
		}
		pr.Sketch = sketchOf(rt, pr.Stops)
		out.Routes = append(out.Routes, pr)
	}
	return out
}

// sketchOf projects a route's line and stops into a small SVG box
// (equirectangular, scaled by cos(latitude)).
func sketchOf(rt routeOut, stops []manifestPageStop) *routeSketch {
	pts := rt.Line
	if len(pts) < 2 {
		pts = nil
		for _, st := range rt.Stops {
			if st.Point != nil {
				pts = append(pts, *st.Point)
			}
		}
	}
	if len(pts) < 2 {
		return nil
	}
	b := pts.Bound()
	for _, st := range stops {
		b = b.Extend(orb.Point{st.Lon, st.Lat})
	}
	k := math.Cos(b.Center()[1] * math.Pi / 180)
	w, h := (b.Max[0]-b.Min[0])*k, b.Max[1]-b.Min[1]
	if w <= 0 || h <= 0 {
		return nil
	}
	const W, H, pad = 640.0, 260.0, 12.0
	scale := math.Min((W-2*pad)/w, (H-2*pad)/h)
	x := func(p orb.Point) float64 { return pad + (p[0]-b.Min[0])*k*scale }
	y := func(p orb.Point) float64 { return pad + (b.Max[1]-p[1])*scale }
	var sb strings.Builder
	for _, p := range pts {
		fmt.Fprintf(&sb, "%.1f,%.1f ", x(p), y(p))
	}
	sk := &routeSketch{W: int(W), H: int(H), Points: strings.TrimSpace(sb.String())}
	for _, st := range stops {
		p := orb.Point{st.Lon, st.Lat}
		sk.Marks = append(sk.Marks, sketchMark{X: math.Round(x(p)*10) / 10, Y: math.Round(y(p)*10) / 10, N: st.Seq})
	}
	return sk
}

// packagingText renders a packaging task's payload (boxes, nets, ...) in
// Vietnamese.
func packagingText(p map[string]any) string {
	var parts []string
	if n, ok := p["boxes"].(float64); ok && n > 0 {
		parts = append(parts, fmt.Sprintf("%d thùng", int(n)))
	}
	if n, ok := p["nets"].(float64); ok && n > 0 {
		parts = append(parts, fmt.Sprintf("%d lưới xốp", int(n)))
	}
	if t, ok := p["note"].(string); ok && t != "" {
		parts = append(parts, t)
	}
	return strings.Join(parts, ", ")
}

func fmtKg(kg float64) string {
	if kg == math.Trunc(kg) {
		return fmt.Sprintf("%.0f", kg)
	}
	return strings.Replace(fmt.Sprintf("%.1f", kg), ".", ",", 1)
}

// fmtVND formats an amount of đồng the Vietnamese way: 1.250.000 đ.
func fmtVND(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String() + " đ"
}

// pickupIn is a driver's report at a stop. happened_at is the phone's
// clock when it happened: reports are queued offline and sent later.
type pickupIn struct {
	HappenedAt *time.Time `json:"happened_at"`
	Status     string     `json:"status,omitempty"` // POST /status only: en_route, arrived, done
	Parcels    *int       `json:"parcels"`
	WeightKg   *float64   `json:"weight_kg"`
	Reason     string     `json:"reason"`
	Note       string     `json:"note"`
}

// reportStop: POST /v1/stops/{id}/pickup, /fail and /status, with an
// Idempotency-Key header (required). The stop's state machine (jobs) never
// goes backwards and ignores a repeated status, so a replayed offline queue
// cannot undo anything; the key makes a retry answer exactly as the first
// attempt did.
func (s *server) reportStop(outcome string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		var in pickupIn
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := decodeJSON(r, &in); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		status := outcome
		if outcome == "" {
			status = in.Status
			switch status {
			case thugom.StopEnRoute, thugom.StopArrived, thugom.StopDone:
			default:
				s.writeProblem(w, r, errf(codeInvalid, "status", "status must be en_route, arrived or done (use /pickup and /fail for the outcome)"))
				return
			}
		} else if in.Status != "" {
			s.writeProblem(w, r, errf(codeInvalid, "status", "status is implied by the endpoint"))
			return
		}
		now := s.now()
		switch {
		case in.HappenedAt == nil:
			err = errf(codeInvalid, "happened_at", "happened_at (the phone's time of the event) is required")
		case in.HappenedAt.After(now.Add(10 * time.Minute)):
			err = errf(codeInvalid, "happened_at", "happened_at is in the future")
		case in.HappenedAt.Before(now.Add(-7 * 24 * time.Hour)):
			err = errf(codeInvalid, "happened_at", "happened_at is more than a week old")
		case in.Parcels != nil && (*in.Parcels < 0 || *in.Parcels > 1000):
			err = errf(codeInvalid, "parcels", "must be between 0 and 1000")
		case in.WeightKg != nil && (*in.WeightKg < 0 || *in.WeightKg > 5000):
			err = errf(codeInvalid, "weight_kg", "must be between 0 and 5000 kg")
		case status == thugom.StopFailed && strings.TrimSpace(in.Reason) == "":
			err = errf(codeInvalid, "reason", "a failed pickup needs a reason: not_ready, nobody_home, quality_rejected or unreachable")
		case len(in.Reason) > 100 || len(in.Note) > 1000:
			err = errf(codeInvalid, "note", "reason or note too long")
		}
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if !s.hasService(w, r) {
			return
		}
		p := principalOf(r.Context())
		s.idempotent(w, r, body, func(ctx context.Context) (int, any, error) {
			sc, err := store.StopScope(ctx, s.deps.DB, id)
			if err != nil {
				return 0, nil, err
			}
			if p.Role == thugom.RoleDriver && sc.DriverID != p.DriverID {
				return 0, nil, errf(codeForbidden, "", "stop %d is on another driver's route", id)
			}
			if p.Role != thugom.RoleDriver && !p.canCarrier(sc.CarrierID) {
				return 0, nil, errForbiddenCarrier
			}
			e := jobs.PickupEvent{StopID: id, Status: status, Reason: strings.TrimSpace(in.Reason), At: *in.HappenedAt, Actor: p.actor()}
			if p.Role == thugom.RoleDriver {
				e.DriverID = p.DriverID
			}
			if in.Parcels != nil {
				e.Parcels = *in.Parcels
			}
			if in.WeightKg != nil {
				e.WeightKg = *in.WeightKg
			}
			rep := store.StopReport{Parcels: in.Parcels, WeightKg: in.WeightKg, Reason: e.Reason,
				Note: strings.TrimSpace(in.Note), HappenedAt: *in.HappenedAt}
			if p.Role == thugom.RoleDriver {
				rep.DriverID = &p.DriverID
			}
			e.Report = &rep
			res, err := s.deps.Service.RecordPickup(ctx, e)
			if err != nil {
				return 0, nil, err
			}
			return http.StatusOK, res, nil
		})
	}
}

// idempotent runs fn once per (principal, Idempotency-Key): the answer is
// stored with the request's hash and replayed to retries; a retry with
// another body is refused (422). The key is a unique row claimed before fn
// runs: a concurrent identical request waits for the holder's answer (it
// polls, holding no connection, so waiters cannot starve fn of the pool)
// and replays it; only the holder saves, once, so the stored answer is
// never overwritten. A key whose first attempt failed runs again, and one
// whose holder died (no answer for idempotencyLease) is taken over: fn must
// itself be safe to repeat, which the stop state machine is.
func (s *server) idempotent(w http.ResponseWriter, r *http.Request, body []byte, fn func(ctx context.Context) (int, any, error)) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" || len(key) > 200 {
		s.writeProblem(w, r, errf(codeInvalid, "Idempotency-Key", "an Idempotency-Key header (1 to 200 characters) is required"))
		return
	}
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	actor := principalOf(r.Context()).actor()
	ctx := r.Context()
	claim := jobs.NewRequestClaim()
	replay := func(prev *thugom.StoredAnswer) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(prev.Status)
		_, _ = w.Write(append(prev.Body, '\n')) //nolint:gosec // G705: the JSON this endpoint answered before, replayed as application/json
	}
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		prev, claimed, err := s.deps.Service.ClaimRequest(ctx, actor, key, sum[:], claim, idempotencyLease)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if claimed {
			break
		}
		if prev != nil {
			if !bytes.Equal(prev.RequestHash, sum[:]) {
				s.writeProblem(w, r, errf(codeInvalid, "Idempotency-Key", "this Idempotency-Key was used for another request"))
				return
			}
			if prev.Status != 0 {
				replay(prev)
				return
			}
			if s.idempotencyWait != nil {
				s.idempotencyWait(r)
			}
		}
		select {
		case <-ctx.Done():
			w.Header().Set("Retry-After", "1")
			s.writeProblem(w, r, errf(codeConflict, "Idempotency-Key", "a request with this Idempotency-Key is still running; retry"))
			return
		case <-time.After(wait):
		}
	}
	status, v, err := fn(ctx)
	if err != nil {
		_ = s.deps.Service.ForgetRequest(context.WithoutCancel(ctx), actor, key, claim)
		s.writeProblem(w, r, err)
		return
	}
	out, err := json.Marshal(v)
	var saved bool
	if err == nil {
		saved, err = s.deps.Service.SaveAnswer(context.WithoutCancel(ctx), actor, key, claim, status, out)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !saved {
		// This holder was presumed dead and another took over and answered
		// first: give its answer, the one every retry replays.
		prev, _, err := s.deps.Service.ClaimRequest(ctx, actor, key, sum[:], claim, 0)
		if err == nil && prev != nil && prev.Status != 0 {
			replay(prev)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(out, '\n'))
}

// idempotencyLease is how long a claimed key waits for its holder's answer
// before a retry takes it over: longer than any request may run.
const idempotencyLease = 2 * time.Minute

// positionIn is one position or a batch ({"positions": [...]}) queued on
// the phone.
type positionIn struct {
	At        *time.Time `json:"at"`
	Lon       *float64   `json:"lon"`
	Lat       *float64   `json:"lat"`
	AccuracyM *float64   `json:"accuracy_m"`
}

// postPosition: POST /v1/me/positions {"positions": [{"at","lon","lat","accuracy_m"}]}.
func (s *server) postPosition(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Positions []positionIn `json:"positions"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	ps := make([]thugom.Position, 0, len(in.Positions))
	for i, p := range in.Positions {
		if p.At == nil || p.Lon == nil || p.Lat == nil {
			s.writeProblem(w, r, errf(codeInvalid, fmt.Sprintf("positions[%d]", i), "at, lon and lat are required"))
			return
		}
		ps = append(ps, thugom.Position{At: *p.At, Lon: *p.Lon, Lat: *p.Lat, AccuracyM: p.AccuracyM})
	}
	if !s.hasService(w, r) {
		return
	}
	p := principalOf(r.Context())
	if err := s.deps.Service.RecordPositions(r.Context(), p.DriverID, ps, p.coreActor()); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
