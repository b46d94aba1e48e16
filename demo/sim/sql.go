package sim

import (
	_ "embed"
	"strings"
)

// The simulation's SQL: it reads the tables directly (it is a test
// harness), so its queries live here, not in the production store. Each
// query is a block of sim.sql starting with a line "-- name: QueryName".
//
//go:embed sim.sql
var simSQL string

var queries = splitQueries(simSQL + "\n" + carriersSQL)

// query returns the SQL of the named query of sim.sql; an unknown name is
// a programming error and panics (TestQueryNamesExist catches it).
func query(name string) string {
	q, ok := queries[name]
	if !ok {
		panic("sim: no query named " + name + " in demo/sim/sim.sql")
	}
	return q
}

// splitQueries cuts text at its "-- name:" lines into name → SQL.
func splitQueries(text string) map[string]string {
	out := map[string]string{}
	name := ""
	for _, line := range strings.SplitAfter(text, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-- name:"); ok {
			name = strings.TrimSpace(rest)
			continue
		}
		if name != "" {
			out[name] += line
		}
	}
	for n, q := range out {
		out[n] = strings.TrimSpace(q)
	}
	return out
}
