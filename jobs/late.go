package jobs

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
)

// tellLate tells a household, once a day, that its pickup is planned after
// its produce's handover deadline: it is still collected (soft deadlines:
// nothing is dropped silently), the buyer gets it late, and the household
// may postpone or cancel. The dispatcher sees the same stop flagged at risk
// with the lateness. It returns the SMS queued (0 when already told).
func (p *planner) tellLate(ctx context.Context, tx pgx.Tx, g *group, lateBy float64) (int, error) {
	if g == nil || g.household == 0 || g.phone == "" {
		return 0, nil
	}
	hours := int(math.Ceil(lateBy / 3600))
	return p.s.notify(ctx, tx, g.household, g.phone, thugom.SMSData{Kind: thugom.SMSPickupLate, Depot: p.depot.Name,
		Orders: len(g.orders), Reason: fmt.Sprintf("khoang %d gio", hours)},
		fmt.Sprintf("late:%d:%s", g.household, DayString(p.day)), false)
}
