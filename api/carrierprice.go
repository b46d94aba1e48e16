package api

import (
	"net/http"

	"github.com/thugom/thugom/store"
)

// orderPrice: GET /v1/orders/{id}/price: what the order's carrier charges
// for its shipment (VNPost's price call, asked now through the connector,
// for the shipment as thugom creates it). A carrier that refuses or does
// not answer is in the answer's error; one thugom does not ask is a 409,
// an unknown order a 404.
func (s *server) orderPrice(w http.ResponseWriter, r *http.Request) {
	id, err := s.orderInScope(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	p, err := s.deps.Service.ShipmentPrice(r.Context(), id)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// orderInScope is the order of the path's {id} when the caller's carrier
// scope holds it: 404 for no such order, 403 for another carrier's.
func (s *server) orderInScope(r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	o, err := store.OrderByID(r.Context(), s.deps.DB, id)
	if err == nil && !principalOf(r.Context()).canCarrier(o.CarrierID) {
		err = errForbiddenCarrier
	}
	return id, err
}
