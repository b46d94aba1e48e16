package api

import (
	"errors"

	"github.com/thugom/thugom"
)

// Error codes: the application's (thugom.E*) plus the HTTP-only ones this
// package adds for bodies it cannot parse at all.
const (
	codeInvalid      = thugom.EInvalid
	codeNotFound     = thugom.ENotFound
	codeConflict     = thugom.EConflict
	codeUnauthorized = thugom.EUnauthorized
	codeForbidden    = thugom.EForbidden
	codeTooLarge     = thugom.ETooLarge
	codeInternal     = thugom.EInternal
	codeMalformed    = "malformed"   // 400: not JSON / not CSV
	codeUnsupported  = "unsupported" // 415: wrong Content-Type
)

// errf builds the application's one error type.
func errf(code, field, format string, args ...any) error {
	return thugom.Errorf(code, field, format, args...)
}

func appError(err error) (code, field string, line int, msg string, ok bool) {
	var e *thugom.Error
	if errors.As(err, &e) {
		return e.Code, e.Field, e.Line, e.Message, true
	}
	return "", "", 0, "", false
}
