// Package password hashes and verifies passwords for authn.PasswordHasher.
//
// New hashes use the configured algorithm: argon2id by default (OWASP's
// m=19 MiB, t=2, p=1), written as the standard PHC string, or scrypt in
// better-auth's own format, so a deployment that may go back to better-auth
// keeps hashes better-auth can read. Verify accepts every supported format
// whatever the configuration: better-auth scrypt ("saltHex:keyHex"),
// argon2id ("$argon2id$v=19$..."), and bcrypt ("$2a$", "$2b$", "$2y$", as
// exported by GoTrue, Kratos and most others). NeedsRehash reports a hash in
// any other format or with other parameters, so sign-in can upgrade it.
//
// Every password is NFKC-normalised before hashing, as better-auth does, so
// the composed and decomposed spellings of "é" are one password. Hashes
// imported from systems that hashed the raw bytes still verify: when NFKC
// changes the password, its raw form is tried too (and Burn spends the
// same, so the extra work says nothing about the account).
//
// Every derivation, whatever the algorithm, runs on one bounded pool: at
// most Concurrency at once, the rest queue for at most MaxWait and are then
// refused with ErrBusy (failure.Unavailable). A burst of 500 sign-ins
// therefore queues instead of allocating 500 × 19 MiB. The parameters of a
// stored hash are checked against hard ceilings before any work is done
// (argon2id at most 1 GiB, 100 passes and 64 lanes; bcrypt at most cost
// 16), so a planted hash cannot make one verification cost more than that.
package password

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
	"golang.org/x/text/unicode/norm"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
)

// Algorithm names the format new hashes are written in.
type Algorithm string

// The algorithms Hash can write. The zero value means Argon2id.
const (
	Argon2id Algorithm = "argon2id"
	// Scrypt is better-auth's format: what better-auth itself writes.
	Scrypt Algorithm = "scrypt"
)

// Config chooses the algorithm and its parameters and sizes the pool. Zero
// fields take the defaults named on each.
type Config struct {
	// Algorithm of new hashes; "" means Argon2id.
	Algorithm Algorithm
	// Argon2 parameters for new argon2id hashes; zero fields take
	// DefaultArgon2Params'.
	Argon2 Argon2Params
	// Scrypt parameters for new scrypt hashes and for verifying
	// better-auth hashes, whose format does not record them; zero fields
	// take BetterAuthParams'.
	Scrypt Params
	// Concurrency is how many derivations run at once; 0 means GOMAXPROCS.
	Concurrency int
	// MaxWait bounds the time a derivation waits for a slot; 0 means 2s.
	MaxWait time.Duration
}

// ErrBusy is returned when no hashing slot frees up within MaxWait.
var ErrBusy = failure.New(failure.Unavailable, "SERVICE_UNAVAILABLE", "Server is busy, try again")

// errMalformed is a stored hash in no supported format, or with parameters
// outside the ceilings. It is a data problem, not a wrong password.
var errMalformed = errors.New("malformed password hash")

// maxEncodedLen bounds the stored hash read at all; every supported format
// fits well within it.
const maxEncodedLen = 2048

// Hasher implements authn.PasswordHasher over every supported format.
type Hasher struct {
	alg    Algorithm
	argon2 Argon2Params
	scrypt Params
	pool   *pool
	// burn is a hash in the configured format and parameters with a fixed
	// salt: Burn verifies against it and discards the answer.
	burn stored
	kdf  kdf
}

var _ authn.PasswordHasher = (*Hasher)(nil)

// kdf holds the derivation functions; tests swap them to observe the pool
// and the parameters that reach them.
type kdf struct {
	argon2id func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
	scrypt   func(password, salt []byte, n, r, p, keyLen int) ([]byte, error)
	bcrypt   func(hash, password []byte) error
}

// stored is a parsed hash whose parameters are within the ceilings.
type stored interface {
	// matches derives a key from password and compares it with the stored
	// one in constant time. An error means the hash is unusable.
	matches(k *kdf, password []byte) (bool, error)
}

