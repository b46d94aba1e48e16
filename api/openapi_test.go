package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/thugom/thugom/api"
)

// The OpenAPI document is kept true by two checks: every chi route is in it
// (TestOpenAPIDocumentsEveryRoute), and every answer any test gets from the
// server matches the documented status, media type and schema
// (checkOpenAPI wraps the server of every test).

type oaDoc struct {
	OpenAPI    string                            `json:"openapi"`
	Paths      map[string]map[string]oaOperation `json:"paths"`
	Components struct {
		Schemas map[string]any `json:"schemas"`
	} `json:"components"`
}

type oaOperation struct {
	Responses map[string]struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

var (
	docOnce sync.Once
	doc     oaDoc
	docErr  error
)

func loadDoc(t testing.TB) *oaDoc {
	t.Helper()
	docOnce.Do(func() {
		rec := httptest.NewRecorder()
		api.New(api.Deps{}).ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
		if rec.Code != 200 {
			docErr = fmt.Errorf("GET /openapi.json: %d", rec.Code)
			return
		}
		docErr = json.Unmarshal(rec.Body.Bytes(), &doc)
	})
	if docErr != nil {
		t.Fatal(docErr)
	}
	return &doc
}

// docPath maps a chi pattern to the document's path.
func docPath(pattern string) string {
	if strings.HasSuffix(pattern, "/*") {
		return strings.TrimSuffix(pattern, "*") + "{path}"
	}
	return pattern
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	d := loadDoc(t)
	if d.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", d.OpenAPI)
	}
	dummy := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	h := api.New(api.Deps{Metrics: dummy, RiverUI: dummy})
	routes, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("api.New returns %T, not a chi router", h)
	}
	seen := map[string]bool{}
	err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		p := docPath(route)
		if p == "/admin/river/" {
			p = "/admin/river"
		}
		seen[strings.ToLower(method)+" "+p] = true
		if _, ok := d.Paths[p][strings.ToLower(method)]; !ok {
			t.Errorf("route %s %s is not in openapi.json (as %s)", method, route, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for p, ops := range d.Paths {
		for m := range ops {
			if !seen[m+" "+p] {
				stale = append(stale, m+" "+p)
			}
		}
	}
	sort.Strings(stale)
	for _, s := range stale {
		t.Errorf("openapi.json documents %s, which no route serves", s)
	}
}

// checkOpenAPI validates every answer of h against the document.
func checkOpenAPI(t testing.TB, h http.Handler) http.Handler {
	d := loadDoc(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := chi.NewRouteContext()
		r = r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
		rec := &recorder{ResponseWriter: w, status: 200}
		h.ServeHTTP(rec, r)
		pattern := rc.RoutePattern()
		if pattern == "" || rec.status == http.StatusMethodNotAllowed {
			return // no route: the 404 of the router itself
		}
		if r.Context().Err() != nil {
			return // the client went away: nobody reads the answer
		}
		body := rec.buf.Bytes()
		if rec.Header().Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err == nil {
				body, err = io.ReadAll(zr)
			}
			if err != nil {
				t.Errorf("OpenAPI: %s %s: bad gzip: %v", r.Method, pattern, err)
				return
			}
		}
		if err := d.check(r.Method, docPath(pattern), rec.status, rec.Header().Get("Content-Type"), body); err != nil {
			t.Errorf("OpenAPI: %s %s → %d: %v\n%s", r.Method, pattern, rec.status, err, trunc(body))
		}
	})
}

func trunc(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}

func (d *oaDoc) check(method, path string, status int, contentType string, body []byte) error {
	op, ok := d.Paths[path][strings.ToLower(method)]
	if !ok {
		return fmt.Errorf("%s %s is not documented", method, path)
	}
	res, ok := op.Responses[fmt.Sprint(status)]
	if !ok {
		return fmt.Errorf("status %d is not documented", status)
	}
	if len(res.Content) == 0 {
		if len(body) > 0 && status != http.StatusSeeOther {
			return fmt.Errorf("undocumented body")
		}
		return nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	media, ok := res.Content[mt]
	if !ok {
		if _, anyType := res.Content["*/*"]; !anyType {
			return fmt.Errorf("media type %q is not documented", mt)
		}
		return nil
	}
	if media.Schema == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	return d.validate(media.Schema, v, "$")
}

// validate checks v against a JSON Schema subset: $ref, type (or a list),
// properties, required, additionalProperties false, items, enum, oneOf.
func (d *oaDoc) validate(s map[string]any, v any, at string) error {
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		sub, ok := d.Components.Schemas[name].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: unknown schema %s", at, ref)
		}
		return d.validate(sub, v, at)
	}
	if alts, ok := s["oneOf"].([]any); ok {
		var errs []string
		for _, a := range alts {
			if err := d.validate(a.(map[string]any), v, at); err == nil {
				return nil
			} else {
				errs = append(errs, err.Error())
			}
		}
		return fmt.Errorf("%s: matches no alternative: %s", at, strings.Join(errs, "; "))
	}
	if t, ok := s["type"]; ok {
		var types []string
		switch x := t.(type) {
		case string:
			types = []string{x}
		case []any:
			for _, y := range x {
				types = append(types, y.(string))
			}
		}
		match := false
		for _, ty := range types {
			match = match || typeIs(ty, v)
		}
		if !match {
			return fmt.Errorf("%s: %T is not %v", at, v, types)
		}
	}
	if enum, ok := s["enum"].([]any); ok && v != nil {
		found := false
		for _, e := range enum {
			found = found || e == v
		}
		if !found {
			return fmt.Errorf("%s: %v not in %v", at, v, enum)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, r := range asStrings(s["required"]) {
			if _, ok := x[r]; !ok {
				return fmt.Errorf("%s: missing required %q", at, r)
			}
		}
		for k, val := range x {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if ap, ok := s["additionalProperties"].(bool); ok && !ap {
					return fmt.Errorf("%s: undocumented property %q", at, k)
				}
				continue
			}
			if err := d.validate(ps, val, at+"."+k); err != nil {
				return err
			}
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range x {
				if err := d.validate(items, it, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func typeIs(t string, v any) bool {
	switch t {
	case "null":
		return v == nil
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	}
	return false
}

func asStrings(v any) []string {
	var out []string
	if xs, ok := v.([]any); ok {
		for _, x := range xs {
			out = append(out, x.(string))
		}
	}
	return out
}
