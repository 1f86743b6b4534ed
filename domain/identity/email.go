package identity

import (
	"regexp"
	"strings"

	"github.com/beep/iam/domain/failure"
)

// Email is a canonical email address: trimmed, lower-cased and syntactically
// valid. The zero value is not a valid email; build one with ParseEmail.
type Email string

// MaxEmailLength is the longest address accepted (RFC 5321 path limit).
const MaxEmailLength = 254

// emailPattern is the address grammar of zod 4's z.email(), which
// better-auth uses, so both servers accept and refuse the same addresses.
// zod writes "no leading dot, no double dot" as look-aheads, which RE2 lacks;
// dot-separated non-empty atoms say the same. zod also requires the last
// local character to be one of [A-Za-z0-9_+-]: see ParseEmail.
var emailPattern = regexp.MustCompile(`^[A-Za-z0-9_'+\-]+(?:\.[A-Za-z0-9_'+\-]+)*@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$`)

// ErrInvalidEmail is returned for any address that is not acceptable.
var ErrInvalidEmail = failure.New(failure.Invalid, "INVALID_EMAIL", "Invalid email")

// ParseEmail canonicalises raw and checks it. It never accepts CR, LF, NUL or
// spaces inside the address, so an Email is always safe in a mail header.
func ParseEmail(raw string) (Email, error) {
	s := strings.ToLower(strings.TrimSpace(raw))
	if s == "" || len(s) > MaxEmailLength || !emailPattern.MatchString(s) {
		return "", ErrInvalidEmail
	}
	if local, _, _ := strings.Cut(s, "@"); strings.HasSuffix(local, "'") {
		return "", ErrInvalidEmail
	}
	return Email(s), nil
}

// String returns the address.
func (e Email) String() string { return string(e) }

// Undeliverable reports whether mail to e can never arrive: its domain
// is under .invalid (RFC 2606), as the placeholder addresses of users whose
// provider gave no email are. Nobody may sign up with, or move to, such an
// address, so a placeholder cannot be squatted.
func Undeliverable(e Email) bool {
	return strings.HasSuffix(string(e), ".invalid")
}
