package store_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/rivertype"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgtest"
)

// checkValue is a quoted literal of a CHECK's definition as PostgreSQL
// gives it back: (status = ANY (ARRAY['received'::text, ...])).
var checkValue = regexp.MustCompile(`'([^']*)'::text`)

// The CHECK constraint of every status column allows exactly its Go list:
// read from the migrated database's catalogue, not from the migrations'
// text.
func TestStatusChecks(t *testing.T) {
	t.Parallel()
	wantStatusChecks(t, pgtest.New(t), store.StatusColumns)
}

// wantStatusChecks fails t unless each column of cols has one CHECK
// constraint, allowing exactly the column's list.
func wantStatusChecks(t *testing.T, db *store.DB, cols []store.StatusColumn) {
	t.Helper()
	for _, c := range cols {
		defs := statusCheckDefs(t, db, c.Table, c.Column)
		if len(defs) != 1 {
			t.Errorf("%s.%s: %d CHECK constraints %q, want one", c.Table, c.Column, len(defs), defs)
			continue
		}
		got := allowedValues(defs[0])
		want := slices.Clone(c.Values)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s.%s: the database allows %q, Go lists %q (%s)", c.Table, c.Column, got, want, defs[0])
		}
	}
}

// statusCheckDefs are the definitions of the single-column CHECK
// constraints of table's column, read from the catalogue.
func statusCheckDefs(t *testing.T, db *store.DB, table, column string) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), `
SELECT pg_get_constraintdef(k.oid)
FROM pg_constraint k
JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)
WHERE k.contype = 'c' AND k.conrelid = $1::regclass AND a.attname = $2 AND cardinality(k.conkey) = 1
ORDER BY k.conname`, table, column)
	if err != nil {
		t.Fatal(err)
	}
	defs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return defs
}

// allowedValues are the quoted values of a CHECK's definition, sorted.
func allowedValues(def string) []string {
	var got []string
	for _, m := range checkValue.FindAllStringSubmatch(def, -1) {
		got = append(got, m[1])
	}
	slices.Sort(got)
	return got
}

// without is list less the values drop.
func without(list []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(v string) bool { return slices.Contains(drop, v) })
}

// A database whose CHECKs drifted from the Go lists (one lacks a value,
// one column has a second CHECK) gets them back from Migrate: from exactly
// one of three processes migrating at once, and a later run changes nothing.
func TestMigrateRemakesStatusChecks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	for _, q := range []string{
		`ALTER TABLE plans DROP CONSTRAINT plans_status_check`,
		`ALTER TABLE plans ADD CONSTRAINT plans_status_check CHECK (status IN ('pending', 'running', 'done', 'failed'))`,
		`ALTER TABLE notifications ADD CONSTRAINT notifications_status_nonempty CHECK (status <> '')`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	results := make(chan *store.MigrateResult, 3)
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			res, err := store.Migrate(ctx, db.Pool)
			results <- res
			errs <- err
		}()
	}
	var changed []string
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		for _, c := range (<-results).Checks {
			changed = append(changed, c.Table+"."+c.Column)
		}
	}
	slices.Sort(changed)
	if want := []string{"notifications.status", "plans.status"}; !slices.Equal(changed, want) {
		t.Errorf("three migrations remade %q, want %q once each", changed, want)
	}
	wantStatusChecks(t, db, store.StatusColumns)
	if res, err := store.Migrate(ctx, db.Pool); err != nil || res.Changed() {
		t.Fatalf("a later migrate: %+v, %v; want no change", res, err)
	}
}

// A status added to a list reaches the database; one that rows still hold
// but the list lacks fails the step, naming table, column and value, and
// leaves every CHECK as it was (the step is one transaction).
func TestSyncStatusChecks(t *testing.T) {
	t.Parallel()
	b := setup(t) // a vehicle, active
	ctx := b.ctx
	plans := store.StatusColumn{Table: "plans", Column: "status", Values: append(slices.Clone(thugom.PlanStatuses), "archived")}
	vehicles := store.StatusColumn{Table: "vehicles", Column: "status", Values: without(thugom.VehicleStatuses, thugom.VehicleActive)}
	beforePlans := statusCheckDefs(t, b.db, "plans", "status")
	beforeVehicles := statusCheckDefs(t, b.db, "vehicles", "status")

	_, err := store.SyncStatusChecks(ctx, b.db.Pool, []store.StatusColumn{plans, vehicles})
	if err == nil {
		t.Fatal("the step dropped a status rows hold")
	}
	for _, w := range []string{"vehicles", "status", `"active"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %s", err, w)
		}
	}
	if got := statusCheckDefs(t, b.db, "plans", "status"); !slices.Equal(got, beforePlans) {
		t.Errorf("plans' CHECK after the failed step: %q, want %q", got, beforePlans)
	}
	if got := statusCheckDefs(t, b.db, "vehicles", "status"); !slices.Equal(got, beforeVehicles) {
		t.Errorf("vehicles' CHECK after the failed step: %q, want %q", got, beforeVehicles)
	}

	changes, err := store.SyncStatusChecks(ctx, b.db.Pool, []store.StatusColumn{plans})
	if err != nil || len(changes) != 1 || changes[0].Table != "plans" {
		t.Fatalf("adding a status: %v, %v; want plans remade", changes, err)
	}
	wantStatusChecks(t, b.db, []store.StatusColumn{plans})
	if changes, err := store.SyncStatusChecks(ctx, b.db.Pool, []store.StatusColumn{plans}); err != nil || len(changes) != 0 {
		t.Fatalf("a second run: %v, %v; want no change", changes, err)
	}
	// Back to the Go list: no row holds "archived", so it may go.
	res, err := store.Migrate(ctx, b.db.Pool)
	if err != nil || len(res.Checks) != 1 {
		t.Fatalf("migrate back: %+v, %v; want plans remade", res, err)
	}
	wantStatusChecks(t, b.db, store.StatusColumns)
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
	for _, c := range store.StatusColumns {
		all = append(all, c.Values...)
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
