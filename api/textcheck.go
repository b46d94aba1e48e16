package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Text hygiene at the edge. Every string that enters the API passes here
// once: JSON fields (checkJSONText, from decodeJSON), CSV cells
// (checkText, from parseOrdersCSV), query parameters, the path, form fields
// and the headers the API reads (textGuard). PostgreSQL refuses NUL in text
// and invalid UTF-8 would be stored as mojibake, so both are answered 422
// naming the field before any handler runs.

// checkText returns a 422 naming field when s is not valid UTF-8 or holds
// a NUL (or another C0 control other than tab, newline and carriage return).
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return errf(codeInvalid, field, "%s is not valid UTF-8 text (byte %d)", fieldWord(field), invalidAt(s))
	}
	if i := controlAt(s); i >= 0 {
		return errf(codeInvalid, field, "%s contains a control character (U+%04X at byte %d)", fieldWord(field), s[i], i)
	}
	return nil
}

func fieldWord(field string) string {
	if field == "" {
		return "the text"
	}
	return field
}

func invalidAt(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return i
			}
		}
	}
	return -1
}

// controlAt is the index of the first C0 control other than tab, LF and
// CR, or -1.
func controlAt(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return i
		}
	}
	return -1
}

// checkJSONText walks a JSON body and checks every key and string value.
// The error names the field by its path (household.name, positions[2].note).
// A body that is not JSON is left to the decoder, which says so.
func checkJSONText(body []byte) error {
	if utf8.Valid(body) && bytes.IndexByte(body, 0) < 0 && !bytes.Contains(body, []byte(`\u00`)) {
		return nil // the common case: nothing to look at
	}
	bad := -1
	if !utf8.Valid(body) {
		bad = invalidAt(string(body))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		array bool
		index int
		key   string
		isKey bool // in an object, the next string token is a key
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				fmt.Fprintf(&b, "[%d]", f.index)
			} else if f.key != "" {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	// afterValue advances the enclosing container past one value.
	afterValue := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].isKey = true
			}
		}
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if bad >= 0 {
				return errf(codeInvalid, path(), "%s is not valid UTF-8 text (byte %d)", fieldWord(path()), bad)
			}
			return nil
		}
		end := dec.InputOffset()
		// The raw bytes of this token (Token skips separators first, so
		// start may sit before them; they are ASCII).
		rawBad := bad >= int(start) && bad < int(end)
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{isKey: true})
			case '[':
				stack = append(stack, frame{array: true})
			case '}', ']':
				stack = stack[:len(stack)-1]
				afterValue()
			}
		case string:
			n := len(stack)
			if n > 0 && !stack[n-1].array && stack[n-1].isKey {
				stack[n-1].key, stack[n-1].isKey = v, false
				if rawBad || checkText("", v) != nil {
					return errf(codeInvalid, path(), "the field name %q is not valid text", strings.ToValidUTF8(v, "\uFFFD"))
				}
				continue
			}
			if rawBad {
				return errf(codeInvalid, path(), "%s is not valid UTF-8 text (byte %d)", fieldWord(path()), bad)
			}
			if err := checkText(path(), v); err != nil {
				return err
			}
			afterValue()
		default:
			if rawBad {
				return errf(codeInvalid, path(), "%s is not valid UTF-8 text (byte %d)", fieldWord(path()), bad)
			}
			afterValue()
		}
	}
	if bad >= 0 {
		return errf(codeInvalid, "", "the body is not valid UTF-8 (byte %d)", bad)
	}
	return nil
}

// checkedHeaders are the request headers the API reads as text.
var checkedHeaders = []string{"Authorization", "Idempotency-Key", "If-None-Match", "Content-Type", "Origin"}

// textGuard checks the path, every query parameter, the headers the API
// reads and the fields of a small form body before routing.
func (s *server) textGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkRequestText(r); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func checkRequestText(r *http.Request) error {
	if err := checkText("path", r.URL.Path); err != nil {
		return err
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errf(codeMalformed, "", "malformed query string: %v", err)
	}
	for k, vs := range q {
		if err := checkText("query parameter", k); err != nil {
			return err
		}
		for _, v := range vs {
			if err := checkText(k, v); err != nil {
				return err
			}
		}
	}
	for _, h := range checkedHeaders {
		for _, v := range r.Header.Values(h) {
			if err := checkText(h, v); err != nil {
				return err
			}
		}
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt == "application/x-www-form-urlencoded" && r.ContentLength >= 0 && r.ContentLength <= maxFormBody && r.Body != nil {
			b, err := io.ReadAll(io.LimitReader(r.Body, maxFormBody+1))
			if err != nil {
				return errf(codeMalformed, "", "unreadable body")
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
			form, err := url.ParseQuery(string(b))
			if err != nil {
				return errf(codeMalformed, "", "malformed form body: %v", err)
			}
			for k, vs := range form {
				for _, v := range vs {
					if err := checkText(k, v); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}
