package jobs

import (
	"context"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// A driver's report may reach the API twice (a retry over a weak network,
// the offline queue replayed): the API answers every copy of one request,
// named by its Idempotency-Key, with the answer given to the first. These
// are the core's side of that: the key claimed before the work, the answer
// kept after it, the claim dropped when the work failed.

// NewRequestClaim returns a fresh name for the holder of a request's key.
func NewRequestClaim() thugom.RequestClaim { return store.NewIdempotencyClaim() }

// ClaimRequest reserves (actor, key) for claim. claimed is true when the
// caller holds it and does the work: the key was new, or its holder left it
// unanswered for lease (it died; 0: never) and this is the same request
// (the same hash). Otherwise prev is the first request's answer (Status 0:
// its holder is still at work), or nil when that holder failed and forgot
// the key meanwhile (claim again).
func (s *Service) ClaimRequest(ctx context.Context, actor, key string, hash []byte, claim thugom.RequestClaim, lease time.Duration) (prev *thugom.StoredAnswer, claimed bool, err error) {
	return store.ClaimIdempotency(ctx, s.db, actor, key, hash, claim, lease)
}

// SaveAnswer keeps the answer every retry of (actor, key) replays, if claim
// still holds the key and no answer is kept; saved is false otherwise (a
// kept answer is never overwritten).
func (s *Service) SaveAnswer(ctx context.Context, actor, key string, claim thugom.RequestClaim, status int, body []byte) (saved bool, err error) {
	return store.SaveIdempotentResponse(ctx, s.db, actor, key, claim, status, body)
}

// ForgetRequest drops claim's unanswered claim of (actor, key): the work
// failed, and a retry runs it again.
func (s *Service) ForgetRequest(ctx context.Context, actor, key string, claim thugom.RequestClaim) error {
	return store.ForgetIdempotencyKey(ctx, s.db, actor, key, claim)
}
