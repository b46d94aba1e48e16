package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store"
)

func TestHousekeepingPrunesOldIdempotencyKeys(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	ctx := context.Background()
	for _, key := range []string{"old", "recent"} {
		if _, err := store.ClaimIdempotencyKey(ctx, b.db, "driver:1", key, []byte("h")); err != nil {
			t.Fatal(err)
		}
	}
	old := b.clock.t.Add(-jobs.IdempotencyRetention - time.Hour)
	if _, err := b.db.Exec(ctx, `UPDATE idempotency_keys SET created_at = $1 WHERE key = 'old'`, old); err != nil {
		t.Fatal(err)
	}
	n, err := b.svc.Housekeep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("pruned %d keys, want 1", n)
	}
	if got := count(t, b.db, `SELECT count(*) FROM idempotency_keys WHERE key = 'recent'`); got != 1 {
		t.Errorf("recent key kept %d times, want 1", got)
	}
}
