// Package failure is the closed error taxonomy of Beep IAM. Every error that
// crosses a layer boundary is, or wraps, an *Error with a Kind and, where the
// wire protocol names one, a better-auth error code. Callers test the kind
// with errors.Is(err, failure.ErrNotFound) and friends; the HTTP edge renders
// Kind and Code into a status and a {message, code} body in one place.
package failure

import "errors"

// Kind is the category of a failure. The set is closed on purpose: adapters
// translate whatever they see (driver errors, provider errors) into one of
// these at their boundary.
type Kind int

// The kinds. Each maps to one default HTTP status at the edge.
const (
	Invalid         Kind = iota + 1 // the input breaks a rule (400)
	NotFound                        // the thing does not exist (404, or a wire-specific answer)
	Conflict                        // the thing already exists or changed underneath (409/422)
	Forbidden                       // authenticated but not allowed (403)
	Unauthenticated                 // no valid credentials (401)
	RateLimited                     // too many attempts (429)
	Precondition                    // a required earlier step is missing (403/412)
	Unavailable                     // a dependency is down or overloaded (503)
)

var kindNames = map[Kind]string{
	Invalid: "invalid", NotFound: "not found", Conflict: "conflict", Forbidden: "forbidden",
	Unauthenticated: "unauthenticated", RateLimited: "rate limited", Precondition: "precondition failed",
	Unavailable: "unavailable",
}

// String names the kind in lower case, for logs.
func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "unknown"
}

// Error is a classified failure. Code is the machine-readable better-auth
// code (e.g. "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"), Message the English
// sentence sent to clients. Err, when set, is the underlying cause; it is
// logged but never sent.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Err     error
}

// New returns a failure of the given kind with a wire code and message.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Wrap classifies cause as kind, keeping it for logs and errors.Is.
func Wrap(kind Kind, cause error, message string) *Error {
	return &Error{Kind: kind, Message: message, Err: cause}
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.String()
	}
	if e.Code != "" {
		msg = e.Code + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// WithCause returns a copy of e that keeps cause for logs and errors.Is,
// and still matches e.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// Unwrap exposes the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error by kind alone when the target is a bare kind
// sentinel, and otherwise by kind, code and message. So errors.Is(err,
// ErrNotFound) asks "is it a not-found?", while errors.Is(err,
// identity.ErrUserAlreadyExists) asks for that exact failure, also for
// message-only failures without a code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t.Code == "" && t.Message == "" {
		return t.Kind == e.Kind
	}
	return t.Kind == e.Kind && t.Code == e.Code && t.Message == e.Message
}

// Kind-only sentinels for errors.Is.
var (
	ErrInvalid         = &Error{Kind: Invalid}
	ErrNotFound        = &Error{Kind: NotFound}
	ErrConflict        = &Error{Kind: Conflict}
	ErrForbidden       = &Error{Kind: Forbidden}
	ErrUnauthenticated = &Error{Kind: Unauthenticated}
	ErrRateLimited     = &Error{Kind: RateLimited}
	ErrPrecondition    = &Error{Kind: Precondition}
	ErrUnavailable     = &Error{Kind: Unavailable}
)

// KindOf returns the kind of the first *Error in err's chain, or 0 when err
// is unclassified (which the edge treats as an internal error).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
