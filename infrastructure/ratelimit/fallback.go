package ratelimit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/beep/iam/application/authn"
)

// Store is what Fallback switches between: Redis and Memory both are one.
type Store interface {
	authn.AttemptCounter
	authn.SendLimiter
}

// Fallback uses primary (Redis) and, whenever it fails, secondary
// (Memory) for that call: a Redis outage never lifts a limit, it only
// makes the limits per node until Redis answers again. Each failure is
// counted (Failures, and OnFailure when set); the switch to the fallback
// and back are logged once each, not per request. After a failure the
// primary is skipped for SkipFor (1 s by default), so an outage costs
// requests no timeout each.
type Fallback struct {
	primary, secondary Store
	logger             *slog.Logger
	// OnFailure, when set, is called after each primary failure (a metric).
	OnFailure func(ctx context.Context)

	// SkipFor is how long the primary is left alone after a failure.
	SkipFor time.Duration
	// Now tells the time for SkipFor; time.Now if nil.
	Now func() time.Time

	failures atomic.Uint64
	down     atomic.Bool
	retryAt  atomic.Int64 // unix ns before which the primary is skipped
}

var (
	_ authn.AttemptCounter = (*Fallback)(nil)
	_ authn.SendLimiter    = (*Fallback)(nil)
)

// NewFallback returns a store that prefers primary and falls back to
// secondary, logging to logger (discarded if nil).
func NewFallback(primary, secondary Store, logger *slog.Logger) *Fallback {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Fallback{primary: primary, secondary: secondary, logger: logger}
}

// Failures is how many calls the primary has failed so far.
func (f *Fallback) Failures() uint64 { return f.failures.Load() }

// Allow asks primary, or secondary when primary fails.
func (f *Fallback) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	if f.usePrimary() {
		ok, wait, err := f.primary.Allow(ctx, key, limit, window)
		if f.observe(ctx, err) {
			return ok, wait, nil
		}
	}
	return f.secondary.Allow(ctx, key, limit, window)
}

// Begin asks primary, or secondary when primary fails.
func (f *Fallback) Begin(ctx context.Context, key string, now time.Time, b authn.Backoff) (time.Duration, error) {
	if f.usePrimary() {
		wait, err := f.primary.Begin(ctx, key, now, b)
		if f.observe(ctx, err) {
			return wait, nil
		}
	}
	return f.secondary.Begin(ctx, key, now, b)
}

// Clear clears both: a streak counted in memory during an outage must not
// outlive the success that ended it. The primary is always tried, even
// while it is being skipped: a success or a reset that could not reach
// Redis would leave the user throttled there once it answers again.
func (f *Fallback) Clear(ctx context.Context, key string) error {
	f.observe(ctx, f.primary.Clear(ctx, key)) // logged and counted there
	return f.secondary.Clear(ctx, key)
}

func (f *Fallback) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// usePrimary reports whether the primary is worth asking now.
func (f *Fallback) usePrimary() bool {
	return f.now().UnixNano() >= f.retryAt.Load()
}

// observe records the primary's outcome and reports whether it answered.
func (f *Fallback) observe(ctx context.Context, err error) bool {
	if err == nil {
		if f.down.CompareAndSwap(true, false) {
			f.logger.InfoContext(ctx, "rate limits: Redis answers again; limits are shared again")
		}
		return true
	}
	if ctx.Err() != nil {
		// The request was abandoned: not Redis's fault.
		return false
	}
	f.failures.Add(1)
	skip := f.SkipFor
	if skip <= 0 {
		skip = time.Second
	}
	f.retryAt.Store(f.now().Add(skip).UnixNano())
	if f.OnFailure != nil {
		f.OnFailure(ctx)
	}
	if f.down.CompareAndSwap(false, true) {
		f.logger.WarnContext(ctx, "rate limits: Redis failed; limiting in memory on this node until it answers", "error", err)
	}
	return false
}
