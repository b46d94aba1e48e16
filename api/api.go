package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// Deps is what the HTTP API needs from the process that serves it.
type Deps struct {
	// DB is the database the API reads its views from (store's read
	// queries); it writes nothing itself.
	DB *store.DB
	// Service is the core (jobs.New; an insert-only one, Workers 0, is
	// enough): every write a request makes is one call of it, which runs
	// the rules in its own transaction.
	Service *jobs.Service
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
	// Registerer, when set, receives the HTTP metrics (requests and
	// latency per route); serve it in Metrics.
	Registerer prometheus.Registerer
	// RiverUI, when set, is mounted at /admin/river/ for administrators. It
	// must be built with that prefix.
	RiverUI http.Handler
	// CommunesGeoJSON returns the communes' boundaries (a GeoJSON
	// FeatureCollection with code and name properties) for the map's base
	// layer; read once, on first use.
	CommunesGeoJSON func() ([]byte, error)
	// MapAttribution is shown with the map (geo.Attribution).
	MapAttribution string
	// ESMS, when set, serves eSMS's delivery and short-code webhooks.
	ESMS *jobs.ESMS
	// HelpPhone is the post office's phone shown to households whose link
	// is not valid (optional).
	HelpPhone string
	// SIMToken, when 16+ characters, lets an Android SIM gateway poll
	// /hooks/sim (basic auth password).
	SIMToken string
}

type server struct {
	deps Deps
	log  *slog.Logger
	now  func() time.Time

	communeLayer communeLayer
	manifests    manifestCache
	tokens       tokenCache
	pages        pageCache
	// lookupToken resolves a token hash (store.TokenByHash in production).
	lookupToken func(ctx context.Context, hash []byte) (*thugom.Token, error)
	// idempotencyWait, when set (tests), is called each time a request
	// finds its Idempotency-Key held by a running request and waits.
	idempotencyWait func(r *http.Request)
	metrics         *httpMetrics
	shortLinks      guessLimiter // wrong /s/ codes (shortlink.go)
}

