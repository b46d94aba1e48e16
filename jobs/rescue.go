package jobs

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/thugom/thugom/store"
)

// claimClientID runs in New when the service has a stable client id
// (Deps.ClientID): it takes an advisory lock on the id, held for the
// process's whole life, so that no two live processes share it. When
// another live process holds it, this one takes a random suffix (River
// needs ids unique among live clients) and rescues nothing at start.
func (s *Service) claimClientID() {
	id := s.deps.ClientID
	if id == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := s.db.Pool.Acquire(ctx)
	var ok bool
	if err == nil {
		ok, err = store.ClaimClientID(ctx, conn, id)
		if !ok {
			conn.Release()
		}
	}
	if err != nil || !ok {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		s.deps.ClientID = fmt.Sprintf("%s-%x", id, b)
		s.log.Warn("river client id in use by a live process (or unchecked): running under another, no early rescue", "wanted", id, "id", s.deps.ClientID, "err", err)
		return
	}
	s.idLock = conn
}

// rescueOwn runs before the workers start: jobs still running under this
// process's client id were being worked by its previous life, which died
// (kill -9, OOM), so they are retried now instead of after
// RescueStuckJobsAfter. River's guarantee that a job runs in one worker at
// a time holds because the id's lock (claimClientID) says no live process
// shares the id. The lock's connection is released by Stop.
func (s *Service) rescueOwn(ctx context.Context) error {
	if s.idLock == nil {
		return nil
	}
	id := s.deps.ClientID
	ids, err := store.RescueOwnJobs(ctx, s.db.Pool, id)
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		s.log.Warn("jobs of this process's previous life rescued", "client_id", id, "jobs", ids)
	}
	return nil
}

// releaseID releases the client id's lock (Stop).
func (s *Service) releaseID() {
	if s.idLock != nil {
		s.idLock.Release()
		s.idLock = nil
	}
}
