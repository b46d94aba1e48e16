package jobs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// QuoteRequest is a marketplace's question: when can this household's
// produce reach a buyer in this province.
type QuoteRequest struct {
	HouseholdID         int64
	DestinationProvince string
	WeightKg            *float64
	Product             string
	ReadyFrom           *time.Time // nil: ready when asked
	At                  *time.Time // the placement the quote is for; nil: now
}

// How far a quote's placement may lie from the clock.
const (
	quoteMaxPast   = time.Hour
	quoteMaxFuture = 14 * 24 * time.Hour
)

// MaxQuoteBatch bounds the questions of one batch (a catalogue page:
// households x provinces).
const MaxQuoteBatch = 200

// Quote answers a marketplace's question with the one promise function
// (thugom.Promise) against the household's nearest depot of the actor's
// carrier — its vehicles, its timetable, the kg its days must already
// collect, the household's recorded visits — and stores the quote, valid
// for thugom.QuoteTTL (no later than its order_by). Bad input is EInvalid
// (EForbidden for another carrier's household) and stores nothing.
func (s *Service) Quote(ctx context.Context, r QuoteRequest, a Actor) (*thugom.Quote, error) {
	qs, err := s.QuoteBatch(ctx, []QuoteRequest{r}, a)
	if err != nil {
		return nil, err
	}
	return qs[0], nil
}

