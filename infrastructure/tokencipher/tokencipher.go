// Package tokencipher seals the provider tokens of social accounts before
// they are stored (authn.TokenCipher), in better-auth's own format, so a
// database moves between better-auth (with account.encryptOAuthTokens) and
// Beep IAM in either direction.
//
// The format is better-auth's symmetricEncrypt: the lowercase hex of a
// 24-byte random nonce followed by the XChaCha20-Poly1305 ciphertext and
// tag of the UTF-8 token, with no associated data, under the key
// SHA-256(secret). When the secrets are versioned (BETTER_AUTH_SECRETS,
// "2:new,1:old"), the hex is wrapped as "$ba$<version>$<hex>" and sealed
// with the current (first) secret; the version names the secret that opens
// it, so older secrets keep opening what they sealed until they are
// retired. With a lone BETTER_AUTH_SECRET the value is the bare hex.
//
// Open reads what better-auth's read path (decryptOAuthToken) reads: an
// envelope is opened with the secret of its version; even-length hex is a
// bare sealed value, opened with the legacy secret or, beyond what
// better-auth does, any configured secret; anything else was stored before
// encryption was turned on and is returned as it is. A value that looks
// sealed but does not open (unknown version, bad hex, wrong key, altered
// bytes) is an error wrapping ErrCannotOpen, never a guess.
package tokencipher

import (
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/beep/iam/application/authn"
	"golang.org/x/crypto/chacha20poly1305"
)

// envelopePrefix starts a value sealed with a versioned secret.
const envelopePrefix = "$ba$"

// ErrCannotOpen is wrapped by every Open failure: the value looks sealed
// but no configured secret opens it.
var ErrCannotOpen = errors.New("tokencipher: cannot open sealed token")

// Key is one secret of BETTER_AUTH_SECRETS with its version.
type Key struct {
	// Version is the key's non-negative number, written into what it seals.
	Version int
	// Secret is the secret as configured (UTF-8 bytes); the cipher key is
	// its SHA-256.
	Secret []byte
}

// Cipher implements authn.TokenCipher. It is immutable and safe for
// concurrent use.
type Cipher struct {
	seal cipher.AEAD
	// prefix is "$ba$<current version>$", or "" when the secrets are not
	// versioned.
	prefix   string
	versions map[int]cipher.AEAD
	// bare are tried, in order, on a value without an envelope: the legacy
	// secret, then every versioned one.
	bare []cipher.AEAD
}

var _ authn.TokenCipher = (*Cipher)(nil)

// New returns a Cipher, as better-auth builds its secret config from
// BETTER_AUTH_SECRETS and BETTER_AUTH_SECRET.
//
// keys are the versioned secrets, current first: Seal uses keys[0] and
// writes its version. legacy is the unversioned secret (nil when none): it
// seals, as bare hex, only when keys is empty, and otherwise still opens
// the bare values it sealed before the secrets were versioned. At least one
// secret is required; versions must be unique and non-negative, secrets
// non-empty.
func New(keys []Key, legacy []byte) (*Cipher, error) {
	if len(keys) == 0 && len(legacy) == 0 {
		return nil, errors.New("tokencipher: no secret")
	}
	c := &Cipher{versions: make(map[int]cipher.AEAD, len(keys))}
	if len(legacy) > 0 {
		aead, err := newAEAD(legacy)
		if err != nil {
			return nil, err
		}
		c.seal = aead
		c.bare = append(c.bare, aead)
	}
	for i, k := range keys {
		switch _, dup := c.versions[k.Version]; {
		case k.Version < 0:
			return nil, fmt.Errorf("tokencipher: key %d: version %d is negative", i+1, k.Version)
		case dup:
			return nil, fmt.Errorf("tokencipher: version %d appears twice", k.Version)
		case len(k.Secret) == 0:
			return nil, fmt.Errorf("tokencipher: version %d: empty secret", k.Version)
		}
		aead, err := newAEAD(k.Secret)
		if err != nil {
			return nil, err
		}
		c.versions[k.Version] = aead
		c.bare = append(c.bare, aead)
	}
	if len(keys) > 0 {
		c.seal = c.versions[keys[0].Version]
		c.prefix = envelopePrefix + strconv.Itoa(keys[0].Version) + "$"
	}
	return c, nil
}

func newAEAD(secret []byte) (cipher.AEAD, error) {
	key := sha256.Sum256(secret)
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		return nil, fmt.Errorf("tokencipher: %w", err)
	}
	return aead, nil
}

// Seal implements authn.TokenCipher. "" (no token) stays "". Each call draws
// a fresh nonce, so sealing one token twice gives two values.
func (c *Cipher) Seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	out := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plain)+chacha20poly1305.Overhead)
	_, _ = rand.Read(out) // never fails: crypto/rand aborts the program instead
	out = c.seal.Seal(out, out, []byte(plain), nil)
	return c.prefix + hex.EncodeToString(out), nil
}

// Open implements authn.TokenCipher. "" stays "", and a value that does not
// look sealed (not an envelope, not even-length hex) is returned unchanged,
// as better-auth does for tokens stored in plain text.
func (c *Cipher) Open(sealed string) (string, error) {
	if rest, ok := strings.CutPrefix(sealed, envelopePrefix); ok {
		version, data, ok := strings.Cut(rest, "$")
		// Decimal digits only, as formatEnvelope writes them.
		v, err := strconv.ParseUint(version, 10, strconv.IntSize-1)
		if !ok || err != nil {
			return "", fmt.Errorf("%w: malformed %s envelope", ErrCannotOpen, envelopePrefix)
		}
		aead, found := c.versions[int(v)]
		if !found {
			return "", fmt.Errorf("%w: no secret of version %d (retired?)", ErrCannotOpen, v)
		}
		return open([]cipher.AEAD{aead}, data)
	}
	if !looksBare(sealed) {
		return sealed, nil
	}
	return open(c.bare, sealed)
}

// looksBare reports whether s is what better-auth takes for a sealed value
// without an envelope: non-empty even-length hex, in either case.
func looksBare(s string) bool {
	if s == "" || len(s)%2 != 0 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
			return false
		}
	}
	return true
}

// open decodes hex nonce ‖ ciphertext ‖ tag and returns what the first of
// aeads that authenticates it decrypts.
func open(aeads []cipher.AEAD, data string) (string, error) {
	raw, err := hex.DecodeString(data)
	if err != nil {
		return "", fmt.Errorf("%w: not hex", ErrCannotOpen)
	}
	if len(raw) < chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead {
		return "", fmt.Errorf("%w: %d bytes is too short", ErrCannotOpen, len(raw))
	}
	nonce, box := raw[:chacha20poly1305.NonceSizeX], raw[chacha20poly1305.NonceSizeX:]
	for _, aead := range aeads {
		if plain, err := aead.Open(nil, nonce, box, nil); err == nil {
			return string(plain), nil
		}
	}
	return "", fmt.Errorf("%w: authentication failed (wrong secret or altered value)", ErrCannotOpen)
}
