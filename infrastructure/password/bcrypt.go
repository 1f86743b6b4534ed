package password

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// bcrypt reads at most 72 bytes of a password and ignores the rest.
const bcryptMaxPassword = 72

// maxBcryptCost bounds a stored bcrypt hash: cost 16 is 65536 rounds,
// seconds per attempt; 31 would be hours.
const maxBcryptCost = 16

// bcryptAlphabet is bcrypt's base64 alphabet (not the standard one).
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// bcryptHash is "$2a$", "$2b$" or "$2y$", a two-digit cost, "$", then 22
// characters of salt and 31 of key: 60 in all. The variants differ only in
// bugs of old C implementations and verify alike here. It is verified, never
// written.
type bcryptHash struct {
	encoded []byte
}

// matches refuses a password longer than 72 bytes. bcrypt would compare
// only its first 72, so P[:72] followed by anything would sign in as P: a
// hash that cannot tell passwords apart must not be asked to. The user
// resets the password once (whatever they typed at the old service was
// truncated there too). The refusal still spends one comparison, so it does
// not reveal quickly that the account exists with a bcrypt hash.
func (b bcryptHash) matches(k *kdf, password []byte) (bool, error) {
	tooLong := len(password) > bcryptMaxPassword
	if tooLong {
		password = password[:bcryptMaxPassword]
	}
	err := k.bcrypt(b.encoded, password)
	switch {
	case err == nil:
		return !tooLong, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		return false, fmt.Errorf("%w: bcrypt: %w", errMalformed, err)
	}
}

// parseBcrypt checks the shape and bounds the cost, so every error the
// comparison could return is caught here, before any work.
func parseBcrypt(encoded string) (bcryptHash, error) {
	if len(encoded) != 60 || encoded[6] != '$' {
		return bcryptHash{}, fmt.Errorf("%w: not a 60-character bcrypt hash", errMalformed)
	}
	for _, c := range encoded[7:] {
		if !strings.ContainsRune(bcryptAlphabet, c) {
			return bcryptHash{}, fmt.Errorf("%w: bcrypt salt or key is not bcrypt base64", errMalformed)
		}
	}
	cost, err := bcrypt.Cost([]byte(encoded))
	if err != nil || cost > maxBcryptCost {
		return bcryptHash{}, fmt.Errorf("%w: bcrypt cost not in [%d, %d]", errMalformed, bcrypt.MinCost, maxBcryptCost)
	}
	return bcryptHash{encoded: []byte(encoded)}, nil
}
