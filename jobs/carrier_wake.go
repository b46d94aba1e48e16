package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/thugom/thugom/store"
)

// KindWakeCarrier retries the carrier messages whose wake was lost.
const KindWakeCarrier = "carrier_wake"

// CarrierWakeEvery is how often a working service's leader looks for
// carrier messages whose wake was lost: a message waits at most this long
// after the one ahead of it is done, where it used to wait out its own
// snooze (up to an hour).
const CarrierWakeEvery = time.Minute

// WakeCarrierArgs is the periodic sweep of lost wakes (leader-elected).
type WakeCarrierArgs struct{}

// Kind implements river.JobArgs.
func (WakeCarrierArgs) Kind() string { return KindWakeCarrier }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (WakeCarrierArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: CarrierWakeEvery}}
}

type wakeCarrierWorker struct {
	river.WorkerDefaults[WakeCarrierArgs]
	s *Service
}

func (w *wakeCarrierWorker) Work(ctx context.Context, _ *river.Job[WakeCarrierArgs]) error {
	_, err := w.s.WakeLostCarrierJobs(ctx)
	return err
}

// WakeLostCarrierJobs retries now the send_carrier jobs whose turn came
// while they ran: a message that finds the one ahead of it unsent snoozes
// until that one runs again, and the one ahead, done meanwhile, wakes it
// with JobRetryTx, which does nothing to a running job. It returns how many
// it woke.
func (s *Service) WakeLostCarrierJobs(ctx context.Context) (int, error) {
	ids, err := store.CarrierOutboxLostWakes(ctx, s.db.Pool)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := s.client.JobRetry(ctx, id); err != nil && !errors.Is(err, river.ErrNotFound) {
			return 0, fmt.Errorf("wake carrier job %d: %w", id, err)
		}
	}
	if len(ids) > 0 {
		s.log.Info("carrier messages woken", "jobs", len(ids))
	}
	return len(ids), nil
}
