package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

// orderIn is an order as a marketplace sends it (JSON body of POST
// /v1/orders; the CSV columns carry the same names, household fields
// flattened as household_name, phone, address).
type orderIn struct {
	Marketplace         string      `json:"marketplace"`
	MarketplaceOrderID  string      `json:"marketplace_order_id"`
	Household           householdIn `json:"household"`
	Product             string      `json:"product"`
	WeightKg            *float64    `json:"weight_kg"`
	Parcels             int         `json:"parcels"`
	CODAmount           int64       `json:"cod_amount"`
	DestinationProvince string      `json:"destination_province"`
	PlacedAt            *time.Time  `json:"placed_at"`
	PromiseHours        int         `json:"promise_hours"`
	ReadyFrom           *time.Time  `json:"ready_from"`
	ReadyUntil          *time.Time  `json:"ready_until"`
	Depot               string      `json:"depot"` // depot code or id; empty: chosen after geocoding
	Note                string      `json:"note"`
	// QuoteID places the order with a quote (POST /v1/quotes): the
	// household, product, province and weight may then be left out.
	QuoteID int64 `json:"quote_id"`
	// The buyer (người nhận), optional: receiver_name, receiver_phone,
	// receiver_address, the carrier's receiver_district_id and
	// receiver_ward_id, and the names receiver_district, receiver_ward
	// (thugom.Buyer; the CSV's columns carry the same names).
	thugom.Buyer
}

type householdIn struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

// orderOut is an order as the API shows it.
type orderOut struct {
	thugom.Order
	HouseholdName  string `json:"household_name"`
	HouseholdPhone string `json:"household_phone"`
	Product        string `json:"product"`
	// CarrierWaybill is the carrier's waybill number once its shipment is
	// created; CarrierError the carrier's refusal, for an administrator
	// (GET /v1/orders/{id} only).
	CarrierWaybill string `json:"carrier_waybill,omitempty"`
	CarrierError   string `json:"carrier_error,omitempty"`
	// CarrierStatus is the carrier's last status (its webhooks) and
	// DeliveredAt the carrier's delivered time: null until it said so
	// (the contract of issue 23).
	CarrierStatus *carrierStatusOut `json:"carrier_status"`
	DeliveredAt   *time.Time        `json:"delivered_at"`
	// The buyer's receiver_* fields: GET /v1/orders/{id} and the answer
	// to POST /v1/orders only, to those who may see them (seesBuyer);
	// absent otherwise, and once housekeeping blanked them.
	*thugom.Buyer
}

// carrierStatusOut is a carrier's status: its own code and name.
type carrierStatusOut struct {
	Code int    `json:"code"`
	Name string `json:"name"`
}

func orderOutOf(o store.OrderView) orderOut {
	return orderOut{Order: o.Order, HouseholdName: o.HouseholdName, HouseholdPhone: o.HouseholdPhone, Product: o.ProductCode}
}

// newOrder is an order as the API reads it, for the core to check
// (thugom.NewOrder.Check, run by jobs.ImportOrders).
func newOrder(in orderIn) thugom.NewOrder {
	return thugom.NewOrder{Marketplace: in.Marketplace, MarketplaceOrderID: in.MarketplaceOrderID,
		HouseholdName: in.Household.Name, HouseholdPhone: in.Household.Phone, HouseholdAddress: in.Household.Address,
		Product: in.Product, WeightKg: in.WeightKg, Parcels: in.Parcels, CODAmount: in.CODAmount,
		DestinationProvince: in.DestinationProvince, PlacedAt: in.PlacedAt, PromiseHours: in.PromiseHours,
		ReadyFrom: in.ReadyFrom, ReadyUntil: in.ReadyUntil, Depot: in.Depot, Note: in.Note, QuoteID: in.QuoteID, Buyer: in.Buyer}
}

// seesBuyer says whether p may see the buyer of an order of carrierID:
// administrators, and the dispatchers and the marketplace of the order's
// carrier (the marketplace gave the buyer; the depot's dispatchers print
// the label). Never a driver or a household's link: their pages show the
// household's side of the order only.
func (p *principal) seesBuyer(carrierID int64) bool {
	return p != nil && p.HouseholdID == 0 && p.Role != thugom.RoleDriver && p.canCarrier(carrierID)
}

// withBuyer adds the order's buyer to out when p may see it and the order
// holds one.
func (s *server) withBuyer(ctx context.Context, p *principal, out *orderOut) error {
	if !p.seesBuyer(out.CarrierID) {
		return nil
	}
	b, err := store.OrderBuyer(ctx, s.deps.DB, out.ID)
	if err != nil || b.Empty() {
		return err
	}
	out.Buyer = &b
	return nil
}

