package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/api"
	"github.com/thugom/thugom/store"
)

// marketplaceToken creates a marketplace token of the carrier.
func (b *bundle) marketplaceToken(carrierID int64) string {
	b.t.Helper()
	s, hash, err := api.NewToken()
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := store.InsertToken(context.Background(), b.db, thugom.Token{Role: thugom.RoleMarketplace, CarrierID: &carrierID, CreatedAt: testNow}, hash); err != nil {
		b.t.Fatal(err)
	}
	return s
}

// The contract: a marketplace asks a quote, places the order with it and
// gets the quote's promise_by, promise_source "quoted"; bad questions are
// problems, and another carrier's marketplace gets neither the household
// nor the quote.
func TestQuotesContract(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.seedDay(1)
	o, err := store.OrderByID(context.Background(), b.db, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	mk, other := b.marketplaceToken(b.depot.CarrierID), b.marketplaceToken(b.depot2.CarrierID)
	ask := map[string]any{"household_id": o.HouseholdID, "destination_province": "01", "weight_kg": 8, "product": "na"}
	r := b.do("POST", "/v1/quotes", mk, ask)
	wantStatus(t, r, http.StatusOK, "")
	var q struct {
		QuoteID                                             int64
		EarliestBy, LikelyBy, PromiseBy, OrderBy, ExpiresAt time.Time
		Confidence                                          float64
		Reason                                              string
	}
	r.json(t, &struct {
		QuoteID    *int64     `json:"quote_id"`
		EarliestBy *time.Time `json:"earliest_by"`
		LikelyBy   *time.Time `json:"likely_by"`
		PromiseBy  *time.Time `json:"promise_by"`
		OrderBy    *time.Time `json:"order_by"`
		ExpiresAt  *time.Time `json:"expires_at"`
		Confidence *float64   `json:"confidence"`
		Reason     *string    `json:"reason"`
	}{&q.QuoteID, &q.EarliestBy, &q.LikelyBy, &q.PromiseBy, &q.OrderBy, &q.ExpiresAt, &q.Confidence, &q.Reason})
	if q.QuoteID == 0 || q.PromiseBy.Before(q.EarliestBy) || !q.ExpiresAt.After(testNow) || q.Confidence < 0.97 {
		t.Fatalf("quote %+v", q)
	}
	for name, c := range map[string]struct {
		tok   string
		body  map[string]any
		code  int
		field string
	}{
		"unknown household":       {mk, with(ask, "household_id", 99999), http.StatusUnprocessableEntity, "household_id"},
		"another carrier's":       {other, ask, http.StatusForbidden, "household_id"},
		"unknown province":        {mk, with(ask, "destination_province", "Atlantis"), http.StatusUnprocessableEntity, "destination_province"},
		"zero kg":                 {mk, with(ask, "weight_kg", 0), http.StatusUnprocessableEntity, "weight_kg"},
		"absurd kg":               {mk, with(ask, "weight_kg", 1e6), http.StatusUnprocessableEntity, "weight_kg"},
		"at two hours ago":        {mk, with(ask, "at", testNow.Add(-2*time.Hour)), http.StatusUnprocessableEntity, "at"},
		"at in fifteen days":      {mk, with(ask, "at", testNow.Add(15*24*time.Hour)), http.StatusUnprocessableEntity, "at"},
		"a driver may not ask":    {b.drv1, ask, http.StatusForbidden, ""},
		"an admin has no carrier": {b.admin, ask, http.StatusForbidden, ""},
	} {
		t.Run(name, func(t *testing.T) { wantStatus(t, b.do("POST", "/v1/quotes", c.tok, c.body), c.code, c.field) })
	}
	var quotes int
	if err := b.db.QueryRow(context.Background(), `SELECT count(*) FROM quotes`).Scan(&quotes); err != nil || quotes != 1 {
		t.Fatalf("%d quotes stored (%v), want the one good", quotes, err)
	}
	place := map[string]any{"marketplace": "postmart", "marketplace_order_id": "Q-1", "quote_id": q.QuoteID}
	wantStatus(t, b.do("POST", "/v1/orders", other, with(place, "marketplace", "voso")), http.StatusForbidden, "quote_id")
	wantStatus(t, b.do("POST", "/v1/orders", mk, with(place, "quote_id", q.QuoteID+99)), http.StatusUnprocessableEntity, "quote_id")
	r = b.do("POST", "/v1/orders", mk, place)
	wantStatus(t, r, http.StatusCreated, "")
	var got struct {
		PromiseBy     time.Time `json:"promise_by"`
		PromisedBy    time.Time `json:"promised_by"`
		PromiseSource string    `json:"promise_source"`
		HouseholdID   int64     `json:"household_id"`
	}
	r.json(t, &got)
	if !got.PromiseBy.Equal(q.PromiseBy) || !got.PromisedBy.Equal(q.PromiseBy) || got.PromiseSource != "quoted" || got.HouseholdID != o.HouseholdID {
		t.Fatalf("order %+v, quote promise_by %s", got, q.PromiseBy)
	}
	wantStatus(t, b.do("POST", "/v1/orders", mk, with(place, "marketplace_order_id", "Q-2")), http.StatusConflict, "quote_id")
	// A policy order says so.
	r = b.do("POST", "/v1/orders", mk, order("PM-P", "0912000099", addresses[0], 5))
	wantStatus(t, r, http.StatusCreated, "")
	r.json(t, &got)
	if got.PromiseSource != "policy" {
		t.Fatalf("policy order: %+v", got)
	}
	// A located household's order promised in 2 h: lost at intake.
	r = b.do("POST", "/v1/orders", mk, with(order("PM-L", "0912000000", addresses[0], 5), "promise_hours", 2))
	wantStatus(t, r, http.StatusCreated, "")
	var lost struct {
		PromiseAtRisk bool       `json:"promise_at_risk"`
		KeepableBy    *time.Time `json:"keepable_by"`
		Reason        string     `json:"reason"`
		PromisedBy    time.Time  `json:"promised_by"`
	}
	r.json(t, &lost)
	if !lost.PromiseAtRisk || lost.KeepableBy == nil || !lost.KeepableBy.After(lost.PromisedBy) || lost.Reason == "" {
		t.Fatalf("lost at intake: %+v", lost)
	}
}

// The batch form: households x provinces in one request, in that order;
// one bad question refuses the batch and stores nothing.
func TestQuotesBatch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.seedDay(2)
	var hh []int64
	for _, id := range ids {
		o, err := store.OrderByID(context.Background(), b.db, id)
		if err != nil {
			t.Fatal(err)
		}
		hh = append(hh, o.HouseholdID)
	}
	mk := b.marketplaceToken(b.depot.CarrierID)
	ask := map[string]any{"household_ids": hh, "destination_provinces": []string{"01", "Lạng Sơn", "79"}, "weight_kg": 5, "product": "quyt"}
	r := b.do("POST", "/v1/quotes/batch", mk, ask)
	wantStatus(t, r, http.StatusOK, "")
	var got struct {
		Quotes []struct {
			HouseholdID         int64  `json:"household_id"`
			DestinationProvince string `json:"destination_province"`
			QuoteID             int64  `json:"quote_id"`
		} `json:"quotes"`
	}
	r.json(t, &got)
	if len(got.Quotes) != 6 || got.Quotes[0].HouseholdID != hh[0] || got.Quotes[3].HouseholdID != hh[1] || got.Quotes[4].DestinationProvince != "Lạng Sơn" {
		t.Fatalf("batch %+v", got)
	}
	wantStatus(t, b.do("POST", "/v1/quotes/batch", mk, with(ask, "destination_provinces", []string{"01", "Atlantis"})), http.StatusUnprocessableEntity, "destination_province")
	wantStatus(t, b.do("POST", "/v1/quotes/batch", mk, with(ask, "household_ids", []int64{})), http.StatusUnprocessableEntity, "household_ids")
	var n int
	if err := b.db.QueryRow(context.Background(), `SELECT count(*) FROM quotes`).Scan(&n); err != nil || n != 6 {
		t.Fatalf("%d quotes stored (%v), want the 6 of the good batch", n, err)
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}
