package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/thugom/thugom"
)

// KindEveningPlanning plans tomorrow in the evening (issue 13).
const KindEveningPlanning = "evening_planning"

// EveningPlanningArgs enqueues plan_depot_day of the next day for every
// depot with orders: periodic, at Deps.EveningAt (default 17:00 local). The
// plans tell households their windows the evening before, so they can
// harvest and pack; orders arriving later join by re-plan.
type EveningPlanningArgs struct {
	Day string `json:"day,omitempty" river:"unique"` // the day to plan; empty: tomorrow
}

// Kind implements river.JobArgs.
func (EveningPlanningArgs) Kind() string { return KindEveningPlanning }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (EveningPlanningArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Hour}}
}

type eveningWorker struct {
	river.WorkerDefaults[EveningPlanningArgs]
	s *Service
}

func (w *eveningWorker) Work(ctx context.Context, job *river.Job[EveningPlanningArgs]) error {
	day := Tomorrow(w.s.now())
	if job.Args.Day != "" {
		d, err := ParseDay(job.Args.Day)
		if err != nil {
			return river.JobCancel(err)
		}
		day = d
	}
	_, err := w.s.EnqueueDay(ctx, day, "evening")
	return err
}

// Tomorrow is the local day after t's.
func Tomorrow(t time.Time) time.Time { return thugom.Day(thugom.Day(t).Add(36 * time.Hour)) }

// PlanTomorrow enqueues the evening planning of the day after the service
// clock's today, for every depot with orders (what the periodic job does;
// simulations and operators call it directly). It returns the depots.
func (s *Service) PlanTomorrow(ctx context.Context) ([]int64, error) {
	return s.EnqueueDay(ctx, Tomorrow(s.now()), "evening")
}

// EveningAt is when tomorrow is planned, seconds after local midnight
// (negative: never): the working day (thugom.WorkingDay) turns then.
func (s *Service) EveningAt() int { return s.deps.EveningAt }

func eveningPeriodicJob(s *Service) *river.PeriodicJob {
	return river.NewPeriodicJob(DailyAt(s.deps.EveningAt),
		func() (river.JobArgs, *river.InsertOpts) {
			return EveningPlanningArgs{Day: DayString(Tomorrow(s.now()))}, nil
		},
		&river.PeriodicJobOpts{ID: "evening_planning"})
}
