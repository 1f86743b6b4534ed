package authntest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/id"
	"github.com/beep/iam/domain/identity"
)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now implements authn.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// IDs mints sequential UUIDs, so ids in tests are predictable and distinct.
type IDs struct{ n atomic.Uint64 }

// NewUUID implements authn.IDs.
func (g *IDs) NewUUID() id.UUID {
	n := g.n.Add(1)
	var u id.UUID
	for i := 0; i < 8; i++ {
		u[15-i] = byte(n >> (8 * i))
	}
	u[6] = 0x70 // version 7 nibble, to look like production ids
	return u
}

// Tokens mints distinct 32-character tokens.
type Tokens struct{ n atomic.Uint64 }

// SessionToken implements authn.Tokens.
func (g *Tokens) SessionToken() (string, error) {
	return fmt.Sprintf("tok%029d", g.n.Add(1)), nil
}

// RandomToken implements authn.Tokens.
func (g *Tokens) RandomToken(n int) (string, error) {
	s := fmt.Sprintf("rnd%0*d", n, g.n.Add(1))
	return s[len(s)-n:], nil
}

// EmailTokens is an authn.EmailTokens that keeps issued claims in memory
// under sequential tokens; Expire makes every issued token expired.
type EmailTokens struct {
	mu      sync.Mutex
	issued  map[string]authn.EmailClaims
	expired bool
}

// Issue implements authn.EmailTokens.
func (e *EmailTokens) Issue(c authn.EmailClaims, _ time.Duration) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.issued == nil {
		e.issued = map[string]authn.EmailClaims{}
	}
	tok := fmt.Sprintf("jwt-%d", len(e.issued)+1)
	e.issued[tok] = c
	return tok, nil
}

// Parse implements authn.EmailTokens.
func (e *EmailTokens) Parse(token string) (authn.EmailClaims, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.issued[token]
	switch {
	case !ok:
		return authn.EmailClaims{}, authn.ErrInvalidToken
	case e.expired:
		return authn.EmailClaims{}, authn.ErrTokenExpired
	}
	return c, nil
}

// Expire makes every token issued so far expired.
func (e *EmailTokens) Expire() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.expired = true
}

// Hasher is a fast, insecure password hasher for tests: "sha256:<hex>". It
// also verifies "legacy:sha256:<hex>", a stand-in for an older format that
// NeedsRehash wants replaced. It counts calls so tests can check that every
// sign-in path spends a hash.
type Hasher struct {
	Hashes, Verifies, Burns atomic.Int64
	// Busy makes every call fail as an overloaded hashing pool does.
	Busy atomic.Bool
}

// ErrBusy is what a Busy Hasher returns.
var ErrBusy = failure.New(failure.Unavailable, "SERVICE_UNAVAILABLE", "Server is busy, try again")

// Hash implements authn.PasswordHasher.
func (h *Hasher) Hash(_ context.Context, password string) (string, error) {
	h.Hashes.Add(1)
	return encode(password), nil
}

// Verify implements authn.PasswordHasher.
func (h *Hasher) Verify(_ context.Context, password, encoded string) (bool, error) {
	h.Verifies.Add(1)
	if h.Busy.Load() {
		return false, ErrBusy
	}
	encoded = strings.TrimPrefix(encoded, "legacy:")
	if !strings.HasPrefix(encoded, "sha256:") {
		return false, fmt.Errorf("malformed test hash %q", encoded)
	}
	return encoded == encode(password), nil
}

// Burn implements authn.PasswordHasher.
func (h *Hasher) Burn(_ context.Context, password string) error {
	h.Burns.Add(1)
	if h.Busy.Load() {
		return ErrBusy
	}
	_ = encode(password)
	return nil
}

func encode(password string) string {
	sum := sha256.Sum256([]byte(password))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// NeedsRehash implements authn.PasswordHasher: hashes not in the test
// format are upgraded.
func (h *Hasher) NeedsRehash(encoded string) bool { return !strings.HasPrefix(encoded, "sha256:") }

// Revoked is an in-memory authn.RevokedSessions without expiry.
type Revoked struct {
	mu     sync.Mutex
	tokens map[string]bool
	// Err, when set, is returned by IsRevoked (a cache outage).
	Err error
}

// Revoke implements authn.RevokedSessions.
func (r *Revoked) Revoke(_ context.Context, tokens ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tokens == nil {
		r.tokens = map[string]bool{}
	}
	for _, t := range tokens {
		r.tokens[t] = true
	}
	return nil
}

// IsRevoked implements authn.RevokedSessions.
func (r *Revoked) IsRevoked(_ context.Context, token string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Err != nil {
		return false, r.Err
	}
	return r.tokens[token], nil
}

// Changes is an in-memory authn.ContextChanges and tenancy.ContextChanges
// without expiry, on the clock it is given.
type Changes struct {
	Clock interface{ Now() time.Time }
	mu    sync.Mutex
	at    map[identity.UserID]time.Time
	// Err, when set, is returned by ChangedSince (a cache outage).
	Err error
}

// Record implements tenancy.ContextChanges.
func (c *Changes) Record(_ context.Context, users ...identity.UserID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at == nil {
		c.at = map[identity.UserID]time.Time{}
	}
	for _, u := range users {
		c.at[u] = c.Clock.Now()
	}
	return nil
}

// ChangedSince implements authn.ContextChanges.
func (c *Changes) ChangedSince(_ context.Context, userID identity.UserID, t time.Time) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Err != nil {
		return false, c.Err
	}
	at, ok := c.at[userID]
	return ok && !at.Before(t), nil
}

// NoFold is an accent folder that changes nothing.
func NoFold(s string) string { return s }
