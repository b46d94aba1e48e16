package api

import (
	"bytes"
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/thugom/thugom"
)

// shortLink: GET /s/{code} — the short link of a window SMS
// (thugom.SignShortLink). A valid code is answered 303 with the
// household's signed page (/h/..., valid householdLinkTTL from now); a bad
// or expired one with the same small Vietnamese page (401) as a bad /h/
// link.
//
// Guessing is bounded: a wrong code costs its client (an IPv4 address or
// an IPv6 /64) one of shortLinkClientBurst tries, given back one per
// shortLinkClientEvery, and the whole server one of shortLinkGlobalBurst,
// given back shortLinkGlobalPerSec a second; with either spent the answer
// is 429 with Retry-After, and the code is not even looked at. A right
// code costs nothing. Behind a reverse proxy every client is the proxy's
// address, so the per-client bound becomes a second global one: a flood
// of wrong codes then delays real households too, which is the price of
// keeping a 48-bit code unguessable (see thugom/link.go).
func (s *server) shortLink(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	client := shortLinkClient(r)
	if wait := s.shortLinks.take(client, now); wait > 0 {
		s.writeShortLinkLimited(w, r, wait)
		return
	}
	if len(s.deps.Secret) < 16 {
		s.shortLinks.refund(client, now) // nothing to guess
		s.writeLinkProblem(w, r, errf(codeUnauthorized, "", "household links are disabled: no signing secret configured"))
		return
	}
	id, err := thugom.VerifyShortLink(s.deps.Secret, chi.URLParam(r, "code"), now)
	switch {
	case errors.Is(err, thugom.ErrShortLinkExpired):
		// An expired code was once ours: not a guess.
		s.shortLinks.refund(client, now)
		s.writeLinkProblem(w, r, errf(codeUnauthorized, "", "this link has expired; reply to the SMS or call the post office"))
		return
	case err != nil:
		s.writeLinkProblem(w, r, errf(codeUnauthorized, "", "this link is not valid"))
		return
	}
	s.shortLinks.refund(client, now)
	exp := now.Add(householdLinkTTL).Truncate(time.Second)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/h/"+SignHouseholdLink(s.deps.Secret, id, exp), http.StatusSeeOther)
}

// writeShortLinkLimited answers a client over its tries: 429, in
// Vietnamese for a browser.
func (s *server) writeShortLinkLimited(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	if !wantsHTML(r) {
		s.writeProblem(w, r, errf(codeTooManyRequests, "", "too many wrong links; retry in %s", wait.Round(time.Second)))
		return
	}
	var buf bytes.Buffer
	if err := badLinkTmpl.Execute(&buf, map[string]string{"Title": "Có quá nhiều liên kết sai. Xin thử lại sau ít phút.", "Phone": s.deps.HelpPhone}); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write(buf.Bytes())
}

// shortLinkClient is whom the tries are counted against: the peer's IPv4
// address, or its IPv6 /64 (one subscriber's whole prefix).
func shortLinkClient(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// The bounds on guessing short codes.
const (
	shortLinkClientBurst  = 20
	shortLinkClientEvery  = 3 * time.Minute // one try back per client
	shortLinkGlobalBurst  = 1000
	shortLinkGlobalPerSec = 20.0
	shortLinkMaxClients   = 10000 // clients remembered; beyond, they share one bucket
)

// guessLimiter holds the token buckets of wrong short codes. Its zero value
// is ready; it reads the server's clock, so tests can run it at any pace.
type guessLimiter struct {
	mu      sync.Mutex
	global  tokenBucket
	clients map[string]*tokenBucket
}

type tokenBucket struct {
	tokens float64
	at     time.Time
}

// fill brings b up to now at rate tokens a second, at most burst; a new
// bucket starts full.
func (b *tokenBucket) fill(now time.Time, rate, burst float64) {
	if b.at.IsZero() {
		b.tokens, b.at = burst, now
		return
	}
	if d := now.Sub(b.at).Seconds(); d > 0 {
		b.tokens = math.Min(burst, b.tokens+d*rate)
		b.at = now
	}
}

const clientRate = 1 / float64(shortLinkClientEvery/time.Second)

// take reserves one try for client; it returns 0 when granted, otherwise
// how long until a try comes back (nothing is taken then).
func (l *guessLimiter) take(client string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.client(client, now)
	c.fill(now, clientRate, shortLinkClientBurst)
	l.global.fill(now, shortLinkGlobalPerSec, shortLinkGlobalBurst)
	var wait time.Duration
	if c.tokens < 1 {
		wait = time.Duration((1 - c.tokens) / clientRate * float64(time.Second))
	}
	if l.global.tokens < 1 {
		wait = max(wait, time.Duration((1-l.global.tokens)/shortLinkGlobalPerSec*float64(time.Second)))
	}
	if wait > 0 {
		return max(wait, time.Second)
	}
	c.tokens--
	l.global.tokens--
	return 0
}

// refund gives back the try of a request that was not a wrong guess.
func (l *guessLimiter) refund(client string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.client(client, now)
	c.tokens = math.Min(shortLinkClientBurst, c.tokens+1)
	l.global.tokens = math.Min(shortLinkGlobalBurst, l.global.tokens+1)
}

// client returns the bucket of a client, forgetting full buckets when too
// many are remembered (a full bucket is the same as a new one).
func (l *guessLimiter) client(key string, now time.Time) *tokenBucket {
	if l.clients == nil {
		l.clients = map[string]*tokenBucket{}
	}
	if b, ok := l.clients[key]; ok {
		return b
	}
	if len(l.clients) >= shortLinkMaxClients {
		for k, b := range l.clients {
			if b.fill(now, clientRate, shortLinkClientBurst); b.tokens >= shortLinkClientBurst && k != "" {
				delete(l.clients, k)
			}
		}
		if len(l.clients) >= shortLinkMaxClients {
			key = "" // the overflow bucket, shared
			if b, ok := l.clients[key]; ok {
				return b
			}
		}
	}
	b := &tokenBucket{}
	l.clients[key] = b
	return b
}
