package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/infrastructure/redisstore"
)

// redisURL is the test Redis (scripts/with-redis.sh starts one). Without
// it the test is skipped, unless IAM_TEST_REQUIRE_REDIS=1 (make test).
func redisURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("IAM_TEST_REDIS_URL")
	if u == "" {
		if os.Getenv("IAM_TEST_REQUIRE_REDIS") == "1" {
			t.Fatal("IAM_TEST_REDIS_URL is not set but IAM_TEST_REQUIRE_REDIS=1: run under scripts/with-redis.sh")
		}
		t.Skip("IAM_TEST_REDIS_URL not set: Redis tests skipped (make test, or scripts/with-redis.sh go test ./...)")
	}
	return u
}

// newClient connects to url under a prefix of its own, so tests run in
// parallel on one Redis, and removes the prefix's keys afterwards.
func newClient(t *testing.T, url string, o redisstore.Options) *redisstore.Client {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	o.Prefix = "{beep:iam:test:" + hex.EncodeToString(b[:]) + "}:"
	c, err := redisstore.New(url, o)
	if err != nil {
		t.Fatalf("New(%s): %v", url, err)
	}
	t.Cleanup(func() {
		_ = c.Close()
		raw, err := redis.ParseURL(redisURL(t))
		if err != nil {
			return
		}
		rdb := redis.NewClient(raw)
		defer rdb.Close()
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, o.Prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	})
	return c
}

func stores(c *redisstore.Client, ttl time.Duration) authntest.CacheStores {
	return authntest.CacheStores{
		Revoked:  redisstore.NewRevokedSessions(c, ttl),
		Changes:  redisstore.NewContextChanges(c, ttl, nil),
		Sessions: redisstore.NewSessionCache(c),
	}
}

// TestContract runs the cache contract against Redis; the memory adapters
// run it in infrastructure/revocation.
func TestContract(t *testing.T) {
	url := redisURL(t)
	t.Run("redis", func(t *testing.T) {
		authntest.RunCacheContract(t, func(t *testing.T, ttl time.Duration) authntest.CacheStores {
			return stores(newClient(t, url, redisstore.Options{}), ttl)
		})
	})
}

func TestNewRefusesBadURL(t *testing.T) {
	for _, u := range []string{"", "http://localhost:6379", "redis://localhost:notaport"} {
		if _, err := redisstore.New(u, redisstore.Options{}); err == nil {
			t.Errorf("New(%q) = nil error, want one", u)
		}
	}
}

// TestNoSecretsStored: Redis holds digests of tokens, never the tokens.
func TestNoSecretsStored(t *testing.T) {
	url := redisURL(t)
	c := newClient(t, url, redisstore.Options{})
	st := stores(c, time.Minute)
	ctx := context.Background()
	const tok = "SECRETtoken00000000000000000000x"
	must(t, "Revoke", st.Revoked.Revoke(ctx, tok))
	_, _, ticket, err := st.Sessions.Get(ctx, tok)
	must(t, "Get", err)
	cur := authn.CurrentSession{LoadedAt: time.Now()}
	cur.User.ID, cur.Session.Token, cur.Session.ExpiresAt = "user__a", tok, time.Now().Add(time.Hour)
	must(t, "Put", st.Sessions.Put(ctx, tok, ticket, cur, time.Minute))
	if got, hit, _, err := st.Sessions.Get(ctx, tok); err != nil || !hit || got.Session.Token != tok {
		t.Fatalf("Get = %q, %v, %v; want the entry with its token", got.Session.Token, hit, err)
	}
	raw, _ := redis.ParseURL(url)
	rdb := redis.NewClient(raw)
	defer rdb.Close()
	keys, err := rdb.Keys(ctx, "*").Result()
	must(t, "KEYS", err)
	for _, k := range keys {
		v, _ := rdb.Dump(ctx, k).Result()
		if strings.Contains(k, tok) || strings.Contains(v, tok) {
			t.Fatalf("key %q holds the token", k)
		}
	}
}

