package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/thugom/thugom"
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

// Housekept is what one housekeeping removed.
type Housekept struct {
	IdempotencyKeys int64
	// Buyers are the orders whose buyer's details were blanked.
	Buyers []int64
}

// Housekeep forgets idempotency keys older than IdempotencyRetention and
// the buyer's details (name, phone, address, district and ward) of the
// orders delivered or cancelled more than thugom.BuyerRetention ago:
// personal data thugom needs only until the delivery. The order keeps
// everything else (its province, weight, waybill, events).
func (s *Service) Housekeep(ctx context.Context) (Housekept, error) {
	var out Housekept
	now := s.now()
	n, err := store.PruneIdempotency(ctx, s.db.Pool, now.Add(-IdempotencyRetention))
	if err != nil {
		return out, fmt.Errorf("housekeeping: %w", err)
	}
	out.IdempotencyKeys = n
	if n > 0 {
		s.log.Info("housekeeping: idempotency keys pruned", "count", n)
	}
	if out.Buyers, err = store.ForgetBuyers(ctx, s.db.Pool, now.Add(-thugom.BuyerRetention)); err != nil {
		return out, fmt.Errorf("housekeeping: %w", err)
	}
	if len(out.Buyers) > 0 {
		s.log.Info("housekeeping: buyers' details blanked", "orders", len(out.Buyers))
	}
	return out, nil
}
