package api

import (
	"crypto/subtle"
	"encoding/xml"
	"net/http"

	"github.com/thugom/thugom/jobs"
)

// Webhooks of SMS gateways. Each verifies what its provider signs (or the
// token we put in the callback URL), makes one core call and answers in
// the provider's shape. Bad signatures are 401 and change nothing.

// esmsReceipt: GET /hooks/esms/receipt — eSMS's delivery callback.
func (s *server) esmsReceipt(w http.ResponseWriter, r *http.Request) {
	e := s.deps.ESMS
	if e == nil {
		s.writeProblem(w, r, errf(codeNotFound, "", "eSMS is not configured"))
		return
	}
	rec, final, err := e.ParseReceipt(r.URL.Query())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !final {
		writeJSON(w, http.StatusOK, map[string]any{"delivery": "pending"})
		return
	}
	if !s.hasService(w, r) {
		return
	}
	res, err := s.deps.Service.RecordDelivery(r.Context(), rec)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// esmsMO: GET /hooks/esms/mo — a household's SMS to the short code, with
// the acknowledgement in the synchronous XML answer.
func (s *server) esmsMO(w http.ResponseWriter, r *http.Request) {
	e := s.deps.ESMS
	if e == nil {
		s.writeProblem(w, r, errf(codeNotFound, "", "eSMS is not configured"))
		return
	}
	m, err := e.ParseMO(r.URL.Query())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !s.hasService(w, r) {
		return
	}
	_, reply, err := s.deps.Service.HandleInboundSMSInline(r.Context(), m, e.Name())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out, err := xml.Marshal(jobs.ESMSMOAnswer{Message: reply, Smsid: r.URL.Query().Get("smsid"), Receiver: r.URL.Query().Get("sender")})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append([]byte(xml.Header), out...))
}

// simGateway: GET /hooks/sim answers cht-gateway's connection test; POST
// is the phone's poll (basic auth, the password is the SIM token).
func (s *server) simGateway(w http.ResponseWriter, r *http.Request) {
	if len(s.deps.SIMToken) < 16 {
		s.writeProblem(w, r, errf(codeNotFound, "", "the SIM gateway is not configured"))
		return
	}
	_, pass, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(pass), []byte(s.deps.SIMToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="thugom sim gateway"`)
		s.writeProblem(w, r, errf(codeUnauthorized, "", "bad gateway credentials"))
		return
	}
	if r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, map[string]any{"medic-gateway": true})
		return
	}
	var in jobs.SIMPoll
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !s.hasService(w, r) {
		return
	}
	ans, err := s.deps.Service.SIMGatewayPoll(r.Context(), in)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ans)
}
