package jobs

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/uber/h3-go/v4"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/store"
)

// Commune drop-off points (điểm bưu điện văn hóa xã, issue 14): a household
// far from every planned route may agree, when the dispatcher calls, to
// bring its produce to its commune's post office, which a van sweeps on its
// round as one hub stop for every household bringing orders there.
//
// The data has no positions of these offices (shared/geodata/README.md):
// each commune's point is made, the first time one is needed, at the
// commune's label point (inside its polygon), open 07:00–17:00, and marked
// approximate until a person corrects it (SetDropOffPoint).

// CauseDropOff is the re-plan cause of an accepted or undone drop-off.
const CauseDropOff = "drop_off"

// Defaults of the drop-off rules.
const (
	// DefaultDropOffMinKm: a household is far from the routes beyond this
	// (straight line to the nearest planned stop, or the depot without one).
	DefaultDropOffMinKm = 5.0
	// dropOffMaxKm: no household is asked to carry produce farther.
	dropOffMaxKm = 20.0
)

func (s *Service) dropOffMinKm() float64 {
	if s.deps.DropOffMinKm > 0 {
		return s.deps.DropOffMinKm
	}
	return DefaultDropOffMinKm
}

// DropOffOption is a drop-off a dispatcher may offer a household for one
// of its orders: the point of its commune, how far its home is from the
// day's routes, how far the point is, and how far the household carries.
type DropOffOption struct {
	OrderID       int64               `json:"order_id"`
	HouseholdID   int64               `json:"household_id"`
	HouseholdName string              `json:"household_name"`
	Phone         string              `json:"phone"`
	Late          bool                `json:"late"` // planned late (else waiting for a plan)
	Point         thugom.DropOffPoint `json:"point"`
	// HomeKm: from the household to the nearest planned stop (or the
	// depot); PointKm: from the point to the same; WalkKm: from the
	// household to the point. Straight lines.
	HomeKm  float64 `json:"home_km"`
	PointKm float64 `json:"point_km"`
	WalkKm  float64 `json:"walk_km"`
}

// dropOffName names a commune's point: "Điểm BĐVH xã Bình Gia".
func dropOffName(c geo.Commune) string {
	return "Điểm BĐVH " + strings.ToLower(c.Type) + " " + c.Name
}

// ensureDropOffPoints makes the points of communes that have none yet, from
// the gazetteer (idempotent; a corrected point is kept).
func (s *Service) ensureDropOffPoints(ctx context.Context, q store.DBTX) error {
	cs := s.geo.Gazetteer().Communes
	pts := make([]store.NewDropOffPoint, 0, len(cs))
	for _, c := range cs {
		cell := ""
		if h, err := h3.LatLngToCell(h3.NewLatLng(c.Label.Lat, c.Label.Lon), geo.DefaultResolution); err == nil {
			cell = h.String()
		}
		pts = append(pts, store.NewDropOffPoint{CommuneCode: c.Code, Name: dropOffName(c), Point: orb.Point{c.Label.Lon, c.Label.Lat}, H3: cell})
	}
	return store.EnsureDropOffPoints(ctx, q, pts)
}

// DropOffPoints returns the drop-off points of the communes a depot serves.
func (s *Service) DropOffPoints(ctx context.Context, depotID int64, a Actor) ([]thugom.DropOffPoint, error) {
	d, err := store.DepotByID(ctx, s.db, depotID)
	if err != nil {
		return nil, err
	}
	if err := a.check(d.CarrierID); err != nil {
		return nil, err
	}
	if err := s.ensureDropOffPoints(ctx, s.db); err != nil {
		return nil, err
	}
	return store.DropOffPointsOfDepot(ctx, s.db, depotID)
}

// SetDropOffPoint corrects a point's position and hours (a dispatcher or an
// administrator who knows where the commune's post office is); the point
// is no longer approximate. Plans made afterwards use it.
func (s *Service) SetDropOffPoint(ctx context.Context, p thugom.DropOffPoint, a Actor) (*thugom.DropOffPoint, error) {
	if !inVietnam(p.Point[0], p.Point[1]) {
		return nil, thugom.Errorf(thugom.EInvalid, "point", "the point must be [lon, lat] in Vietnam")
	}
	if p.OpensAt < 0 || p.ClosesAt > 86400 || p.ClosesAt <= p.OpensAt {
		return nil, thugom.Errorf(thugom.EInvalid, "closes_at", "opening hours must be 00:00 ≤ opens < closes ≤ 24:00")
	}
	if h, err := h3.LatLngToCell(h3.NewLatLng(p.Point[1], p.Point[0]), geo.DefaultResolution); err == nil {
		p.H3 = h.String()
	}
	var out *thugom.DropOffPoint
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := store.DropOffPointByID(ctx, tx, p.ID); err != nil {
			return err
		}
		var err error
		if out, err = store.SetDropOffPoint(ctx, tx, &p, s.now()); err != nil {
			return err
		}
		return s.event(ctx, tx, a.Name, "dropoff_point.set", fmt.Sprintf("dropoff_point:%d", p.ID),
			map[string]any{"lon": p.Point[0], "lat": p.Point[1], "opens_at": p.OpensAt, "closes_at": p.ClosesAt})
	})
	return out, err
}

