// Package mailer turns queued mail.Messages into emails and hands them to a
// transport: Resend in production, a log in development, memory in tests.
// Rendering uses embedded HTML and text templates; every user-controlled
// value is escaped in HTML and no value reaches a header unchecked.
package mailer

import (
	"context"
	"errors"
	"time"
)

// Email is a rendered email, ready for a transport.
type Email struct {
	From    string
	To      string
	Subject string
	HTML    string
	Text    string
	// IdempotencyKey is stable across retries of one queued email, so a
	// provider that supports it (Resend) never delivers it twice.
	IdempotencyKey string
}

// Transport delivers one email and returns the provider's message id.
// Errors are retryable unless they wrap ErrPermanent (the provider refused
// the email itself: a bad address, a rejected sender), in which case
// retrying cannot help.
type Transport interface {
	Send(ctx context.Context, e Email) (providerID string, err error)
}

// ErrPermanent marks a delivery failure that no retry will fix.
var ErrPermanent = errors.New("permanent delivery failure")

// RetryAfter is a retryable failure with the provider's own word on when
// to try again (a 429's Retry-After); a retry should wait at least After.
type RetryAfter struct {
	After time.Duration
	Err   error
}

func (e *RetryAfter) Error() string { return e.Err.Error() }

// Unwrap exposes the provider's error.
func (e *RetryAfter) Unwrap() error { return e.Err }
