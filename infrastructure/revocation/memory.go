// Package revocation tells the cookie-cache path what it must stop
// trusting: revoked session tokens (Memory) and users whose organization
// context changed (ContextChanges). Each is remembered for as long as a
// cache entry issued before it could still be presented, so the cache path
// refuses or re-reads such entries without reading the database on every
// request. These are the single-node adapters; several nodes need a shared
// store, since a change on one must be seen by all.
package revocation

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/beep/iam/application/authn"
)

// Memory is an in-memory authn.RevokedSessions, safe for concurrent use.
//
// It keys entries by the SHA-256 of the token rather than the token, so a
// heap dump or a debugger shows no usable secret (revoked tokens are dead,
// but storing secrets only as digests is a habit worth keeping).
//
// Entries lapse after the ttl (see expiring), so memory stays bounded
// however many tokens are revoked over time.
type Memory struct {
	ttl     time.Duration
	now     func() time.Time
	revoked *expiring[[sha256.Size]byte, struct{}]
}

var _ authn.RevokedSessions = (*Memory)(nil)

// NewMemory remembers each revoked token for ttl, the cookie-cache max age;
// a ttl of zero or less remembers nothing (without a cookie cache there is
// nothing to refuse). now is the clock; nil means time.Now.
func NewMemory(ttl time.Duration, now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{ttl: ttl, now: now, revoked: newExpiring[[sha256.Size]byte, struct{}]()}
}

// Revoke implements authn.RevokedSessions. Revoking a token again restarts
// its ttl. It never fails.
func (m *Memory) Revoke(_ context.Context, tokens ...string) error {
	if m.ttl <= 0 {
		return nil
	}
	now := m.now()
	for _, t := range tokens {
		m.revoked.put(now, sha256.Sum256([]byte(t)), struct{}{}, now.Add(m.ttl))
	}
	return nil
}

// IsRevoked implements authn.RevokedSessions. It never fails.
func (m *Memory) IsRevoked(_ context.Context, token string) (bool, error) {
	_, ok := m.revoked.get(m.now(), sha256.Sum256([]byte(token)))
	return ok, nil
}
