package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// decodeJSON reads exactly one JSON object into dst, rejecting unknown
// fields, trailing data, and bodies that are not JSON. The errors name the
// field where they can.
func decodeJSON(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errf(codeUnsupported, "", "Content-Type must be application/json")
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errf(codeMalformed, "", "unreadable body: %v", err)
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errf(codeMalformed, "", "body must hold a single JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var (
		syn *json.SyntaxError
		ute *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &syn):
		return errf(codeMalformed, "", "malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.Is(err, io.EOF):
		return errf(codeMalformed, "", "empty body: a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errf(codeMalformed, "", "malformed JSON: unexpected end of body")
	case errors.As(err, &ute):
		field := ute.Field
		if field == "" {
			return errf(codeMalformed, "", "body must be a JSON object")
		}
		return errf(codeInvalid, field, "%s must be a %s, not %s", field, jsonKind(ute.Type.Kind().String()), ute.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errf(codeInvalid, name, "unknown field %q", name)
	default:
		return errf(codeMalformed, "", "malformed JSON: %v", err)
	}
}

func jsonKind(k string) string {
	switch k {
	case "int", "int32", "int64", "uint", "uint32", "uint64", "float32", "float64":
		return "number"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	case "bool":
		return "boolean"
	}
	return k
}

var _ = fmt.Sprintf
