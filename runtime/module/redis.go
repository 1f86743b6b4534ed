package module

import (
	"context"
	"errors"
	"log/slog"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.uber.org/fx"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/infrastructure/redisstore"
	"github.com/beep/iam/infrastructure/revocation"
	"github.com/beep/iam/interfaces/rest"
	"github.com/beep/iam/runtime/config"
)

// This file chooses where the cookie cache's revocation set, the
// organization-context changes and the session cache live: in Redis when
// REDIS_URL is set, so every node sees what any node revoked or changed;
// in this node's memory otherwise (one node). The Auth module provides
// them; the rate limiter keeps its own Redis pool (module/ratelimit.go).

// newRedisClient connects to REDIS_URL, or returns nil without one. It
// does not fail start-up when Redis is down: every adapter falls back
// (database reads, fail-closed cache checks) and recovers by itself.
func newRedisClient(lc fx.Lifecycle, c config.Config, logger *slog.Logger, mp *sdkmetric.MeterProvider) (*redisstore.Client, error) {
	if c.RedisURL == "" {
		return nil, nil
	}
	client, err := redisstore.New(c.RedisURL, redisstore.Options{
		Logger: logger,
		Meter:  mp.Meter("github.com/beep/iam/redisstore"),
	})
	if err != nil {
		return nil, err
	}
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			if err := client.Ping(ctx); err != nil {
				logger.Warn("redis unreachable at start-up; sessions fall back to the database until it answers", "err", err)
			}
			return nil
		},
		OnStop: func(context.Context) error { return client.Close() },
	})
	return client, nil
}

// redisReadiness adds Redis to /readyz when it is configured.
func redisReadiness(client *redisstore.Client) []rest.ReadinessCheck {
	if client == nil {
		return nil
	}
	return []rest.ReadinessCheck{{Name: "redis", Check: client.Ping, Optional: true}}
}

// newRevokedSessions remembers revocations for as long as a cookie-cache
// entry can live: in Redis (shared by every node) or in memory.
func newRevokedSessions(c config.Config, clock authn.Clock, client *redisstore.Client) authn.RevokedSessions {
	if client != nil {
		return redisstore.NewRevokedSessions(client, c.CookieCacheMaxAge)
	}
	return revocation.NewMemory(c.CookieCacheMaxAge, clock.Now)
}

// newSessionCache is the get-session cache: in Redis, in memory, or none
// when SESSION_CACHE_TTL is 0.
func newSessionCache(c config.Config, clock authn.Clock, client *redisstore.Client) authn.SessionCache {
	switch {
	case c.SessionCacheTTL <= 0:
		return nil
	case client != nil:
		return redisstore.NewSessionCache(client)
	default:
		return revocation.NewSessionCache(0, clock.Now)
	}
}

// contextChanges are the two sides of the organization-context record:
// the cookie-cache path reads it (authn), organization use cases write it
// (tenancy), and a write also drops the users' cached sessions.
type contextChanges struct {
	fx.Out
	Read  authn.ContextChanges
	Write tenancy.ContextChanges
}

type changeStore interface {
	authn.ContextChanges
	tenancy.ContextChanges
}

// newContextChanges remembers organization-context changes for as long as
// a cookie-cache entry can live, in Redis or in memory.
func newContextChanges(c config.Config, clock authn.Clock, client *redisstore.Client, cache authn.SessionCache) contextChanges {
	var store changeStore
	if client != nil {
		store = redisstore.NewContextChanges(client, c.CookieCacheMaxAge, clock.Now)
	} else {
		store = revocation.NewContextChanges(c.CookieCacheMaxAge, clock.Now)
	}
	return contextChanges{Read: store, Write: recordAndForget{changes: store, cache: cache}}
}

// recordAndForget records a context change for the cookie cache and drops
// the users' session-cache entries; both are tried whatever the other did.
type recordAndForget struct {
	changes tenancy.ContextChanges
	cache   authn.SessionCache // nil: no session cache
}

func (r recordAndForget) Record(ctx context.Context, users ...identity.UserID) error {
	err := r.changes.Record(ctx, users...)
	if r.cache != nil {
		err = errors.Join(err, r.cache.ForgetUsers(ctx, users...))
	}
	return err
}