// importResult is the answer to an order import (and to a single create).
type importResult struct {
	Imported      int          `json:"imported"`
	OrderIDs      []int64      `json:"order_ids"`
	NewHouseholds int          `json:"new_households"`
	GeocodeJobs   int          `json:"geocode_jobs"`
	Rejected      int          `json:"rejected"`
	Errors        []problemRow `json:"errors"`
	// Encoding is the CSV's encoding as read (utf-8, utf-8-bom,
	// windows-1258, iso-8859-1); empty for a JSON create.
	Encoding string `json:"encoding,omitempty"`
}

// importOrders imports orders through the core, which checks them. The
// orders it refused come back as rows, the invalid and those that already
// exist (code conflict); with keep unset the import is refused whole and
// the result is nil.
func (s *server) importOrders(ctx context.Context, p *principal, orders []thugom.NewOrder, keep bool) (res *importResult, invalid, dups []problemRow, err error) {
	imp, err := s.deps.Service.ImportOrders(ctx, orders, keep, p.coreActor())
	var rej *jobs.RejectedOrders
	switch {
	case errors.As(err, &rej):
		return nil, orderRows(rej.Invalid), orderRows(rej.Duplicates), nil
	case err != nil:
		return nil, nil, nil, err
	}
	return &importResult{Imported: len(imp.OrderIDs), OrderIDs: imp.OrderIDs, NewHouseholds: imp.NewHouseholds,
		GeocodeJobs: imp.GeocodeJobs, Errors: []problemRow{}}, orderRows(imp.Invalid), orderRows(imp.Duplicates), nil
}

// orderRows are the core's refused orders as problem rows, by line (CSV
// columns for the household's fields).
func orderRows(errs []jobs.OrderError) []problemRow {
	var rows []problemRow
	for _, e := range errs {
		code, field, _, msg, _ := appError(e.Err)
		rows = append(rows, problemRow{Line: e.Line, Field: csvField(field), Code: code, Message: msg})
	}
	return rows
}

// createdOrder is the answer to POST /v1/orders: the order and where its
// promise comes from ("policy": the marketplace's hours; "quoted": the
// quote it was placed with, whose promise_by it keeps).
type createdOrder struct {
	orderOut
	PromiseBy     time.Time `json:"promise_by"`
	PromiseSource string    `json:"promise_source"`
	QuoteID       int64     `json:"quote_id,omitempty"`
	// PromiseAtRisk: the promise function says promise_by cannot be kept
	// even if everything goes right; keepable_by can (absent: nothing
	// can), reason says why. The order keeps its promise.
	PromiseAtRisk bool       `json:"promise_at_risk"`
	KeepableBy    *time.Time `json:"keepable_by,omitempty"`
	Reason        string     `json:"reason,omitempty"`
}

