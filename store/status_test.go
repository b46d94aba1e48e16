package store_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/riverqueue/river/rivertype"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store/pgtest"
)

// statusColumns are the database's status columns and the Go list each
// holds.
var statusColumns = []struct {
	table, column string
	values        []string
}{
	{"orders", "status", thugom.OrderStatuses},
	{"stops", "status", thugom.StopStatuses},
	{"plans", "status", thugom.PlanStatuses},
	{"plan_drafts", "state", thugom.DraftStates},
	{"vehicles", "status", thugom.VehicleStatuses},
	{"notifications", "status", thugom.NotificationStatuses},
	{"tasks", "status", thugom.TaskStatuses()},
	{"shipments", "status", thugom.ShipmentStatuses},
	{"carrier_outbox", "status", thugom.CarrierMessageStatuses},
}

// checkValue is a quoted literal of a CHECK's definition as PostgreSQL
// gives it back: (status = ANY (ARRAY['received'::text, ...])).
var checkValue = regexp.MustCompile(`'([^']*)'::text`)

// The CHECK constraint of every status column allows exactly its Go list:
// read from the migrated database's catalogue, not from the migrations'
// text.
func TestStatusChecks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	for _, c := range statusColumns {
		rows, err := db.Query(ctx, `
SELECT pg_get_constraintdef(k.oid)
FROM pg_constraint k
JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)
WHERE k.contype = 'c' AND k.conrelid = $1::regclass AND a.attname = $2 AND cardinality(k.conkey) = 1`, c.table, c.column)
		if err != nil {
			t.Fatal(err)
		}
		var defs []string
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				t.Fatal(err)
			}
			defs = append(defs, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(defs) != 1 {
			t.Errorf("%s.%s: %d CHECK constraints %q, want one", c.table, c.column, len(defs), defs)
			continue
		}
		var got []string
		for _, m := range checkValue.FindAllStringSubmatch(defs[0], -1) {
			got = append(got, m[1])
		}
		want := slices.Clone(c.values)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s.%s: the database allows %q, Go lists %q (%s)", c.table, c.column, got, want, defs[0])
		}
	}
}

// statusLiteral finds the literals a query compares a status with:
// status = 'x', s.status <> 'x', state IN ('x', 'y'), SET status = 'x',
// THEN 'x' after a CASE on a status.
var (
	statusEq = regexp.MustCompile(`\b(?:status|state|stop_status)\s*(?:=|<>|!=)\s*'([^']*)'`)
	statusIn = regexp.MustCompile(`\b(?:status|state|stop_status)\s+(?:NOT\s+)?IN\s*\(([^)]*)\)`)
	quoted   = regexp.MustCompile(`'([^']*)'`)
)

// Every status literal of the queries (store/sql) is a status of some Go
// list (River's for river_job): a typo ('canceled') or a status the database no longer allows
// fails here rather than matching nothing at run time.
func TestStatusLiterals(t *testing.T) {
	t.Parallel()
	var all []string
	for _, c := range statusColumns {
		all = append(all, c.values...)
	}
	for _, st := range rivertype.JobStates() { // river_job's, River's own list
		all = append(all, string(st))
	}
	files, err := filepath.Glob("sql/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no queries: %v", err)
	}
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "--") {
				continue
			}
			var lits []string
			for _, m := range statusEq.FindAllStringSubmatch(line, -1) {
				lits = append(lits, m[1])
			}
			for _, m := range statusIn.FindAllStringSubmatch(line, -1) {
				for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
					lits = append(lits, q[1])
				}
			}
			for _, l := range lits {
				seen++
				if !slices.Contains(all, l) {
					t.Errorf("%s:%d: status %q is in no Go list: %s", f, i+1, l, strings.TrimSpace(line))
				}
			}
		}
	}
	if seen < 50 {
		t.Errorf("only %d status literals found: the patterns no longer match the queries", seen)
	}
}
