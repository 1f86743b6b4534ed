// Package password hashes and verifies passwords in better-auth's format, so
// a hash written by better-auth verifies here and the reverse: scrypt over
// the NFKC form of the password, with a 16-byte random salt whose 32-char hex
// string (not its bytes) is the scrypt salt, stored as "saltHex:keyHex".
//
// Hashing is memory-hard (N=16384, r=16 takes 32 MiB), so every hash runs on
// a bounded pool: at most Concurrency at once, the rest queue for at most
// MaxWait and are then refused as failure.Unavailable. A burst of 500
// sign-ins therefore queues instead of allocating 500 × 32 MiB.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/scrypt"
	"golang.org/x/text/unicode/norm"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
)

// Params are scrypt's cost parameters.
type Params struct {
	N, R, P, KeyLen int
}

// BetterAuthParams are better-auth's: N=16384, r=16, p=1, 64-byte key.
var BetterAuthParams = Params{N: 16384, R: 16, P: 1, KeyLen: 64}

// Config sizes the hashing pool.
type Config struct {
	Params Params
	// Concurrency is how many hashes run at once; 0 means GOMAXPROCS.
	Concurrency int
	// MaxWait bounds the time a hash waits for a slot; 0 means 2 seconds.
	MaxWait time.Duration
}

// Scrypt is the better-auth-compatible hasher.
type Scrypt struct {
	params  Params
	slots   chan struct{}
	maxWait time.Duration
	// burnSalt is a fixed salt for Burn; the result is discarded.
	burnSalt []byte
	// kdf is scrypt.Key; tests observe the pool through it.
	kdf func(password, salt []byte, n, r, p, keyLen int) ([]byte, error)
}

var _ authn.PasswordHasher = (*Scrypt)(nil)

// ErrBusy is returned when no hashing slot frees up within MaxWait.
var ErrBusy = failure.New(failure.Unavailable, "SERVICE_UNAVAILABLE", "Server is busy, try again")

// errMalformed is a stored hash that is not "salt:key" in hex.
var errMalformed = errors.New("malformed password hash")

// NewScrypt returns a hasher with cfg's parameters and pool size.
func NewScrypt(cfg Config) *Scrypt {
	n := cfg.Concurrency
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	wait := cfg.MaxWait
	if wait <= 0 {
		wait = 2 * time.Second
	}
	return &Scrypt{params: cfg.Params, slots: make(chan struct{}, n), maxWait: wait, burnSalt: []byte(strings.Repeat("0", 32)), kdf: scrypt.Key}
}

// Hash implements authn.PasswordHasher.
func (s *Scrypt) Hash(ctx context.Context, password string) (string, error) {
	var salt [16]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	saltHex := hex.EncodeToString(salt[:])
	key, err := s.derive(ctx, password, []byte(saltHex), s.params.KeyLen)
	if err != nil {
		return "", err
	}
	return saltHex + ":" + hex.EncodeToString(key), nil
}

// Verify implements authn.PasswordHasher. The key length comes from the
// stored hash, as better-auth reads it; the comparison is constant-time.
func (s *Scrypt) Verify(ctx context.Context, password, encoded string) (bool, error) {
	saltHex, keyHex, ok := strings.Cut(encoded, ":")
	if !ok || saltHex == "" || len(keyHex) == 0 || len(keyHex)%2 != 0 || len(keyHex) > 1024 {
		return false, errMalformed
	}
	want, err := hex.DecodeString(keyHex)
	if err != nil {
		return false, errMalformed
	}
	got, err := s.derive(ctx, password, []byte(saltHex), len(want))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Burn implements authn.PasswordHasher: one derivation with the configured
// parameters, result discarded.
func (s *Scrypt) Burn(ctx context.Context, password string) {
	_, _ = s.derive(ctx, password, s.burnSalt, s.params.KeyLen)
}

func (s *Scrypt) derive(ctx context.Context, password string, salt []byte, keyLen int) ([]byte, error) {
	if err := s.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-s.slots }()
	key, err := s.kdf([]byte(norm.NFKC.String(password)), salt, s.params.N, s.params.R, s.params.P, keyLen)
	if err != nil {
		return nil, fmt.Errorf("scrypt: %w", err)
	}
	return key, nil
}

func (s *Scrypt) acquire(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	default:
	}
	timer := time.NewTimer(s.maxWait)
	defer timer.Stop()
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-timer.C:
		return ErrBusy
	case <-ctx.Done():
		return fmt.Errorf("wait for a hashing slot: %w", ctx.Err())
	}
}

// InUse reports how many hashing slots are busy, for metrics.
func (s *Scrypt) InUse() int { return len(s.slots) }