// createOrder: POST /v1/orders.
func (s *server) createOrder(w http.ResponseWriter, r *http.Request) {
	var in orderIn
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	p := principalOf(r.Context())
	if !s.hasService(w, r) {
		return
	}
	res, err := s.deps.Service.ImportOrders(r.Context(), []thugom.NewOrder{newOrder(in)}, false, p.coreActor())
	var rej *jobs.RejectedOrders
	if errors.As(err, &rej) { // the one order's own error, as the core says it
		err = append(rej.Invalid, rej.Duplicates...)[0].Err
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	created, err := store.OrderByID(r.Context(), s.deps.DB, res.OrderIDs[0])
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/v1/orders/%d", created.ID))
	out := createdOrder{orderOut: orderOutOf(*created), PromiseBy: created.PromisedBy, PromiseSource: "policy"}
	if err := s.withBuyer(r.Context(), p, &out.orderOut); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if q, ok := res.Quoted[created.ID]; ok {
		out.PromiseSource, out.QuoteID = "quoted", q
	}
	if l, ok := res.Lost[created.ID]; ok {
		out.PromiseAtRisk, out.KeepableBy, out.Reason = true, l.KeepableBy, l.Reason
	}
	writeJSON(w, http.StatusCreated, out)
}

// listOrders: GET /v1/orders?depot_id=&status=&marketplace=&phone=&household_id=&at_risk=&from=&to=&q=&after=&limit=.
func (s *server) listOrders(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	q := r.URL.Query()
	f := store.OrderFilter{CarrierID: p.carrierScope()}
	var err error
	if f.DepotID, err = optInt(q, "depot_id"); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if f.HouseholdID, err = optInt(q, "household_id"); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if f.AfterID, err = optInt(q, "after"); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if v := q.Get("status"); v != "" {
		if !slices.Contains(thugom.OrderStatuses, v) {
			s.writeProblem(w, r, errf(codeInvalid, "status", "unknown status %q", v))
			return
		}
		f.Status = &v
	}
	if v := q.Get("marketplace"); v != "" {
		f.Marketplace = &v
	}
	if v := q.Get("phone"); v != "" {
		ph, err := thugom.NormalizePhone("phone", v)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		f.Phone = &ph
	}
	if f.AtRisk, err = optBool(q.Get("at_risk"), "at_risk"); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if f.PlacedFrom, err = optTime(q.Get("from"), "from"); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if f.PlacedTo, err = optTime(q.Get("to"), "to"); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if v := q.Get("q"); v != "" {
		if len(v) > 200 {
			s.writeProblem(w, r, errf(codeInvalid, "q", "longer than 200 characters"))
			return
		}
		f.Text = &v
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.writeProblem(w, r, errf(codeInvalid, "limit", "must be between 1 and 1000"))
			return
		}
		f.Limit = n
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	orders, err := store.ListOrders(r.Context(), s.deps.DB, f)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := struct {
		Items []orderOut `json:"items"`
		Next  *string    `json:"next"`
	}{Items: make([]orderOut, 0, len(orders))}
	for _, o := range orders {
		out.Items = append(out.Items, orderOutOf(o))
	}
	if len(orders) == f.Limit {
		q.Set("after", strconv.FormatInt(orders[len(orders)-1].ID, 10))
		next := "/v1/orders?" + q.Encode()
		out.Next = &next
	}
	writeJSON(w, http.StatusOK, out)
}

// getOrder: GET /v1/orders/{id}.
func (s *server) getOrder(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	o, err := store.OrderByID(r.Context(), s.deps.DB, id)
	if err == nil && !principalOf(r.Context()).canCarrier(o.CarrierID) {
		err = errForbiddenCarrier
	}
	var sh *store.Shipment
	if err == nil {
		sh, err = store.ShipmentOfOrder(r.Context(), s.deps.DB, id)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := orderOutOf(*o)
	if err := s.withBuyer(r.Context(), principalOf(r.Context()), &out); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if sh != nil {
		out.CarrierWaybill, out.CarrierError, out.DeliveredAt = sh.Waybill, sh.Error, sh.DeliveredAt
		if sh.CarrierCode != nil {
			out.CarrierStatus = &carrierStatusOut{Code: *sh.CarrierCode, Name: sh.CarrierStatusName}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// cancelOrder: POST /v1/orders/{id}/cancel {"reason": "..."}.
func (s *server) cancelOrder(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			s.writeProblem(w, r, err)
			return
		}
	}
	if !s.hasService(w, r) {
		return
	}
	if err := s.deps.Service.CancelOrder(r.Context(), id, in.Reason, principalOf(r.Context()).coreActor()); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.writeOrder(w, r, id)
}

// writeOrder answers with an order as it is now.
func (s *server) writeOrder(w http.ResponseWriter, r *http.Request, id int64) {
	o, err := store.OrderByID(r.Context(), s.deps.DB, id)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orderOutOf(*o))
}

// pathID reads a positive integer path parameter.
//
//nolint:unparam // the parameter is the route's name for it: every route says {id} today, not every route must
func pathID(r *http.Request, name string) (int64, error) {
	v := chi.URLParam(r, name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errf(codeNotFound, name, "no such resource %q", v)
	}
	return id, nil
}

func optInt(q map[string][]string, name string) (*int64, error) {
	vs := q[name]
	if len(vs) == 0 || vs[0] == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(vs[0], 10, 64)
	if err != nil || n < 0 {
		return nil, errf(codeInvalid, name, "%s must be a positive integer", name)
	}
	return &n, nil
}

// optBool reads an optional true/false parameter.
func optBool(v, name string) (*bool, error) {
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, errf(codeInvalid, name, "%s must be true or false", name)
	}
	return &b, nil
}

// optTime reads an RFC 3339 time or a local day (YYYY-MM-DD, midnight in
// Asia/Ho_Chi_Minh).
func optTime(v, name string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, thugom.Local); err == nil {
		return &t, nil
	}
	return nil, errf(codeInvalid, name, "%s must be a date (YYYY-MM-DD) or an RFC 3339 time", name)
}

// dayParam reads ?date=YYYY-MM-DD (default: today, local).
func (s *server) dayParam(r *http.Request) (time.Time, error) {
	return s.dayOf(r.URL.Query().Get("date"))
}

// dayOf reads a local day YYYY-MM-DD, today when empty (the ?date= of
// reads and the "date" of plan, re-plan and preview bodies).
func (s *server) dayOf(v string) (time.Time, error) {
	if v == "" {
		return thugom.Day(s.now()), nil
	}
	t, err := time.ParseInLocation(time.DateOnly, v, thugom.Local)
	if err != nil {
		return time.Time{}, errf(codeInvalid, "date", "date must be YYYY-MM-DD")
	}
	return t, nil
}
