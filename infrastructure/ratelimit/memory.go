// Package ratelimit holds the counters behind Beep IAM's limits: per-key
// windows for the edge's per-IP limits and the per-recipient mail limits
// (rest.RateLimiter, authn.SendLimiter), and failure streaks for the
// per-account sign-in backoff (authn.AttemptCounter).
//
// Memory keeps them in this process (one node); Redis shares them between
// nodes; Fallback uses Redis and, while Redis fails, Memory, so an outage
// never lifts a limit. Every adapter takes its time from a clock the caller
// gives (tests move a fake one); Redis stores that time, so nodes should
// keep their clocks in sync (NTP), as they must for sessions anyway.
//
// The window is better-auth's (pkg/api/rate-limiter): a key's count resets
// once a full window has passed since its latest allowed hit; until then at
// most limit hits are allowed, and a refused hit waits for the window to
// pass from the latest allowed one.
package ratelimit

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/beep/iam/application/authn"
)

// Defaults of Memory.
const (
	// DefaultMaxKeys bounds the keys Memory tracks (about 100 bytes each).
	DefaultMaxKeys = 1 << 20
	// sweepEvery is how often, at most, Memory drops expired keys.
	sweepEvery = time.Minute
)

// overflowKey is the one bucket, per limit and window, shared by every key
// Memory cannot track once full: a flood of fresh keys (spoofed IPv6
// prefixes, random addresses) is still limited, as one client, instead of
// evicting real clients' counts or growing without bound.
const overflowKey = "\x00overflow"

// entry is one key's state: a window count or a failure streak.
type entry struct {
	count   int
	last    time.Time // the latest counted hit
	expires time.Time
}

// Memory is an in-process store. It is safe for concurrent use; its size
// is bounded by MaxKeys and expired keys are swept as it is used.
type Memory struct {
	now     func() time.Time
	maxKeys int

	mu        sync.Mutex
	windows   map[string]*entry
	streaks   map[string]*entry
	lastSweep time.Time
}

var (
	_ authn.AttemptCounter = (*Memory)(nil)
	_ authn.SendLimiter    = (*Memory)(nil)
)

// NewMemory returns an empty store that tells time with now (time.Now if
// nil) and tracks at most maxKeys keys of each kind (DefaultMaxKeys if
// ≤ 0).
func NewMemory(now func() time.Time, maxKeys int) *Memory {
	if now == nil {
		now = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &Memory{now: now, maxKeys: maxKeys, windows: map[string]*entry{}, streaks: map[string]*entry{}}
}

// Allow counts a hit on key: allowed while fewer than limit hits fell in
// the window. It never fails.
func (m *Memory) Allow(_ context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	e := m.slot(m.windows, key, limit, window, now)
	if e.count == 0 || now.Sub(e.last) >= window {
		e.count, e.last, e.expires = 1, now, now.Add(window)
		return true, 0, nil
	}
	if e.count >= limit {
		return false, retryAfter(e.last.Add(window).Sub(now), window), nil
	}
	e.count++
	e.last, e.expires = now, now.Add(window)
	return true, 0, nil
}

// Begin counts an attempt on key's streak unless b blocks it at now.
// It never fails.
func (m *Memory) Begin(_ context.Context, key string, now time.Time, b authn.Backoff) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	e := m.streak(key, b, now)
	if e == nil {
		// Full of streaks that all block: a flood of a million accounts,
		// each past its free failures. This key goes uncounted rather than
		// share a streak with the flood (a shared streak would lock every
		// user out); the per-IP limits still hold.
		return 0, nil
	}
	if !e.expires.IsZero() && !now.Before(e.expires) {
		*e = entry{}
	}
	if d := b.Delay(e.count); d > 0 && now.Before(e.last.Add(d)) {
		return e.last.Add(d).Sub(now), nil
	}
	e.count++
	e.last, e.expires = now, now.Add(b.Forget)
	return 0, nil
}

// Clear forgets key's streak.
func (m *Memory) Clear(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.streaks, key)
	return nil
}

// Len is how many keys are tracked, expired or not (for tests and
// metrics).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.windows) + len(m.streaks)
}

// streak returns key's failure streak, creating it. When the table is
// full, streaks that block nothing yet (fewer failures than b.Free) make
// room: never an overflow streak shared by everyone, which an attacker
// could fill to lock every account out. nil when every streak blocks.
func (m *Memory) streak(key string, b authn.Backoff, now time.Time) *entry {
	if e, ok := m.streaks[key]; ok {
		return e
	}
	if len(m.streaks) >= m.maxKeys {
		m.sweepTable(m.streaks, now)
	}
	if len(m.streaks) >= m.maxKeys {
		for k, e := range m.streaks {
			if e.count < b.Free {
				delete(m.streaks, k)
			}
		}
	}
	if len(m.streaks) >= m.maxKeys {
		return nil
	}
	e := &entry{}
	m.streaks[key] = e
	return e
}

// slot returns key's entry in table, creating it; when the table is full,
// the shared overflow entry of this limit and window.
func (m *Memory) slot(table map[string]*entry, key string, limit int, window time.Duration, now time.Time) *entry {
	if e, ok := table[key]; ok {
		return e
	}
	if len(table) >= m.maxKeys {
		m.sweepTable(table, now)
	}
	if len(table) >= m.maxKeys {
		key = overflowKey + "|" + window.String() + "|" + strconv.Itoa(limit)
		if e, ok := table[key]; ok {
			return e
		}
	}
	e := &entry{}
	table[key] = e
	return e
}

// sweep drops expired entries at most once per sweepEvery.
func (m *Memory) sweep(now time.Time) {
	if now.Sub(m.lastSweep) < sweepEvery && !now.Before(m.lastSweep) {
		return
	}
	m.lastSweep = now
	m.sweepTable(m.windows, now)
	m.sweepTable(m.streaks, now)
}

func (m *Memory) sweepTable(table map[string]*entry, now time.Time) {
	for k, e := range table {
		if !now.Before(e.expires) {
			delete(table, k)
		}
	}
}

// retryAfter bounds a wait to (0, window]: a clock that went backwards
// must not ask for more than a window, and a wait is never zero.
func retryAfter(d, window time.Duration) time.Duration {
	switch {
	case d > window:
		return window
	case d <= 0:
		return time.Millisecond
	}
	return d
}
