package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
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
}

func orderOutOf(o store.OrderView) orderOut {
	return orderOut{Order: o.Order, HouseholdName: o.HouseholdName, HouseholdPhone: o.HouseholdPhone, Product: o.ProductCode}
}

// Plausible values of an order: outside them the input is a slip (grams
// for kilograms, a timestamp's zero value), not produce.
const (
	minOrderKg    = 0.05
	maxOrderKg    = float64(thugom.MaxOrderKg)
	maxCOD        = 100_000_000 // đồng
	maxOrderAge   = 30 * 24 * time.Hour
	clockSkew     = 10 * time.Minute
	maxWindowDays = 7
)

// buildOrder validates one order against the reference data and the
// caller's scope. Errors name the field (JSON name; prefixed for the
// nested household).
func buildOrder(p *principal, ref *store.RefData, in orderIn, now time.Time) (store.NewOrder, error) {
	var o store.NewOrder
	in.Marketplace = strings.ToLower(strings.TrimSpace(in.Marketplace))
	if err := required("marketplace", in.Marketplace == ""); err != nil {
		return o, err
	}
	carrier, ok := ref.CarrierByMarketplace[in.Marketplace]
	if !ok {
		return o, errf(codeInvalid, "marketplace", "unknown marketplace %q", in.Marketplace)
	}
	if !p.canCarrier(carrier) {
		return o, errf(codeForbidden, "marketplace", "orders of %s belong to another carrier", in.Marketplace)
	}
	if err := required("marketplace_order_id", strings.TrimSpace(in.MarketplaceOrderID) == ""); err != nil {
		return o, err
	}
	name := strings.TrimSpace(in.Household.Name)
	if len(name) > 200 {
		return o, errf(codeInvalid, "household.name", "longer than 200 characters")
	}
	if err := required("household.phone", strings.TrimSpace(in.Household.Phone) == ""); err != nil {
		return o, err
	}
	phone, err := thugom.NormalizePhone("household.phone", in.Household.Phone)
	if err != nil {
		return o, err
	}
	addr := strings.TrimSpace(in.Household.Address)
	if err := required("household.address", addr == ""); err != nil {
		return o, err
	}
	if len(addr) > 500 {
		return o, errf(codeInvalid, "household.address", "longer than 500 characters")
	}
	if err := required("product", strings.TrimSpace(in.Product) == ""); err != nil {
		return o, err
	}
	product, ok := ref.ProductByCode[strings.ToLower(strings.TrimSpace(in.Product))]
	if !ok {
		known := make([]string, 0, len(ref.ProductByCode))
		for c := range ref.ProductByCode {
			known = append(known, c)
		}
		slices.Sort(known)
		return o, errf(codeInvalid, "product", "unknown product %q (known: %s)", in.Product, strings.Join(known, ", "))
	}
	if in.WeightKg == nil {
		return o, errf(codeInvalid, "weight_kg", "weight_kg is required")
	}
	if w := *in.WeightKg; !(w >= minOrderKg && w <= maxOrderKg) {
		return o, errf(codeInvalid, "weight_kg", "%g kg is not a plausible order: between %g and %g kg", w, minOrderKg, maxOrderKg)
	}
	if in.CODAmount > maxCOD {
		return o, errf(codeInvalid, "cod_amount", "%d đồng is more than the %d đồng a postal COD can carry", in.CODAmount, maxCOD)
	}
	if in.Depot != "" {
		d, ok := ref.Depots[strings.TrimSpace(in.Depot)]
		if !ok {
			return o, errf(codeInvalid, "depot", "unknown depot %q", in.Depot)
		}
		if d.CarrierID != carrier {
			return o, errf(codeInvalid, "depot", "depot %q is not a depot of the marketplace's carrier", in.Depot)
		}
		o.DepotID = &d.ID
	}
	if len(in.Note) > 1000 {
		return o, errf(codeInvalid, "note", "longer than 1000 characters")
	}
	if len(in.DestinationProvince) > 100 {
		return o, errf(codeInvalid, "destination_province", "longer than 100 characters")
	}
	if in.ReadyFrom != nil && in.ReadyUntil != nil && !in.ReadyUntil.After(*in.ReadyFrom) {
		return o, errf(codeInvalid, "ready_until", "must be after ready_from")
	}
	placed := now
	if in.PlacedAt != nil {
		placed = *in.PlacedAt
		switch {
		case placed.After(now.Add(clockSkew)):
			return o, errf(codeInvalid, "placed_at", "%s is in the future (the server's time is %s)", placed.Format(time.RFC3339), now.Format(time.RFC3339))
		case placed.Before(now.Add(-maxOrderAge)):
			return o, errf(codeInvalid, "placed_at", "%s is more than %d days ago", placed.Format(time.RFC3339), int(maxOrderAge/(24*time.Hour)))
		}
	}
	// The readiness window lies within a week either side of the order's
	// day (Lạng Sơn's calendar day of placed_at).
	day := thugom.Day(placed)
	lo, hi := day.AddDate(0, 0, -maxWindowDays), day.AddDate(0, 0, maxWindowDays+1)
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"ready_from", in.ReadyFrom}, {"ready_until", in.ReadyUntil}} {
		if f.t != nil && (f.t.Before(lo) || !f.t.Before(hi)) {
			return o, errf(codeInvalid, f.name, "%s is not within %d days of the order's day %s", f.t.Format(time.RFC3339), maxWindowDays, day.Format(time.DateOnly))
		}
	}
	promise := in.PromiseHours
	if promise == 0 {
		promise = int(thugom.DefaultPromisePolicy().Promise(in.DestinationProvince) / time.Hour)
	}
	o.Order = thugom.Order{
		Marketplace: in.Marketplace, MarketplaceOrderID: in.MarketplaceOrderID, CarrierID: carrier, DepotID: o.DepotID,
		ProductID: product, WeightKg: *in.WeightKg, Parcels: in.Parcels, CODAmount: in.CODAmount,
		DestinationProvince: strings.TrimSpace(in.DestinationProvince), PlacedAt: placed, PromiseHours: promise,
		ReadyFrom: in.ReadyFrom, ReadyUntil: in.ReadyUntil, Note: strings.TrimSpace(in.Note),
	}
	if err := o.Order.Validate(); err != nil {
		return o, err
	}
	o.HouseholdName, o.HouseholdPhone, o.HouseholdAddress = name, phone, addr
	return o, nil
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

