package ratelimit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/infrastructure/ratelimit"
)

// Redis tests need a throwaway server: IAM_TEST_REDIS_URL is its URL
// (redis://127.0.0.1:6379/0). Without it they skip, unless
// IAM_TEST_REQUIRE_REDIS=1 (set by make test), so CI never passes by
// skipping.
const (
	redisURLEnv     = "IAM_TEST_REDIS_URL"
	requireRedisEnv = "IAM_TEST_REQUIRE_REDIS"
)

var start = time.Date(2026, 11, 28, 19, 30, 27, 0, time.UTC)

// newStore builds a fresh store on clock.
type newStore func(t *testing.T, clock *authntest.Clock) ratelimit.Store

func stores() map[string]newStore {
	return map[string]newStore{
		"memory": func(_ *testing.T, c *authntest.Clock) ratelimit.Store { return ratelimit.NewMemory(c.Now, 0) },
		"redis": func(t *testing.T, c *authntest.Clock) ratelimit.Store {
			return ratelimit.NewRedis(redisClient(t), c.Now).WithPrefix("test:" + randomHex(t) + ":")
		},
		"fallback-to-memory": func(_ *testing.T, c *authntest.Clock) ratelimit.Store {
			return ratelimit.NewFallback(broken{}, ratelimit.NewMemory(c.Now, 0), nil)
		},
	}
}

func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	raw := os.Getenv(redisURLEnv)
	if raw == "" {
		if os.Getenv(requireRedisEnv) == "1" {
			t.Fatalf("%s is not set but %s=1: Redis tests must run", redisURLEnv, requireRedisEnv)
		}
		t.Skipf("Redis tests skipped: set %s to the URL of a throwaway server", redisURLEnv)
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("parse %s: %v", redisURLEnv, err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("ping Redis at %s: %v", redisURLEnv, err)
	}
	return c
}

func randomHex(t *testing.T) string {
	t.Helper()
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// broken is a primary that always fails, as Redis does when down.
type broken struct{}

var errDown = errors.New("dial tcp: connection refused")

func (broken) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, errDown // "true" must not leak through
}
func (broken) Begin(context.Context, string, time.Time, authn.Backoff) (time.Duration, error) {
	return 0, errDown
}
func (broken) Clear(context.Context, string) error { return errDown }

func TestAllowContract(t *testing.T) {
	for name, mk := range stores() {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := authntest.NewClock(start)
			s := mk(t, clock)
			allow := func(key string, limit int, window time.Duration) (bool, time.Duration) {
				t.Helper()
				ok, wait, err := s.Allow(ctx, key, limit, window)
				if err != nil {
					t.Fatalf("Allow(%q): %v", key, err)
				}
				return ok, wait
			}
			for i := range 3 {
				if ok, _ := allow("a", 3, 10*time.Second); !ok {
					t.Fatalf("hit %d of 3 refused", i+1)
				}
				clock.Advance(time.Second)
			}
			// Hits at 0, 1, 2 s; now 3 s: the 4th waits 10 s from the latest.
			ok, wait := allow("a", 3, 10*time.Second)
			if ok || wait != 9*time.Second {
				t.Fatalf("4th hit: got allowed=%v wait=%s, want refused with 9s", ok, wait)
			}
			if ok, _ := allow("b", 3, 10*time.Second); !ok {
				t.Fatal("another key was refused")
			}
			clock.Advance(9 * time.Second)
			if ok, _ := allow("a", 3, 10*time.Second); !ok {
				t.Fatal("hit after the window was refused")
			}
			// Limit 1 per minute.
			if ok, _ := allow("c", 1, time.Minute); !ok {
				t.Fatal("first hit of c refused")
			}
			if ok, wait := allow("c", 1, time.Minute); ok || wait != time.Minute {
				t.Fatalf("second hit of c: got allowed=%v wait=%s, want refused with 1m", ok, wait)
			}
		})
	}
}

func TestBeginContract(t *testing.T) {
	b := authn.Backoff{Free: 3, Base: 30 * time.Second, Max: 2 * time.Minute, Cap: 6, CapDelay: time.Hour, Forget: 24 * time.Hour}
	for name, mk := range stores() {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := authntest.NewClock(start)
			s := mk(t, clock)
			begin := func() time.Duration {
				t.Helper()
				wait, err := s.Begin(ctx, "acct", clock.Now(), b)
				if err != nil {
					t.Fatalf("Begin: %v", err)
				}
				return wait
			}
			for i := range 3 {
				if w := begin(); w != 0 {
					t.Fatalf("free attempt %d: got wait %s", i+1, w)
				}
			}
			// 3 failures: 30 s, then doubling to the 2 min max, then the cap.
			for i, want := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, time.Hour, time.Hour} {
				if w := begin(); w != want {
					t.Fatalf("step %d: got wait %s, want %s", i, w, want)
				}
				clock.Advance(want - time.Second)
				if w := begin(); w != time.Second {
					t.Fatalf("step %d, a second early: got wait %s, want 1s", i, w)
				}
				clock.Advance(time.Second)
				if w := begin(); w != 0 {
					t.Fatalf("step %d, on time: got wait %s, want the attempt counted", i, w)
				}
			}
			if err := s.Clear(ctx, "acct"); err != nil {
				t.Fatalf("Clear: %v", err)
			}
			for i := range 3 {
				if w := begin(); w != 0 {
					t.Fatalf("after Clear, attempt %d: got wait %s", i+1, w)
				}
			}
			if err := s.Clear(ctx, "never-seen"); err != nil {
				t.Fatalf("Clear of an unknown key: %v", err)
			}
		})
	}
}

