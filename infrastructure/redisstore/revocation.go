package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/identity"
)

// digest is the hex SHA-256 of a token: Redis never holds a usable secret.
func digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RevokedSessions is the shared authn.RevokedSessions: one key per revoked
// token digest, expiring after the cookie-cache max age.
type RevokedSessions struct {
	c   *Client
	ttl time.Duration
}

var _ authn.RevokedSessions = (*RevokedSessions)(nil)

// NewRevokedSessions remembers each revoked token for ttl, the cookie-cache
// max age; zero or less remembers nothing (without a cookie cache there is
// nothing to refuse).
func NewRevokedSessions(c *Client, ttl time.Duration) *RevokedSessions {
	return &RevokedSessions{c: c, ttl: ttl}
}

// Revoke implements authn.RevokedSessions. Revoking again restarts the ttl.
// A failure is queued for replay and returned.
func (r *RevokedSessions) Revoke(ctx context.Context, tokens ...string) error {
	if r.ttl <= 0 || len(tokens) == 0 {
		return nil
	}
	keys := make([]string, len(tokens))
	for i, t := range tokens {
		keys[i] = r.c.key("rv", digest(t))
	}
	return r.c.write(ctx, "revoke", func(ctx context.Context, rdb *redis.Client) error {
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.Set(ctx, k, "1", r.ttl)
			}
			return nil
		})
		return err
	})
}

// IsRevoked implements authn.RevokedSessions. An error means Redis could
// not say; callers count it as revoked.
func (r *RevokedSessions) IsRevoked(ctx context.Context, token string) (bool, error) {
	var n int64
	err := r.c.read(ctx, "is_revoked", func(ctx context.Context) error {
		var err error
		n, err = r.c.rdb.Exists(ctx, r.c.key("rv", digest(token))).Result()
		return err
	})
	return n > 0, err
}

// ContextChanges is the shared authn.ContextChanges and
// tenancy.ContextChanges: per user, the last change time (Unix ms, the
// later of concurrent records wins), expiring after the cookie-cache max
// age.
type ContextChanges struct {
	c   *Client
	ttl time.Duration
	now func() time.Time
}

var (
	_ authn.ContextChanges   = (*ContextChanges)(nil)
	_ tenancy.ContextChanges = (*ContextChanges)(nil)
)

// NewContextChanges remembers each change for ttl, the cookie-cache max
// age; zero or less remembers nothing. now is the clock; nil is time.Now.
func NewContextChanges(c *Client, ttl time.Duration, now func() time.Time) *ContextChanges {
	if now == nil {
		now = time.Now
	}
	return &ContextChanges{c: c, ttl: ttl, now: now}
}

// recordLater keeps the later of the stored and the given change time and
// restarts the ttl: KEYS[1] the user's key, ARGV[1] ms, ARGV[2] ttl in ms.
var recordLater = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = tonumber(ARGV[1])
if at > cur then cur = at end
redis.call('SET', KEYS[1], cur, 'PX', ARGV[2])
return cur`)

// Record implements tenancy.ContextChanges. A failure is queued for replay
// (with the original change time) and returned.
func (c *ContextChanges) Record(ctx context.Context, users ...identity.UserID) error {
	if c.ttl <= 0 || len(users) == 0 {
		return nil
	}
	at := strconv.FormatInt(c.now().UnixMilli(), 10)
	ttl := strconv.FormatInt(c.ttl.Milliseconds(), 10)
	keys := make([]string, len(users))
	for i, u := range users {
		keys[i] = c.c.key("cc", string(u))
	}
	return c.c.write(ctx, "record_context_change", func(ctx context.Context, rdb *redis.Client) error {
		for _, k := range keys {
			if err := recordLater.Run(ctx, rdb, []string{k}, at, ttl).Err(); err != nil {
				return err
			}
		}
		return nil
	})
}

// ChangedSince implements authn.ContextChanges: true when the user's
// context changed at or after t, compared in milliseconds (an entry issued
// in the same millisecond as a change is read again). An error means Redis
// could not say; callers count it as changed.
func (c *ContextChanges) ChangedSince(ctx context.Context, userID identity.UserID, t time.Time) (bool, error) {
	var at int64
	err := c.c.read(ctx, "context_changed_since", func(ctx context.Context) error {
		v, err := c.c.rdb.Get(ctx, c.c.key("cc", string(userID))).Int64()
		at = v
		return errNil(err)
	})
	if err != nil {
		return false, err
	}
	return at > 0 && at >= t.UnixMilli(), nil
}