// QuoteBatch answers several questions as Quote does, in one transaction:
// one bad question refuses the batch (its error names it by index) and
// stores nothing.
func (s *Service) QuoteBatch(ctx context.Context, rs []QuoteRequest, a Actor) ([]*thugom.Quote, error) {
	if a.CarrierID <= 0 {
		return nil, thugom.Errorf(thugom.EForbidden, "", "quotes are asked with a carrier's marketplace token")
	}
	if len(rs) == 0 || len(rs) > MaxQuoteBatch {
		return nil, thugom.Errorf(thugom.EInvalid, "quotes", "between 1 and %d questions, got %d", MaxQuoteBatch, len(rs))
	}
	now := s.now()
	ats := make([]time.Time, len(rs))
	for i, r := range rs {
		var err error
		if ats[i], err = r.check(now); err != nil {
			return nil, batchErr(err, i, len(rs))
		}
	}
	out := make([]*thugom.Quote, len(rs))
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		for i, r := range rs {
			q, err := s.quote(ctx, tx, r, ats[i], a.CarrierID)
			if err != nil {
				return batchErr(err, i, len(rs))
			}
			q.ExpiresAt = now.Add(thugom.QuoteTTL)
			if q.OrderBy.Before(q.ExpiresAt) {
				q.ExpiresAt = q.OrderBy
			}
			if q.ID, err = store.InsertQuote(ctx, tx, q, now); err != nil {
				return err
			}
			if err := s.event(ctx, tx, a.Name, "quote.create", fmt.Sprintf("quote:%d", q.ID), map[string]any{
				"household_id": q.HouseholdID, "destination_province": q.DestinationProvince, "promise_by": q.PromiseBy}); err != nil {
				return err
			}
			out[i] = q
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// batchErr names the question of a batch an error is about.
func batchErr(err error, i, n int) error {
	var e *thugom.Error
	if n == 1 || !errors.As(err, &e) {
		return err
	}
	return &thugom.Error{Code: e.Code, Field: e.Field, Message: fmt.Sprintf("question %d: %s", i, e.Message)}
}

// check validates the request's own fields and returns the placement time.
func (r QuoteRequest) check(now time.Time) (time.Time, error) {
	switch {
	case r.HouseholdID <= 0:
		return now, thugom.Errorf(thugom.EInvalid, "household_id", "household_id is required")
	case strings.TrimSpace(r.DestinationProvince) == "":
		return now, thugom.Errorf(thugom.EInvalid, "destination_province", "destination_province is required")
	case !thugom.KnownProvince(r.DestinationProvince):
		return now, thugom.Errorf(thugom.EInvalid, "destination_province", "unknown province %q (a 2025 code such as \"01\" or a name)", r.DestinationProvince)
	case r.WeightKg == nil:
		return now, thugom.Errorf(thugom.EInvalid, "weight_kg", "weight_kg is required")
	case !(*r.WeightKg >= thugom.MinOrderKg && *r.WeightKg <= thugom.MaxOrderKg):
		return now, thugom.Errorf(thugom.EInvalid, "weight_kg", "%g kg is not a plausible order: between %g and %d kg", *r.WeightKg, thugom.MinOrderKg, thugom.MaxOrderKg)
	case strings.TrimSpace(r.Product) == "":
		return now, thugom.Errorf(thugom.EInvalid, "product", "product is required")
	}
	at := now
	if r.At != nil {
		at = *r.At
		if at.Before(now.Add(-quoteMaxPast)) || at.After(now.Add(quoteMaxFuture)) {
			return at, thugom.Errorf(thugom.EInvalid, "at", "%s is not between 1 hour ago and 14 days ahead", at.Format(time.RFC3339))
		}
	}
	if r.ReadyFrom != nil {
		if d := r.ReadyFrom.Sub(at); d < -thugom.MaxReadyDays*24*time.Hour || d > thugom.MaxReadyDays*24*time.Hour {
			return at, thugom.Errorf(thugom.EInvalid, "ready_from", "%s is not within %d days of the placement", r.ReadyFrom.Format(time.RFC3339), thugom.MaxReadyDays)
		}
	}
	return at, nil
}

// quote computes the quote (not stored) from what the database knows.
func (s *Service) quote(ctx context.Context, tx pgx.Tx, r QuoteRequest, at time.Time, carrierID int64) (*thugom.Quote, error) {
	h, err := store.HouseholdByID(ctx, tx, r.HouseholdID)
	if thugom.ErrorCode(err) == thugom.ENotFound {
		return nil, thugom.Errorf(thugom.EInvalid, "household_id", "no household %d", r.HouseholdID)
	}
	if err != nil {
		return nil, err
	}
	if ok, err := store.HouseholdOfCarrier(ctx, tx, h.ID, carrierID); err != nil || !ok {
		if err == nil {
			err = thugom.Errorf(thugom.EForbidden, "household_id", "household %d is not a household of your carrier", h.ID)
		}
		return nil, err
	}
	if h.Precision == thugom.PrecisionNone {
		return nil, thugom.Errorf(thugom.EInvalid, "household_id", "household %d is not located yet: no promise can be computed", h.ID)
	}
	product, err := store.ProductByCode(ctx, tx, strings.ToLower(strings.TrimSpace(r.Product)))
	if thugom.ErrorCode(err) == thugom.ENotFound {
		return nil, thugom.Errorf(thugom.EInvalid, "product", "unknown product %q", r.Product)
	}
	if err != nil {
		return nil, err
	}
	depots, err := store.DepotsOfCarrier(ctx, tx, carrierID)
	if err != nil {
		return nil, err
	}
	depot := nearestDepot(depots, h.Point, nil)
	if depot == nil {
		return nil, thugom.Errorf(thugom.EInvalid, "household_id", "your carrier has no depot")
	}
	in, vehicles, err := s.promiseInput(ctx, tx, depot, h.ID, at)
	if err != nil {
		return nil, err
	}
	in.Vehicles = s.promiseVehicles(vehicles, depot.Point, h.Point)
	in.Province, in.WeightKg, in.Freshness = r.DestinationProvince, *r.WeightKg, time.Duration(product.FreshnessHours)*time.Hour
	in.RetryAfter = RetryAfter // a retry as the planner leaves room for it; the depot's record corrects the chance
	if r.ReadyFrom != nil {
		in.Ready = *r.ReadyFrom
	}
	in.Ready = s.noticeReady(at, in.Ready) // noticefloor.go
	ans, err := thugom.Promise(in)
	if err != nil {
		return nil, err
	}
	return &thugom.Quote{CarrierID: carrierID, HouseholdID: h.ID, DepotID: depot.ID, ProductID: product.ID, ProductCode: product.Code,
		DestinationProvince: strings.TrimSpace(r.DestinationProvince), WeightKg: *r.WeightKg, AskedAt: at,
		ReadyFrom: r.ReadyFrom, PromiseAnswer: ans}, nil
}

// promiseInput reads what a promise at the depot needs: its timetable,
// the kg left in its days (capacity times trips less the open orders due
// that day; quotes turned into orders are orders) and the household's
// recorded visits (householdID 0: none, the prior). It returns the
// depot's vehicles: their drives to the household are the caller's
// (promiseVehicles).
func (s *Service) promiseInput(ctx context.Context, tx pgx.Tx, depot *thugom.Depot, householdID int64, at time.Time) (thugom.PromiseInput, []thugom.Vehicle, error) {
	in := thugom.PromiseInput{At: at, ServiceS: serviceBaseS}
	var err error
	if in.Departures, err = store.DeparturesOfDepot(ctx, tx, depot.ID); err != nil {
		return in, nil, err
	}
	vehicles, err := store.VehiclesOfDepot(ctx, tx, depot.ID)
	if err != nil {
		return in, nil, err
	}
	perDay := 0.0
	for _, v := range vehicles {
		if v.Status == thugom.VehicleActive {
			perDay += v.CapacityKg * float64(max(1, v.MaxTrips))
		}
	}
	from := thugom.Day(at)
	load, err := store.DepotLoad(ctx, tx, depot.ID, from, from.AddDate(0, 0, 16))
	if err != nil {
		return in, nil, err
	}
	for day, kg := range load {
		in.Capacity = append(in.Capacity, thugom.DayCapacity{Day: day, KgLeft: math.Max(0, perDay-kg)})
	}
	if in.Record, err = s.records.get(ctx, tx, depot.ID, minTime(at, s.now()).Truncate(time.Hour)); err != nil {
		return in, nil, err
	}
	if householdID != 0 {
		in.Failures, in.Visits, err = store.HouseholdVisits(ctx, tx, householdID)
	}
	return in, vehicles, err
}

// RecordDays is how far back a depot's record of kept quotes reaches.
const RecordDays = 7

// recordCache keeps each depot's record of kept quotes (the promises that
// fell in the RecordDays before the hour of the question: settled, the
// same for every quote of that hour) so a quote reads it once per depot
// and hour.
type recordCache struct {
	mu sync.Mutex
	m  map[recordKey][]thugom.SlackKept
}

type recordKey struct {
	depot int64
	until time.Time
}

// maxRecords bounds the cache: past it, it starts over.
const maxRecords = 4096

func (c *recordCache) get(ctx context.Context, tx pgx.Tx, depotID int64, until time.Time) ([]thugom.SlackKept, error) {
	k := recordKey{depotID, until}
	c.mu.Lock()
	r, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return r, nil
	}
	r, err := store.DepotKeptBySlack(ctx, tx, depotID, until.AddDate(0, 0, -RecordDays), until)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxRecords {
		c.m = map[recordKey][]thugom.SlackKept{}
	}
	c.m[k] = r
	return r, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// withQuote checks the quote an order is placed with — the caller's
// carrier's, unused, not expired — and fills what the order leaves out
// from it (household, product, province, weight, readiness); what the
// order gives must agree with the quote.
func (s *Service) withQuote(ctx context.Context, n thugom.NewOrder, a Actor, now time.Time) (thugom.NewOrder, *thugom.Quote, error) {
	q, err := store.QuoteByID(ctx, s.db, n.QuoteID)
	if thugom.ErrorCode(err) == thugom.ENotFound {
		return n, nil, thugom.Errorf(thugom.EInvalid, "quote_id", "unknown quote %d", n.QuoteID)
	}
	switch {
	case err != nil:
		return n, nil, err
	case a.check(q.CarrierID) != nil:
		return n, nil, thugom.Errorf(thugom.EForbidden, "quote_id", "quote %d was given to another carrier", q.ID)
	case q.OrderID != nil:
		return n, nil, thugom.Errorf(thugom.EConflict, "quote_id", "quote %d was already used by order %d", q.ID, *q.OrderID)
	case !now.Before(q.ExpiresAt):
		return n, nil, thugom.Errorf(thugom.EInvalid, "quote_id", "quote %d expired at %s: ask another", q.ID, q.ExpiresAt.Format(time.RFC3339))
	}
	h, err := store.HouseholdByID(ctx, s.db, q.HouseholdID)
	if err != nil {
		return n, nil, err
	}
	if strings.TrimSpace(n.HouseholdPhone) == "" {
		n.HouseholdName, n.HouseholdPhone, n.HouseholdAddress = h.Name, h.Phone, h.Address
	} else if ph, err := thugom.NormalizePhone("household.phone", n.HouseholdPhone); err != nil || ph != h.Phone {
		return n, nil, thugom.Errorf(thugom.EInvalid, "household.phone", "quote %d is for another household", q.ID)
	}
	if strings.TrimSpace(n.Product) == "" {
		n.Product = q.ProductCode
	}
	if strings.TrimSpace(n.DestinationProvince) == "" {
		n.DestinationProvince = q.DestinationProvince
	}
	if n.WeightKg == nil {
		n.WeightKg = &q.WeightKg
	}
	if n.ReadyFrom == nil {
		n.ReadyFrom = q.ReadyFrom
	}
	switch {
	case !strings.EqualFold(strings.TrimSpace(n.Product), q.ProductCode):
		return n, nil, thugom.Errorf(thugom.EInvalid, "product", "quote %d is for %s", q.ID, q.ProductCode)
	case thugom.ProvinceKey(n.DestinationProvince) != thugom.ProvinceKey(q.DestinationProvince):
		return n, nil, thugom.Errorf(thugom.EInvalid, "destination_province", "quote %d is for %s", q.ID, q.DestinationProvince)
	case *n.WeightKg > q.WeightKg:
		return n, nil, thugom.Errorf(thugom.EInvalid, "weight_kg", "quote %d is for %g kg at most", q.ID, q.WeightKg)
	}
	return n, q, nil
}

// quotedPromise gives a checked order its quote's promise.
func quotedPromise(v *thugom.ValidOrder, q *thugom.Quote) error {
	d := q.PromiseBy.Sub(v.PlacedAt)
	if d <= 0 || d > 14*24*time.Hour {
		return thugom.Errorf(thugom.EInvalid, "placed_at", "placed at %s, the quote's promise %s is not ahead", v.PlacedAt.Format(time.RFC3339), q.PromiseBy.Format(time.RFC3339))
	}
	v.PromisedBy, v.PromiseHours = q.PromiseBy, int(math.Ceil(d.Hours()))
	return nil
}

// useQuotes marks the quotes the new orders were placed with as used, in
// the import's transaction: of two orders placed with one quote, the
// second waits on the quote's row and then finds it taken (EConflict).
func useQuotes(ctx context.Context, tx pgx.Tx, orders []store.NewOrder, ids []int64, out *Imported) error {
	for i, o := range orders {
		if o.QuoteID == 0 || ids[i] == 0 {
			continue
		}
		if err := store.SetQuoteOrder(ctx, tx, o.QuoteID, ids[i]); err != nil {
			return err
		}
		if out.Quoted == nil {
			out.Quoted = map[int64]int64{}
		}
		out.Quoted[ids[i]] = o.QuoteID
	}
	return nil
}
