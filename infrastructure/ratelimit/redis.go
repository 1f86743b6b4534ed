package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/beep/iam/application/authn"
)

// DefaultPrefix starts every key Redis writes.
const DefaultPrefix = "beep:iam:rl:"

// allowScript is Memory.Allow in one atomic step. KEYS[1] is the key's
// hash {c: count, l: latest allowed hit in ms}; ARGV: now ms, limit,
// window ms. It returns {1, 0} when allowed, else {0, wait ms}.
var allowScript = redis.NewScript(`
local now, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local v = redis.call('HMGET', KEYS[1], 'c', 'l')
local c, l = tonumber(v[1]), tonumber(v[2])
if c == nil or l == nil or now - l >= window then
  redis.call('HSET', KEYS[1], 'c', 1, 'l', now)
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0}
end
if c >= limit then
  return {0, l + window - now}
end
redis.call('HSET', KEYS[1], 'c', c + 1, 'l', now)
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
`)

// beginScript is Memory.Begin in one atomic step: KEYS[1] is the streak's
// hash {n: attempts, l: latest attempt in ms}; ARGV: now ms, then the
// Backoff (free, base ms, max ms, cap, cap delay ms, forget ms). It
// returns 0 when the attempt is counted, else the wait in ms. The delay
// formula is authn.Backoff.Delay's; the contract tests hold them equal.
var beginScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local free, base, max, cap, capDelay, forget = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local v = redis.call('HMGET', KEYS[1], 'n', 'l')
local n, l = tonumber(v[1]) or 0, tonumber(v[2]) or 0
local d = 0
if cap > 0 and n >= cap then
  d = capDelay
elseif free > 0 and n >= free then
  local e = n - free
  if e >= 62 or base * (2 ^ e) >= max then d = max else d = base * (2 ^ e) end
end
if d > 0 and now < l + d then
  return l + d - now
end
redis.call('HSET', KEYS[1], 'n', n + 1, 'l', now)
redis.call('PEXPIRE', KEYS[1], forget)
return 0
`)

// Redis is a store shared by every node through one Redis server (or
// cluster: each operation touches one key).
type Redis struct {
	client redis.UniversalClient
	now    func() time.Time
	prefix string
}

var (
	_ authn.AttemptCounter = (*Redis)(nil)
	_ authn.SendLimiter    = (*Redis)(nil)
)

// NewRedis returns a store on client that tells time with now (time.Now
// if nil) and names its keys DefaultPrefix + key.
func NewRedis(client redis.UniversalClient, now func() time.Time) *Redis {
	if now == nil {
		now = time.Now
	}
	return &Redis{client: client, now: now, prefix: DefaultPrefix}
}

// DialRedis returns a store on its own connection pool to the Redis at
// rawURL (redis://… or rediss://…), with timeouts short enough that a
// failing Redis costs a request little before Fallback takes over. It
// does not dial: the first command does.
func DialRedis(rawURL string, now func() time.Time) (*Redis, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	opt.DialTimeout = time.Second
	opt.ReadTimeout = 300 * time.Millisecond
	opt.WriteTimeout = 300 * time.Millisecond
	opt.PoolTimeout = time.Second
	opt.MaxRetries = 1
	opt.ContextTimeoutEnabled = true
	// No CLIENT SETINFO or maintenance handshakes: older servers and
	// proxies refuse them.
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return NewRedis(redis.NewClient(opt), now), nil
}

// Close closes the connection pool.
func (r *Redis) Close() error { return r.client.Close() }

// WithPrefix returns a copy of r whose keys start with prefix instead
// (tests isolate themselves with one).
func (r *Redis) WithPrefix(prefix string) *Redis {
	c := *r
	c.prefix = prefix
	return &c
}

// Allow counts a hit on key. Errors are Redis's (unreachable, timed out).
func (r *Redis) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	res, err := allowScript.Run(ctx, r.client, []string{r.prefix + "w:" + key},
		r.now().UnixMilli(), limit, max(window.Milliseconds(), 1)).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("redis rate limit: %w", err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("redis rate limit: unexpected reply %v", res)
	}
	if res[0] == 1 {
		return true, 0, nil
	}
	return false, retryAfter(time.Duration(res[1])*time.Millisecond, window), nil
}

// Begin counts an attempt on key's streak unless b blocks it at now.
func (r *Redis) Begin(ctx context.Context, key string, now time.Time, b authn.Backoff) (time.Duration, error) {
	wait, err := beginScript.Run(ctx, r.client, []string{r.prefix + "s:" + key}, now.UnixMilli(),
		b.Free, b.Base.Milliseconds(), b.Max.Milliseconds(), b.Cap, b.CapDelay.Milliseconds(),
		max(b.Forget.Milliseconds(), 1)).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis attempt counter: %w", err)
	}
	return time.Duration(wait) * time.Millisecond, nil
}

// Clear forgets key's streak.
func (r *Redis) Clear(ctx context.Context, key string) error {
	if err := r.client.Del(ctx, r.prefix+"s:"+key).Err(); err != nil {
		return fmt.Errorf("redis attempt counter: %w", err)
	}
	return nil
}