func km(a, b orb.Point) float64 { return orbgeo.Distance(a, b) / 1000 }

// routePlace is where one of a day's routes goes: the depot, a drop-off
// point, or the household a stop is for.
type routePlace struct {
	pt        orb.Point
	household int64
}

// routeNetwork is where a depot's day's routes go.
type routeNetwork []routePlace

// dayNetwork is where a depot's day's routes go: the depot and every open
// pickup of its current plan.
func (s *Service) dayNetwork(ctx context.Context, depot *thugom.Depot, day time.Time) (routeNetwork, error) {
	out := routeNetwork{{pt: depot.Point}}
	head, err := store.CurrentPlan(ctx, s.db, depot.ID, day)
	if err != nil {
		return nil, err
	}
	if head == nil {
		return out, nil
	}
	stops, err := store.PlanStops(ctx, s.db, head.ID)
	if err != nil {
		return nil, err
	}
	var hids []int64
	for _, st := range stops {
		if st.Kind == thugom.StopPickup && thugom.StopOpen(st.Status) {
			if st.DropOffPoint != nil {
				out = append(out, routePlace{pt: *st.DropOffPoint})
			} else if st.HouseholdID != nil {
				hids = append(hids, *st.HouseholdID)
			}
		}
	}
	pts, err := store.HouseholdPoints(ctx, s.db, hids)
	if err != nil {
		return nil, err
	}
	for _, h := range hids {
		if pt, ok := pts[h]; ok {
			out = append(out, routePlace{pt: pt, household: h})
		}
	}
	return out, nil
}

// nearest is the straight-line distance in km from p to the nearest place
// of the network, leaving out the stops of household (when not 0): a late
// order's own stop does not bring the routes near it.
func (n routeNetwork) nearest(p orb.Point, household int64) float64 {
	best := math.Inf(1)
	for _, q := range n {
		if household == 0 || q.household != household {
			best = math.Min(best, km(p, q.pt))
		}
	}
	return best
}

