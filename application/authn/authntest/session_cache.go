package authntest

import (
	"context"
	"sync"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
)

// SessionCache is an in-memory authn.SessionCache without expiry that
// counts its calls.
type SessionCache struct {
	mu      sync.Mutex
	epoch   authn.CacheTicket
	entries map[string]authn.CurrentSession
	// Err, when set, is returned by every call (a cache outage).
	Err error
	// Hits counts Get calls that found an entry.
	Hits int
}

// Get implements authn.SessionCache.
func (c *SessionCache) Get(_ context.Context, token string) (authn.CurrentSession, bool, authn.CacheTicket, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Err != nil {
		return authn.CurrentSession{}, false, 0, c.Err
	}
	cur, ok := c.entries[token]
	if ok {
		c.Hits++
	}
	return cur, ok, c.epoch, nil
}

// Put implements authn.SessionCache.
func (c *SessionCache) Put(_ context.Context, token string, ticket authn.CacheTicket, cur authn.CurrentSession, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Err != nil {
		return c.Err
	}
	if ttl <= 0 || ticket != c.epoch {
		return nil
	}
	if c.entries == nil {
		c.entries = map[string]authn.CurrentSession{}
	}
	c.entries[token] = cur
	return nil
}

// Forget implements authn.SessionCache.
func (c *SessionCache) Forget(_ context.Context, tokens ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Err != nil {
		return c.Err
	}
	c.epoch++
	for _, t := range tokens {
		delete(c.entries, t)
	}
	return nil
}

// ForgetUsers implements authn.SessionCache.
func (c *SessionCache) ForgetUsers(_ context.Context, users ...identity.UserID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Err != nil {
		return c.Err
	}
	c.epoch++
	for _, u := range users {
		for t, cur := range c.entries {
			if cur.User.ID == u {
				delete(c.entries, t)
			}
		}
	}
	return nil
}

// Cached reports whether token has an entry.
func (c *SessionCache) Cached(token string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.entries[token]
	return ok
}
