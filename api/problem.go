package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/thugom/thugom/store"
)

// problem is an RFC 9457 problem details body. Field and Line are extension
// members naming what was wrong (a JSON field, a query parameter, a CSV line).
type problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Code     string       `json:"code"`
	Field    string       `json:"field,omitempty"`
	Line     int          `json:"line,omitempty"`
	Errors   []problemRow `json:"errors,omitempty"`
}

// problemRow is one bad row of a CSV import or one bad field of a request.
type problemRow struct {
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// statusOf maps the application's error codes to HTTP statuses.
var statusOf = map[string]int{
	codeInvalid:      http.StatusUnprocessableEntity,
	codeMalformed:    http.StatusBadRequest,
	codeNotFound:     http.StatusNotFound,
	codeConflict:     http.StatusConflict,
	codeUnauthorized: http.StatusUnauthorized,
	codeForbidden:    http.StatusForbidden,
	codeTooLarge:     http.StatusRequestEntityTooLarge,
	codeUnsupported:  http.StatusUnsupportedMediaType,
	codeInternal:     http.StatusInternalServerError,

	codeMethodNotAllowed: http.StatusMethodNotAllowed,
	codeUnavailable:      http.StatusServiceUnavailable,
	codeTooManyRequests:  http.StatusTooManyRequests,
}

// Codes of the HTTP layer only (no application error carries them).
const (
	codeMethodNotAllowed = "method_not_allowed" // 405, a type of its own
	codeUnavailable      = "unavailable"        // 503: the database is down; retry
	codeTooManyRequests  = "too_many_requests"  // 429: too many wrong short links (shortlink.go)
)

// writeProblem answers with the problem details for err. Internal errors are
// logged with their cause and answered with a generic text, so no database
// detail (or secret) leaks to the client.
func (s *server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		// The client went away (a phone reloading, a tab closed): nobody
		// reads the answer, and it is no server error.
		s.log.DebugContext(r.Context(), "client gone", "route", routePattern(r), "method", r.Method)
		return
	}
	p := s.problemFor(err)
	if p.Status == http.StatusServiceUnavailable {
		s.log.WarnContext(r.Context(), "database unavailable", "route", routePattern(r), "method", r.Method, "err", err)
	} else if p.Status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "route", routePattern(r), "method", r.Method, "err", err)
	}
	p.Instance = r.URL.Path
	if strings.HasPrefix(p.Instance, "/h/") || strings.HasPrefix(p.Instance, "/s/") {
		p.Instance = "" // the path carries the household's signed link
	}
	writeProblemBody(w, p)
}

func writeProblemBody(w http.ResponseWriter, p problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Del("ETag")
	if p.Status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", dbRetryAfter)
	}
	body, _ := json.Marshal(p) //nolint:errchkjson // strings and numbers only: it cannot fail
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(body, '\n')) // the client gone: nothing left to tell it
}

func (s *server) problemFor(err error) problem {
	var be *batchError
	if errors.As(err, &be) {
		code := codeConflict // every bad row a duplicate: 409
		for _, r := range be.Rows {
			if r.Code != codeConflict {
				code = codeInvalid
			}
		}
		p := newProblem(code, fmt.Sprintf("%d bad rows; nothing was imported", len(be.Rows)))
		if be.Kept {
			p.Detail = fmt.Sprintf("%d bad rows", len(be.Rows))
		}
		p.Errors = be.Rows
		if len(be.Rows) > 0 {
			p.Line, p.Field = be.Rows[0].Line, be.Rows[0].Field
		}
		return p
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return newProblem(codeTooLarge, fmt.Sprintf("request body larger than %d bytes", mbe.Limit))
	}
	if store.Unavailable(err) {
		return newProblem(codeUnavailable, "the database is unavailable; retry shortly")
	}
	code, field, line, msg, ok := appError(err)
	if !ok {
		return newProblem(codeInternal, "internal error")
	}
	if code == codeInternal {
		msg = "internal error"
	}
	p := newProblem(code, msg)
	p.Field, p.Line = field, line
	return p
}

func newProblem(code, detail string) problem {
	st, ok := statusOf[code]
	if !ok {
		code, st = codeInternal, http.StatusInternalServerError
	}
	return problem{
		Type:   "https://thugom.vn/problems/" + code,
		Title:  http.StatusText(st),
		Status: st,
		Detail: detail,
		Code:   code,
	}
}

// batchError carries every bad row of a CSV import.
type batchError struct {
	Rows []problemRow
	Kept bool
}

func (e *batchError) Error() string { return fmt.Sprintf("%d bad rows", len(e.Rows)) }

// logger returns a logger that never sees request secrets: callers log the
// route pattern, never the raw path or query.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
