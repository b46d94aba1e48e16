package sim

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every query call with a literal name in this package names a query of
// sim.sql, so a typo fails here rather than panicking mid-simulation; and
// every query of sim.sql is used.
func TestQueryNamesExist(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\bquery\("([A-Za-z0-9_]+)"\)`)
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
