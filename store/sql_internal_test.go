package store

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func TestQueriesLoad(t *testing.T) {
	for _, n := range []string{"MigrateLock", "MigrateUnlock"} {
		if !strings.Contains(query(n), "pg_advisory") {
			t.Errorf("query %s = %q", n, query(n))
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

// Every query call with a literal name in this package's Go files names a
// query of sql/*.sql, so a typo fails here rather than panicking at run
// time.
func TestEveryQueryNameExists(t *testing.T) {
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\bquery\("([A-Za-z0-9_]+)"\)`)
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			n++
			if _, ok := queries[m[1]]; !ok {
				t.Errorf("%s: query(%q) is not in sql/*.sql", f, m[1])
			}
		}
	}
	if n < 20 {
		t.Fatalf("found only %d Query calls: is the pattern stale?", n)
	}
}