// TestOutage: with Redis unreachable every read fails (callers then count
// the token revoked, the context changed, the session a miss), nothing is
// ever answered from a failed call, and an invalidation made during the
// outage is replayed before this node trusts Redis again, so the entry it
// dropped cannot be served once Redis returns.
func TestOutage(t *testing.T) {
	url := redisURL(t)
	p := newProxy(t, url)
	c := newClient(t, p.url(), redisstore.Options{RetryAfter: 50 * time.Millisecond,
		DialTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond})
	st := stores(c, time.Minute)
	ctx := context.Background()

	_, _, ticket, err := st.Sessions.Get(ctx, "tok1")
	must(t, "Get", err)
	cur := authn.CurrentSession{LoadedAt: time.Now()}
	cur.User.ID, cur.Session.Token, cur.Session.ExpiresAt = "user__a", "tok1", time.Now().Add(time.Hour)
	must(t, "Put", st.Sessions.Put(ctx, "tok1", ticket, cur, time.Minute))
	must(t, "Ping", c.Ping(ctx))

	p.down()
	if _, err := st.Revoked.IsRevoked(ctx, "tok1"); err == nil {
		t.Fatal("IsRevoked with Redis down = nil error, want one (counted as revoked)")
	}
	if _, err := st.Changes.ChangedSince(ctx, "user__a", time.Now()); err == nil {
		t.Fatal("ChangedSince with Redis down = nil error, want one (counted as changed)")
	}
	if _, hit, _, err := st.Sessions.Get(ctx, "tok1"); err == nil || hit {
		t.Fatalf("Get with Redis down = hit %v, %v; want an error and no hit", hit, err)
	}
	if err := c.Ping(ctx); err == nil {
		t.Fatal("Ping with Redis down = nil")
	}
	// Sign-out during the outage: reported, and remembered.
	if err := st.Sessions.Forget(ctx, "tok1"); err == nil {
		t.Fatal("Forget with Redis down = nil error, want one")
	}
	if err := st.Revoked.Revoke(ctx, "tok1"); err == nil {
		t.Fatal("Revoke with Redis down = nil error, want one")
	}

	p.up()
	// Recovery needs no restart; within the retry window calls still fall
	// back, then the queued writes are replayed before any read.
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, hit, _, err := st.Sessions.Get(ctx, "tok1")
		if err == nil {
			if hit {
				t.Fatalf("Get after recovery served %+v: the Forget made during the outage was lost", got.Session)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis did not come back: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if revoked, err := st.Revoked.IsRevoked(ctx, "tok1"); err != nil || !revoked {
		t.Fatalf("IsRevoked after recovery = %v, %v; want the revocation made during the outage", revoked, err)
	}
	must(t, "Ping after recovery", c.Ping(ctx))
}

// TestClosedClient: a closed client fails every call (the fallback), and
// never reports a hit.
func TestClosedClient(t *testing.T) {
	c := newClient(t, redisURL(t), redisstore.Options{})
	st := stores(c, time.Minute)
	must(t, "Close", c.Close())
	ctx := context.Background()
	if _, err := st.Revoked.IsRevoked(ctx, "tok"); err == nil {
		t.Error("IsRevoked on a closed client = nil error")
	}
	if _, hit, _, err := st.Sessions.Get(ctx, "tok"); err == nil || hit {
		t.Errorf("Get on a closed client = %v, %v", hit, err)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// proxy is a TCP relay to Redis that a test can cut (close the listener
// and every connection) and restore on the same address.
type proxy struct {
	t      *testing.T
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

func newProxy(t *testing.T, redisURL string) *proxy {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, target: opt.Addr}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *proxy) url() string { return "redis://" + p.addr + "/0" }

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", p.target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) up() {
	var ln net.Listener
	var err error
	for range 50 { // the port was just released
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("proxy back on %s: %v", p.addr, err)
	}
	p.serve(ln)
}
