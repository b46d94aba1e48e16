package store

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// Village is a learned village centre.
type Village struct {
	Key         string
	CommuneCode string
	Name        string
	Point       orb.Point
	H3          string
	Pins        int
}

// LearnedVillages returns every learned village centre by key.
func LearnedVillages(ctx context.Context, q DBTX) (map[string]orb.Point, error) {
	rows, err := q.Query(ctx, query("LearnedVillages"))
	if err != nil {
		return nil, fmt.Errorf("learned villages: %w", err)
	}
	defer rows.Close()
	out := map[string]orb.Point{}
	for rows.Next() {
		var k string
		var lon, lat float64
		if err := rows.Scan(&k, &lon, &lat); err != nil {
			return nil, err
		}
		out[k] = orb.Point{lon, lat}
	}
	return out, rows.Err()
}

// PinnedVillagePoints returns (village as written, point) of the pinned
// households of a commune.
func PinnedVillagePoints(ctx context.Context, q DBTX, commune string) ([]string, []orb.Point, error) {
	rows, err := q.Query(ctx, query("PinnedHouseholdsOfCommune"), commune)
	if err != nil {
		return nil, nil, fmt.Errorf("pinned households of %s: %w", commune, err)
	}
	defer rows.Close()
	var names []string
	var pts []orb.Point
	for rows.Next() {
		var n string
		var lon, lat float64
		if err := rows.Scan(&n, &lon, &lat); err != nil {
			return nil, nil, err
		}
		names = append(names, n)
		pts = append(pts, orb.Point{lon, lat})
	}
	return names, pts, rows.Err()
}

// UpsertVillage stores a learned village centre.
func UpsertVillage(ctx context.Context, q DBTX, v Village, at time.Time) error {
	_, err := q.Exec(ctx, query("UpsertVillage"), v.Key, v.CommuneCode, v.Name, v.Point[0], v.Point[1], v.H3, v.Pins, at)
	if err != nil {
		return fmt.Errorf("store village %s: %w", v.Key, err)
	}
	return nil
}