// New returns the HTTP handler of the whole API and the web pages.
func New(deps Deps) http.Handler {
	s := &server{deps: deps, log: deps.Logger, now: deps.Clock, metrics: newHTTPMetrics(deps.Registerer)}
	if s.log == nil {
		s.log = discardLogger()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.deps.Service == nil {
		s.log.Warn("api: Deps.Service is nil: pickups and the SMS webhook answer 503 until it is wired")
	}
	s.lookupToken = func(ctx context.Context, hash []byte) (*thugom.Token, error) {
		return store.TokenByHash(ctx, s.deps.DB, hash)
	}
	return s.routes()
}

func (s *server) routes() *chi.Mux {
	r := chi.NewRouter()
	r.Use(s.recoverer, s.measure, s.accessLog, s.securityHeaders, s.textGuard, middleware.GetHead,
		middleware.Compress(5, "application/json", "application/geo+json", "application/problem+json",
			"text/html", "text/css", "text/javascript", "text/calendar", "image/svg+xml"))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeProblemBody(w, newProblem(codeNotFound, "no such resource"))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeProblemBody(w, newProblem(codeMethodNotAllowed, "method "+r.Method+" not allowed here"))
	})

	// Public: health, the document, assets, the base layer, pages.
	r.Group(func(r chi.Router) {
		r.Use(timeout(10*time.Second), limitBody(maxFormBody))
		r.Get("/healthz", s.healthz)
		r.Get("/readyz", s.readyz)
		r.Get("/openapi.json", s.openapi)
		r.Get("/static/*", s.serveStatic)
		r.Get("/", s.page("dispatcher.html"))
		r.Get("/dispatcher", s.page("dispatcher.html"))
		r.Get("/v1/communes", s.communes)
		// The driver's app (driverapp.go): its token stays in the URL fragment.
		r.Get("/d", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/d/", http.StatusMovedPermanently) })
		r.Get("/d/*", s.serveDriverApp)
		// Households: the signed link is the credential.
		r.Get("/h/{link}", s.householdPageHandler)
		r.Get("/s/{code}", s.shortLink)
		r.Get("/h/{link}/pickup.ics", s.householdICS)
		r.Post("/h/{link}/{action}", s.householdAction)
		// SMS gateways' webhooks: each checks its provider's signature.
		r.Get("/hooks/esms/receipt", s.esmsReceipt)
		r.Get("/hooks/esms/mo", s.esmsMO)
		r.Get("/hooks/sim", s.simGateway)
		r.Post("/hooks/sim", s.simGateway)
		// The carriers' webhooks (carrierhooks.go): each checks its carrier's token or signature.
		r.Post("/hooks/viettelpost", s.carrierHook(thugom.CarrierViettelPost))
		r.Post("/hooks/vnpost", s.carrierHook(thugom.CarrierVNPost))
	})

	// The CSV import: a province-day of orders takes seconds, not minutes.
	r.Group(func(r chi.Router) {
		r.Use(timeout(120*time.Second), s.authenticate)
		r.With(s.allow(thugom.RoleAdmin, thugom.RoleDispatcher), limitBody(maxCSVBody)).Post("/v1/orders/import", s.importCSV)
	})

	// Token holders.
	r.Group(func(r chi.Router) {
		r.Use(timeout(30*time.Second), s.authenticate)
		dispatch := s.allow(thugom.RoleAdmin, thugom.RoleDispatcher)
		staff := s.allow(thugom.RoleAdmin, thugom.RoleDispatcher, thugom.RoleDriver)
		admin := s.allow(thugom.RoleAdmin)
		json := limitBody(maxJSONBody)

		market := s.allow(thugom.RoleAdmin, thugom.RoleDispatcher, thugom.RoleMarketplace)
		r.With(market, json).Post("/v1/orders", s.createOrder)
		quotes := s.allow(thugom.RoleDispatcher, thugom.RoleMarketplace)
		r.With(quotes, json).Post("/v1/quotes", s.createQuote)
		r.With(quotes, json).Post("/v1/quotes/batch", s.createQuotes)
		r.With(dispatch).Get("/v1/orders", s.listOrders)
		r.With(dispatch).Get("/v1/orders/{id}", s.getOrder)
		r.With(dispatch).Get("/v1/orders/{id}/label", s.orderLabel("html"))      // label.go
		r.With(dispatch).Get("/v1/orders/{id}/label.json", s.orderLabel("json")) // label.go
		r.With(dispatch).Get("/v1/orders/{id}/price", s.orderPrice)              // carrierprice.go
		r.With(dispatch, json).Post("/v1/orders/{id}/cancel", s.cancelOrder)
		r.With(dispatch, json).Post("/v1/orders/{id}/lock", s.lockOrder(false))
		r.With(dispatch, json).Delete("/v1/orders/{id}/lock", s.lockOrder(true))
		r.With(dispatch, json).Post("/v1/orders/{id}/drop-off", s.orderDropOff(false))
		r.With(dispatch, json).Delete("/v1/orders/{id}/drop-off", s.orderDropOff(true))
		r.With(dispatch).Get("/v1/depots/{id}/drop-off-points", s.dropOffPoints)
		r.With(dispatch, json).Put("/v1/drop-off-points/{id}", s.setDropOffPoint)

		r.With(dispatch).Get("/v1/households", s.listHouseholds)
		r.With(dispatch).Get("/v1/households/{id}", s.getHousehold)
		r.With(dispatch, json).Patch("/v1/households/{id}", s.patchHousehold)
		r.With(dispatch, json).Post("/v1/households/{id}/link", s.householdLink)
		r.With(dispatch, json).Post("/v1/households/{id}/postpone", s.postponeHousehold)

		r.With(dispatch).Get("/v1/vehicles", s.listVehicles)
		r.With(dispatch, json).Post("/v1/vehicles", s.createVehicle)
		r.With(dispatch, json).Patch("/v1/vehicles/{id}", s.patchVehicle)
		r.With(dispatch).Get("/v1/drivers", s.listDrivers)
		r.With(dispatch, json).Post("/v1/drivers", s.createDriver)

		r.With(dispatch).Get("/v1/depots", s.listDepots)
		r.With(dispatch).Get("/v1/depots/{id}/plan", s.getPlan)
		r.With(dispatch).Get("/v1/depots/{id}/plan/changes", s.planChanges)
		r.With(dispatch, json).Post("/v1/depots/{id}/plans", s.enqueuePlan(false))
		r.With(dispatch, json).Post("/v1/depots/{id}/replan", s.enqueuePlan(true))
		r.With(dispatch).Get("/v1/depots/{id}/unassigned", s.getUnassigned)
		r.With(dispatch).Get("/v1/depots/{id}/console", s.consoleView)
		r.With(dispatch, json).Post("/v1/depots/{id}/preview", s.previewPlan)
		r.With(dispatch).Get("/v1/depots/{id}/drafts", s.listDrafts)
		r.With(dispatch, json).Post("/v1/drafts/{id}/publish", s.decideDraft(true))
		r.With(dispatch, json).Post("/v1/drafts/{id}/discard", s.decideDraft(false))
		r.With(dispatch).Get("/v1/depots/{id}/borrow-candidates", s.borrowCandidates)
		r.With(dispatch, json).Post("/v1/depots/{id}/borrow", s.borrowVehicle)
		r.With(dispatch).Get("/v1/depots/{id}/report", s.dayReport)
		r.With(dispatch).Get("/v1/sla", s.slaBoard)
		r.With(dispatch, json).Post("/v1/stops/{id}/move", s.moveStop)

		r.With(staff).Get("/v1/drivers/{id}/manifest", s.getManifest("json"))
		r.With(staff).Get("/v1/drivers/{id}/manifest.geojson", s.getManifest("geojson"))
		r.With(staff).Get("/v1/drivers/{id}/manifest.html", s.getManifest("html"))
		r.With(staff, json).Post("/v1/stops/{id}/pickup", s.reportStop(thugom.StopPickedUp))
		r.With(staff, json).Post("/v1/stops/{id}/fail", s.reportStop(thugom.StopFailed))
		r.With(staff, json).Post("/v1/stops/{id}/status", s.reportStop(""))
		r.With(s.allow(thugom.RoleDriver), json).Post("/v1/me/positions", s.postPosition)
		r.With(s.allow(thugom.RoleDriver), limitBody(maxEventsBody)).Post("/v1/me/events", s.postEvents)
		r.With(staff).Get("/v1/me", s.getMe)
		r.With(s.allow(thugom.RoleDriver)).Get("/v1/me/manifest", s.getMyManifest)
		r.With(staff).Get("/v1/drivers/{id}/positions", s.getDriverPositions)
		r.With(dispatch).Get("/v1/depots/{id}/drivers/last-seen", s.getLastSeen)

		r.With(admin, json).Post("/v1/sms/inbound", s.smsInbound)
		r.With(admin).Get("/v1/tokens", s.listTokens)
		r.With(admin, json).Post("/v1/tokens", s.createToken)
		r.With(admin).Delete("/v1/tokens/{id}", s.revokeToken)
		if s.deps.Metrics != nil {
			r.With(admin).Get("/metrics", s.deps.Metrics.ServeHTTP)
		}
		if s.deps.RiverUI != nil {
			ui := func(w http.ResponseWriter, r *http.Request) {
				if q := r.URL.Query(); q.Has("access_token") { // keep the token out of River's logs
					q.Del("access_token")
					r = r.Clone(r.Context())
					r.URL.RawQuery = q.Encode()
				}
				s.deps.RiverUI.ServeHTTP(w, r)
			}
			r.With(admin).Get("/admin/river", ui)
			for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
				r.With(admin).MethodFunc(m, "/admin/river/*", ui)
			}
		}
	})
	return r
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) { s.health(w, r) }

// page serves an embedded page.
func (s *server) page(name string) http.HandlerFunc {
	body := webFile(name)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'")
		writeCacheable(w, r, "text/html; charset=utf-8", body)
	}
}

func (s *server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=60")
	writeCacheable(w, r, "application/json", openapiJSON)
}
