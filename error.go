package thugom

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the api package.
const (
	EInvalid      = "invalid"      // bad input: 400/422
	ENotFound     = "not_found"    // 404
	EConflict     = "conflict"     // 409: duplicate or state conflict
	EUnauthorized = "unauthorized" // 401
	EForbidden    = "forbidden"    // 403
	ETooLarge     = "too_large"    // 413
	EInternal     = "internal"     // 500
)

// Error is the one error type of the application that a user may see. Field
// names the input field at fault (JSON name or CSV column) and Line the CSV
// line (1-based, 0 when not applicable).
type Error struct {
	Code    string
	Field   string
	Line    int
	Message string
}

// Sentinels for errors.Is: errors.Is(err, thugom.ErrNotFound) matches any
// *Error with Code ENotFound.
var (
	ErrInvalid      = &Error{Code: EInvalid, Message: "invalid input"}
	ErrNotFound     = &Error{Code: ENotFound, Message: "not found"}
	ErrConflict     = &Error{Code: EConflict, Message: "conflict"}
	ErrUnauthorized = &Error{Code: EUnauthorized, Message: "unauthorized"}
	ErrForbidden    = &Error{Code: EForbidden, Message: "forbidden"}
	ErrTooLarge     = &Error{Code: ETooLarge, Message: "too large"}
)

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Line > 0 {
		msg = fmt.Sprintf("line %d: %s", e.Line, msg)
	}
	return msg
}

// Is matches errors with the same code, so the sentinels match any Error of
// their kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errorf returns an *Error with the code, the field at fault (may be empty)
// and a formatted message.
func Errorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, EInternal for any
// other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the message of the *Error in err's chain; other errors
// give a generic text so internal details never reach a user.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
