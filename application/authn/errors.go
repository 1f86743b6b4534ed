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
)
