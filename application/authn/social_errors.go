package authn

import "github.com/beep/iam/domain/failure"

// Failures of the social endpoints, with better-auth's codes.
var (
	ErrProviderNotFound       = failure.New(failure.NotFound, "PROVIDER_NOT_FOUND", "Provider not found")
	ErrUserEmailNotFound      = failure.New(failure.Unauthenticated, "USER_EMAIL_NOT_FOUND", "User email not found")
	ErrOAuthLinkError         = failure.New(failure.Unauthenticated, "OAUTH_LINK_ERROR", "account not linked")
	ErrSignUpDisabled         = failure.New(failure.Forbidden, "SIGNUP_DISABLED", "Sign up is disabled")
	ErrLastAccount            = failure.New(failure.Invalid, "FAILED_TO_UNLINK_LAST_ACCOUNT", "You can't unlink your last account")
	ErrProviderNotConfigured  = failure.New(failure.Invalid, "PROVIDER_NOT_CONFIGURED", "Account is not associated with a configured social provider.")
	ErrFailedToGetAccessToken = failure.New(failure.Invalid, "FAILED_TO_GET_ACCESS_TOKEN", "Failed to get a valid access token")
	ErrRefreshTokenNotFound   = failure.New(failure.Invalid, "REFRESH_TOKEN_NOT_FOUND", "Refresh token not found")
	ErrFailedToRefreshToken   = failure.New(failure.Invalid, "FAILED_TO_REFRESH_ACCESS_TOKEN", "Failed to refresh access token")
	ErrAccessTokenNotFound    = failure.New(failure.Invalid, "ACCESS_TOKEN_NOT_FOUND", "Access token not found")
	ErrFailedToGetUserInfo    = failure.New(failure.Unauthenticated, "FAILED_TO_GET_USER_INFO", "Failed to get user info")
	ErrSocialAccountLinked    = failure.New(failure.Conflict, "SOCIAL_ACCOUNT_ALREADY_LINKED", "Social account already linked")
	ErrLinkingNotAllowed      = failure.New(failure.Unauthenticated, "LINKING_NOT_ALLOWED", "Account not linked - linking not allowed")
	ErrLinkingDifferentEmails = failure.New(failure.Unauthenticated, "LINKING_DIFFERENT_EMAILS_NOT_ALLOWED", "Account not linked - different emails not allowed")
)

// errProviderNotSupported is better-auth's per-provider wording of an
// account whose provider is not configured.
func errProviderNotSupported(providerID string) error {
	return failure.New(failure.Invalid, "PROVIDER_NOT_SUPPORTED", "Provider "+providerID+" is not supported.")
}

// SocialError ends an OAuth callback: the browser is redirected to
// RedirectTo (the flow's error callback URL; "" means the server's error
// page) with ?error=Code and, when set, &error_description=Description.
// The codes are better-auth's (state_mismatch, invalid_code,
// account_not_linked, ...).
type SocialError struct {
	Code        string
	Description string
	RedirectTo  string
	Err         error
}

func (e *SocialError) Error() string {
	msg := "oauth callback: " + e.Code
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *SocialError) Unwrap() error { return e.Err }

// refusal is a reason a social sign-in or link is refused, named by its
// callback error code; the id-token flow turns it into a failure.
type refusal string

// The refusals of the sign-in and link rules.
const (
	refusedNotLinked        refusal = "account_not_linked"
	refusedSignUpDisabled   refusal = "signup_disabled"
	refusedLink             refusal = "unable_to_link_account"
	refusedEmailMismatch    refusal = "email_does_not_match"
	refusedLinkedElsewhere  refusal = "account_already_linked_to_different_user"
	refusedNoEmail          refusal = "email_not_found"
	refusedEmailNotVerified refusal = "email_not_verified"
)

func (r refusal) Error() string { return string(r) }
