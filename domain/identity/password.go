package identity

import (
	"unicode/utf16"

	"github.com/beep/iam/domain/failure"
)

// PasswordPolicy bounds password length. Lengths are UTF-16 code units, as
// JavaScript's String.length counts them, so a password better-auth accepts
// is accepted here and the reverse ("😀" counts 2).
type PasswordPolicy struct {
	MinLength int
	MaxLength int
}

// DefaultPasswordPolicy is better-auth's default: 8..128.
var DefaultPasswordPolicy = PasswordPolicy{MinLength: 8, MaxLength: 128}

// Password policy failures, with better-auth's codes.
var (
	ErrPasswordTooShort = failure.New(failure.Invalid, "PASSWORD_TOO_SHORT", "Password too short")
	ErrPasswordTooLong  = failure.New(failure.Invalid, "PASSWORD_TOO_LONG", "Password too long")
)

// Check returns nil when password satisfies the policy.
func (p PasswordPolicy) Check(password string) error {
	if p.TooLong(password) {
		return ErrPasswordTooLong
	}
	if utf16Length(password) < p.MinLength {
		return ErrPasswordTooShort
	}
	return nil
}

// TooLong reports whether password exceeds the maximum. It is checked before
// any hashing, cheaply: a byte length within the limit is always short enough.
func (p PasswordPolicy) TooLong(password string) bool {
	if len(password) <= p.MaxLength {
		return false
	}
	// Each UTF-16 unit takes at least one byte and at most 3 bytes in UTF-8
	// (4 bytes encode 2 units), so a string over 3*max bytes is too long.
	if len(password) > 3*p.MaxLength {
		return true
	}
	return utf16Length(password) > p.MaxLength
}

func utf16Length(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
