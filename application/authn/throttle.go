package authn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
)

// Throttling beyond better-auth's per-IP limits: failed sign-ins counted
// per account, whatever address they come from, and mails counted per
// recipient. Both are off when the ports are nil (RATE_LIMIT_ENABLED=false).

// AttemptCounter remembers streaks of failed attempts per key, shared by
// every node. A streak is a count and the time of its latest attempt.
type AttemptCounter interface {
	// Begin counts one attempt on key at now, unless the streak so far
	// blocks it under b: then it counts nothing and returns how long until
	// the next attempt may be made (> 0). Begin is atomic: of concurrent
	// calls on a blocked-to-be streak exactly as many pass as b allows. A
	// streak is forgotten b.Forget after its latest attempt. Errors are
	// the store's; the caller refuses the attempt on one.
	Begin(ctx context.Context, key string, now time.Time, b Backoff) (retryAfter time.Duration, err error)
	// Clear forgets key's streak (the attempt succeeded). Idempotent.
	Clear(ctx context.Context, key string) error
}

// SendLimiter counts events per key in windows: at most limit per window.
// The rest edge's per-IP limiter has the same method, so one adapter
// serves both.
type SendLimiter interface {
	// Allow counts one event on key and reports whether it is within the
	// limit; when it is not, retryAfter is how long until one will be.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (allowed bool, retryAfter time.Duration, err error)
}

// Backoff is the schedule of a failure streak: the first Free attempts
// are free; after the Free-th consecutive failure the next attempt waits
// Base, and every further failure doubles the wait up to Max; from Cap
// failures on every failure blocks for CapDelay. No attempt ever sleeps
// on the server: a blocked one is answered at once with its wait.
type Backoff struct {
	Free     int
	Base     time.Duration
	Max      time.Duration
	Cap      int
	CapDelay time.Duration
	// Forget is how long a streak is remembered after its latest attempt.
	Forget time.Duration
}

// Delay is how long a streak of n attempts blocks the next, counted from
// the latest: zero below Free.
func (b Backoff) Delay(n int) time.Duration {
	switch {
	case b.Cap > 0 && n >= b.Cap:
		return b.CapDelay
	case n < b.Free || b.Free <= 0:
		return 0
	}
	exp := n - b.Free
	if exp >= 62 || float64(b.Base)*math.Exp2(float64(exp)) >= float64(b.Max) {
		return b.Max
	}
	return b.Base << exp
}

// ThrottlePolicy holds the per-account and per-recipient limits.
type ThrottlePolicy struct {
	// SignIn is the schedule of failed sign-ins per account (by the
	// address signed into, known or not).
	SignIn Backoff
	// MailsPerRecipient is how many reset (and, separately, verification)
	// mails one address may be sent per MailWindow; 0 is no limit.
	MailsPerRecipient int
	MailWindow        time.Duration
}

// DefaultThrottlePolicy is Beep's: 20 free consecutive failures, then
// waits doubling from 30 s to an hour, and NIST's cap of 100 consecutive
// failures, after which each failure blocks the account for a day (a
// password reset clears it at once); 3 mails of each kind per hour per
// recipient.
var DefaultThrottlePolicy = ThrottlePolicy{
	SignIn: Backoff{
		Free: 20, Base: 30 * time.Second, Max: time.Hour,
		Cap: 100, CapDelay: 24 * time.Hour, Forget: 7 * 24 * time.Hour,
	},
	MailsPerRecipient: 3,
	MailWindow:        time.Hour,
}

// ThrottledError is a refused attempt: 429 with the standard message and
// a Retry-After. It says nothing about whether the account exists.
type ThrottledError struct {
	RetryAfter time.Duration
}

// errThrottled is what ThrottledError is, for the edge and errors.Is.
var errThrottled = failure.New(failure.RateLimited, "", "Too many requests. Please try again later.")

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("throttled for %s", e.RetryAfter)
}

// Unwrap makes it a failure.RateLimited.
func (e *ThrottledError) Unwrap() error { return errThrottled }

// RetryAfterDuration is how long the caller should wait.
func (e *ThrottledError) RetryAfterDuration() time.Duration { return e.RetryAfter }

// subjectKey names a subject (an address) in the counters without storing
// the address itself.
func subjectKey(kind string, email identity.Email) string {
	sum := sha256.Sum256([]byte(email))
	return kind + ":" + hex.EncodeToString(sum[:16])
}

// beginSignIn counts a sign-in attempt on the account of email before the
// password is checked, so concurrent guesses cannot slip past the limit.
// A store failure refuses the attempt (never fails open).
func (s *Service) beginSignIn(ctx context.Context, email identity.Email) error {
	if s.deps.Attempts == nil {
		return nil
	}
	wait, err := s.deps.Attempts.Begin(ctx, subjectKey("signin", email), s.deps.Clock.Now(), s.policy.Throttle.SignIn)
	if err != nil {
		return fmt.Errorf("count sign-in attempt: %w", err)
	}
	if wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	return nil
}

// clearSignIn ends the failure streak of email's account (a right
// password, a reset). A failure to forget only leaves the streak to expire.
func (s *Service) clearSignIn(ctx context.Context, email identity.Email) {
	if s.deps.Attempts != nil {
		_ = s.deps.Attempts.Clear(ctx, subjectKey("signin", email))
	}
}

// errMailSuppressed reports a mail withheld by the per-recipient limit.
var errMailSuppressed = errors.New("mail limit reached for recipient")

// allowMail counts a mail of kind to to and returns a *ThrottledError (wrapping
// errMailSuppressed) when the recipient has had enough of them.
func (s *Service) allowMail(ctx context.Context, kind mail.Kind, to identity.Email) error {
	p := s.policy.Throttle
	if s.deps.Sends == nil || p.MailsPerRecipient <= 0 {
		return nil
	}
	ok, wait, err := s.deps.Sends.Allow(ctx, subjectKey("mail:"+string(kind), to), p.MailsPerRecipient, p.MailWindow)
	if err != nil {
		return fmt.Errorf("count %s mail: %w", kind, err)
	}
	if !ok {
		return fmt.Errorf("%w: %w", errMailSuppressed, &ThrottledError{RetryAfter: wait})
	}
	return nil
}
