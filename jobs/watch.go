package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

type slaWatchWorker struct {
	river.WorkerDefaults[SLAWatchArgs]
	s *Service
}

func (w *slaWatchWorker) Work(ctx context.Context, _ *river.Job[SLAWatchArgs]) error {
	_, err := w.s.WatchSLA(ctx)
	return err
}

// SLAHorizon is how far ahead the SLA watch looks for deadlines.
const SLAHorizon = 2 * time.Hour

// WatchReport counts what one SLA watch found and did.
type WatchReport struct {
	AtRisk    int `json:"at_risk"`   // deadline near, no plan or a plan that returns too late
	Missed    int `json:"missed"`    // deadline passed, not handed over
	Escalated int `json:"escalated"` // newly escalated this run
	Replans   int `json:"replans"`   // re-plans asked for
	Notified  int `json:"notified"`  // households told
}

// WatchSLA finds orders at risk of missing their handover deadline (within
// SLAHorizon with no plan, or planned to come back after it) and those that
// missed it. Each order is escalated once per level: flagged at risk, a
// dispatcher alert in the journal, a re-plan of its depot's day while there
// is time, and its household told when the deadline is gone. The counts go
// to the thugom_sla_orders gauge.
func (s *Service) WatchSLA(ctx context.Context) (*WatchReport, error) {
	rep := &WatchReport{}
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		now := s.now()
		orders, err := store.OrdersAtRisk(ctx, tx, now.Add(SLAHorizon))
		if err != nil {
			return err
		}
		replan := map[int64]bool{}
		for _, o := range orders {
			var level, reason string
			switch {
			case o.Deadline.Before(now):
				level, reason = "missed", "handover deadline passed"
			case o.ETA == nil && o.Status != thugom.OrderPickedUp:
				level, reason = "at_risk", fmt.Sprintf("not planned, deadline %s", o.Deadline.In(thugom.Local).Format("15:04"))
			case o.BackAt != nil && o.BackAt.After(o.Deadline):
				level, reason = "at_risk", fmt.Sprintf("planned back at %s after the deadline %s",
					o.BackAt.In(thugom.Local).Format("15:04"), o.Deadline.In(thugom.Local).Format("15:04"))
			default:
				continue
			}
			if level == "missed" {
				rep.Missed++
			} else {
				rep.AtRisk++
			}
			isNew, err := store.InsertEscalation(ctx, tx, o.ID, level, reason, now)
			if err != nil {
				return err
			}
			if !isNew {
				continue
			}
			rep.Escalated++
			s.metrics.escalations.WithLabelValues(level).Inc()
			if err := store.SetOrderAtRisk(ctx, tx, o.ID, reason, now); err != nil {
				return err
			}
			if err := s.event(ctx, tx, "job:"+KindSLAWatch, "alert.sla_"+level, fmt.Sprintf("order:%d", o.ID),
				map[string]any{"reason": reason, "deadline": o.Deadline, "depot_id": o.DepotID}); err != nil {
				return err
			}
			if level == "at_risk" && o.DepotID != nil && o.Status != thugom.OrderPickedUp {
				replan[*o.DepotID] = true
			}
			if level == "missed" && o.Status != thugom.OrderPickedUp {
				phone, err := s.householdPhone(ctx, tx, o.HouseholdID)
				if err != nil {
					return err
				}
				n, err := s.notify(ctx, tx, o.HouseholdID, phone, thugom.SMSData{Kind: thugom.SMSPickupFailed, Depot: "Buu cuc",
					Orders: 1, Reason: "tre chuyen xe"}, fmt.Sprintf("missed:%d", o.ID), false)
				if err != nil {
					return err
				}
				rep.Notified += n
			}
		}
		for d := range replan {
			if err := s.EnqueueReplanTx(ctx, tx, d, now, CauseAtRisk, "sla_watch"); err != nil {
				return err
			}
			rep.Replans++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sla watch: %w", err)
	}
	if err := s.setSLAGauge(ctx, s.now()); err != nil {
		s.log.Warn("sla gauge", "err", err)
	}
	return rep, nil
}

// setSLAGauge sets thugom_sla_orders from the SLA board of the day (every
// carrier), so the metric reads what dispatchers see: at_risk is the
// orders the board flags at risk, late those past their promise; missed is
// those past their handover deadline. The watch's own counts only cover
// SLAHorizon, which is why the gauge used to read 0 while the board
// listed orders at risk flagged earlier.
func (s *Service) setSLAGauge(ctx context.Context, now time.Time) error {
	items, err := store.SLABoard(ctx, s.db, 0, 0, thugom.Day(now), now)
	if err != nil {
		return err
	}
	var atRisk, late, missed int
	for _, it := range items {
		if it.AtRisk {
			atRisk++
		}
		if it.Late {
			late++
		}
		if it.HandoverDeadline != nil && it.HandoverDeadline.Before(now) {
			missed++
		}
	}
	s.metrics.slaOrders.WithLabelValues("at_risk").Set(float64(atRisk))
	s.metrics.slaOrders.WithLabelValues("late").Set(float64(late))
	s.metrics.slaOrders.WithLabelValues("missed").Set(float64(missed))
	return nil
}

type morningWorker struct {
	river.WorkerDefaults[MorningPlanningArgs]
	s *Service
}

func (w *morningWorker) Work(ctx context.Context, job *river.Job[MorningPlanningArgs]) error {
	day := thugom.Day(w.s.now())
	if job.Args.Day != "" {
		d, err := ParseDay(job.Args.Day)
		if err != nil {
			return river.JobCancel(err)
		}
		day = d
	}
	_, err := w.s.EnqueueDay(ctx, day, "morning")
	return err
}

// EnqueueDay asks for a plan of the day for every depot with orders to
// collect; plans of one depot and day are unique, so asking twice is safe.
// It returns the depots.
func (s *Service) EnqueueDay(ctx context.Context, day time.Time, reason string) ([]int64, error) {
	var depots []int64
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		depots, err = store.DepotsWithOrders(ctx, tx, thugom.Day(day).Add(24*time.Hour))
		if err != nil {
			return err
		}
		for _, d := range depots {
			if err := s.EnqueuePlanTx(ctx, tx, d, day, reason); err != nil {
				return err
			}
		}
		return nil
	})
	return depots, err
}
