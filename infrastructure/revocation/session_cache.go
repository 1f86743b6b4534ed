package revocation

import (
	"context"
	"crypto/sha256"
	"maps"
	"sync"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
)

// DefaultSessionCacheSize bounds a SessionCache built with size zero.
const DefaultSessionCacheSize = 100_000

// SessionCache is the single-node authn.SessionCache, safe for concurrent
// use. Entries are keyed by the SHA-256 of the token and indexed by user,
// so a profile or context change drops all of a user's entries. An epoch
// counts invalidations: Put refuses a ticket from before the last one.
//
// It holds at most size entries: when full, a Put first sweeps expired
// entries and stores nothing if that frees no room (a miss costs one
// storage read; unbounded memory would cost the node).
type SessionCache struct {
	now  func() time.Time
	size int

	mu      sync.Mutex
	epoch   int64
	entries map[[sha256.Size]byte]cached
	byUser  map[identity.UserID]map[[sha256.Size]byte]struct{}
}

type cached struct {
	cur   authn.CurrentSession
	until time.Time
}

var _ authn.SessionCache = (*SessionCache)(nil)

// NewSessionCache returns an empty cache of at most size entries (zero:
// DefaultSessionCacheSize). now is the clock; nil means time.Now.
func NewSessionCache(size int, now func() time.Time) *SessionCache {
	if now == nil {
		now = time.Now
	}
	if size <= 0 {
		size = DefaultSessionCacheSize
	}
	return &SessionCache{
		now: now, size: size,
		entries: make(map[[sha256.Size]byte]cached),
		byUser:  make(map[identity.UserID]map[[sha256.Size]byte]struct{}),
	}
}

// Get implements authn.SessionCache. It never fails.
func (c *SessionCache) Get(_ context.Context, token string) (authn.CurrentSession, bool, authn.CacheTicket, error) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if ok && !c.now().Before(e.until) {
		c.drop(key)
		ok = false
	}
	if !ok {
		return authn.CurrentSession{}, false, authn.CacheTicket(c.epoch), nil
	}
	return clone(e.cur), true, authn.CacheTicket(c.epoch), nil
}

// Put implements authn.SessionCache. It never fails.
func (c *SessionCache) Put(_ context.Context, token string, ticket authn.CacheTicket, cur authn.CurrentSession, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if int64(ticket) != c.epoch {
		return nil // an invalidation ran while cur was read
	}
	now := c.now()
	if _, replacing := c.entries[key]; !replacing && len(c.entries) >= c.size {
		c.sweep(now)
		if len(c.entries) >= c.size {
			return nil
		}
	}
	c.drop(key) // the entry may move to another user's index
	c.entries[key] = cached{cur: clone(cur), until: now.Add(ttl)}
	u := cur.User.ID
	if c.byUser[u] == nil {
		c.byUser[u] = make(map[[sha256.Size]byte]struct{})
	}
	c.byUser[u][key] = struct{}{}
	return nil
}

// Forget implements authn.SessionCache. It never fails.
func (c *SessionCache) Forget(_ context.Context, tokens ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, t := range tokens {
		c.drop(sha256.Sum256([]byte(t)))
	}
	return nil
}

// ForgetUsers implements authn.SessionCache. It never fails.
func (c *SessionCache) ForgetUsers(_ context.Context, users ...identity.UserID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, u := range users {
		for key := range c.byUser[u] {
			delete(c.entries, key)
		}
		delete(c.byUser, u)
	}
	return nil
}

// drop removes one entry and its index. c.mu must be held.
func (c *SessionCache) drop(key [sha256.Size]byte) {
	e, ok := c.entries[key]
	if !ok {
		return
	}
	delete(c.entries, key)
	u := e.cur.User.ID
	delete(c.byUser[u], key)
	if len(c.byUser[u]) == 0 {
		delete(c.byUser, u)
	}
}

// sweep drops expired entries. c.mu must be held.
func (c *SessionCache) sweep(now time.Time) {
	for key, e := range c.entries {
		if !now.Before(e.until) {
			c.drop(key)
		}
	}
}

// clone copies the organization context, the one part of an entry a caller
// could change in place.
func clone(cur authn.CurrentSession) authn.CurrentSession {
	cur.Context = maps.Clone(cur.Context)
	return cur
}
