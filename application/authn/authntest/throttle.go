package authntest

import (
	"context"
	"sync"
	"time"

	"github.com/beep/iam/application/authn"
)

// Limiter is an in-memory authn.SendLimiter (and rest.RateLimiter) with
// better-auth's window: a key's count resets once a full window has passed
// since its latest allowed hit. It tells time with Now.
type Limiter struct {
	Now func() time.Time

	mu   sync.Mutex
	hits map[string]limiterEntry
}

type limiterEntry struct {
	count int
	last  time.Time
}

var _ authn.SendLimiter = (*Limiter)(nil)

// NewLimiter returns an empty limiter on now.
func NewLimiter(now func() time.Time) *Limiter { return &Limiter{Now: now} }

// Allow implements authn.SendLimiter.
func (l *Limiter) Allow(_ context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.hits == nil {
		l.hits = map[string]limiterEntry{}
	}
	e, ok := l.hits[key]
	switch {
	case !ok || now.Sub(e.last) >= window:
		l.hits[key] = limiterEntry{count: 1, last: now}
		return true, 0, nil
	case e.count >= limit:
		return false, e.last.Add(window).Sub(now), nil
	}
	l.hits[key] = limiterEntry{count: e.count + 1, last: now}
	return true, 0, nil
}

// Attempts is an in-memory authn.AttemptCounter.
type Attempts struct {
	mu      sync.Mutex
	streaks map[string]limiterEntry
}

var _ authn.AttemptCounter = (*Attempts)(nil)

// Begin implements authn.AttemptCounter.
func (a *Attempts) Begin(_ context.Context, key string, now time.Time, b authn.Backoff) (time.Duration, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.streaks == nil {
		a.streaks = map[string]limiterEntry{}
	}
	e := a.streaks[key]
	if !e.last.IsZero() && now.Sub(e.last) >= b.Forget {
		e = limiterEntry{}
	}
	if d := b.Delay(e.count); d > 0 && now.Before(e.last.Add(d)) {
		return e.last.Add(d).Sub(now), nil
	}
	a.streaks[key] = limiterEntry{count: e.count + 1, last: now}
	return 0, nil
}

// Clear implements authn.AttemptCounter.
func (a *Attempts) Clear(_ context.Context, key string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.streaks, key)
	return nil
}
