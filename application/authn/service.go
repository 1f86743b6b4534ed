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
	Changes       ContextChanges
	// SessionCache keeps GetSession answers; nil caches nothing.
	SessionCache  SessionCache
	Verifications VerificationRepository
	Outbox        Outbox
	EmailTokens   EmailTokens
	Providers     OAuthProviders
	Cipher        TokenCipher
	// FoldAccents strips diacritics for personal-organization slugs.
	FoldAccents organization.Folder
	// Attempts and Sends back the per-account and per-recipient limits
	// (see throttle.go); nil turns them off.
	Attempts AttemptCounter
	Sends    SendLimiter
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
	Email             EmailPolicy
	Links             Links
	Social            SocialPolicy
	// Throttle limits failed sign-ins per account and mails per
	// recipient, when Deps.Attempts and Deps.Sends are set.
	Throttle ThrottlePolicy
	// SessionCacheTTL bounds how long a GetSession answer is cached (never
	// past the session's expiry); zero caches nothing.
	SessionCacheTTL time.Duration
}

// EmailPolicy holds the rules of the email flows.
type EmailPolicy struct {
	// SendVerificationOnSignUp mails a verification link to new users.
	SendVerificationOnSignUp bool
	// RequireVerification refuses sign-in (and sign-up's session) until the
	// address is verified; sign-in then mails a new link.
	RequireVerification bool
	// VerificationTTL is the lifetime of an email-verification token.
	VerificationTTL time.Duration
	// ResetTTL is the lifetime of a password-reset token.
	ResetTTL time.Duration
	// RevokeSessionsOnReset ends every session of a user who reset their
	// password.
	RevokeSessionsOnReset bool
	// ChangeEmailEnabled allows users to change their address.
	ChangeEmailEnabled bool
	// ConfirmDeletionByEmail makes delete-user mail a confirmation link
	// instead of deleting at once.
	ConfirmDeletionByEmail bool
	// DeleteTokenTTL is the lifetime of a delete-account token.
	DeleteTokenTTL time.Duration
}

// DefaultEmailPolicy is Beep's: verification sent on sign-up but not
// required, one-hour links, sessions revoked on reset, email changes on.
var DefaultEmailPolicy = EmailPolicy{
	SendVerificationOnSignUp: true,
	VerificationTTL:          time.Hour,
	ResetTTL:                 time.Hour,
	RevokeSessionsOnReset:    true,
	ChangeEmailEnabled:       true,
	DeleteTokenTTL:           24 * time.Hour,
}

// DefaultPolicy is Beep's default.
var DefaultPolicy = Policy{
	Passwords: identity.DefaultPasswordPolicy,
	Sessions:  session.DefaultPolicy,
	FreshAge:  24 * time.Hour,
	Email:     DefaultEmailPolicy,
	Social:    DefaultSocialPolicy,
	Throttle:  DefaultThrottlePolicy,
	// SessionCacheTTL matters only with a SessionCache.
	SessionCacheTTL: 5 * time.Minute,
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
	// LoadedAt is when the memberships behind Context were about to be
	// read (see CurrentSession.LoadedAt).
	LoadedAt time.Time
}
