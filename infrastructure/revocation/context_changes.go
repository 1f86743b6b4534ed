package revocation

import (
	"context"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/identity"
)

// ContextChanges remembers when each user's organization context last
// changed (a membership, role or active organization), for as long as a
// cookie-cache entry issued before the change could still be presented, so
// the cache path reads such entries again from storage instead of serving a
// stale role. It is the single-node adapter, safe for concurrent use.
type ContextChanges struct {
	ttl     time.Duration
	now     func() time.Time
	changed *expiring[identity.UserID, time.Time]
}

var (
	_ authn.ContextChanges   = (*ContextChanges)(nil)
	_ tenancy.ContextChanges = (*ContextChanges)(nil)
)

// NewContextChanges remembers each change for ttl, the cookie-cache max
// age; zero or less remembers nothing. now is the clock; nil is time.Now.
func NewContextChanges(ttl time.Duration, now func() time.Time) *ContextChanges {
	if now == nil {
		now = time.Now
	}
	return &ContextChanges{ttl: ttl, now: now, changed: newExpiring[identity.UserID, time.Time]()}
}

// Record implements tenancy.ContextChanges. It never fails.
func (c *ContextChanges) Record(_ context.Context, users ...identity.UserID) error {
	if c.ttl <= 0 {
		return nil
	}
	now := c.now()
	for _, u := range users {
		c.changed.put(now, u, now, now.Add(c.ttl))
	}
	return nil
}

// ChangedSince implements authn.ContextChanges: true when the user's
// context changed at or after t (an entry issued in the same millisecond
// as a change is read again; it costs one storage read). It never fails.
func (c *ContextChanges) ChangedSince(_ context.Context, userID identity.UserID, t time.Time) (bool, error) {
	at, ok := c.changed.get(c.now(), userID)
	return ok && !at.Before(t), nil
}
