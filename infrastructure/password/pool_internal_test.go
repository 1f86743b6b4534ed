package password

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// TestBurstQueues sends 500 concurrent hashes, verifications in every format
// and burns at a pool of 2: every one completes, and never more than 2
// derivations (each 19 to 32 MiB with the real parameters) run at once,
// whatever the algorithm.
func TestBurstQueues(t *testing.T) {
	h, err := New(Config{Concurrency: 2, MaxWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	bcryptHash, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	argon2Hash := "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43)
	scryptHash := strings.Repeat("0", 32) + ":" + strings.Repeat("00", 64)

	var running, peak, calls atomic.Int64
	work := func() {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(200 * time.Microsecond)
		running.Add(-1)
		calls.Add(1)
	}
	h.kdf = kdf{
		argon2id: func(_, _ []byte, _, _ uint32, _ uint8, keyLen uint32) []byte { work(); return make([]byte, keyLen) },
		scrypt:   func(_, _ []byte, _, _, _, keyLen int) ([]byte, error) { work(); return make([]byte, keyLen), nil },
		bcrypt:   func(_, _ []byte) error { work(); return bcrypt.ErrMismatchedHashAndPassword },
	}

	ctx := context.Background()
	ops := []func() error{
		func() error { _, err := h.Hash(ctx, "correct horse"); return err },
		func() error { _, err := h.Verify(ctx, "correct horse", argon2Hash); return err },
		func() error { _, err := h.Verify(ctx, "correct horse", scryptHash); return err },
		func() error { _, err := h.Verify(ctx, "correct horse", string(bcryptHash)); return err },
		func() error { return h.Burn(ctx, "correct horse") },
	}
	var wg sync.WaitGroup
	for i := range 500 {
		wg.Go(func() {
			if err := ops[i%len(ops)](); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 500 {
		t.Fatalf("%d derivations ran, want 500 (every request queued and finished)", calls.Load())
	}
	if p := peak.Load(); p != 2 {
		t.Fatalf("peak concurrent derivations = %d, want exactly the pool size 2", p)
	}
}

// FuzzVerifyNeverPanics feeds arbitrary stored hashes to Verify and
// NeedsRehash. The derivation functions are replaced by ones that check the
// parameters reaching them, so the fuzzer proves no stored hash gets past
// parsing with parameters above the ceilings (a huge allocation) or that
// would make the real functions panic, and stays cheap doing it.
func FuzzVerifyNeverPanics(f *testing.F) {
	for _, seed := range []string{
		"",
		"$",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=0,t=0,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=65536,t=2,p=1$$",
		"$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"$2b$31$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"$2y$03$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"$2a$10$N9qo8uLOickgx2ZMRZoMye",
		"e37e5108baaee49dd1990e8d6dd5a937:0c9a9aa5a9e007bb5f993faae1dec55598f1456636650efb5d3dbbd3183f43753f6742d55548c135859cbb618625c9887934093aca24cab190653c180dd8fe2c",
		"salt:zz",
		":",
		strings.Repeat("a", 3000),
	} {
		f.Add(seed, "correct horse")
	}
	h, err := New(Config{Concurrency: 1})
	if err != nil {
		f.Fatal(err)
	}
	// The hooks cannot fail the test themselves (f may not be used inside
	// the fuzz function); they record what reached them instead.
	var violation atomic.Pointer[string]
	report := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		violation.Store(&msg)
	}
	h.kdf = kdf{
		argon2id: func(_, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
			if threads < 1 || threads > maxArgon2Threads || memory < 8*uint32(threads) || memory > maxArgon2Memory ||
				time < 1 || time > maxArgon2Time || keyLen < minKeyLen || keyLen > maxKeyLen || len(salt) < minArgon2Salt || len(salt) > maxArgon2Salt {
				report("argon2id reached with m=%d t=%d p=%d key=%d salt=%d", memory, time, threads, keyLen, len(salt))
			}
			return make([]byte, keyLen)
		},
		scrypt: func(_, salt []byte, n, r, p, keyLen int) ([]byte, error) {
			if (Params{N: n, R: r, P: p, KeyLen: keyLen}).validate() != nil || len(salt) > maxScryptSaltHex {
				report("scrypt reached with N=%d r=%d p=%d key=%d salt=%d", n, r, p, keyLen, len(salt))
			}
			return make([]byte, keyLen), nil
		},
		bcrypt: func(hash, password []byte) error {
			if cost, err := bcrypt.Cost(hash); err != nil || cost > maxBcryptCost || len(password) > bcryptMaxPassword {
				report("bcrypt reached with cost %d (%v), password of %d bytes", cost, err, len(password))
			}
			return bcrypt.ErrMismatchedHashAndPassword
		},
	}
	f.Fuzz(func(t *testing.T, encoded, password string) {
		ok, err := h.Verify(context.Background(), password, encoded)
		if ok && err != nil {
			t.Fatalf("Verify(%q) = true with error %v", encoded, err)
		}
		_ = h.NeedsRehash(encoded)
	})
}

// TestBurnSpendsConfiguredDerivation: Burn derives once with the configured
// algorithm and parameters, twice when NFKC changes the password, as a
// failed Verify does.
func TestBurnSpendsConfiguredDerivation(t *testing.T) {
	tests := []struct {
		name, password string
		cfg            Config
		want           []string
	}{
		{"argon2id", "correct horse", Config{}, []string{"argon2id m=19456 t=2 p=1 key=32 salt=16"}},
		{"scrypt", "correct horse", Config{Algorithm: Scrypt}, []string{"scrypt N=16384 r=16 p=1 key=64 salt=32"}},
		{"argon2id, NFKC changes it", "ﬁancé", Config{}, []string{"argon2id m=19456 t=2 p=1 key=32 salt=16", "argon2id m=19456 t=2 p=1 key=32 salt=16"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			h.kdf = kdf{
				argon2id: func(_, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
					got = append(got, fmt.Sprintf("argon2id m=%d t=%d p=%d key=%d salt=%d", memory, time, threads, keyLen, len(salt)))
					return make([]byte, keyLen)
				},
				scrypt: func(_, salt []byte, n, r, p, keyLen int) ([]byte, error) {
					got = append(got, fmt.Sprintf("scrypt N=%d r=%d p=%d key=%d salt=%d", n, r, p, keyLen, len(salt)))
					return make([]byte, keyLen), nil
				},
			}
			h.Burn(context.Background(), tt.password)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Burn derived %q, want %q", got, tt.want)
			}
		})
	}
}
