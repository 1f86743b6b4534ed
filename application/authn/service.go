package authn

import (
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// Deps are the ports the service calls.
type Deps struct {
	Clock         Clock
	IDs           IDs
	Tokens        Tokens
	Hasher        PasswordHasher
	Tx            TxRunner
	Users         UserRepository
	Accounts      AccountRepository
	Sessions      SessionRepository
	Organizations OrganizationRepository
	Revoked       RevokedSessions
	// FoldAccents strips diacritics for personal-organization slugs.
	FoldAccents organization.Folder
}

// Policy holds the rules the service applies.
type Policy struct {
	Passwords identity.PasswordPolicy
	Sessions  session.Policy
	// FreshAge is how young a session must be for actions that need a
	// recent sign-in (listing sessions, deleting the account without a
	// password); zero disables the check.
	FreshAge time.Duration
	// DeleteUserEnabled turns on account self-deletion.
	DeleteUserEnabled bool
}

// DefaultPolicy is Beep's default.
var DefaultPolicy = Policy{
	Passwords: identity.DefaultPasswordPolicy,
	Sessions:  session.DefaultPolicy,
	FreshAge:  24 * time.Hour,
}

// Service runs the authentication use cases.
type Service struct {
	deps   Deps
	policy Policy
}

// NewService returns a service over deps applying policy.
func NewService(deps Deps, policy Policy) *Service {
	return &Service{deps: deps, policy: policy}
}

// Client describes where a request came from; it is recorded on sessions.
type Client struct {
	IPAddress string
	UserAgent string
}

// Authenticated is the outcome of a sign-up or sign-in: the user and their
// new session with its organization context.
type Authenticated struct {
	User    identity.User
	Session session.Session
	Context session.OrganizationContext
}
