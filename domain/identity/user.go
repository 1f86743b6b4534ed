package identity

import (
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/id"
)

// UserID identifies a user: "user__<uuid>".
type UserID string

// UserIDPrefix is the table prefix of user ids.
const UserIDPrefix = "user"

// NewUserID formats a fresh user id.
func NewUserID(u id.UUID) UserID { return UserID(id.Format(UserIDPrefix, u)) }

// User is a person known to Beep IAM.
type User struct {
	ID            UserID
	Name          string
	Email         Email
	EmailVerified bool
	Image         *string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ErrUserAlreadyExists is the sign-up answer for a taken email (422 on the wire).
var ErrUserAlreadyExists = failure.New(failure.Conflict, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.")

// ErrUserNotFound is returned by lookups of a user that does not exist.
var ErrUserNotFound = failure.New(failure.NotFound, "USER_NOT_FOUND", "User not found")

// ErrInvalidName refuses a display name with control characters: a name
// ends up in emails, and a line break in one is a header-injection attempt.
var ErrInvalidName = failure.New(failure.Invalid, "INVALID_NAME", "Name must not contain control characters")

// MaxNameLength bounds display names (in characters): a name travels in
// every session cookie cache entry and every email.
const MaxNameLength = 256

// ErrNameTooLong refuses a display name over MaxNameLength characters.
var ErrNameTooLong = failure.New(failure.Invalid, "NAME_TOO_LONG", "Name is too long")

// CheckName reports whether name can be a user's display name.
func CheckName(name string) error {
	if utf8.RuneCountInString(name) > MaxNameLength {
		return ErrNameTooLong
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return ErrInvalidName
		}
	}
	return nil
}

// NewUser builds an unverified user. Emails arrive already canonical (Email
// can only be built by ParseEmail), so the uniqueness rule is a plain equality.
func NewUser(userID UserID, name string, email Email, image *string, now time.Time) User {
	return User{ID: userID, Name: name, Email: email, Image: image, CreatedAt: now, UpdatedAt: now}
}
