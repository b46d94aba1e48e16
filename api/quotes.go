package api

import (
	"net/http"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// quoteIn is a marketplace's question (POST /v1/quotes).
type quoteIn struct {
	HouseholdID         int64      `json:"household_id"`
	DestinationProvince string     `json:"destination_province"`
	WeightKg            *float64   `json:"weight_kg"`
	Product             string     `json:"product"`
	ReadyFrom           *time.Time `json:"ready_from"`
	At                  *time.Time `json:"at"`
}

// quoteOut is a quote as the API shows it: what was asked, the promise
// (thugom.PromiseAnswer's fields) and until when it holds.
type quoteOut struct {
	QuoteID             int64      `json:"quote_id"`
	HouseholdID         int64      `json:"household_id"`
	DepotID             int64      `json:"depot_id"`
	DestinationProvince string     `json:"destination_province"`
	WeightKg            float64    `json:"weight_kg"`
	Product             string     `json:"product"`
	At                  time.Time  `json:"at"`
	ReadyFrom           *time.Time `json:"ready_from,omitempty"`
	thugom.PromiseAnswer
	ExpiresAt time.Time `json:"expires_at"`
}

// createQuote: POST /v1/quotes.
func (s *server) createQuote(w http.ResponseWriter, r *http.Request) {
	var in quoteIn
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !s.hasService(w, r) {
		return
	}
	q, err := s.deps.Service.Quote(r.Context(), jobs.QuoteRequest{HouseholdID: in.HouseholdID, DestinationProvince: in.DestinationProvince,
		WeightKg: in.WeightKg, Product: in.Product, ReadyFrom: in.ReadyFrom, At: in.At}, principalOf(r.Context()).coreActor())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, quoteOutOf(q, in.Product))
}

// quoteBatchIn is a catalogue page's question: every household to every
// province, one weight and product (POST /v1/quotes/batch).
type quoteBatchIn struct {
	HouseholdIDs         []int64    `json:"household_ids"`
	DestinationProvinces []string   `json:"destination_provinces"`
	WeightKg             *float64   `json:"weight_kg"`
	Product              string     `json:"product"`
	ReadyFrom            *time.Time `json:"ready_from"`
	At                   *time.Time `json:"at"`
}

// createQuotes: POST /v1/quotes/batch; the quotes in the order households
// x provinces (the provinces of the first household first).
func (s *server) createQuotes(w http.ResponseWriter, r *http.Request) {
	var in quoteBatchIn
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if n := len(in.HouseholdIDs) * len(in.DestinationProvinces); n == 0 || n > jobs.MaxQuoteBatch {
		s.writeProblem(w, r, errf(codeInvalid, "household_ids", "households x provinces must be between 1 and %d, got %d", jobs.MaxQuoteBatch, n))
		return
	}
	if !s.hasService(w, r) {
		return
	}
	var rs []jobs.QuoteRequest
	for _, h := range in.HouseholdIDs {
		for _, p := range in.DestinationProvinces {
			rs = append(rs, jobs.QuoteRequest{HouseholdID: h, DestinationProvince: p, WeightKg: in.WeightKg, Product: in.Product,
				ReadyFrom: in.ReadyFrom, At: in.At})
		}
	}
	qs, err := s.deps.Service.QuoteBatch(r.Context(), rs, principalOf(r.Context()).coreActor())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := make([]quoteOut, len(qs))
	for i, q := range qs {
		out[i] = quoteOutOf(q, in.Product)
	}
	writeJSON(w, http.StatusOK, map[string]any{"quotes": out})
}

func quoteOutOf(q *thugom.Quote, product string) quoteOut {
	if q.ProductCode != "" {
		product = q.ProductCode
	}
	return quoteOut{QuoteID: q.ID, HouseholdID: q.HouseholdID, DepotID: q.DepotID, DestinationProvince: q.DestinationProvince,
		WeightKg: q.WeightKg, Product: product, At: q.AskedAt, ReadyFrom: q.ReadyFrom, PromiseAnswer: q.PromiseAnswer, ExpiresAt: q.ExpiresAt}
}
