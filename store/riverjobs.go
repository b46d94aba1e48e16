package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ClaimClientID takes, on conn and for as long as it stays open, the lock
// saying a live process runs with River client id; false when another
// process holds it.
func ClaimClientID(ctx context.Context, conn *pgxpool.Conn, id string) (bool, error) {
	var ok bool
	if err := conn.QueryRow(ctx, query("ClaimClientID"), id).Scan(&ok); err != nil {
		return false, fmt.Errorf("claim river client id: %w", err)
	}
	return ok, nil
}

// OrphanedJob is a River job whose process died while running it.
type OrphanedJob struct {
	ID      int64
	Kind    string
	Args    []byte
	By      string // the client id of the dead process
	Attempt int
}

// RescueOrphanedJobs makes available again the jobs among suspects still
// running under a dead client whose id starts with prefix (its lock,
// ClaimClientID, held by nobody), and returns them and the ids of the other
// orphans (the next call's suspects).
func RescueOrphanedJobs(ctx context.Context, q DBTX, prefix string, suspects []int64) (rescued []OrphanedJob, orphans []int64, err error) {
	rows, err := q.Query(ctx, query("RescueOrphanedJobs"), prefix, suspects)
	if err != nil {
		return nil, nil, fmt.Errorf("rescue orphaned jobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var j OrphanedJob
		var done bool
		if err := rows.Scan(&j.ID, &j.Kind, &j.Args, &j.By, &j.Attempt, &done); err != nil {
			return nil, nil, err
		}
		if done {
			rescued = append(rescued, j)
		} else {
			orphans = append(orphans, j.ID)
		}
	}
	return rescued, orphans, rows.Err()
}

// JobCount is how many River jobs of a kind are in a state.
type JobCount struct {
	Kind, State string
	N           int64
}

// CountJobs counts River's jobs by kind and state.
func CountJobs(ctx context.Context, q DBTX) ([]JobCount, error) {
	rows, err := q.Query(ctx, query("CountJobs"))
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	var out []JobCount
	for rows.Next() {
		var c JobCount
		if err := rows.Scan(&c.Kind, &c.State, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
