// Package redisstore keeps Beep IAM's shared ephemeral state in Redis, so
// several server nodes agree: the revoked-session set and the
// organization-context changes the cookie-cache path checks, and the
// server-side session cache. Nothing here is durable state: losing Redis
// loses only cache entries and records that lapse within the cookie-cache
// max age anyway.
//
// The failure contract: every call is bounded by the client's timeouts;
// a read that fails returns an error, which callers treat as "revoked",
// "changed" or "miss" (never as permission); a write that fails is logged,
// counted (beep.iam.redis.failures) and remembered, and is replayed before
// this node trusts Redis again, so an invalidation lost to an outage cannot
// resurface as a stale hit once Redis returns. Recovery needs no restart.
//
// Keys share one prefix; multi-key scripts assume a single Redis (or a
// cluster with every key in one slot, which the {hash tag} in the prefix
// gives).
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// Options tune a Client. Zero values take the defaults.
type Options struct {
	// DialTimeout bounds opening a connection (default 1 s).
	DialTimeout time.Duration
	// ReadTimeout and WriteTimeout bound each command (default 500 ms):
	// a cache that answers slowly is worse than a database read.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// PoolTimeout bounds waiting for a free connection (default 1 s).
	PoolTimeout time.Duration
	// PoolSize is the connection pool size (default go-redis's, 10 per CPU).
	PoolSize int
	// Prefix starts every key (default "{beep:iam}:"). Tests use their own.
	Prefix string
	// RetryAfter is how long calls skip Redis after a failure (default
	// 1 s), so an outage costs requests no timeout each: they fall back at
	// once.
	RetryAfter time.Duration
	// MaxPending bounds the failed writes kept for replay (default 10000).
	MaxPending int
	// Logger receives failure and recovery reports (default slog.Default).
	Logger *slog.Logger
	// Meter makes the failure counter (default a no-op meter).
	Meter metric.Meter
}

// Client is a Redis connection pool with the failure bookkeeping every
// adapter of this package shares. It is safe for concurrent use.
type Client struct {
	rdb      *redis.Client
	prefix   string
	logger   *slog.Logger
	failures metric.Int64Counter

	replaying sync.Mutex // held while the queue is replayed

	mu         sync.Mutex
	pending    []pendingWrite
	maxPending int
	retryAfter time.Duration
	lost       int       // writes dropped from a full replay queue
	down       bool      // the last call failed; the next success is logged
	retryAt    time.Time // calls before it skip Redis
}

// pendingWrite is a failed write kept for replay.
type pendingWrite struct {
	op  string
	run func(ctx context.Context, rdb *redis.Client) error
}

