package authn

import (
	"context"
	"errors"
	"time"

	"github.com/beep/iam/domain/identity"
)

// CacheTicket is what SessionCache.Get hands out with a miss: Put only
// stores an entry when no invalidation happened since the ticket was
// issued, so an answer read from storage while a revocation or a context
// change committed is never cached after that invalidation ran.
type CacheTicket int64

// SessionCache keeps recent GetSession answers (user, session and
// organization context), keyed by the session token (adapters store a
// digest of it, never the token), so a hit reads no storage. Entries live
// no longer than the TTL Put is given. Adapters: in memory for one node,
// Redis for many.
//
// Every change to what an entry holds must drop it: Forget when sessions
// end or change, ForgetUsers when a user's profile or organization context
// changes. Those calls are made after the change committed; the ticket of
// Get closes the race with a concurrent fill.
type SessionCache interface {
	// Get returns the entry for token and whether there was one, with a
	// ticket for filling it on a miss. An error means "unknown": the
	// caller reads storage and does not fill (a cache failure never
	// authenticates).
	Get(ctx context.Context, token string) (CurrentSession, bool, CacheTicket, error)
	// Put stores cur for token for ttl, unless an invalidation (Forget or
	// ForgetUsers, for any token or user) ran since ticket was issued; then
	// it stores nothing and returns nil. A ttl of zero or less stores
	// nothing.
	Put(ctx context.Context, token string, ticket CacheTicket, cur CurrentSession, ttl time.Duration) error
	// Forget drops the entries of tokens. Idempotent.
	Forget(ctx context.Context, tokens ...string) error
	// ForgetUsers drops every entry of the users. Idempotent.
	ForgetUsers(ctx context.Context, users ...identity.UserID) error
}

// noSessionCache is the cache of a service built without one: every
// lookup misses and nothing is kept.
type noSessionCache struct{}

func (noSessionCache) Get(context.Context, string) (CurrentSession, bool, CacheTicket, error) {
	return CurrentSession{}, false, 0, errors.New("no session cache")
}
func (noSessionCache) Put(context.Context, string, CacheTicket, CurrentSession, time.Duration) error {
	return nil
}
func (noSessionCache) Forget(context.Context, ...string) error               { return nil }
func (noSessionCache) ForgetUsers(context.Context, ...identity.UserID) error { return nil }

// cache is the session cache, or one that never hits.
func (s *Service) cache() SessionCache {
	if s.deps.SessionCache == nil {
		return noSessionCache{}
	}
	return s.deps.SessionCache
}

// cachedSession returns the cached answer to q when it can be served as
// is: live, for this token, and not due for a refresh the query asks for.
// Anything else goes to storage (which also deletes an expired session).
func (s *Service) cachedSession(cur CurrentSession, q SessionQuery, now time.Time) bool {
	if cur.Session.Token != q.Token || cur.Session.Expired(now) {
		return false
	}
	if q.DisableRefresh || q.DontRemember {
		return true
	}
	_, due := s.policy.Sessions.Refresh(cur.Session, now)
	return !due
}

// fillCache stores a fresh storage answer for at most the session's
// remaining life and the configured maximum. A failure only costs the
// next request a storage read, so it is not reported here (the adapter
// logs and counts it).
func (s *Service) fillCache(ctx context.Context, ticket CacheTicket, cur CurrentSession, now time.Time) {
	ttl := min(s.policy.SessionCacheTTL, cur.Session.ExpiresAt.Sub(now))
	if ttl <= 0 {
		return
	}
	cur.Refreshed = false
	_ = s.cache().Put(ctx, cur.Session.Token, ticket, cur, ttl)
}

// profileChanged drops the cached sessions of a user whose profile (name,
// image, email, verification) changed, after commit. It is best effort: a
// stale profile is not a security failure, so a cache outage must not fail
// the change (the adapter logs and counts it, and replays it when the
// cache returns). Revocations and organization-context changes, which are,
// report their failures.
func (s *Service) profileChanged(ctx context.Context, users ...identity.UserID) {
	_ = s.cache().ForgetUsers(ctx, users...)
}