// DropOffCandidates lists, for a depot's day, the orders waiting for a plan
// or planned late whose household is far from every planned stop (more
// than Deps.DropOffMinKm, straight line; the depot when nothing is planned)
// and whose commune's point is nearer the routes than the home and within
// reach of the household (at most 20 km) and open long enough that day.
// Sorted by how much nearer the point is.
func (s *Service) DropOffCandidates(ctx context.Context, depotID int64, day time.Time) ([]DropOffOption, error) {
	day = thugom.Day(day)
	if err := s.deps.Days.Check("date", day, s.now()); err != nil {
		return nil, err
	}
	depot, err := store.DepotByID(ctx, s.db, depotID)
	if err != nil {
		return nil, err
	}
	routes, err := s.dayNetwork(ctx, depot, day)
	if err != nil {
		return nil, err
	}
	nearest := routes.nearest
	cands, err := store.DropOffCandidateOrders(ctx, s.db, depotID, day.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	points := map[string]*thugom.DropOffPoint{}
	ensured := false
	minKm, now := s.dropOffMinKm(), s.now()
	var out []DropOffOption
	for _, c := range cands {
		if c.PointID != nil || (c.Status == thugom.OrderPlanned && !c.Late) || c.CommuneCode == "" {
			continue
		}
		home := nearest(c.Point, c.HouseholdID)
		if home <= minKm {
			continue
		}
		pt, ok := points[c.CommuneCode]
		if !ok {
			if pt, err = store.DropOffPointByCommune(ctx, s.db, c.CommuneCode); err != nil {
				return nil, err
			}
			if pt == nil && !ensured { // the first time a commune needs one
				ensured = true
				if err := s.ensureDropOffPoints(ctx, s.db); err != nil {
					return nil, err
				}
				if pt, err = store.DropOffPointByCommune(ctx, s.db, c.CommuneCode); err != nil {
					return nil, err
				}
			}
			points[c.CommuneCode] = pt
		}
		if pt == nil {
			continue
		}
		walk, at := km(c.Point, pt.Point), nearest(pt.Point, c.HouseholdID)
		if walk > dropOffMaxKm || at >= home {
			continue
		}
		var ready time.Time
		if c.ReadyFrom != nil {
			ready = *c.ReadyFrom
		}
		if _, ok := thugom.DropOffBy(day, now, ready, pt.OpensAt, pt.ClosesAt); !ok {
			continue
		}
		out = append(out, DropOffOption{OrderID: c.OrderID, HouseholdID: c.HouseholdID, HouseholdName: c.Name, Phone: c.Phone,
			Late: c.Late, Point: *pt, HomeKm: round1(home), PointKm: round1(at), WalkKm: round1(walk)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		gi, gj := out[i].HomeKm-out[i].PointKm, out[j].HomeKm-out[j].PointKm
		if gi != gj {
			return gi > gj
		}
		return out[i].OrderID < out[j].OrderID
	})
	return out, nil
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// DropOff names a drop-off to accept or undo: an order of a household (all
// its open orders of the depot's day go with it), the point, and the day.
type DropOff struct {
	OrderID int64
	PointID int64 // accept only
	// Day is the depot day of the pickup (zero: today).
	Day time.Time
}

// DropOffResult says what a drop-off changed.
type DropOffResult struct {
	HouseholdID int64                `json:"household_id"`
	Orders      []int64              `json:"orders"`
	Point       *thugom.DropOffPoint `json:"point,omitempty"`
	By          *time.Time           `json:"by,omitempty"`
	Date        string               `json:"date"`
	SMS         int                  `json:"sms"`
}

// AcceptDropOff records that a household agreed (by phone, with the
// dispatcher) to bring its produce to a drop-off point: every open order
// of the household on the depot's day goes there by a time it is told by
// SMS, and the day is re-planned (the orders join the point's hub stop).
// The day is bumped before any row is locked. Errors: ErrNotFound (order,
// point), ErrForbidden (another carrier), ErrInvalid (a day out of range),
// ErrConflict (nothing left to bring — cancelled, collected, postponed —
// a vehicle already on its way, or the point closes before the produce
// can be there).
func (s *Service) AcceptDropOff(ctx context.Context, req DropOff, a Actor) (*DropOffResult, error) {
	if req.PointID <= 0 {
		return nil, thugom.Errorf(thugom.EInvalid, "point_id", "point_id is required")
	}
	return s.changeDropOff(ctx, req, true, a)
}

// CancelDropOff undoes a drop-off: the household's orders of the day are
// collected at home again, and the day is re-planned (the household is
// told its pickup window as usual).
func (s *Service) CancelDropOff(ctx context.Context, req DropOff, a Actor) (*DropOffResult, error) {
	return s.changeDropOff(ctx, req, false, a)
}

func (s *Service) changeDropOff(ctx context.Context, req DropOff, accept bool, a Actor) (*DropOffResult, error) {
	if req.OrderID <= 0 {
		return nil, thugom.Errorf(thugom.EInvalid, "order_id", "order_id is required")
	}
	now := s.now()
	day := thugom.Day(now)
	if !req.Day.IsZero() {
		day = thugom.Day(req.Day)
	}
	if err := s.deps.Days.Check("date", day, now); err != nil {
		return nil, err
	}
	if accept {
		if err := s.ensureDropOffPoints(ctx, s.db); err != nil {
			return nil, err
		}
	}
	o, err := store.OrderByID(ctx, s.db, req.OrderID)
	if err != nil {
		return nil, err
	}
	if err := a.check(o.CarrierID); err != nil {
		return nil, err
	}
	if o.DepotID == nil {
		return nil, thugom.Errorf(thugom.EConflict, "order_id", "order %d has no depot yet (its address is being placed)", o.ID)
	}
	depotID := *o.DepotID
	res := &DropOffResult{HouseholdID: o.HouseholdID, Date: DayString(day), Orders: []int64{}}
	err = s.db.InTx(ctx, func(tx pgx.Tx) error {
		days := []store.DepotDay{{DepotID: depotID, Day: day}}
		held, err := store.DepotDaysOfOrders(ctx, tx, []int64{o.ID})
		if err != nil {
			return err
		}
		for _, d := range held {
			if d.DepotID != depotID || !d.Day.Equal(day) {
				days = append(days, d)
			}
		}
		if err := s.bump(ctx, tx, days); err != nil {
			return err
		}
		depot, err := store.DepotByID(ctx, tx, depotID)
		if err != nil {
			return err
		}
		var pt *thugom.DropOffPoint
		if accept {
			if pt, err = store.DropOffPointByID(ctx, tx, req.PointID); err != nil {
				return err
			}
		}
		orders, err := store.DropOffHouseholdOrders(ctx, tx, o.HouseholdID, depotID, day.Add(24*time.Hour))
		if err != nil {
			return err
		}
		c := chooseDropOff(orders, o.ID, o.CarrierID, accept, pt)
		ids := c.ids
		if !c.found {
			if accept {
				return thugom.Errorf(thugom.EConflict, "order_id", "order %d has nothing left to bring on %s (cancelled, collected, postponed or of another day)", o.ID, DayString(day))
			}
			return thugom.Errorf(thugom.EConflict, "order_id", "order %d is not brought to a drop-off point on %s", o.ID, DayString(day))
		}
		if c.same {
			// Accepted again (a retried request, a second click): nothing
			// changes, nobody is texted twice.
			res.Orders, res.Point, res.By = ids, pt, c.already
			return nil
		}
		underway, err := store.OrdersUnderway(ctx, tx, ids)
		if err != nil {
			return err
		}
		if len(underway) > 0 {
			return thugom.Errorf(thugom.EConflict, "order_id", "a vehicle is already on its way to collect order %d", underway[0])
		}
		var by *time.Time
		if accept {
			t, ok := thugom.DropOffBy(day, now, c.ready, pt.OpensAt, pt.ClosesAt)
			if !ok {
				return thugom.Errorf(thugom.EConflict, "point_id", "%s closes at %s on %s, before the produce can be there", pt.Name,
					clock(pt.ClosesAt), DayString(day))
			}
			by = &t
		}
		var pid *int64
		if pt != nil {
			pid = &pt.ID
		}
		changed, err := store.SetOrdersDropOff(ctx, tx, ids, pid, by, now)
		if err != nil {
			return err
		}
		if len(changed) != len(ids) {
			return fmt.Errorf("drop-off of household %d: %d of %d orders changed under the day's lock", o.HouseholdID, len(changed), len(ids))
		}
		res.Orders, res.Point, res.By = ids, pt, by
		if accept {
			if res.SMS, err = s.tellDropOff(ctx, tx, o.HouseholdID, depot, day, now, pt, *by, len(ids), c.kg); err != nil {
				return err
			}
		}
		if err := s.replan(ctx, tx, days, CauseDropOff, fmt.Sprintf("household:%d", o.HouseholdID)); err != nil {
			return err
		}
		action, payload := "household.drop_off_cancel", map[string]any{"orders": ids, "day": DayString(day)}
		if accept {
			action = "household.drop_off"
			payload["point_id"], payload["by"] = pt.ID, by
		}
		return s.event(ctx, tx, a.Name, action, fmt.Sprintf("household:%d", o.HouseholdID), payload)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// dropOffChoice is what a drop-off change moves among a household's orders
// of the day.
type dropOffChoice struct {
	ids     []int64
	kg      float64
	ready   time.Time  // when the last of them is ready
	found   bool       // the order asked about is among them
	same    bool       // accepting again: every one already goes to the point
	already *time.Time // same: by then
}

// chooseDropOff picks the orders a drop-off change moves among the orders
// of order orderID's household (read under the day's bump): the carrier's
// orders that may still go to a point; to undo, those that go to one.
func chooseDropOff(orders []store.DropOffOrder, orderID, carrierID int64, accept bool, pt *thugom.DropOffPoint) dropOffChoice {
	c := dropOffChoice{same: accept}
	for _, x := range orders {
		if !thugom.DropOffAcceptable(x.Status) || x.CarrierID != carrierID {
			continue
		}
		if !accept && x.PointID == nil {
			continue
		}
		c.found = c.found || x.ID == orderID
		if c.same = c.same && x.PointID != nil && *x.PointID == pt.ID && x.By != nil; c.same {
			c.already = x.By
		}
		c.ids = append(c.ids, x.ID)
		c.kg += x.WeightKg
		if x.ReadyFrom != nil && x.ReadyFrom.After(c.ready) {
			c.ready = *x.ReadyFrom
		}
	}
	return c
}

// tellDropOff tells a household, in tx, where to bring its produce and by
// when; the windows, packing reminders and packaging task of its home
// pickup that day go.
func (s *Service) tellDropOff(ctx context.Context, tx pgx.Tx, household int64, depot *thugom.Depot, day, now time.Time, pt *thugom.DropOffPoint,
	by time.Time, orders int, kg float64) (int, error) {
	// Windows or reminders not yet sent are replaced by this one.
	if _, err := store.SupersedeNotices(ctx, tx, household, []string{string(thugom.SMSPickupWindow), string(thugom.SMSPickupChanged),
		string(thugom.SMSPackReminder)}, "replaced by the drop-off", now.Add(-24*time.Hour)); err != nil {
		return 0, err
	}
	if err := store.CancelPackagingOfDay(ctx, tx, household, day, now); err != nil {
		return 0, err
	}
	phone, err := store.HouseholdPhone(ctx, tx, household)
	if err != nil {
		return 0, err
	}
	return s.notify(ctx, tx, household, phone, thugom.SMSData{Kind: thugom.SMSDropOff, Depot: depot.Name, Orders: orders,
		WeightKg: kg, Place: pt.Name, By: by},
		fmt.Sprintf("drop_off:%d:%s:%d:%d", household, DayString(day), pt.ID, now.Unix()), true)
}

func clock(secs int) string { return fmt.Sprintf("%02d:%02d", secs/3600, secs%3600/60) }
