// Package revocation implements authn.RevokedSessions: it remembers revoked
// session tokens for as long as a cookie-cache entry issued for them could
// still be presented, so the cache path refuses them without a database
// read. Memory is the single-node adapter; several nodes need a shared
// store, since a revocation on one must be seen by all.
package revocation

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/beep/iam/application/authn"
)

// minSweepAt is the size below which Memory never sweeps: a sweep of a
// small map is not worth its pass.
const minSweepAt = 1024

// Memory is an in-memory authn.RevokedSessions, safe for concurrent use.
//
// It keys entries by the SHA-256 of the token rather than the token, so a
// heap dump or a debugger shows no usable secret (revoked tokens are dead,
// but storing secrets only as digests is a habit worth keeping).
//
// Expired entries are dropped when looked up and by a sweep that runs when
// the map reaches twice its size after the previous sweep. Each sweep is
// paid for by the inserts that doubled the map, so Revoke costs O(1)
// amortised, and the map never holds more than twice the live entries
// (plus minSweepAt), however many tokens are revoked over time.
type Memory struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	expires map[[sha256.Size]byte]time.Time
	sweepAt int
}

var _ authn.RevokedSessions = (*Memory)(nil)

// NewMemory remembers each revoked token for ttl, the cookie-cache max age;
// a ttl of zero or less remembers nothing (without a cookie cache there is
// nothing to refuse). now is the clock; nil means time.Now.
func NewMemory(ttl time.Duration, now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{ttl: ttl, now: now, expires: make(map[[sha256.Size]byte]time.Time), sweepAt: minSweepAt}
}

// Revoke implements authn.RevokedSessions. Revoking a token again restarts
// its ttl. It never fails.
func (m *Memory) Revoke(_ context.Context, tokens ...string) error {
	if m.ttl <= 0 {
		return nil
	}
	now := m.now()
	until := now.Add(m.ttl)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range tokens {
		m.expires[sha256.Sum256([]byte(t))] = until
	}
	if len(m.expires) >= m.sweepAt {
		m.sweep(now)
	}
	return nil
}

// IsRevoked implements authn.RevokedSessions. It never fails.
func (m *Memory) IsRevoked(_ context.Context, token string) (bool, error) {
	key := sha256.Sum256([]byte(token))
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	until, ok := m.expires[key]
	if !ok {
		return false, nil
	}
	if !now.Before(until) {
		delete(m.expires, key)
		return false, nil
	}
	return true, nil
}

// sweep keeps the live entries in a new map, since a Go map keeps the
// memory of its peak size after deletes, and sets the next sweep at twice
// what is left. m.mu must be held.
func (m *Memory) sweep(now time.Time) {
	live := 0
	for _, until := range m.expires {
		if now.Before(until) {
			live++
		}
	}
	kept := make(map[[sha256.Size]byte]time.Time, live)
	for key, until := range m.expires {
		if now.Before(until) {
			kept[key] = until
		}
	}
	m.expires = kept
	m.sweepAt = max(minSweepAt, 2*live)
}
