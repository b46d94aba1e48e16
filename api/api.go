package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// Deps is what the HTTP API needs from the process that serves it.
type Deps struct {
	// DB is the database; every request runs its queries on it, writes in
	// one transaction per request.
	DB *store.DB
	// Jobs inserts River jobs (InsertTx, in the request's transaction). An
	// insert-only client is enough.
	Jobs *river.Client[pgx.Tx]
	// Clock is the one clock; nil means time.Now.
	Clock func() time.Time
	// Secret signs household links (HMAC-SHA256); at least 16 bytes.
	Secret []byte
	// BaseURL is the public base of links sent to households, e.g.
	// "https://thugom.example.vn".
	BaseURL string
	// Logger receives one line per request (route pattern, never the raw
	// path or query) and internal errors; nil discards.
	Logger *slog.Logger
	// AllowedOrigins lists the browser origins allowed by CORS; empty (the
	// default) allows none.
	AllowedOrigins []string
	// Metrics, when set, is served at /metrics to administrators.
	Metrics http.Handler
	// RiverUI, when set, is mounted at /admin/river/ for administrators. It
	// must be built with that prefix.
	RiverUI http.Handler
	// CommunesGeoJSON returns the communes' boundaries (a GeoJSON
	// FeatureCollection with code and name properties) for the map's base
	// layer; read once, on first use.
	CommunesGeoJSON func() ([]byte, error)
}

type server struct {
	deps Deps
	log  *slog.Logger
	now  func() time.Time

	communeLayer communeLayer
	// lookupToken resolves a token hash (store.APITokenByHash in production).
	lookupToken func(ctx context.Context, hash []byte) (*thugom.Token, error)
}

// New returns the HTTP handler of the whole API and the web pages.
func New(deps Deps) http.Handler {
	s := &server{deps: deps, log: deps.Logger, now: deps.Clock}
	if s.log == nil {
		s.log = discardLogger()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.lookupToken = func(ctx context.Context, hash []byte) (*thugom.Token, error) {
		return store.APITokenByHash(ctx, s.deps.DB, hash)
	}
	return s.routes()
}

func (s *server) routes() *chi.Mux {
	r := chi.NewRouter()
	r.Use(s.recoverer, s.accessLog, s.securityHeaders,
		middleware.Compress(5, "application/json", "application/geo+json", "application/problem+json",
			"text/html", "text/css", "text/javascript", "text/calendar", "image/svg+xml"))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeProblemBody(w, newProblem(codeNotFound, "no such resource"))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		p := newProblem(codeNotFound, "method not allowed")
		p.Status, p.Title, p.Code = http.StatusMethodNotAllowed, http.StatusText(http.StatusMethodNotAllowed), "method_not_allowed"
		writeProblemBody(w, p)
	})

	r.Group(func(r chi.Router) {
		r.Use(timeout(10 * time.Second))
		r.Get("/healthz", s.healthz)
		r.Get("/openapi.json", s.openapi)
		r.Get("/static/*", s.serveStatic)
		r.Get("/v1/communes", s.communes)
	})
	return r
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=60")
	writeCacheable(w, r, "application/json", openapiJSON)
}
