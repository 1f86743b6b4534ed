package identity

import (
	"time"

	"github.com/beep/iam/domain/id"
)

// VerificationID identifies a verification row: "verification__<uuid>".
type VerificationID string

// VerificationIDPrefix is the table prefix of verification ids.
const VerificationIDPrefix = "verification"

// NewVerificationID formats a fresh verification id.
func NewVerificationID(u id.UUID) VerificationID {
	return VerificationID(id.Format(VerificationIDPrefix, u))
}

// Verification is a short-lived, single-use secret such as a password-reset
// token or OAuth state. Identifier is what it is looked up by (for example
// "reset-password:<token>"), Value what it grants (for example a user id).
type Verification struct {
	ID         VerificationID
	Identifier string
	Value      string
	ExpiresAt  time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Expired reports whether the verification can no longer be used at now.
func (v Verification) Expired(now time.Time) bool { return !now.Before(v.ExpiresAt) }
