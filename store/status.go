package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/thugom/thugom"
)

// StatusColumn is a status column of the database and the Go list of the
// values it may hold.
type StatusColumn struct {
	Table, Column string
	Values        []string
}

// StatusColumns are the database's status columns, each with its Go list
// (state.go): Migrate makes each column's CHECK constraint from its list, so
// a status added to a list reaches the database at the next migrate with no
// migration of its own.
var StatusColumns = []StatusColumn{
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

// CheckChange is a status column whose CHECK constraint Migrate remade from
// its Go list.
type CheckChange struct {
	Table, Column string
	Dropped       []string // the definitions of the CHECKs it replaced (none if the column had none)
	Values        []string // what the column allows now
}

func (c CheckChange) String() string {
	was := "no CHECK"
	if len(c.Dropped) > 0 {
		was = strings.Join(c.Dropped, "; ")
	}
	return fmt.Sprintf("%s.%s: allows %s (was %s)", c.Table, c.Column, strings.Join(c.Values, ", "), was)
}

// SyncStatusChecks makes the CHECK constraint of each column of cols from
// its list, under the migrations' lock, and returns what it changed. Migrate
// runs it with StatusColumns after the migrations; a test runs it with
// other lists.
func SyncStatusChecks(ctx context.Context, pool *pgxpool.Pool, cols []StatusColumn) ([]CheckChange, error) {
	var changes []CheckChange
	err := withMigrateLock(ctx, pool, func(conn *pgxpool.Conn) error {
		var err error
		changes, err = syncStatusChecks(ctx, conn, cols)
		return err
	})
	return changes, err
}

// syncStatusChecks is SyncStatusChecks on a connection that holds the
// migrations' lock. A column whose single-column CHECKs are exactly one
// that allows exactly its list is left alone; the others have their CHECKs
// dropped and <table>_<column>_check added from the list, all in one
// transaction: a value that rows still hold but the list lacks fails the
// whole step and leaves every constraint as it was.
func syncStatusChecks(ctx context.Context, conn *pgxpool.Conn, cols []StatusColumn) ([]CheckChange, error) {
	var changes []CheckChange
	err := InTx(ctx, conn, func(tx pgx.Tx) error {
		changes = nil
		for _, c := range cols {
			if len(c.Values) == 0 {
				return fmt.Errorf("status checks: %s.%s has an empty list", c.Table, c.Column)
			}
			checks, err := readStatusChecks(ctx, tx, c)
			if err != nil {
				return err
			}
			if len(checks) == 1 && sameValues(checks[0].values, c.Values) {
				continue
			}
			ch, err := remakeStatusCheck(ctx, tx, c, checks)
			if err != nil {
				return err
			}
			changes = append(changes, ch)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// statusCheck is one single-column CHECK constraint of a status column.
type statusCheck struct {
	name, def string
	values    []string // what it allows; nil if def is not a plain list of values
}

func readStatusChecks(ctx context.Context, tx pgx.Tx, c StatusColumn) ([]statusCheck, error) {
	rows, err := tx.Query(ctx, query("StatusChecks"), c.Table, c.Column)
	if err != nil {
		return nil, fmt.Errorf("status checks: read %s.%s: %w", c.Table, c.Column, err)
	}
	checks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (statusCheck, error) {
		var k statusCheck
		err := r.Scan(&k.name, &k.def)
		k.values = checkValues(c.Column, k.def)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("status checks: read %s.%s: %w", c.Table, c.Column, err)
	}
	return checks, nil
}

// remakeStatusCheck drops checks and adds the column's CHECK from its list,
// first making sure no row holds a value the list lacks.
func remakeStatusCheck(ctx context.Context, tx pgx.Tx, c StatusColumn, checks []statusCheck) (CheckChange, error) {
	ch := CheckChange{Table: c.Table, Column: c.Column, Values: slices.Clone(c.Values)}
	table, column := ident(c.Table), ident(c.Column)
	for _, k := range checks {
		if _, err := tx.Exec(ctx, fmt.Sprintf(query("StatusCheckDrop"), table, ident(k.name))); err != nil {
			return ch, fmt.Errorf("status checks: %s.%s: drop %s: %w", c.Table, c.Column, k.name, err)
		}
		ch.Dropped = append(ch.Dropped, k.def)
	}
	// The drop holds the table's ACCESS EXCLUSIVE lock: no row arrives
	// between this read and the add.
	rows, err := tx.Query(ctx, fmt.Sprintf(query("StatusValuesOutside"), table, column), c.Values)
	if err != nil {
		return ch, fmt.Errorf("status checks: %s.%s: %w", c.Table, c.Column, err)
	}
	outside, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return ch, fmt.Errorf("status checks: %s.%s: %w", c.Table, c.Column, err)
	}
	if len(outside) > 0 {
		return ch, fmt.Errorf("status checks: rows of %s hold %s %q, which its Go list %q lacks: the CHECK is left as it was",
			c.Table, c.Column, outside, c.Values)
	}
	lits := make([]string, len(c.Values))
	for i, v := range c.Values {
		if lits[i], err = quoteLiteral(v); err != nil {
			return ch, fmt.Errorf("status checks: %s.%s: %w", c.Table, c.Column, err)
		}
	}
	add := fmt.Sprintf(query("StatusCheckAdd"), table, ident(c.Table+"_"+c.Column+"_check"), column, strings.Join(lits, ", "))
	if _, err := tx.Exec(ctx, add); err != nil {
		return ch, fmt.Errorf("status checks: %s.%s: add: %w", c.Table, c.Column, err)
	}
	return ch, nil
}

// checkDef is the definition PostgreSQL gives back for a CHECK that a
// column is one of a list of text values, whether written IN (...) or
// = ANY (ARRAY[...]::text[]): CHECK ((status = ANY (ARRAY['a'::text, 'b'::text]))).
var (
	checkDef     = regexp.MustCompile(`^CHECK \(\(("[^"]+"|\w+) = ANY \(ARRAY\[((?:'(?:[^']|'')*'::text(?:, )?)+)\]\)\)\)$`)
	checkLiteral = regexp.MustCompile(`'((?:[^']|'')*)'::text`)
)

// checkValues returns the values a CHECK definition allows column to hold,
// or nil when the definition is anything else than such a list.
func checkValues(column, def string) []string {
	m := checkDef.FindStringSubmatch(def)
	if m == nil || m[1] != ident(column) && m[1] != column {
		return nil
	}
	var vals []string
	for _, l := range checkLiteral.FindAllStringSubmatch(m[2], -1) {
		vals = append(vals, strings.ReplaceAll(l[1], "''", "'"))
	}
	return vals
}

// sameValues reports whether a and b hold the same values, in any order.
func sameValues(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// quoteLiteral quotes s as an SQL string literal, as PostgreSQL's
// quote_literal does: quotes and backslashes doubled, and an E prefix when
// a backslash is there (so it reads the same whatever
// standard_conforming_strings says).
func quoteLiteral(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", errors.New("a status holds a NUL byte")
	}
	q := "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
	if strings.Contains(s, `\`) {
		q = "E" + q
	}
	return q, nil
}
