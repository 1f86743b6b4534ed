package session

import (
	"time"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/id"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
)

// ID identifies a session row: "session__<uuid>". It is not a secret; the
// token is.
type ID string

// IDPrefix is the table prefix of session ids.
const IDPrefix = "session"

// NewID formats a fresh session id.
func NewID(u id.UUID) ID { return ID(id.Format(IDPrefix, u)) }

// TokenLength is the length of a session token: 32 characters of
// [A-Za-z0-9], about 190 bits, as better-auth's generateId(32).
const TokenLength = 32

// Session is an authenticated browser or client. Token is the opaque secret
// carried (signed) in the session cookie.
type Session struct {
	ID                   ID
	Token                string
	UserID               identity.UserID
	ExpiresAt            time.Time
	IPAddress            string
	UserAgent            string
	ActiveOrganizationID *organization.ID
	// DontRemember marks a rememberMe:false session: it lives one day and
	// is never extended.
	DontRemember bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ErrSessionNotFound is returned by lookups of a session that does not exist.
var ErrSessionNotFound = failure.New(failure.NotFound, "SESSION_NOT_FOUND", "Session not found")

// Expired reports whether the session is over at now.
func (s Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }
