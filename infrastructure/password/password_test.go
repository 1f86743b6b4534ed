package password_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/infrastructure/password"
)

// Cheap parameters keep unit tests fast; the fixture, reference-vector and
// benchmark tests use the real ones.
var (
	cheapArgon2 = password.Config{Argon2: password.Argon2Params{Memory: 64, Time: 1, Threads: 1}}
	cheapScrypt = password.Config{Algorithm: password.Scrypt, Scrypt: password.Params{N: 16, R: 1, P: 1, KeyLen: 64}}
)

func mustNew(t testing.TB, cfg password.Config) *password.Hasher {
	t.Helper()
	h, err := password.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return h
}

// phc formats an argon2id PHC string with a zero key: enough for parsing
// and NeedsRehash, never a match.
func phc(m, t, p, saltLen, keyLen int) string {
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, p,
		strings.Repeat("A", (saltLen*8+5)/6), strings.Repeat("A", (keyLen*8+5)/6))
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  password.Config
	}{
		{"unknown algorithm", password.Config{Algorithm: "md5"}},
		{"argon2 memory above 1 GiB", password.Config{Argon2: password.Argon2Params{Memory: 2 << 20}}},
		{"argon2 too many passes", password.Config{Argon2: password.Argon2Params{Time: 101}}},
		{"argon2 too many threads", password.Config{Argon2: password.Argon2Params{Threads: 65}}},
		{"argon2 short salt", password.Config{Argon2: password.Argon2Params{SaltLen: 4}}},
		{"argon2 short key", password.Config{Argon2: password.Argon2Params{KeyLen: 8}}},
		{"scrypt N not a power of two", password.Config{Algorithm: password.Scrypt, Scrypt: password.Params{N: 1000}}},
		{"scrypt above 1 GiB", password.Config{Algorithm: password.Scrypt, Scrypt: password.Params{N: 1 << 20, R: 16}}},
		// Scrypt parameters verify better-auth hashes under argon2id too.
		{"scrypt checked under argon2id", password.Config{Scrypt: password.Params{N: 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if h, err := password.New(tt.cfg); err == nil {
				t.Fatalf("New(%+v) = %v, nil; want an error", tt.cfg, h)
			}
		})
	}
}

func TestHashRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		cfg    password.Config
		format func(string) bool
	}{
		{"argon2id", cheapArgon2, func(h string) bool {
			return strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") && len(strings.Split(h, "$")) == 6
		}},
		{"scrypt", cheapScrypt, func(h string) bool {
			salt, key, _ := strings.Cut(h, ":")
			return len(salt) == 32 && len(key) == 128
		}},
	}
	ctx := context.Background()
	long := strings.Repeat("p", 100)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := mustNew(t, tt.cfg)
			hash, err := h.Hash(ctx, long)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.format(hash) {
				t.Fatalf("Hash = %q, not in the %s format", hash, tt.name)
			}
			if other, _ := h.Hash(ctx, long); other == hash {
				t.Fatal("two hashes of one password are equal: salt is not random")
			}
			// No truncation or transformation (SECURITY #3).
			for _, wrong := range []string{long[:72], long + "x", "P" + long[1:], " " + long} {
				if ok, err := h.Verify(ctx, wrong, hash); ok || err != nil {
					t.Errorf("Verify(%q...) = %v, %v; want false", wrong[:10], ok, err)
				}
			}
			if ok, err := h.Verify(ctx, long, hash); !ok || err != nil {
				t.Fatalf("Verify = %v, %v; want true", ok, err)
			}
			if h.NeedsRehash(hash) {
				t.Fatal("NeedsRehash(a hash just written) = true")
			}
			// NFKC: the decomposed spelling is the same password.
			nfc, err := h.Hash(ctx, "Crème brûlée")
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := h.Verify(ctx, "Cre\u0300me bru\u0302le\u0301e", nfc); !ok || err != nil {
				t.Fatalf("NFD spelling: Verify = %v, %v; want true", ok, err)
			}
		})
	}
}