// New connects to the Redis at rawURL (redis://… or rediss://…, as go-redis
// parses it). It does not dial: the first command does, and Ping checks.
func New(rawURL string, o Options) (*Client, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	opt.DialTimeout = orDefault(o.DialTimeout, time.Second)
	opt.ReadTimeout = orDefault(o.ReadTimeout, 500*time.Millisecond)
	opt.WriteTimeout = orDefault(o.WriteTimeout, 500*time.Millisecond)
	opt.PoolTimeout = orDefault(o.PoolTimeout, time.Second)
	if o.PoolSize > 0 {
		opt.PoolSize = o.PoolSize
	}
	// One retry at most: the caller has a fallback, waiting is worse.
	opt.MaxRetries = 1
	// Honour the caller's deadline too, not only the timeouts above.
	opt.ContextTimeoutEnabled = true
	// No CLIENT SETINFO or maintenance handshakes: older servers and
	// proxies refuse them, and they add round trips to every dial.
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}

	meter := o.Meter
	if meter == nil {
		meter = noop.NewMeterProvider().Meter("redisstore")
	}
	failures, err := meter.Int64Counter("beep.iam.redis.failures",
		metric.WithDescription("Redis calls that failed; the caller fell back (database, fail closed) or the write was queued for replay"))
	if err != nil {
		return nil, fmt.Errorf("redis failure counter: %w", err)
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	prefix := o.Prefix
	if prefix == "" {
		prefix = "{beep:iam}:"
	}
	maxPending := o.MaxPending
	if maxPending <= 0 {
		maxPending = 10_000
	}
	return &Client{rdb: redis.NewClient(opt), prefix: prefix, logger: logger, failures: failures,
		maxPending: maxPending, retryAfter: orDefault(o.RetryAfter, time.Second)}, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Ping checks that Redis answers, for readiness probes.
func (c *Client) Ping(ctx context.Context) error {
	return c.rdb.Ping(ctx).Err()
}

// Close closes the pool. Calls after Close fail (and fall back).
func (c *Client) Close() error {
	return c.rdb.Close()
}

// key is the full key of name.
func (c *Client) key(parts ...string) string {
	k := c.prefix
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

// errSkipped is the failure of a call made while Redis is known down.
var errSkipped = errors.New("skipped: redis failed recently")

// read runs a read after replaying pending writes: a node that knows of
// invalidations Redis has not seen must not trust what Redis says.
func (c *Client) read(ctx context.Context, op string, fn func(ctx context.Context) error) error {
	if err := c.replay(ctx); err != nil {
		return c.fail(ctx, op, err)
	}
	if err := fn(ctx); err != nil {
		return c.fail(ctx, op, err)
	}
	c.ok()
	return nil
}

// write queues an invalidation and runs the queue. When Redis fails the
// write stays queued for the next call (so it is applied, in order, once
// Redis returns) and the error is returned for the caller to report.
func (c *Client) write(ctx context.Context, op string, run func(ctx context.Context, rdb *redis.Client) error) error {
	c.enqueue(op, run)
	if err := c.replay(ctx); err != nil {
		return c.fail(ctx, op, err)
	}
	c.ok()
	return nil
}

// replay runs the queued writes in order, stopping at the first failure.
// One goroutine replays at a time; others fail at once (their reads fall
// back) rather than wait behind it.
func (c *Client) replay(ctx context.Context) error {
	c.mu.Lock()
	if len(c.pending) == 0 && c.lost == 0 {
		skip := time.Now().Before(c.retryAt)
		c.mu.Unlock()
		if skip {
			return errSkipped
		}
		return nil
	}
	if time.Now().Before(c.retryAt) {
		c.mu.Unlock()
		return errSkipped
	}
	c.mu.Unlock()
	if !c.replaying.TryLock() {
		return errors.New("replay of queued writes under way")
	}
	defer c.replaying.Unlock()
	for {
		c.mu.Lock()
		if len(c.pending) == 0 {
			lost := c.lost
			c.lost, c.pending = 0, nil
			c.mu.Unlock()
			if lost > 0 {
				c.logger.ErrorContext(ctx, "redis: invalidations were dropped from a full replay queue during an outage; cached data may be stale until it expires",
					"lost", lost)
			}
			return nil
		}
		w := c.pending[0]
		c.mu.Unlock()
		if err := w.run(ctx, c.rdb); err != nil {
			return fmt.Errorf("replay %s: %w", w.op, err)
		}
		c.mu.Lock()
		c.pending = c.pending[1:]
		c.mu.Unlock()
	}
}

func (c *Client) enqueue(op string, run func(ctx context.Context, rdb *redis.Client) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) >= c.maxPending {
		c.pending = c.pending[1:]
		c.lost++
	}
	c.pending = append(c.pending, pendingWrite{op: op, run: run})
}

// fail counts and logs a failure and returns it wrapped. The first failure
// of an outage logs at warn level, later ones at debug, so an outage does
// not flood the log; the counter sees them all.
func (c *Client) fail(ctx context.Context, op string, err error) error {
	c.failures.Add(ctx, 1, metric.WithAttributes(attribute.String("op", op)))
	c.mu.Lock()
	first := !c.down
	c.down = true
	if !errors.Is(err, errSkipped) {
		c.retryAt = time.Now().Add(c.retryAfter)
	}
	c.mu.Unlock()
	level := slog.LevelDebug
	if first {
		level = slog.LevelWarn
	}
	c.logger.Log(ctx, level, "redis unavailable; falling back", "op", op, "err", err)
	return fmt.Errorf("redis %s: %w", op, err)
}

func (c *Client) ok() {
	c.mu.Lock()
	recovered := c.down
	c.down = false
	c.mu.Unlock()
	if recovered {
		c.logger.Info("redis available again")
	}
}

// errNil reports redis.Nil (no such key) as nil.
func errNil(err error) error {
	if errors.Is(err, redis.Nil) {
		return nil
	}
	return err
}
