package sim

import (
	"context"
	"time"

	"github.com/thugom/thugom/jobs"
)

// lastCall (jobs.Service.LastCallAt, 20:30): tomorrow re-planned for the
// orders that came in since the evening planning, so their households are
// told tonight (the service's periodic last call, run on the simulated
// clock as the evening planning is).
func (d *weekDay) lastCall(ctx context.Context) error {
	w, next, now := d.w, d.i+1, d.w.clk.now()
	return w.planAll(ctx, next, func(int64) jobs.PlanRequest {
		return jobs.PlanRequest{Replan: true, Cause: jobs.CauseLastCall, RequestedAt: now}
	})
}

// lastCallDue reports whether since (after the day's midnight) is the last
// call's time and there is a tomorrow to re-plan (the evening before the
// week too, as the evening planning).
func (d *weekDay) lastCallDue(since time.Duration) bool {
	w := d.w
	if d.i+1 >= w.horizon || since%time.Minute != 0 {
		return false
	}
	s, err := w.service(w.rainy(d.i+1), 0) // the deps every service shares
	return err == nil && since == time.Duration(s.LastCallAt())*time.Second
}
