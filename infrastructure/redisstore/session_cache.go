package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// SessionCache is the shared authn.SessionCache. Keys:
//
//	sc:e:<token digest>  the entry (JSON), expiring with its ttl
//	sc:u:<user id>       the set of the user's entry digests
//	sc:epoch             the invalidation counter tickets are checked against
//
// The epoch starts at a random value when missing (a flushed or restarted
// Redis), so a ticket from before a restart cannot match a count that
// happens to reach it again.
type SessionCache struct {
	c *Client
}

var _ authn.SessionCache = (*SessionCache)(nil)

// NewSessionCache returns the session cache stored through c.
func NewSessionCache(c *Client) *SessionCache {
	return &SessionCache{c: c}
}

func (s *SessionCache) entryKey(token string) string { return s.c.key("sc", "e", digest(token)) }
func (s *SessionCache) userKey(u identity.UserID) string {
	return s.c.key("sc", "u", string(u))
}
func (s *SessionCache) epochKey() string { return s.c.key("sc", "epoch") }

// Get implements authn.SessionCache: the entry and the epoch in one round
// trip. A missing epoch is ticket 0, which Put accepts only while the
// epoch is still missing.
func (s *SessionCache) Get(ctx context.Context, token string) (authn.CurrentSession, bool, authn.CacheTicket, error) {
	var vals []any
	err := s.c.read(ctx, "session_cache_get", func(ctx context.Context) error {
		var err error
		vals, err = s.c.rdb.MGet(ctx, s.entryKey(token), s.epochKey()).Result()
		return err
	})
	if err != nil {
		return authn.CurrentSession{}, false, 0, err
	}
	var ticket int64
	if e, ok := vals[1].(string); ok {
		if ticket, err = strconv.ParseInt(e, 10, 64); err != nil {
			return authn.CurrentSession{}, false, 0, s.c.fail(ctx, "session_cache_get", fmt.Errorf("bad epoch %q", e))
		}
	}
	raw, ok := vals[0].(string)
	if !ok {
		return authn.CurrentSession{}, false, authn.CacheTicket(ticket), nil
	}
	var row entryRow
	if err := json.Unmarshal([]byte(raw), &row); err != nil {
		// An entry this version cannot read is a miss, not an outage.
		return authn.CurrentSession{}, false, authn.CacheTicket(ticket), nil
	}
	return row.toCurrent(token), true, authn.CacheTicket(ticket), nil
}

// putIfCurrent stores an entry unless the epoch moved past the ticket.
// KEYS: entry, user set, epoch. ARGV: ticket, value, ttl ms, digest.
var putIfCurrent = redis.NewScript(`
local e = redis.call('GET', KEYS[3]) or '0'
if e ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return 1`)

// Put implements authn.SessionCache. A failure costs only a later miss, so
// it is counted and logged but not queued.
func (s *SessionCache) Put(ctx context.Context, token string, ticket authn.CacheTicket, cur authn.CurrentSession, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	if ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	value, err := json.Marshal(fromCurrent(cur))
	if err != nil {
		return fmt.Errorf("encode session cache entry: %w", err)
	}
	return s.c.read(ctx, "session_cache_put", func(ctx context.Context) error {
		return putIfCurrent.Run(ctx, s.c.rdb,
			[]string{s.entryKey(token), s.userKey(cur.User.ID), s.epochKey()},
			strconv.FormatInt(int64(ticket), 10), value, ttl.Milliseconds(), digest(token)).Err()
	})
}

// bumpEpoch starts the epoch at ARGV[1] when missing, then counts one.
const bumpEpoch = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
redis.call('INCR', KEYS[1])
`

// forgetTokens: KEYS epoch, then entries. ARGV: epoch seed.
var forgetTokens = redis.NewScript(bumpEpoch + `
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1`)

// forgetUsers: KEYS epoch, then user sets. ARGV: epoch seed, entry key
// prefix.
var forgetUsers = redis.NewScript(bumpEpoch + `
for i = 2, #KEYS do
  for _, d in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    redis.call('DEL', ARGV[2] .. d)
  end
  redis.call('DEL', KEYS[i])
