package sim

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/thugom/thugom/store/pgtest"
)

// Every query (or eachRow) call with a literal name in this package names a query of
// sim.sql, so a typo fails here rather than panicking mid-simulation; and
// every query of sim.sql is used.
func TestQueryNamesExist(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\b(?:query\(|eachRow\(ctx, db, )"([A-Za-z0-9_]+)"`)
	used := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
			if _, ok := queries[m[1]]; !ok {
				t.Errorf("%s: query(%q) is not in sim.sql", f, m[1])
			}
		}
	}
	for n, q := range queries {
		if !used[n] {
			t.Errorf("query %s of sim.sql is not used", n)
		}
		if strings.TrimSpace(q) == "" {
			t.Errorf("query %s is empty", n)
		}
	}
}

// NoSyncCommit sets the database's commits not to wait for the disk.
func TestNoSyncCommit(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	var name, setting string
	if err := db.QueryRow(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if err := NoSyncCommit(ctx, db, name); err != nil {
		t.Fatal(err)
	}
	err := db.QueryRow(ctx, `SELECT array_to_string(s.setconfig, ',') FROM pg_db_role_setting s
		JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = $1`, name).Scan(&setting)
	if err != nil || setting != "synchronous_commit=off" {
		t.Fatalf("settings of %s: %q, %v", name, setting, err)
	}
}