// TestVerifyRawFormOfImportedHash: GoTrue and Kratos hashed the password's
// bytes as typed; a password that NFKC changes still verifies against their
// hash.
func TestVerifyRawFormOfImportedHash(t *testing.T) {
	h := mustNew(t, cheapArgon2)
	raw := "ﬁancé" // the ligature "ﬁ" is "fi" under NFKC
	imported, err := bcrypt.GenerateFromPassword([]byte(raw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Verify(context.Background(), raw, string(imported)); !ok || err != nil {
		t.Fatalf("Verify(raw form) = %v, %v; want true", ok, err)
	}
	if ok, err := h.Verify(context.Background(), "ﬁancée", string(imported)); ok || err != nil {
		t.Fatalf("Verify(other password) = %v, %v; want false", ok, err)
	}
}

func TestNeedsRehash(t *testing.T) {
	bcryptHash := "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
	betterAuthHash := "e37e5108baaee49dd1990e8d6dd5a937:0c9a9aa5a9e007bb5f993faae1dec55598f1456636650efb5d3dbbd3183f43753f6742d55548c135859cbb618625c9887934093aca24cab190653c180dd8fe2c"
	argon2Default := phc(19456, 2, 1, 16, 32)
	tests := []struct {
		name    string
		cfg     password.Config
		encoded string
		want    bool
	}{
		{"argon2id: same parameters", password.Config{}, argon2Default, false},
		{"argon2id: weaker memory", password.Config{}, phc(12288, 2, 1, 16, 32), true},
		{"argon2id: fewer passes", password.Config{}, phc(19456, 1, 1, 16, 32), true},
		{"argon2id: stronger but different", password.Config{}, phc(65536, 3, 4, 16, 32), true},
		{"argon2id: shorter key", password.Config{}, phc(19456, 2, 1, 16, 16), true},
		{"argon2id: shorter salt", password.Config{}, phc(19456, 2, 1, 8, 32), true},
		{"argon2id: better-auth scrypt", password.Config{}, betterAuthHash, true},
		{"argon2id: bcrypt", password.Config{}, bcryptHash, true},
		{"argon2id: malformed", password.Config{}, "nonsense", true},
		{"scrypt: better-auth", betterAuth, betterAuthHash, false},
		{"scrypt: 32-byte key", betterAuth, strings.Repeat("0", 32) + ":" + strings.Repeat("00", 32), true},
		{"scrypt: argon2id", betterAuth, argon2Default, true},
		{"scrypt: bcrypt", betterAuth, bcryptHash, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustNew(t, tt.cfg).NeedsRehash(tt.encoded); got != tt.want {
				t.Fatalf("NeedsRehash(%q) = %v, want %v", tt.encoded, got, tt.want)
			}
		})
	}
}

// TestVerifyMalformed: a stored hash in no supported format, or with
// parameters that would cost gigabytes or minutes, is an error found before
// any work (with these, any work would be the test's undoing).
func TestVerifyMalformed(t *testing.T) {
	salt, key := "c29tZXNhbHRzb21lc2FsdA", "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	argon := func(params string) string { return "$argon2id$v=19$" + params + "$" + salt + "$" + key }
	bc := "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"too long", strings.Repeat("a", 3000)},
		{"unknown $ format", "$scrypt$ln=16,r=8,p=1$c2FsdA$a2V5"},
		{"argon2i", "$argon2i$v=19$m=65536,t=2,p=1$" + salt + "$" + key},
		{"argon2d", "$argon2d$v=19$m=65536,t=2,p=1$" + salt + "$" + key},
		{"scrypt: no colon", "nocolon"},
		{"scrypt: empty salt", ":" + strings.Repeat("ab", 32)},
		{"scrypt: empty key", "salt:"},
		{"scrypt: key not hex", "salt:xyz" + strings.Repeat("ab", 32)},
		{"scrypt: odd hex", "salt:abc"},
		{"scrypt: key too short", "salt:abcd"},
		{"scrypt: key too long", "salt:" + strings.Repeat("ab", 600)},
		{"scrypt: salt too long", strings.Repeat("a", 200) + ":" + strings.Repeat("ab", 32)},
		{"argon2id: memory above 1 GiB", argon("m=1048577,t=2,p=1")},
		{"argon2id: memory overflows", argon("m=4294967296,t=2,p=1")},
		{"argon2id: memory below 8 KiB per lane", argon("m=8,t=2,p=2")},
		{"argon2id: time above 100", argon("m=19456,t=101,p=1")},
		{"argon2id: time 0", argon("m=19456,t=0,p=1")},
		{"argon2id: threads above 64", argon("m=19456,t=2,p=65")},
		{"argon2id: threads 0", argon("m=19456,t=2,p=0")},
		{"argon2id: negative", argon("m=-1,t=2,p=1")},
		{"argon2id: parameters out of order", argon("t=2,m=19456,p=1")},
		{"argon2id: extra parameter", argon("m=19456,t=2,p=1,keyid=x")},
		{"argon2id: no version", "$argon2id$m=19456,t=2,p=1$" + salt + "$" + key},
		{"argon2id: version 16", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key},
		{"argon2id: salt too short", "$argon2id$v=19$m=19456,t=2,p=1$c29tZQ$" + key},
		{"argon2id: key too short", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$c29tZXNhbHQ"},
		{"argon2id: key not base64", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$!!!!"},
		{"argon2id: missing key", "$argon2id$v=19$m=19456,t=2,p=1$" + salt},
		{"bcrypt: cost 17", "$2a$17$" + bc},
		{"bcrypt: cost 31", "$2b$31$" + bc},
		{"bcrypt: cost 3", "$2y$03$" + bc},
		{"bcrypt: cost not digits", "$2a$1x$" + bc},
		{"bcrypt: truncated", "$2a$10$" + bc[:40]},
		{"bcrypt: bad alphabet", "$2a$10$" + bc[:52] + "="},
		{"bcrypt: $2x$", "$2x$10$" + bc},
	}
	for _, cfg := range []password.Config{cheapArgon2, cheapScrypt} {
		h := mustNew(t, cfg)
		for _, tt := range tests {
			t.Run(string(cfg.Algorithm)+"/"+tt.name, func(t *testing.T) {
				if ok, err := h.Verify(context.Background(), "password", tt.encoded); ok || err == nil {
					t.Fatalf("Verify(%q) = %v, %v; want an error", tt.encoded, ok, err)
				}
			})
		}
	}
}

func TestPoolRefusesWhenBusy(t *testing.T) {
	for _, cfg := range []password.Config{
		{Argon2: password.Argon2Params{Memory: 16 << 10, Time: 2}},
		{Algorithm: password.Scrypt, Scrypt: password.Params{N: 1 << 14, R: 8, P: 1, KeyLen: 64}},
	} {
		t.Run(string(cfg.Algorithm), func(t *testing.T) {
			cfg.Concurrency, cfg.MaxWait = 1, time.Millisecond
			h := mustNew(t, cfg)
			var wg sync.WaitGroup
			var busy atomic.Int64
			for range 8 {
				wg.Go(func() {
					_, err := h.Hash(context.Background(), "password")
					switch {
					case errors.Is(err, password.ErrBusy) && errors.Is(err, failure.ErrUnavailable):
						busy.Add(1)
					case err != nil:
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if busy.Load() == 0 {
				t.Fatal("no hash was refused although 8 competed for one slot with 1 ms of patience")
			}
		})
	}
	h := mustNew(t, password.Config{Argon2: cheapArgon2.Argon2, Concurrency: 1, MaxWait: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "x"); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait error = %v", err)
	}
}

// BenchmarkHash measures one hash with the real parameters: the cost of
// every sign-up, password change and (through Verify and Burn) sign-in.
func BenchmarkHash(b *testing.B) {
	for _, cfg := range []password.Config{{Algorithm: password.Argon2id}, betterAuth} {
		b.Run(string(cfg.Algorithm), func(b *testing.B) {
			cfg.Concurrency = 1
			h := mustNew(b, cfg)
			for b.Loop() {
				if _, err := h.Hash(context.Background(), "correct horse battery staple"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
