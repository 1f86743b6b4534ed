package authn

import "github.com/beep/iam/domain/failure"

// Failures of this capability, with better-auth's codes.
var (
	ErrInvalidCredentials = failure.New(failure.Unauthenticated, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password")
	// ErrSessionGone is a get-session whose refresh found the row deleted
	// underneath it.
	ErrSessionGone = failure.New(failure.Unauthenticated, "FAILED_TO_GET_SESSION", "Failed to get session")
	// ErrSessionExpired is a session past its expiry; it has been deleted.
	ErrSessionExpired = failure.New(failure.NotFound, "SESSION_EXPIRED", "Session expired")

	ErrInvalidPassword           = failure.New(failure.Invalid, "INVALID_PASSWORD", "Invalid password")
	ErrCredentialAccountNotFound = failure.New(failure.Invalid, "CREDENTIAL_ACCOUNT_NOT_FOUND", "Credential account not found")
	ErrSessionNotFresh           = failure.New(failure.Forbidden, "SESSION_NOT_FRESH", "Session is not fresh")
	// ErrReauthenticate is an old session asking for a sensitive action
	// without a password (better-auth's SESSION_EXPIRED on delete-user).
	ErrReauthenticate = failure.New(failure.Invalid, "SESSION_EXPIRED", "Session expired. Re-authenticate to perform this action.")
	// ErrDeleteUserDisabled hides the endpoint: better-auth answers an
	// empty 404 when deletion is off.
	ErrDeleteUserDisabled = failure.New(failure.NotFound, "DELETE_USER_DISABLED", "")
	// ErrInvalidDeleteToken is a delete-account confirmation token that
	// does not exist (better-auth answers 404 INVALID_TOKEN).
	ErrInvalidDeleteToken = failure.New(failure.NotFound, "INVALID_TOKEN", "Invalid token")
	ErrTokenExpired       = failure.New(failure.Unauthenticated, "TOKEN_EXPIRED", "Token expired")
	ErrInvalidToken       = failure.New(failure.Unauthenticated, "INVALID_TOKEN", "Invalid token")
	// ErrVerificationNotFound is a verification identifier with no row.
	ErrVerificationNotFound = failure.New(failure.NotFound, "VERIFICATION_NOT_FOUND", "Verification not found")
	// ErrSoleOwner refuses to delete a user who alone owns an organization
	// besides their personal one: it would be left without an owner.
	ErrSoleOwner = failure.New(failure.Precondition, "USER_IS_SOLE_OWNER_OF_AN_ORGANIZATION",
		"You are the only owner of an organization; transfer ownership or delete it first")
)