// importOrders imports validated orders through the core; orders that
// already exist come back as rows with code conflict (refused unless keep).
func (s *server) importOrders(ctx context.Context, p *principal, orders []store.NewOrder, keep bool) (*importResult, []problemRow, error) {
	res, err := s.deps.Service.ImportOrders(ctx, orders, keep, p.coreActor())
	var dup *jobs.DuplicateOrders
	idx := []int(nil)
	switch {
	case errors.As(err, &dup):
		idx = dup.Indexes
	case err != nil:
		return nil, nil, err
	default:
		idx = res.Duplicates
	}
	var bad []problemRow
	for _, i := range idx {
		bad = append(bad, problemRow{Line: orders[i].Line, Field: "marketplace_order_id", Code: codeConflict,
			Message: fmt.Sprintf("order %s of %s already exists", orders[i].MarketplaceOrderID, orders[i].Marketplace)})
	}
	if res == nil {
		return nil, bad, nil
	}
	return &importResult{Imported: len(res.OrderIDs), OrderIDs: res.OrderIDs, NewHouseholds: res.NewHouseholds,
		GeocodeJobs: res.GeocodeJobs, Errors: []problemRow{}}, bad, nil
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
	ref, err := store.LoadRefData(r.Context(), s.deps.DB)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	o, err := buildOrder(p, ref, in, s.now())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	res, bad, err := s.importOrders(r.Context(), p, []store.NewOrder{o}, false)
	if err == nil && len(bad) > 0 {
		err = errf(codeConflict, "marketplace_order_id", "%s", bad[0].Message)
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
	writeJSON(w, http.StatusCreated, orderOutOf(*created))
}

// listOrders: GET /v1/orders?depot_id=&status=&marketplace=&phone=&household_id=&at_risk=&from=&to=&q=&after=&limit=
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
		switch v {
		case thugom.OrderReceived, thugom.OrderPlanned, thugom.OrderPickedUp, thugom.OrderHandedOver,
			thugom.OrderFailed, thugom.OrderPostponed, thugom.OrderCancelled:
			f.Status = &v
		default:
			s.writeProblem(w, r, errf(codeInvalid, "status", "unknown status %q", v))
			return
		}
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
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orderOutOf(*o))
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