// TestBeginIsAtomic: of many concurrent attempts on a streak one short of
// throttling, exactly one is counted.
func TestBeginIsAtomic(t *testing.T) {
	b := authn.Backoff{Free: 5, Base: time.Minute, Max: time.Hour, Cap: 10, CapDelay: time.Hour, Forget: time.Hour}
	for name, mk := range stores() {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := authntest.NewClock(start)
			s := mk(t, clock)
			for range 4 {
				if _, err := s.Begin(ctx, "k", clock.Now(), b); err != nil {
					t.Fatal(err)
				}
			}
			var passed atomic.Int64
			var wg sync.WaitGroup
			for range 50 {
				wg.Go(func() {
					if w, err := s.Begin(ctx, "k", clock.Now(), b); err == nil && w == 0 {
						passed.Add(1)
					}
				})
			}
			wg.Wait()
			if got := passed.Load(); got != 1 {
				t.Fatalf("concurrent attempts counted: got %d, want 1", got)
			}
		})
	}
}

func TestMemoryStaysBounded(t *testing.T) {
	clock := authntest.NewClock(start)
	m := ratelimit.NewMemory(clock.Now, 100)
	ctx := context.Background()
	for i := range 1000 {
		if _, _, err := m.Allow(ctx, "ip-"+string(rune('a'+i%26))+randomHex(t), 2, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.Len(); got > 101 {
		t.Fatalf("keys tracked after a flood: got %d, want ≤ 101", got)
	}
	// The overflow bucket is still a limit: a flood of new keys is one client.
	ok, _, _ := m.Allow(ctx, "fresh-key", 2, 10*time.Second)
	if ok {
		t.Fatal("a new key past the bound was allowed: the overflow bucket must limit")
	}
	// Expired keys are swept and make room.
	clock.Advance(2 * time.Minute)
	if ok, _, _ := m.Allow(ctx, "fresh-key", 2, 10*time.Second); !ok {
		t.Fatal("after the windows passed, a new key was refused")
	}
	if got := m.Len(); got != 1 {
		t.Fatalf("keys tracked after expiry: got %d, want 1", got)
	}
}

func TestFallbackCountsAndLimits(t *testing.T) {
	clock := authntest.NewClock(start)
	var seen atomic.Int64
	f := ratelimit.NewFallback(broken{}, ratelimit.NewMemory(clock.Now, 0), nil)
	f.OnFailure = func(context.Context) { seen.Add(1) }
	f.Now = clock.Now
	ctx := context.Background()
	for range 2 {
		if ok, _, err := f.Allow(ctx, "k", 2, time.Minute); !ok || err != nil {
			t.Fatalf("Allow within the limit: got %v, %v", ok, err)
		}
	}
	if ok, _, err := f.Allow(ctx, "k", 2, time.Minute); ok || err != nil {
		t.Fatalf("Allow past the limit with Redis down: got %v, %v; want refused (never fail open)", ok, err)
	}
	if f.Failures() != 1 || seen.Load() != 1 {
		t.Fatalf("failures counted: got %d (callback %d), want 1 (the primary is skipped for a second after a failure)", f.Failures(), seen.Load())
	}
	clock.Advance(2 * time.Second)
	if ok, _, _ := f.Allow(ctx, "k", 2, time.Minute); ok {
		t.Fatal("Allow past the limit, Redis still down: allowed")
	}
	if f.Failures() != 2 {
		t.Fatalf("failures counted after the skip: got %d, want 2 (the primary is tried again)", f.Failures())
	}
}

// TestMemoryStreaksNeverShareALockout: a flood of sign-ins with random
// emails fills the streak table, but a real user's streak is never pooled
// with the flood: their right password still gets in.
func TestMemoryStreaksNeverShareALockout(t *testing.T) {
	clock := authntest.NewClock(start)
	m := ratelimit.NewMemory(clock.Now, 100)
	ctx := context.Background()
	b := authn.Backoff{Free: 3, Base: 30 * time.Second, Max: time.Hour, Cap: 100, CapDelay: 24 * time.Hour, Forget: 7 * 24 * time.Hour}
	// A flood of 1,000 addresses, each with 5 failures (past Free).
	for range 1000 {
		key := "flood-" + randomHex(t)
		for range 5 {
			if _, err := m.Begin(ctx, key, clock.Now(), b); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := m.Len(); got > 100 {
		t.Fatalf("streaks tracked after the flood: %d, want ≤ 100", got)
	}
	for range 3 {
		if wait, _ := m.Begin(ctx, "victim", clock.Now(), b); wait != 0 {
			t.Fatalf("the victim's own attempt waits %v: pooled with the flood", wait)
		}
	}
}