end
return 1`)

// Forget implements authn.SessionCache. A failure is queued for replay and
// returned.
func (s *SessionCache) Forget(ctx context.Context, tokens ...string) error {
	if len(tokens) == 0 {
		return nil
	}
	keys := []string{s.epochKey()}
	for _, t := range tokens {
		keys = append(keys, s.entryKey(t))
	}
	return s.c.write(ctx, "session_cache_forget", func(ctx context.Context, rdb *redis.Client) error {
		return forgetTokens.Run(ctx, rdb, keys, epochSeed()).Err()
	})
}

// ForgetUsers implements authn.SessionCache. A failure is queued for
// replay and returned.
func (s *SessionCache) ForgetUsers(ctx context.Context, users ...identity.UserID) error {
	if len(users) == 0 {
		return nil
	}
	keys := []string{s.epochKey()}
	for _, u := range users {
		keys = append(keys, s.userKey(u))
	}
	prefix := s.c.key("sc", "e", "")
	return s.c.write(ctx, "session_cache_forget_users", func(ctx context.Context, rdb *redis.Client) error {
		return forgetUsers.Run(ctx, rdb, keys, epochSeed(), prefix).Err()
	})
}

// epochSeed is a random start for a missing epoch, below 2^52 so that
// Lua's numbers (doubles) and INCR agree on it.
func epochSeed() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(errors.New("crypto/rand failed")) // never happens on supported platforms
	}
	return int64(binary.BigEndian.Uint64(b[:]) >> 12)
}

// entryRow is the stored form of a cache entry: domain types carry no
// JSON tags, and the stored shape must not change when they do. The
// session token is left out: the key holds its digest.
type entryRow struct {
	User     userRow           `json:"u"`
	Session  sessionRow        `json:"s"`
	Context  map[string]orgRow `json:"c"`
	LoadedAt time.Time         `json:"l"`
}

type userRow struct {
	ID            string    `json:"id"`
	Name          string    `json:"n"`
	Email         string    `json:"e"`
	EmailVerified bool      `json:"v"`
	Image         *string   `json:"i,omitempty"`
	CreatedAt     time.Time `json:"c"`
	UpdatedAt     time.Time `json:"u"`
}

type sessionRow struct {
	ID                   string    `json:"id"`
	UserID               string    `json:"uid"`
	ExpiresAt            time.Time `json:"x"`
	IPAddress            string    `json:"ip"`
	UserAgent            string    `json:"ua"`
	ActiveOrganizationID *string   `json:"a,omitempty"`
	DontRemember         bool      `json:"dr,omitempty"`
	CreatedAt            time.Time `json:"c"`
	UpdatedAt            time.Time `json:"u"`
}

type orgRow struct {
	Name             string `json:"n"`
	Type             string `json:"t"`
	Role             string `json:"r"`
	IsPersonal       bool   `json:"p"`
	SubscriptionTier string `json:"s"`
}

func fromCurrent(cur authn.CurrentSession) entryRow {
	u, s := cur.User, cur.Session
	row := entryRow{
		User: userRow{ID: string(u.ID), Name: u.Name, Email: string(u.Email), EmailVerified: u.EmailVerified,
			Image: u.Image, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt},
		Session: sessionRow{ID: string(s.ID), UserID: string(s.UserID), ExpiresAt: s.ExpiresAt,
			IPAddress: s.IPAddress, UserAgent: s.UserAgent, DontRemember: s.DontRemember,
			CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt},
		Context:  make(map[string]orgRow, len(cur.Context)),
		LoadedAt: cur.LoadedAt,
	}
	if s.ActiveOrganizationID != nil {
		a := string(*s.ActiveOrganizationID)
		row.Session.ActiveOrganizationID = &a
	}
	for id, o := range cur.Context {
		row.Context[string(id)] = orgRow{Name: o.Name, Type: string(o.Type), Role: o.Role,
			IsPersonal: o.IsPersonal, SubscriptionTier: string(o.SubscriptionTier)}
	}
	return row
}

// toCurrent rebuilds the entry of token (which is never stored: Redis
// holds only its digest).
func (row entryRow) toCurrent(token string) authn.CurrentSession {
	u, s := row.User, row.Session
	cur := authn.CurrentSession{
		User: identity.User{ID: identity.UserID(u.ID), Name: u.Name, Email: identity.Email(u.Email),
			EmailVerified: u.EmailVerified, Image: u.Image, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt},
		Session: session.Session{ID: session.ID(s.ID), Token: token, UserID: identity.UserID(s.UserID),
			ExpiresAt: s.ExpiresAt, IPAddress: s.IPAddress, UserAgent: s.UserAgent, DontRemember: s.DontRemember,
			CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt},
		Context:  make(session.OrganizationContext, len(row.Context)),
		LoadedAt: row.LoadedAt,
	}
	if s.ActiveOrganizationID != nil {
		a := organization.ID(*s.ActiveOrganizationID)
		cur.Session.ActiveOrganizationID = &a
	}
	for id, o := range row.Context {
		cur.Context[organization.ID(id)] = session.OrganizationSummary{Name: o.Name, Type: organization.Type(o.Type),
			Role: o.Role, IsPersonal: o.IsPersonal, SubscriptionTier: organization.Tier(o.SubscriptionTier)}
	}
	return cur
}
