package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// principal is who makes a request: a token's role and scope, or a
// household through its signed link.
type principal struct {
	TokenID     int64
	Role        string
	CarrierID   int64 // dispatcher, marketplace: the carrier whose data they may touch
	DriverID    int64 // driver: whose routes they may read and update
	HouseholdID int64 // household link
}

// actor is how the events journal names the principal.
func (p *principal) actor() string {
	switch {
	case p == nil:
		return "anonymous"
	case p.HouseholdID != 0:
		return fmt.Sprintf("household:%d", p.HouseholdID)
	case p.Role == thugom.RoleDriver:
		return fmt.Sprintf("driver:%d/token:%d", p.DriverID, p.TokenID)
	default:
		return fmt.Sprintf("%s:token:%d", p.Role, p.TokenID)
	}
}

type ctxKey int

const principalKey ctxKey = 1

func principalOf(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey).(*principal)
	return p
}

// bearer extracts the API token from the Authorization header, or from the
// access_token query parameter (RFC 6750 §2.3) for pages opened from a
// link, such as the printable manifest. Neither is ever logged.
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// Writes need the header (or, under /admin/, River UI's cookie).
		if c, err := r.Cookie(adminCookie); err == nil && strings.HasPrefix(r.URL.Path, "/admin/") {
			return c.Value
		}
		return ""
	}
	if t := r.URL.Query().Get("access_token"); t != "" {
		return t
	}
	// River's UI runs in the browser and calls its own API: it is
	// authenticated by a cookie set when an administrator opens it with
	// ?access_token= (HttpOnly, SameSite=Strict, only under /admin/).
	if strings.HasPrefix(r.URL.Path, "/admin/") {
		if c, err := r.Cookie(adminCookie); err == nil {
			return c.Value
		}
	}
	return ""
}

const adminCookie = "thugom_admin"

// authenticate resolves the bearer token to a principal; missing, unknown
// and revoked tokens answer 401.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		if tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="thugom"`)
			s.writeProblem(w, r, errf(codeUnauthorized, "", "an API token is required (Authorization: Bearer …)"))
			return
		}
		t, err := s.tokens.lookup(r.Context(), HashToken(tok), s.lookupToken)
		if err != nil {
			if errors.Is(err, thugom.ErrNotFound) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="thugom", error="invalid_token"`)
				err = errf(codeUnauthorized, "", "unknown or revoked API token")
			}
			s.writeProblem(w, r, err)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/admin/") && r.URL.Query().Get("access_token") != "" && t.Role == thugom.RoleAdmin {
			http.SetCookie(w, &http.Cookie{Name: adminCookie, Value: tok, Path: "/admin/", HttpOnly: true, //nolint:gosec // G124: Secure follows the connection (plain HTTP on localhost, TLS at the proxy)
				SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 8 * 3600})
		}
		p := &principal{TokenID: t.ID, Role: t.Role}
		if t.CarrierID != nil {
			p.CarrierID = *t.CarrierID
		}
		if t.DriverID != nil {
			p.DriverID = *t.DriverID
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey, p)))
	})
}

// allow lets the listed roles through; others get 403.
func (s *server) allow(roles ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := principalOf(r.Context())
			for _, role := range roles {
				if p != nil && p.Role == role {
					next.ServeHTTP(w, r)
					return
				}
			}
			s.writeProblem(w, r, errf(codeForbidden, "", "this endpoint is not open to your role"))
		})
	}
}

// coreActor is the principal as the application core knows it: its name
// in the journal and the carrier it may act for.
func (p *principal) coreActor() jobs.Actor {
	a := jobs.Actor{Name: p.actor()}
	if p.Role != thugom.RoleAdmin {
		a.CarrierID = p.carrierScope()
	}
	return a
}

// canCarrier reports whether p may act on data of carrierID.
func (p *principal) canCarrier(carrierID int64) bool {
	switch p.Role {
	case thugom.RoleAdmin:
		return true
	case thugom.RoleDispatcher, thugom.RoleMarketplace:
		return p.CarrierID == carrierID
	}
	return false
}

// carrierScope is the carrier filter of list queries: 0 (all) for
// administrators, the token's carrier for dispatchers and marketplaces.
func (p *principal) carrierScope() int64 {
	switch p.Role {
	case thugom.RoleAdmin:
		return 0
	case thugom.RoleDispatcher, thugom.RoleMarketplace:
		return p.CarrierID
	}
	return -1 // matches no carrier
}

var errForbiddenCarrier = thugom.Errorf(thugom.EForbidden, "", "this belongs to another carrier")

// tokenCache remembers live tokens for a moment, so a driver's phone
// polling its manifest costs one query less. A revocation through this
// process clears it at once; one made elsewhere (thugom token revoke, another
// API process) takes effect within tokenCacheTTL.
type tokenCache struct {
	mu sync.Mutex
	m  map[[32]byte]tokenEntry
}

type tokenEntry struct {
	t     *thugom.Token
	until time.Time
}

const (
	tokenCacheTTL  = 2 * time.Second
	tokenCacheSize = 10000
)

func (c *tokenCache) lookup(ctx context.Context, hash []byte, load func(context.Context, []byte) (*thugom.Token, error)) (*thugom.Token, error) {
	var k [32]byte
	copy(k[:], hash)
	now := time.Now() // wall time: the cache's age, not business time
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.t, nil
	}
	t, err := load(ctx, hash)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= tokenCacheSize {
		c.m = map[[32]byte]tokenEntry{}
	}
	c.m[k] = tokenEntry{t, now.Add(tokenCacheTTL)}
	c.mu.Unlock()
	return t, nil
}

// clear forgets every cached token (after a revocation).
func (c *tokenCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
