package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// smsInbound: POST /v1/sms/inbound — the SMS provider's webhook (called
// with an administrator token configured in the gateway). Outcomes such as
// an unknown number are results (200), so the provider stops retrying.
func (s *server) smsInbound(w http.ResponseWriter, r *http.Request) {
	var in struct {
		MessageID  string     `json:"message_id"`
		From       string     `json:"from"`
		Text       string     `json:"text"`
		ReceivedAt *time.Time `json:"received_at"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if strings.TrimSpace(in.From) == "" {
		s.writeProblem(w, r, errf(codeInvalid, "from", "from is required"))
		return
	}
	if !s.hasService(w, r) {
		return
	}
	m := jobs.InboundSMS{ProviderMessageID: in.MessageID, From: in.From, Text: in.Text}
	if in.ReceivedAt != nil {
		m.ReceivedAt = *in.ReceivedAt
	}
	res, err := s.deps.Service.HandleInboundSMS(r.Context(), m)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

type tokenIn struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	CarrierID *int64 `json:"carrier_id"`
	DriverID  *int64 `json:"driver_id"`
}

// createToken: POST /v1/tokens (administrators). The token is in the
// answer once; only its hash is kept.
func (s *server) createToken(w http.ResponseWriter, r *http.Request) {
	var in tokenIn
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !s.hasService(w, r) {
		return
	}
	tok, hash, err := NewToken()
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	t, err := s.deps.Service.CreateToken(r.Context(), thugom.Token{Name: in.Name, Role: in.Role, CarrierID: in.CarrierID, DriverID: in.DriverID},
		hash, principalOf(r.Context()).coreActor())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": t.ID, "role": t.Role, "carrier_id": t.CarrierID, "driver_id": t.DriverID, "token": tok})
}

// revokeToken: DELETE /v1/tokens/{id} (administrators).
func (s *server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !s.hasService(w, r) {
		return
	}
	err = s.deps.Service.RevokeToken(r.Context(), id, principalOf(r.Context()).coreActor())
	s.tokens.clear() // after the commit, so no request re-caches the live token
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listTokens: GET /v1/tokens (administrators; never the hashes).
func (s *server) listTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := store.ListTokens(r.Context(), s.deps.DB)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if ts == nil {
		ts = []thugom.Token{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ts})
}

// hasService answers 503 when the jobs service is not wired.
func (s *server) hasService(w http.ResponseWriter, r *http.Request) bool {
	if s.deps.Service != nil {
		return true
	}
	writeProblemBody(w, problem{Type: "https://thugom.vn/problems/unavailable", Title: "Service Unavailable",
		Status: http.StatusServiceUnavailable, Code: "unavailable", Detail: "the jobs service is not configured", Instance: r.URL.Path})
	return false
}

// health: GET /healthz — the process is alive (always 200, so a
// supervisor does not restart it for its database's sake); the body says
// "degraded" while the database does not answer within a second.
func (s *server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if s.deps.DB == nil || s.deps.DB.Ping(ctx) != nil {
		writeJSON(w, http.StatusOK, map[string]string{"status": "degraded", "database": "down"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "up"})
}

// readyz: GET /readyz — the database answers and the schema is migrated.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.deps.DB.Ping(r.Context()); err != nil {
		writeProblemBody(w, newProblem(codeUnavailable, "database unreachable"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": "up"})
}
