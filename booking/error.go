package booking

import (
	"errors"
	"fmt"
)

// Code is the machine-readable class of a domain error. The mockserver maps each code to
// an HTTP status in one table; the domain never speaks HTTP.
type Code string

const (
	EINVALID      Code = "invalid"      // the request is well-formed but breaks a booking rule (400)
	ENOTFOUND     Code = "not_found"    // the booking, seat, user or event type does not exist (404)
	ECONFLICT     Code = "conflict"     // the slot or seat is taken in a way Cal.com reports as 409
	EUNAUTHORIZED Code = "unauthorized" // the caller is not allowed and Cal.com says 401
	EFORBIDDEN    Code = "forbidden"    // the caller is not allowed and Cal.com says 403
	EINTERNAL     Code = "internal"     // a bug in the mock; never shown to clients in detail
)

// Origin records which layer of the real Cal.com server raises an error. It matters because
// the real API answers each layer's errors in a different envelope (behaviour notes §4.2):
// the API layer in the standard envelope, the shared booking core in Nest's bare fallback,
// the web app's tRPC handlers with a generic message. The mockserver picks the envelope
// from it; the domain only records the fact.
type Origin int

const (
	OriginAPI  Origin = iota // the API's own services: standard envelope (shape A)
	OriginCore               // the shared booking core: bare {statusCode, message} (shape E)
	OriginTRPC               // tRPC handlers shared with the web app: generic text (shape C)
)

// Error is a domain error: a code, the exact user-facing message the real API sends, and
// the origin that decides the envelope.
type Error struct {
	Code    Code
	Message string
	Origin  Origin
}

func (e *Error) Error() string { return fmt.Sprintf("booking: %s: %s", e.Code, e.Message) }

// Errorf returns an API-layer error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CoreErrorf returns an error raised by the shared booking core (bare envelope).
func CoreErrorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Origin: OriginCore}
}

// TRPCError returns an error raised by a tRPC handler; Cal.com hides its text, so only the
// code travels.
func TRPCError(code Code, internal string) *Error {
	return &Error{Code: code, Message: internal, Origin: OriginTRPC}
}

// ErrorCode returns the code of err, or EINTERNAL for anything that is not a domain error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err, or "Internal server error" for
// anything that is not a domain error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal server error"
}
