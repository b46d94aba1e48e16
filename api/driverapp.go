package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// The driver's app (issue 12): an offline-first web app at /d/, its batch
// of queued events, and the positions it sends, read back for the
// dispatcher.

const (
	// maxEventsBody: a batch of queued events, some with a photo of at most
	// 200 KB (base64: 4/3 of it).
	maxEventsBody = 8 << 20
	// maxBatchEvents is the most events in one batch; the app sends its
	// outbox in chunks of this size.
	maxBatchEvents = 50
)

// serveDriverApp serves the app's files under /d/ (index.html at /d/).
// The service worker must be served from /d/ for its scope to be /d/.
func (s *server) serveDriverApp(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "*")
	if name == "" {
		name = "index.html"
	}
	if !fs.ValidPath(name) || strings.ContainsAny(name, `\:`) || strings.HasPrefix(path.Base(name), ".") {
		writeProblemBody(w, newProblem(codeNotFound, "no such file"))
		return
	}
	if name == "index.html" {
		// One request for the whole shell: script and style inlined (a
		// round trip on Slow 3G is 2 s), allowed by their hashes.
		driverShell.once.Do(buildDriverShell)
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Security-Policy", driverShell.csp)
		writeCacheable(w, r, "text/html; charset=utf-8", driverShell.html)
		return
	}
	b, err := fs.ReadFile(web, "web/driver/"+name)
	if err != nil {
		writeProblemBody(w, newProblem(codeNotFound, "no such file"))
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".webmanifest":
		ct = "application/manifest+json"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case "":
		ct = "application/octet-stream"
	}
	// Revalidated every time (cheap: ETag), so a new version reaches the
	// phone's cache the first time it is online.
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Security-Policy", driverCSP)
	writeCacheable(w, r, ct, b)
}

const driverCSP = "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'"

// driverShell is index.html with app.js and app.css inlined.
var driverShell struct {
	once sync.Once
	html []byte
	csp  string
}

