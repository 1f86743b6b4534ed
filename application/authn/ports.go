// Package authn is the authentication capability: email + password sign-up
// and sign-in, and cookie sessions (look up, refresh, sign out). It declares
// the ports it needs; adapters live in infrastructure and are bound by the
// runtime.
package authn

import (
	"context"
	"time"

	"github.com/beep/iam/domain/id"
	"github.com/beep/iam/domain/identity"
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

// Tokens mints session tokens: session.TokenLength characters of
// [A-Za-z0-9] from a CSPRNG.
type Tokens interface {
	SessionToken() (string, error)
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
	// so an unknown email costs what a known one does.
	Burn(ctx context.Context, password string)
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
	// ListByUser returns every account of the user, oldest first.
	ListByUser(ctx context.Context, userID identity.UserID) ([]identity.Account, error)
	// UpdatePassword replaces the password hash of an account;
	// identity.ErrAccountNotFound when it does not exist.
	UpdatePassword(ctx context.Context, accountID identity.AccountID, hash string, updatedAt time.Time) error
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
	// AddMember inserts m; a failure.Conflict when the user is already a
	// member of that organization, a failure.NotFound
	// (ORGANIZATION_NOT_FOUND or USER_NOT_FOUND) when either does not exist.
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
