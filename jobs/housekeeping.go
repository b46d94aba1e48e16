package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/thugom/thugom/store"
)

// KindHousekeeping prunes what the service only needs for a while.
const KindHousekeeping = "housekeeping"

// IdempotencyRetention is how long a driver's Idempotency-Key is remembered.
// A phone that stayed offline replays its queue within a day or two; a week
// leaves room for a driver who was off for the weekend.
const IdempotencyRetention = 7 * 24 * time.Hour

// HousekeepingArgs is the hourly pruning job (leader-elected, periodic).
type HousekeepingArgs struct{}

// Kind implements river.JobArgs.
func (HousekeepingArgs) Kind() string { return KindHousekeeping }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (HousekeepingArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

type housekeepingWorker struct {
	river.WorkerDefaults[HousekeepingArgs]
	s *Service
}

func (w *housekeepingWorker) Work(ctx context.Context, _ *river.Job[HousekeepingArgs]) error {
	_, err := w.s.Housekeep(ctx)
	return err
}

// Housekeep forgets idempotency keys older than IdempotencyRetention and
// returns how many it removed.
func (s *Service) Housekeep(ctx context.Context) (int64, error) {
	n, err := store.PruneIdempotency(ctx, s.db.Pool, s.now().Add(-IdempotencyRetention))
	if err != nil {
		return 0, fmt.Errorf("housekeeping: %w", err)
	}
	if n > 0 {
		s.log.Info("housekeeping: idempotency keys pruned", "count", n)
	}
	return n, nil
}