func buildDriverShell() {
	page := string(webFile("driver/index.html"))
	js, css := webFile("driver/app.js"), webFile("driver/app.css")
	hash := func(b []byte) string {
		sum := sha256.Sum256(b)
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	page = strings.Replace(page, `<link rel="stylesheet" href="app.css">`, "<style>"+string(css)+"</style>", 1)
	page = strings.Replace(page, `<script src="app.js" defer></script>`, "", 1)
	page = strings.Replace(page, "</body>", "<script>"+string(js)+"</script>\n</body>", 1)
	driverShell.html = []byte(page)
	driverShell.csp = driverCSP + "; script-src " + hash(js) + "; style-src " + hash(css)
}

// getMyManifest: GET /v1/me/manifest: the calling driver's manifest of
// the day (the app need not know its driver id first: one round trip less).
func (s *server) getMyManifest(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	if rc := chi.RouteContext(r.Context()); rc != nil {
		rc.URLParams.Add("id", strconv.FormatInt(p.DriverID, 10))
	}
	s.getManifest("json")(w, r)
}

// meOut says who holds the token: the app learns its driver from it.
type meOut struct {
	Role     string `json:"role"`
	DriverID int64  `json:"driver_id,omitempty"`
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// getMe: GET /v1/me.
func (s *server) getMe(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	out := meOut{Role: p.Role, DriverID: p.DriverID}
	if p.DriverID != 0 {
		d, err := store.DriverByID(r.Context(), s.deps.DB, p.DriverID)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out.Name, out.Phone = d.Name, d.Phone
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	writeJSON(w, http.StatusOK, out)
}

// driverEventIn is one queued action as the phone sends it.
type driverEventIn struct {
	ID         string     `json:"id"`
	Seq        int64      `json:"seq"`
	StopID     int64      `json:"stop_id"`
	Status     string     `json:"status"`
	HappenedAt *time.Time `json:"happened_at"`
	Parcels    *int       `json:"parcels"`
	WeightKg   *float64   `json:"weight_kg"`
	Reason     string     `json:"reason"`
	Note       string     `json:"note"`
	Photo      []byte     `json:"photo"` // base64
}

// eventResultOut is the answer for one event: status 200 when accepted
// (with its outcome), else the 4xx of its problem.
type eventResultOut struct {
	ID         string   `json:"id"`
	StopID     int64    `json:"stop_id,omitempty"`
	Status     int      `json:"status"`
	Outcome    string   `json:"outcome,omitempty"`
	StopStatus string   `json:"stop_status,omitempty"`
	Replayed   bool     `json:"replayed,omitempty"`
	Problem    *problem `json:"problem,omitempty"`
}

type eventsOut struct {
	ReceivedAt  time.Time        `json:"received_at"`
	SkewSeconds int              `json:"clock_skew_s"`
	SkewFlagged bool             `json:"clock_skew_flagged,omitempty"`
	Accepted    int              `json:"accepted"`
	Refused     int              `json:"refused"`
	Results     []eventResultOut `json:"results"`
}

// postEvents: POST /v1/me/events {"sent_at", "events": [...]}: a driver's
// queued actions, any order, any delay up to the day's end + 24 h. Each
// event is applied alone (its id is its idempotency key): the answer has
// one result per event, the good ones applied even when others are refused.
func (s *server) postEvents(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SentAt *time.Time        `json:"sent_at"`
		Events []json.RawMessage `json:"events"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if len(in.Events) == 0 || len(in.Events) > maxBatchEvents {
		s.writeProblem(w, r, errf(codeInvalid, "events", "1 to %d events", maxBatchEvents))
		return
	}
	if !s.hasService(w, r) {
		return
	}
	p := principalOf(r.Context())
	b := jobs.DriverBatch{DriverID: p.DriverID, Actor: p.actor(), Events: make([]jobs.DriverEvent, len(in.Events))}
	if in.SentAt != nil {
		b.SentAt = *in.SentAt
	}
	bad := make([]error, len(in.Events))
	for i, raw := range in.Events {
		var e driverEventIn
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			bad[i] = errf(codeInvalid, fmt.Sprintf("events[%d]", i), "not a valid event: %s", thugom.ErrorMessage(jsonError(err)))
			var id struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(raw, &id)
			b.Events[i] = jobs.DriverEvent{Key: id.ID}
			continue
		}
		de := jobs.DriverEvent{Key: e.ID, Seq: e.Seq, StopID: e.StopID, Status: e.Status, Parcels: e.Parcels,
			WeightKg: e.WeightKg, Reason: e.Reason, Note: e.Note, Photo: e.Photo}
		if e.HappenedAt != nil {
			de.HappenedAt = *e.HappenedAt
		}
		b.Events[i] = de
	}
	// The refused-at-decoding events do not reach the core; the rest keep
	// their place (their index names the field in a problem).
	keep := make([]int, 0, len(in.Events))
	batch := b
	batch.Events = nil
	for i := range b.Events {
		if bad[i] == nil {
			keep = append(keep, i)
			batch.Events = append(batch.Events, b.Events[i])
		}
	}
	out := eventsOut{Results: make([]eventResultOut, len(in.Events)), ReceivedAt: s.now()}
	if len(batch.Events) > 0 {
		res, err := s.deps.Service.ApplyDriverEvents(r.Context(), batch)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out.ReceivedAt, out.SkewSeconds, out.SkewFlagged = res.ReceivedAt, res.SkewSeconds, res.SkewFlagged
		for j, i := range keep {
			er := res.Results[j]
			if er.Err != nil {
				bad[i] = renumber(er.Err, j, i)
				continue
			}
			out.Results[i] = eventResultOut{ID: er.Key, StopID: er.StopID, Status: http.StatusOK, Outcome: er.Outcome,
				StopStatus: er.StopStatus, Replayed: er.Replayed}
		}
	}
	for i, err := range bad {
		if err == nil {
			out.Accepted++
			continue
		}
		out.Refused++
		pr := s.problemFor(err)
		out.Results[i] = eventResultOut{ID: b.Events[i].Key, StopID: b.Events[i].StopID, Status: pr.Status, Problem: &pr}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

// renumber names the event by its place in the request, not in the part of
// it that reached the core.
func renumber(err error, from, to int) error {
	if from == to {
		return err
	}
	code, field, _, msg, ok := appError(err)
	if !ok {
		return err
	}
	return errf(code, strings.Replace(field, fmt.Sprintf("events[%d]", from), fmt.Sprintf("events[%d]", to), 1), "%s", msg)
}

// positionsOut is a driver's positions of a day.
type positionsOut struct {
	DriverID  int64                  `json:"driver_id"`
	Date      string                 `json:"date"`
	Positions []store.DriverPosition `json:"positions"`
}

// getDriverPositions: GET /v1/drivers/{id}/positions?date=: the positions
// a driver's phone sent that day, oldest first (the driver's own, or a
// dispatcher's of their carrier).
func (s *server) getDriverPositions(w http.ResponseWriter, r *http.Request) {
	day, err := s.dayParam(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	d, _, err := s.manifestInScope(r.Context(), r, day)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	ps, err := store.DriverPositions(r.Context(), s.deps.DB, d.ID, day, day.AddDate(0, 0, 1), 5000)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if ps == nil {
		ps = []store.DriverPosition{}
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	writeJSON(w, http.StatusOK, positionsOut{DriverID: d.ID, Date: day.Format(time.DateOnly), Positions: ps})
}

// lastSeenOut: each driver of a depot with their last position.
type lastSeenOut struct {
	DepotID int64                  `json:"depot_id"`
	Since   time.Time              `json:"since"`
	Drivers []store.DriverPosition `json:"drivers"`
}

// getLastSeen: GET /v1/depots/{id}/drivers/last-seen?hours=12: where each
// driver of the depot was last seen (the dispatcher's map).
func (s *server) getLastSeen(w http.ResponseWriter, r *http.Request) {
	d, err := s.depotInScope(r.Context(), r, s.deps.DB)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	hours := 12
	if v := r.URL.Query().Get("hours"); v != "" {
		if hours, err = strconv.Atoi(v); err != nil || hours < 1 || hours > 72 {
			s.writeProblem(w, r, errf(codeInvalid, "hours", "hours must be 1 to 72"))
			return
		}
	}
	since := s.now().Add(-time.Duration(hours) * time.Hour)
	ps, err := store.LastDriverPositions(r.Context(), s.deps.DB, d.ID, since)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if ps == nil {
		ps = []store.DriverPosition{}
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	writeJSON(w, http.StatusOK, lastSeenOut{DepotID: d.ID, Since: since, Drivers: ps})
}
