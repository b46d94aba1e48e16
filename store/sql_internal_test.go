package store

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestQueriesLoad(t *testing.T) {
	for _, n := range []string{"MigrateLock", "MigrateUnlock"} {
		if !strings.Contains(Query(n), "pg_advisory") {
			t.Errorf("query %s = %q", n, Query(n))
		}
	}
}

func TestParseQueries(t *testing.T) {
	fsys := fstest.MapFS{
		"sql/a.sql": {Data: []byte("-- header comment\n-- name: One\nSELECT 1;\n\n-- name: Two :many\n-- a comment\nSELECT 2\nFROM x;\n")},
	}
	q, err := loadQueries(fsys, "sql")
	if err != nil {
		t.Fatal(err)
	}
	if q["One"] != "SELECT 1;" || q["Two"] != "-- a comment\nSELECT 2\nFROM x;" {
		t.Fatalf("parsed %q", q)
	}
	for name, text := range map[string]string{
		"duplicate":    "-- name: A\nSELECT 1;\n-- name: A\nSELECT 2;\n",
		"empty":        "-- name: A\n-- only a comment\n",
		"before name":  "SELECT 1;\n-- name: A\nSELECT 2;\n",
		"missing name": "-- name:\nSELECT 1;\n",
	} {
		_, err := loadQueries(fstest.MapFS{"sql/x.sql": {Data: []byte(text)}}, "sql")
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
