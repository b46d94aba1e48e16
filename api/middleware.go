package api

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// Body size limits. JSON requests are small; a marketplace CSV export of a
// province-day (tens of thousands of rows) fits well under the CSV limit.
const (
	maxJSONBody = 1 << 20
	maxCSVBody  = 32 << 20
	maxFormBody = 16 << 10
)

// routePattern is what the logs see of a request: the chi pattern
// (/h/{link}), never the raw path or query, which may carry a signed
// household link or an access token.
func routePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" {
			return p
		}
	}
	return "(unmatched)"
}

// recoverer turns a panic into a 500 problem and a log line.
func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", "route", routePattern(r), "panic", v, "stack", string(debug.Stack()))
				writeProblemBody(w, newProblem(codeInternal, "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// accessLog logs one line per request without secrets.
func (s *server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		s.log.DebugContext(r.Context(), "http", "method", r.Method, "route", routePattern(r),
			"status", ww.Status(), "bytes", ww.BytesWritten(), "dur", time.Since(start))
	})
}

// securityHeaders sets the headers every answer carries. CORS is closed by
// default: no Access-Control-Allow-Origin unless the origin is configured.
func (s *server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if o := r.Header.Get("Origin"); o != "" && slices.Contains(s.deps.AllowedOrigins, o) {
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Vary", "Origin")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, If-None-Match")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// timeout bounds the work of one request through its context; handlers and
// the database driver stop when it expires.
func timeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// limitBody caps the request body; reading past it yields
// *http.MaxBytesError, answered 413.
func limitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				writeProblemBody(w, newProblem(codeTooLarge, "request body too large"))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

// etagOf is a strong validator of the uncompressed representation; the
// compression middleware weakens it (W/) when it re-encodes the body.
func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// notModified reports whether the request's If-None-Match matches etag.
func notModified(r *http.Request, etag string) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" {
		return false
	}
	bare := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == bare {
			return true
		}
	}
	return false
}

// writeCacheable writes body with an ETag, answering 304 when the client
// already has it. Manifests and pages change when the plan changes, so
// clients must revalidate (no-cache) but can skip the download.
func writeCacheable(w http.ResponseWriter, r *http.Request, contentType string, body []byte) {
	etag := etagOf(body)
	h := w.Header()
	h.Set("ETag", etag)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private, no-cache")
	}
	if notModified(r, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// writeJSON answers v as JSON with status. v is encoded before anything is
// written, so a value JSON cannot hold (a NaN) is a 500, not a 200 with a
// truncated body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblemBody(w, newProblem(codeInternal, "internal error"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n')) // the client gone: nothing left to tell it
}

// writeJSONCacheable answers v as JSON with an ETag.
func writeJSONCacheable(w http.ResponseWriter, r *http.Request, contentType string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	writeCacheable(w, r, contentType, append(b, '\n'))
	return nil
}

// dbRetryAfter is the Retry-After of a 503 while the database is down: the
// supervised embedded server is back within seconds.
const dbRetryAfter = "2"

// httpMetrics counts requests and their latency per route pattern (never
// the raw path), method and status, registered on Deps.Registerer.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	if reg == nil {
		return nil
	}
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "thugom", Name: "http_requests_total", Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "thugom", Name: "http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern and method.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
	}
	for i, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil
			}
			// Another server on the same registry (tests): share its metrics.
			if i == 0 {
				m.requests = are.ExistingCollector.(*prometheus.CounterVec)
			} else {
				m.duration = are.ExistingCollector.(*prometheus.HistogramVec)
			}
		}
	}
	return m
}

// measure is the middleware of httpMetrics; the route is known once the
// router has run.
func (s *server) measure(next http.Handler) http.Handler {
	if s.metrics == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := routePattern(r)
		s.metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(ww.Status())).Inc()
		s.metrics.duration.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
	})
}
