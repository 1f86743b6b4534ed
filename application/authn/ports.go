// Package authn is the authentication capability: email + password sign-up
// and sign-in, sessions (look up, refresh, list, revoke, sign out), account
// management (profile, password, deletion) and the email flows
// (verification, password reset, email change). It declares the ports it
// needs; adapters live in infrastructure and are bound by the runtime.
package authn

import (
	"context"
	"time"

	"github.com/beep/iam/domain/id"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// Clock tells the time; tests pass a fixed one.
type Clock interface {
	Now() time.Time
}

// IDs mints UUIDs for new rows (version 7 in production).
type IDs interface {
	NewUUID() id.UUID
}

// Tokens mints secrets from a CSPRNG.
type Tokens interface {
	// SessionToken returns session.TokenLength characters of [A-Za-z0-9].
	SessionToken() (string, error)
	// RandomToken returns n characters of [A-Za-z0-9], for single-use
	// tokens such as password resets.
	RandomToken(n int) (string, error)
}

// EmailClaims are what an email-verification token asserts, as
// better-auth's JWT does: the address, the user, and for email changes the
// new address and the step of the change.
type EmailClaims struct {
	Email       identity.Email
	UserID      identity.UserID
	UpdateTo    identity.Email
	RequestType string
}

// Email-change steps carried in EmailClaims.RequestType.
const (
	ChangeEmailConfirmation = "change-email-confirmation"
	ChangeEmailVerification = "change-email-verification"
)

// EmailTokens issues and checks stateless email-verification tokens (HS256
// JWTs keyed by the server secret, as better-auth's).
type EmailTokens interface {
	// Issue returns a token for c that expires after ttl.
	Issue(c EmailClaims, ttl time.Duration) (string, error)
	// Parse verifies a token: ErrTokenExpired when it is past its expiry,
	// ErrInvalidToken for anything else wrong (signature, algorithm,
	// shape).
	Parse(token string) (EmailClaims, error)
}

// VerificationRepository stores single-use secrets (password-reset and
// delete-account tokens), looked up by identifier.
type VerificationRepository interface {
	// Create inserts v; a failure.Conflict when its identifier exists.
	Create(ctx context.Context, v identity.Verification) error
	// Find returns the verification with that identifier without using it
	// up, or a failure.NotFound.
	Find(ctx context.Context, identifier string) (identity.Verification, error)
	// DeleteFor removes every verification of one purpose (the identifier
	// prefix before ":") granted to value, e.g. all reset tokens of a
	// user. Idempotent.
	DeleteFor(ctx context.Context, purpose, value string) error
	// Consume deletes and returns the verification with that identifier,
	// atomically: of concurrent callers exactly one gets it, the others a
	// failure.NotFound. Expired rows are returned too; the caller decides.
	Consume(ctx context.Context, identifier string) (identity.Verification, error)
}

// PasswordHasher hashes and verifies passwords. Implementations bound their
// concurrency, so callers may call it from any number of goroutines.
type PasswordHasher interface {
	// Hash returns the encoded hash of password.
	Hash(ctx context.Context, password string) (string, error)
	// Verify reports whether password matches encoded. A malformed encoded
	// hash is an error, not a mismatch.
	Verify(ctx context.Context, password, encoded string) (bool, error)
	// Burn spends the work of one Verify with the configured parameters and
	// discards the result. Sign-in calls it when there is no hash to check,
	// so an unknown email costs what a known one does. It fails as Verify
	// would (an overloaded pool), so the answer does not differ either.
	Burn(ctx context.Context, password string) error
	// NeedsRehash reports whether encoded is not in the configured
	// algorithm and parameters, so a successful sign-in should replace it.
	NeedsRehash(encoded string) bool
}

// RevokedSessions remembers revoked session tokens for as long as a cookie
// cache entry issued for them could still be presented (the cookie-cache
// max age), so the cache path refuses them at once. Adapters: in memory for
// one node, Redis for many.
type RevokedSessions interface {
	// Revoke records tokens as revoked. Idempotent.
	Revoke(ctx context.Context, tokens ...string) error
	// IsRevoked reports whether token was revoked recently. Callers treat an
	// error as "revoked" and fall back to storage: a cache failure never
	// authenticates.
	IsRevoked(ctx context.Context, token string) (bool, error)
}

// ContextChanges tells whether a user's organization context (memberships,
// roles, active organization) changed since a time, so a cookie-cache entry
// issued before the change is read again from storage. Adapters: in memory
// for one node, Redis for many.
type ContextChanges interface {
	// ChangedSince reports whether the user's context changed at or after
	// t. Callers treat an error as "changed": a cache failure never serves
	// a possibly stale role.
	ChangedSince(ctx context.Context, userID identity.UserID, t time.Time) (bool, error)
}

// Outbox queues emails. Enqueue writes into the transaction of ctx, so an
// email exists exactly when the change that caused it committed; delivery
// happens later, at least once, with retries. Callers validate messages
// first (mail.Message.Validate).
type Outbox interface {
	// Enqueue stores msg for delivery.
	Enqueue(ctx context.Context, msg mail.Message) error
	// Wake tells the dispatcher that committed mail is waiting, so the
	// first attempt need not wait for the next poll. Call it after commit.
	Wake()
}

// TxRunner runs fn in one transaction: every repository call made with the
// context fn receives joins it, and everything fn wrote is committed when fn
// returns nil and rolled back otherwise. fn must use that context for every
// call (on SQLite, the single connection is held by the transaction). A
// nested InTx joins the outer transaction. After a failed statement the
// transaction is done for (PostgreSQL aborts it): return the error rather
// than trying something else inside the same transaction.
type TxRunner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// UserRepository stores users.
type UserRepository interface {
	// Create inserts u; identity.ErrUserAlreadyExists when the email is taken.
	Create(ctx context.Context, u identity.User) error
	// ByEmail returns the user with that email, or identity.ErrUserNotFound.
	ByEmail(ctx context.Context, email identity.Email) (identity.User, error)
	// ByID returns the user, or identity.ErrUserNotFound.
	ByID(ctx context.Context, userID identity.UserID) (identity.User, error)
	// Update stores u's name, image, email, emailVerified and updatedAt;
	// identity.ErrUserNotFound when the user does not exist.
	Update(ctx context.Context, u identity.User) error
	// Delete removes the user with their sessions, accounts and
	// memberships (the rows that reference the user); organizations they
	// created survive with no creator (OwnerUserID ""). Idempotent.
	Delete(ctx context.Context, userID identity.UserID) error
}

// AccountRepository stores the ways users authenticate.
type AccountRepository interface {
	// Create inserts a; a failure.Conflict when an account with that
	// provider and provider account id exists (for any user), a
	// failure.NotFound when the user does not exist.
	Create(ctx context.Context, a identity.Account) error
	// Credential returns the password account of the user, or
	// identity.ErrAccountNotFound.
	Credential(ctx context.Context, userID identity.UserID) (identity.Account, error)
	// CredentialForUpdate is Credential inside a transaction, holding the
	// row until it ends: a concurrent password change waits, so a sign-in
	// and a reset cannot interleave.
	CredentialForUpdate(ctx context.Context, userID identity.UserID) (identity.Account, error)
	// ListByUser returns every account of the user, oldest first.
	ListByUser(ctx context.Context, userID identity.UserID) ([]identity.Account, error)
	// UpdatePassword replaces the password hash of an account;
	// identity.ErrAccountNotFound when it does not exist.
	UpdatePassword(ctx context.Context, accountID identity.AccountID, hash string, updatedAt time.Time) error
	// ByID returns the account, or identity.ErrAccountNotFound.
	ByID(ctx context.Context, accountID identity.AccountID) (identity.Account, error)
	// ByProvider returns the account a provider's user id belongs to, or
	// identity.ErrAccountNotFound.
	ByProvider(ctx context.Context, providerID, providerAccountID string) (identity.Account, error)
	// UpdateTokens stores a's tokens, their expiries, scope and updatedAt;
	// identity.ErrAccountNotFound when it does not exist.
	UpdateTokens(ctx context.Context, a identity.Account) error
	// ListByUserForUpdate is ListByUser inside a transaction, holding the
	// user's account rows until it ends, so a count taken from it stays
	// true until commit.
	ListByUserForUpdate(ctx context.Context, userID identity.UserID) ([]identity.Account, error)
	// Delete removes the account; identity.ErrAccountNotFound when it does
	// not exist.
	Delete(ctx context.Context, accountID identity.AccountID) error
}

// SessionRepository stores sessions, addressed by their secret token.
type SessionRepository interface {
	// Create inserts s; a failure.Conflict on a duplicate token, a
	// failure.NotFound when the user does not exist.
	Create(ctx context.Context, s session.Session) error
	// ByToken returns the session, or session.ErrSessionNotFound.
	ByToken(ctx context.Context, token string) (session.Session, error)
	// Extend moves the expiry of the session; session.ErrSessionNotFound
	// when it no longer exists.
	Extend(ctx context.Context, token string, expiresAt, updatedAt time.Time) error
	// Delete removes the session. Idempotent: deleting a missing session is
	// not an error.
	Delete(ctx context.Context, token string) error
	// ListByUser returns every session of the user, expired ones included,
	// newest first.
	ListByUser(ctx context.Context, userID identity.UserID) ([]session.Session, error)
	// DeleteByUser removes every session of the user except the one whose
	// token is keep ("" keeps none) and returns the tokens it removed.
	DeleteByUser(ctx context.Context, userID identity.UserID, keep string) ([]string, error)
}

// OrganizationRepository stores organizations and their members.
type OrganizationRepository interface {
	// Create inserts o; organization.ErrSlugTaken when the slug is in use.
	Create(ctx context.Context, o organization.Organization) error
	// SlugTaken reports whether an organization uses slug.
	SlugTaken(ctx context.Context, slug string) (bool, error)
	// AddMember inserts m; organization.ErrAlreadyMember when the user is
	// already a member of that organization, organization.
	// ErrOrganizationNotFound or identity.ErrUserNotFound when either does
	// not exist.
	AddMember(ctx context.Context, m organization.Member) error
	// MembershipsOf returns every membership of the user with its
	// organization, in no particular order.
	MembershipsOf(ctx context.Context, userID identity.UserID) ([]organization.Membership, error)
	// OwnerCount returns how many active members of the organization hold
	// the owner role (alone or among others).
	OwnerCount(ctx context.Context, orgID organization.ID) (int, error)
	// Delete removes the organization with its members and invitations.
	// Idempotent.
	Delete(ctx context.Context, orgID organization.ID) error
}
