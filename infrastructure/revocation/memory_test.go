package revocation

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const ttl = 5 * time.Minute

// clock is a settable clock safe for concurrent reads.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func (m *Memory) size() int { return m.revoked.size() }

func revoked(t *testing.T, m *Memory, tok string) bool {
	t.Helper()
	ok, err := m.IsRevoked(context.Background(), tok)
	if err != nil {
		t.Fatalf("IsRevoked(%q) error = %v", tok, err)
	}
	return ok
}

func TestRevokeThenExpire(t *testing.T) {
	c := newClock()
	m := NewMemory(ttl, c.now)
	ctx := context.Background()
	if err := m.Revoke(ctx, "tokA", "tokB"); err != nil {
		t.Fatal(err)
	}
	if !revoked(t, m, "tokA") || !revoked(t, m, "tokB") {
		t.Fatal("IsRevoked = false right after Revoke")
	}
	if revoked(t, m, "tokC") {
		t.Fatal("IsRevoked(never revoked) = true")
	}
	if _, ok := m.revoked.get(c.now(), sha256.Sum256([]byte("tokA"))); !ok {
		t.Fatal("no entry under the SHA-256 of the token")
	}

	c.advance(ttl - time.Second)
	if err := m.Revoke(ctx, "tokB"); err != nil { // again: restarts its ttl
		t.Fatal(err)
	}
	c.advance(time.Second)
	if revoked(t, m, "tokA") {
		t.Fatal("IsRevoked = true after ttl")
	}
	if !revoked(t, m, "tokB") {
		t.Fatal("IsRevoked = false within the ttl restarted by a second Revoke")
	}
	if got := m.size(); got != 1 {
		t.Fatalf("%d entries after tokA expired and was looked up, want 1 (tokB)", got)
	}
}

func TestZeroTTLRemembersNothing(t *testing.T) {
	m := NewMemory(0, nil)
	_ = m.Revoke(context.Background(), "tok")
	if revoked(t, m, "tok") || m.size() != 0 {
		t.Fatal("a zero ttl remembered a token")
	}
}

// TestExpiredAreSwept: tokens that expire and are never looked up again do
// not stay: later revocations sweep them, and the map holds only live ones.
func TestExpiredAreSwept(t *testing.T) {
	c := newClock()
	m := NewMemory(ttl, c.now)
	ctx := context.Background()
	const n = 5000
	for i := range n {
		_ = m.Revoke(ctx, fmt.Sprint("old", i))
	}
	if got := m.size(); got != n {
		t.Fatalf("%d entries, want %d (none expired yet)", got, n)
	}
	c.advance(ttl)
	for i := range n {
		_ = m.Revoke(ctx, fmt.Sprint("new", i))
	}
	if got := m.size(); got != n {
		t.Fatalf("%d entries after %d expired and %d were revoked, want %d: expired ones were not swept", got, n, n, n)
	}
	if revoked(t, m, "old0") || !revoked(t, m, fmt.Sprint("new", n-1)) {
		t.Fatal("sweep lost a live entry or kept an expired one")
	}
	// Bounded: however long this runs, the map stays within twice the live
	// entries (plus the minimum), never the total ever revoked.
	for round := range 10 {
		c.advance(ttl)
		for i := range n {
			_ = m.Revoke(ctx, fmt.Sprint(round, "/", i))
		}
		if got := m.size(); got > 2*n+minSweepAt {
			t.Fatalf("round %d: %d entries for %d live, want at most %d", round, got, n, 2*n+minSweepAt)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	c := newClock()
	m := NewMemory(ttl, c.now)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				tok := fmt.Sprint(g, "/", i)
				if err := m.Revoke(ctx, tok); err != nil {
					t.Error(err)
					return
				}
				if ok, err := m.IsRevoked(ctx, tok); !ok || err != nil {
					t.Errorf("IsRevoked(%q) = %v, %v right after Revoke; want true", tok, ok, err)
					return
				}
				if i%500 == 0 {
					c.advance(time.Second)
				}
			}
		})
	}
	wg.Wait()
}
