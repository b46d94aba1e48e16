package jobs

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/routing"
	"github.com/thugom/thugom/store"
)

// A fix the console offers ("Giao cho xe …") is offered only when it works:
// its preview — the re-plan the fix would make, solved the way the re-plan
// after it is solved — places the order on that vehicle, or, for an order
// planned late, brings it in on time or less late. CheckFixes answers that
// for the console before its list is drawn, and keeps the answers for the
// day's revision: any change to the day (a report, an answer, a lock, a
// plan) asks again.

// FixAsk is a fix to check: an order of the day given to a vehicle. StopID
// set: the order is planned late on that stop, and the fix moves the stop
// (MoveStop); 0: the order was left out, and the fix locks it to the
// vehicle and re-plans (LockOrder).
type FixAsk struct {
	OrderID   int64 `json:"order_id"`
	VehicleID int64 `json:"vehicle_id"`
	StopID    int64 `json:"stop_id,omitempty"`
	// LateMin is how late the order is planned now (late issues).
	LateMin int `json:"late_min,omitempty"`
}

// FixCheck is a fix checked: whether it works and what its preview showed.
type FixCheck struct {
	FixAsk
	// Works: the preview places the order on the vehicle (on time, or less
	// late than now).
	Works bool `json:"works"`
	// LateMin is how late the order would be (0: on time).
	LateMin int `json:"late_min"`
	// Unassigned is how many of the day's orders the preview leaves out.
	Unassigned int `json:"unassigned"`
	// Changes is how many open stops the preview changes.
	Changes int `json:"changes"`
	// Why says why it does not work (the solver's reason codes).
	Why string `json:"why,omitempty"`
}

// LockMayPlace reports whether locking an order to a vehicle may place an
// order left out for these reasons ("code,code: detail", as stored): only
// when it fits some vehicle of the day on its own (the fleet is busy, the
// pinned vehicle full, the search ran out of time, or the plan never saw
// it). An order that fits no vehicle even empty — its window, its weight,
// its deadline, the shift — fits none when locked to one, so no fix is
// asked about (and none offered).
func LockMayPlace(reason string) bool {
	head, _, _ := strings.Cut(reason, ":")
	for _, c := range strings.Split(head, ",") {
		switch strings.TrimSpace(c) {
		case string(routing.ReasonFleetFull), string(routing.ReasonPinnedFull), string(routing.ReasonTimeBudget), "after_plan":
			return true
		}
	}
	return false
}

// fixBudget bounds each fix's solve when the service plans by time.
const fixBudget = 150 * time.Millisecond

// fixCache keeps the fix checks of each depot day for its revision.
type fixCache struct {
	mu   sync.Mutex
	days map[store.DepotDay]fixDay
}

type fixDay struct {
	rev    int64
	checks map[FixAsk]FixCheck
}

// maxFixDays bounds the cache: the days of a busy console, not a history.
const maxFixDays = 256

func (c *fixCache) get(dd store.DepotDay, rev int64, a FixAsk) (FixCheck, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.days[dd]
	if !ok || d.rev != rev {
		return FixCheck{}, false
	}
	fc, ok := d.checks[a]
	return fc, ok
}

func (c *fixCache) put(dd store.DepotDay, rev int64, fc FixCheck) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.days == nil || len(c.days) >= maxFixDays {
		c.days = map[store.DepotDay]fixDay{}
	}
	d, ok := c.days[dd]
	if !ok || d.rev != rev {
		d = fixDay{rev: rev, checks: map[FixAsk]FixCheck{}}
	}
	d.checks[fc.FixAsk] = fc
	c.days[dd] = d
}

// CheckFixes checks the fixes of a depot's day by their previews, in the
// order asked, solving at most limit previews (0: no limit) besides the
// answers already kept for the day's revision: the answers returned are
// those known, the rest are asked again later. A fix whose preview cannot
// be made (the vehicle is no longer in service, the stop is done) does not
// work, with the error's text as its why.
func (s *Service) CheckFixes(ctx context.Context, depotID int64, day time.Time, asks []FixAsk, limit int) ([]FixCheck, error) {
	day = thugom.Day(day)
	dd := store.DepotDay{DepotID: depotID, Day: day}
	rev, err := store.DepotDayRevision(ctx, s.db, depotID, day)
	if err != nil {
		return nil, err
	}
	out := make([]FixCheck, 0, len(asks))
	solved := 0
	for _, a := range asks {
		if fc, ok := s.fixes.get(dd, rev, a); ok {
			out = append(out, fc)
			continue
		}
		if limit > 0 && solved == limit {
			continue
		}
		solved++
		fc, err := s.checkFix(ctx, depotID, day, a)
		if err != nil {
			return nil, err
		}
		s.fixes.put(dd, rev, fc)
		out = append(out, fc)
	}
	return out, nil
}

// checkFix previews one fix as the console would apply it.
func (s *Service) checkFix(ctx context.Context, depotID int64, day time.Time, a FixAsk) (FixCheck, error) {
	fc := FixCheck{FixAsk: a}
	req := PreviewRequest{Budget: fixBudget}
	if a.StopID != 0 {
		req.StopID, req.VehicleID = a.StopID, a.VehicleID
	} else {
		req.Locks = map[int64]int64{a.OrderID: a.VehicleID}
	}
	pv, err := s.PreviewPlan(ctx, depotID, day, req)
	if code := thugom.ErrorCode(err); code == thugom.EConflict || code == thugom.EInvalid || code == thugom.ENotFound {
		fc.Why = err.Error()
		return fc, nil
	}
	if err != nil {
		return fc, fmt.Errorf("check fix of order %d on vehicle %d: %w", a.OrderID, a.VehicleID, err)
	}
	fc.Unassigned, fc.Changes = len(pv.Unassigned), len(pv.Changes)
	for _, u := range pv.Unassigned {
		if u.OrderID == a.OrderID {
			fc.Why = u.Reason
			return fc, nil
		}
	}
	for _, l := range pv.Late {
		for _, o := range l.Orders {
			if o == a.OrderID {
				fc.LateMin = max(fc.LateMin, l.LateMin)
			}
		}
	}
	on := pv.placed[a.OrderID] == a.VehicleID
	if v := pv.Verdict; v != nil && !on { // a late stop moved: the verdict says why it is not there
		fc.Why = v.Reason
	}
	switch {
	case !on:
		if fc.Why == "" {
			fc.Why = "the re-plan keeps it off the vehicle"
		}
	case a.StopID != 0 && fc.LateMin >= a.LateMin:
		fc.Why = fmt.Sprintf("still %d min late on the vehicle", fc.LateMin)
	default:
		fc.Works = true
	}
	return fc, nil
}
