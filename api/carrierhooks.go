package api

import (
	"io"
	"net/http"
)

// maxCarrierHook bounds a carrier's webhook body.
const maxCarrierHook = 64 << 10

// carrierHook: POST /hooks/viettelpost and /hooks/vnpost — a carrier's
// status of a shipment. The core verifies what the carrier signs (401, and
// nothing changes), reads it (400 for bad JSON or a bad date), keeps it
// once and applies it forward only; a waybill thugom does not know is kept
// for an administrator and answered 404.
func (s *server) carrierHook(carrier string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.hasService(w, r) {
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCarrierHook))
		if err != nil {
			s.writeProblem(w, r, errf(codeTooLarge, "body", "a webhook is at most %d bytes", maxCarrierHook))
			return
		}
		res, err := s.deps.Service.CarrierWebhook(r.Context(), carrier, body)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	}
}
