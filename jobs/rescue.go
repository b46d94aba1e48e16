package jobs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/thugom/thugom/store"
)

// Orphaned jobs. Every working process runs under its own River client id
// (NewClientID) and holds, on one connection for its whole life, an
// advisory lock on it: PostgreSQL drops the lock the moment the process
// dies (kill -9, OOM, a lost machine once its connection times out). Every
// working process sweeps, every orphanSweep, the running jobs whose last
// attempt is by a client whose lock nobody holds, and makes them available
// again at once, instead of after River's RescueStuckJobsAfter. A job is
// rescued only when its client's lock was free at two sweeps in a row: a
// live process that lost its lock's connection (the database restarted)
// takes it back within lockCheck, well inside one sweep period, so its jobs
// are not run twice. River's own rescuer stays as the fallback.

// clientIDPrefix marks the ids that hold their lock (NewClientID); jobs of
// other ids (a process of an older release, a test's own client) are left
// to River's rescuer.
const clientIDPrefix = "thugom/"

const (
	// orphanSweep is how often a working process looks for orphaned jobs.
	orphanSweep = 10 * time.Second
	// lockCheck is how often a process checks the connection holding its
	// id's lock, and takes the lock again on a new one when it was lost.
	lockCheck = 2 * time.Second
)

// NewClientID is a River client id of its own for this process: the host,
// the pid and a random suffix (two processes of one host and pid, in two
// containers, still differ). Stable for the process's life.
func NewClientID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s%s/%d/%x", clientIDPrefix, strings.ReplaceAll(host, "/", "-"), os.Getpid(), b)
}

// claimClientID runs in New for a working service: it takes the lock on
// the service's client id, held until Stop. An id in use by a live process
// (only a Deps.ClientID given twice can be) is an error: River needs ids
// unique among live clients, and the sweep of the other processes would
// take this one's jobs for orphans.
func (s *Service) claimClientID(ctx context.Context) error {
	conn, err := s.db.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("jobs: claim river client id %s: %w", s.deps.ClientID, err)
	}
	ok, err := store.ClaimClientID(ctx, conn, s.deps.ClientID)
	if err != nil || !ok {
		conn.Release()
		if err == nil {
			err = fmt.Errorf("jobs: river client id %s is in use by a live process: leave Deps.ClientID empty", s.deps.ClientID)
		}
		return err
	}
	s.idLock = conn
	return nil
}

// keepClientID runs until ctx is done (Stop): it checks the lock's
// connection every lockCheck and, when it was lost (the database
// restarted), takes the lock again on a new one.
func (s *Service) keepClientID(ctx context.Context) {
	t := time.NewTicker(lockCheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.idMu.Lock()
		conn := s.idLock
		s.idMu.Unlock()
		if conn != nil && conn.Ping(ctx) == nil || ctx.Err() != nil {
			continue
		}
		if conn != nil {
			closeLock(conn)
		}
		cctx, cancel := context.WithTimeout(ctx, lockCheck)
		s.idMu.Lock()
		s.idLock = nil
		err := s.claimClientID(cctx)
		s.idMu.Unlock()
		cancel()
		if err != nil {
			s.log.Warn("river client id lock lost; taking it again", "client_id", s.deps.ClientID, "err", err)
		} else {
			s.log.Info("river client id lock taken again", "client_id", s.deps.ClientID)
		}
	}
}

// sweepOrphans runs until ctx is done: at once, then every orphanSweep,
// the jobs seen orphaned at the previous sweep and still orphaned now are
// rescued.
func (s *Service) sweepOrphans(ctx context.Context) {
	t := time.NewTicker(orphanSweep)
	defer t.Stop()
	var suspects []int64
	for {
		var err error
		if suspects, err = s.sweepOnce(ctx, suspects); err != nil && ctx.Err() == nil {
			s.log.Warn("orphaned jobs sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweepOnce rescues the suspects (ids seen orphaned at the last sweep)
// still orphaned, logs each with its depot and day, and returns the jobs
// orphaned now: the next sweep's suspects.
func (s *Service) sweepOnce(ctx context.Context, suspects []int64) ([]int64, error) {
	rescued, orphans, err := store.RescueOrphanedJobs(ctx, s.db.Pool, clientIDPrefix, suspects)
	if err != nil {
		return nil, err
	}
	for _, j := range rescued {
		var a struct {
			DepotID int64  `json:"depot_id"`
			Day     string `json:"day"`
		}
		_ = json.Unmarshal(j.Args, &a)
		s.log.Warn("orphaned job rescued: its process died while running it", "job", j.ID, "kind", j.Kind,
			"depot", a.DepotID, "day", a.Day, "client_id", j.By, "attempt", j.Attempt)
	}
	return orphans, nil
}

// releaseID releases the client id's lock (Stop).
func (s *Service) releaseID() {
	s.idMu.Lock()
	defer s.idMu.Unlock()
	if s.idLock != nil {
		closeLock(s.idLock)
		s.idLock = nil
	}
}

// closeLock closes the connection holding a client id's lock, rather than
// giving it back to the pool, which would keep the lock with its session.
func closeLock(conn *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = conn.Hijack().Close(ctx)
}
