package password

import (
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Params are scrypt's cost parameters.
type Params struct {
	N, R, P, KeyLen int
}

// BetterAuthParams are better-auth's: N=16384, r=16, p=1, 64-byte key.
var BetterAuthParams = Params{N: 16384, R: 16, P: 1, KeyLen: 64}

// betterAuthSaltLen is the salt better-auth draws, in bytes; its hex string
// (twice as long) is what scrypt receives.
const betterAuthSaltLen = 16

// Bounds on scrypt: scrypt needs 128·N·r bytes, held under a gigabyte as
// for argon2id; a stored salt string longer than this is not better-auth's.
const (
	maxScryptMemory  = 1 << 30
	maxScryptSaltHex = 128
)

func (p Params) withDefaults() Params {
	d := BetterAuthParams
	if p.N == 0 {
		p.N = d.N
	}
	if p.R == 0 {
		p.R = d.R
	}
	if p.P == 0 {
		p.P = d.P
	}
	if p.KeyLen == 0 {
		p.KeyLen = d.KeyLen
	}
	return p
}

// validate reports every parameter out of range, so a bad configuration
// fails at start-up rather than on the first sign-in.
func (p Params) validate() error {
	var errs []error
	if p.N < 2 || p.N&(p.N-1) != 0 {
		errs = append(errs, fmt.Errorf("scrypt N %d is not a power of two above 1", p.N))
	}
	if p.R < 1 || p.P < 1 || p.R*p.P >= 1<<30 {
		errs = append(errs, fmt.Errorf("scrypt r=%d, p=%d out of range", p.R, p.P))
	} else if p.N > maxScryptMemory/(128*p.R) {
		errs = append(errs, fmt.Errorf("scrypt N=%d, r=%d needs more than %d bytes", p.N, p.R, maxScryptMemory))
	}
	if p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen {
		errs = append(errs, fmt.Errorf("scrypt key length %d not in [%d, %d]", p.KeyLen, minKeyLen, maxKeyLen))
	}
	return errors.Join(errs...)
}

// scryptHash is better-auth's "saltHex:keyHex". The format does not record
// N, r and p, so params are the configured ones; salt is the hex string
// itself, which is what better-auth feeds scrypt.
type scryptHash struct {
	params    Params
	salt, key []byte
}

func (s scryptHash) derive(k *kdf, password []byte) ([]byte, error) {
	key, err := k.scrypt(password, s.salt, s.params.N, s.params.R, s.params.P, s.params.KeyLen)
	if err != nil {
		return nil, fmt.Errorf("scrypt: %w", err)
	}
	return key, nil
}

func (s scryptHash) matches(k *kdf, password []byte) (bool, error) {
	got, err := s.derive(k, password)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, s.key) == 1, nil
}

func (s scryptHash) String() string {
	return string(s.salt) + ":" + hex.EncodeToString(s.key)
}

// parseScrypt reads "saltHex:keyHex". The key length comes from the stored
// hash, as better-auth reads it.
func parseScrypt(encoded string, p Params) (scryptHash, error) {
	saltHex, keyHex, ok := strings.Cut(encoded, ":")
	if !ok || saltHex == "" || len(saltHex) > maxScryptSaltHex {
		return scryptHash{}, fmt.Errorf("%w: not saltHex:keyHex", errMalformed)
	}
	key, err := hex.DecodeString(keyHex)
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return scryptHash{}, fmt.Errorf("%w: scrypt key is not %d to %d bytes of hex", errMalformed, minKeyLen, maxKeyLen)
	}
	p.KeyLen = len(key)
	return scryptHash{params: p, salt: []byte(saltHex), key: key}, nil
}
