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

// RescueOwnJobs makes the jobs still running under client id (a previous
// life of this process, dead) available again and returns their ids. Only
// the holder of ClaimClientID may call it.
func RescueOwnJobs(ctx context.Context, q DBTX, id string) ([]int64, error) {
	rows, err := q.Query(ctx, query("RescueOwnJobs"), id)
	if err != nil {
		return nil, fmt.Errorf("rescue own jobs: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var j int64
		if err := rows.Scan(&j); err != nil {
			return nil, err
		}
		ids = append(ids, j)
	}
	return ids, rows.Err()
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
