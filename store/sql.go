package store

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// The SQL of every query, in sql/*.sql files, one a table (or concern) by
// the noun it reads or writes. Each query is a block that starts with a line
// "-- name: QueryName" and runs to the next such line; names must be unique
// across files.
//
//go:embed sql/*.sql
var sqlFS embed.FS

var queries = mustLoadQueries(sqlFS, "sql")

// query returns the SQL of the named query. An unknown name is a programming
// error and panics; TestEveryQueryNameExists and the tests of each query
// catch it. It is the package's own: other packages call the functions
// that run the queries, never the SQL.
func query(name string) string {
	q, ok := queries[name]
	if !ok {
		panic("store: no query named " + name + " in store/sql/*.sql")
	}
	return q
}

func mustLoadQueries(fsys fs.FS, dir string) map[string]string {
	q, err := loadQueries(fsys, dir)
	if err != nil {
		panic(err)
	}
	return q
}

// loadQueries parses every .sql file of dir into name → SQL.
func loadQueries(fsys fs.FS, dir string) (map[string]string, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	where := map[string]string{}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		if err := parseQueries(f, string(data), out, where); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parseQueries(file, text string, out, where map[string]string) error {
	var name string
	var body strings.Builder
	lineNo, nameLine := 0, 0
	flush := func() error {
		if name == "" {
			if strings.TrimSpace(stripComments(body.String())) != "" {
				return fmt.Errorf("store: %s: SQL before the first '-- name:' line", file)
			}
			return nil
		}
		sql := strings.TrimSpace(body.String())
		if strings.TrimSpace(stripComments(sql)) == "" {
			return fmt.Errorf("store: %s:%d: query %s is empty", file, nameLine, name)
		}
		if prev, dup := where[name]; dup {
			return fmt.Errorf("store: %s:%d: query %s already defined in %s", file, nameLine, name, prev)
		}
		out[name] = sql
		where[name] = fmt.Sprintf("%s:%d", file, nameLine)
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-- name:"); ok {
			if err := flush(); err != nil {
				return err
			}
			name = strings.TrimSpace(rest)
			if i := strings.IndexAny(name, " \t"); i >= 0 { // allow sqlc-style ":one" suffixes
				name = name[:i]
			}
			if name == "" {
				return fmt.Errorf("store: %s:%d: empty query name", file, lineNo)
			}
			nameLine = lineNo
			body.Reset()
			continue
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return flush()
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "--") {
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}
