// Package randomness supplies the identifiers and secrets the use cases
// mint: UUIDv7 row ids (time-ordered, so index inserts stay local) and
// session tokens from crypto/rand.
package randomness

import (
	"crypto/rand"
	"fmt"

	"github.com/google/uuid"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/id"
	"github.com/beep/iam/domain/session"
)

// IDs mints UUIDv7s.
type IDs struct{}

var (
	_ authn.IDs    = IDs{}
	_ authn.Tokens = Tokens{}
)

// NewUUID implements authn.IDs. uuid.NewV7 only fails if the system's
// randomness does, which leaves nothing safe to do but stop.
func (IDs) NewUUID() id.UUID {
	u, err := uuid.NewV7()
	if err != nil {
		panic(fmt.Sprintf("uuid v7: %v", err))
	}
	return id.UUID(u)
}

// tokenAlphabet is better-auth's generateId alphabet.
const tokenAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// Tokens mints session tokens.
type Tokens struct{}

// SessionToken implements authn.Tokens: session.TokenLength characters,
// each drawn uniformly (rejection sampling, no modulo bias).
func (Tokens) SessionToken() (string, error) { return alphanumeric(session.TokenLength) }

// RandomToken implements authn.Tokens.
func (Tokens) RandomToken(n int) (string, error) { return alphanumeric(n) }

// alphanumeric returns n characters of [A-Za-z0-9] from crypto/rand.
func alphanumeric(n int) (string, error) {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("read random: %w", err)
		}
		for _, b := range buf {
			// 248 = 4*62: bytes at or above it would bias the first letters.
			if b < 248 && len(out) < n {
				out = append(out, tokenAlphabet[b%62])
			}
		}
	}
	return string(out), nil
}