// New returns a hasher for cfg, or an error naming every parameter out of
// range.
func New(cfg Config) (*Hasher, error) {
	h := &Hasher{
		alg:    cfg.Algorithm,
		argon2: cfg.Argon2.withDefaults(),
		scrypt: cfg.Scrypt.withDefaults(),
		pool:   newPool(cfg.Concurrency, cfg.MaxWait),
		kdf:    kdf{argon2id: argon2.IDKey, scrypt: scrypt.Key, bcrypt: bcrypt.CompareHashAndPassword},
	}
	if h.alg == "" {
		h.alg = Argon2id
	}
	var errs []error
	if h.alg != Argon2id && h.alg != Scrypt {
		errs = append(errs, fmt.Errorf("unknown password hash algorithm %q (want %q or %q)", h.alg, Argon2id, Scrypt))
	}
	// Both are checked whatever the algorithm: scrypt's parameters verify
	// better-auth hashes under argon2id too.
	errs = append(errs, h.argon2.validate(), h.scrypt.validate())
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("password hasher config: %w", err)
	}
	if h.alg == Scrypt {
		h.burn = scryptHash{params: h.scrypt, salt: []byte(strings.Repeat("0", 2*betterAuthSaltLen)), key: make([]byte, h.scrypt.KeyLen)}
	} else {
		h.burn = argon2idHash{params: h.argon2, salt: make([]byte, h.argon2.SaltLen), key: make([]byte, h.argon2.KeyLen)}
	}
	return h, nil
}

// Hash implements authn.PasswordHasher: the configured format, a fresh
// random salt, the NFKC form of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	pw := []byte(norm.NFKC.String(password))
	switch h.alg {
	case Scrypt:
		salt, err := randomBytes(betterAuthSaltLen)
		if err != nil {
			return "", err
		}
		// better-auth uses the hex string of the salt, not its bytes.
		s := scryptHash{params: h.scrypt, salt: []byte(hex.EncodeToString(salt))}
		err = h.pool.run(ctx, func() (err error) {
			s.key, err = s.derive(&h.kdf, pw)
			return err
		})
		if err != nil {
			return "", err
		}
		return s.String(), nil
	default:
		salt, err := randomBytes(int(h.argon2.SaltLen))
		if err != nil {
			return "", err
		}
		a := argon2idHash{params: h.argon2, salt: salt}
		err = h.pool.run(ctx, func() error {
			a.key = a.derive(&h.kdf, pw)
			return nil
		})
		if err != nil {
			return "", err
		}
		return a.String(), nil
	}
}

// Verify implements authn.PasswordHasher. The format is read from encoded;
// an unknown format or out-of-range parameters are an error, found before
// any derivation.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	s, err := h.parse(encoded)
	if err != nil {
		return false, err
	}
	return h.check(ctx, s, password)
}

// Burn implements authn.PasswordHasher: a Verify against a hash in the
// configured format and parameters, answer discarded.
func (h *Hasher) Burn(ctx context.Context, password string) error {
	_, err := h.check(ctx, h.burn, password)
	return err
}

// NeedsRehash implements authn.PasswordHasher. Scrypt hashes in
// better-auth's format do not record N, r and p, so under Scrypt only their
// salt and key lengths can be compared. A hash that does not parse reports
// true: it is not in the configured format (and will not verify either).
func (h *Hasher) NeedsRehash(encoded string) bool {
	s, err := h.parse(encoded)
	if err != nil {
		return true
	}
	switch s := s.(type) {
	case argon2idHash:
		return h.alg != Argon2id || s.params != h.argon2
	case scryptHash:
		return h.alg != Scrypt || len(s.key) != h.scrypt.KeyLen || len(s.salt) != 2*betterAuthSaltLen
	default:
		return true
	}
}

// parse detects the format of encoded and checks its parameters.
func (h *Hasher) parse(encoded string) (stored, error) {
	if len(encoded) > maxEncodedLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", errMalformed, maxEncodedLen)
	}
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		return parseArgon2id(encoded)
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		return parseBcrypt(encoded)
	case strings.HasPrefix(encoded, "$"):
		return nil, fmt.Errorf("%w: unsupported format", errMalformed)
	default:
		return parseScrypt(encoded, h.scrypt)
	}
}

// check tries every candidate form of password against s on one pool slot.
// It does not stop at the first match, so its cost depends on the password
// alone: Burn then costs what Verify does, match or not.
func (h *Hasher) check(ctx context.Context, s stored, password string) (bool, error) {
	var ok bool
	err := h.pool.run(ctx, func() error {
		for _, pw := range candidates(password) {
			m, err := s.matches(&h.kdf, pw)
			if err != nil {
				return err
			}
			ok = ok || m
		}
		return nil
	})
	return ok, err
}

// candidates are the forms of password to try, in order: the NFKC form,
// which this server and better-auth hash, then the raw bytes when they
// differ, which is what GoTrue, Kratos and most other systems hashed. The
// raw form adds no accepted password for a hash of a normalised form: it can
// only match where the NFKC form already did (NFKC is idempotent).
func candidates(password string) [][]byte {
	n := norm.NFKC.String(password)
	if n == password {
		return [][]byte{[]byte(n)}
	}
	return [][]byte{[]byte(n), []byte(password)}
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("read salt: %w", err)
	}
	return b, nil
}
