package module

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.uber.org/fx"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/infrastructure/ratelimit"
	"github.com/beep/iam/interfaces/rest"
	"github.com/beep/iam/runtime/config"
)

// RateLimits provides the counters behind every limit (Redis when
// REDIS_URL is set, falling back to memory while it fails; memory
// otherwise) and wires them in: the per-IP limits and trusted proxies into
// the edge's rest.Config, the per-account and per-recipient limits into
// authn. With RATE_LIMIT_ENABLED=false no counter exists and every limit
// is off; trusted proxies still decide the sessions' client address.
//
// It is fx.Options, not fx.Module, on purpose: its decorations of
// rest.Config and authn.Policy must reach the app and auth modules, and
// only root-level decorations do.
var RateLimits = fx.Options(
	fx.Provide(
		newRateLimitStore,
		func(s rateLimitStore) authn.AttemptCounter { return s.attempts() },
		func(s rateLimitStore) authn.SendLimiter { return s.sends() },
	),
	fx.Decorate(withRateLimits, withThrottlePolicy),
)

// rateLimitStore is the counters, or none when limits are off.
type rateLimitStore struct {
	store   ratelimit.Store // nil: limits off
	limited metric.Int64Counter
}

// attempts and sends are the store as authn's ports: a nil interface when
// limits are off, which authn reads as "no limit".
func (s rateLimitStore) attempts() authn.AttemptCounter {
	if s.store == nil {
		return nil
	}
	return s.store
}

func (s rateLimitStore) sends() authn.SendLimiter {
	if s.store == nil {
		return nil
	}
	return s.store
}

func newRateLimitStore(lc fx.Lifecycle, c config.Config, logger *slog.Logger, mp *sdkmetric.MeterProvider) (rateLimitStore, error) {
	if !c.RateLimit.Enabled {
		logger.Warn("rate limiting is off (RATE_LIMIT_ENABLED=false): sign-in, sign-up and mail endpoints are unprotected against brute force")
		return rateLimitStore{}, nil
	}
	meter := mp.Meter("github.com/beep/iam/ratelimit")
	limited, err := meter.Int64Counter("beep.iam.ratelimit.limited",
		metric.WithDescription("requests refused 429 by the per-IP rate limits"))
	if err != nil {
		return rateLimitStore{}, err
	}
	memory := ratelimit.NewMemory(time.Now, 0)
	if c.RedisURL == "" {
		return rateLimitStore{store: memory, limited: limited}, nil
	}
	redis, err := ratelimit.DialRedis(c.RedisURL, time.Now)
	if err != nil {
		return rateLimitStore{}, err
	}
	lc.Append(fx.StopHook(redis.Close))
	fallbacks, err := meter.Int64Counter("beep.iam.ratelimit.redis_failures",
		metric.WithDescription("rate-limit calls Redis failed; the node limited in memory instead"))
	if err != nil {
		return rateLimitStore{}, err
	}
	f := ratelimit.NewFallback(redis, memory, logger)
	f.OnFailure = func(ctx context.Context) { fallbacks.Add(ctx, 1) }
	return rateLimitStore{store: f, limited: limited}, nil
}

// withRateLimits adds the per-IP limits and the trusted proxies to the
// edge's configuration.
func withRateLimits(rc rest.Config, c config.Config, s rateLimitStore) rest.Config {
	rc.TrustedProxies = c.RateLimit.TrustedProxies
	if s.store == nil {
		return rc
	}
	rules := make([]rest.RateLimitRule, len(c.RateLimit.Rules))
	for i, r := range c.RateLimit.Rules {
		rules[i] = rest.RateLimitRule{Path: r.Path, Max: r.Max, Window: r.Window}
	}
	rc.RateLimit = rest.RateLimit{
		Limiter: countRefusals{RateLimiter: s.store, limited: s.limited},
		Window:  c.RateLimit.Window,
		Max:     c.RateLimit.Max,
		Rules:   rules,
	}
	return rc
}

// withThrottlePolicy sets the per-account and per-recipient limits.
func withThrottlePolicy(p authn.Policy, c config.Config) authn.Policy {
	rl := c.RateLimit
	p.Throttle = authn.ThrottlePolicy{
		SignIn: authn.Backoff{
			Free:     rl.AccountFreeFailures,
			Base:     rl.AccountBaseDelay,
			Max:      rl.AccountMaxDelay,
			Cap:      rl.AccountFailureCap,
			CapDelay: rl.AccountCapDelay,
			// A streak outlives its longest wait, so waiting it out never
			// resets the count.
			Forget: max(authn.DefaultThrottlePolicy.SignIn.Forget, 2*rl.AccountCapDelay),
		},
		MailsPerRecipient: rl.MailsPerRecipient,
		MailWindow:        rl.MailWindow,
	}
	return p
}

// countRefusals counts the per-IP limiter's refusals (a metric).
type countRefusals struct {
	rest.RateLimiter
	limited metric.Int64Counter
}

func (c countRefusals) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	ok, wait, err := c.RateLimiter.Allow(ctx, key, limit, window)
	if err == nil && !ok {
		c.limited.Add(ctx, 1)
	}
	return ok, wait, err
}
