package authn

import (
	"context"
	"time"

	"github.com/beep/iam/domain/failure"
)

// ProviderUser is what a provider says about the user who signed in.
type ProviderUser struct {
	// AccountID is the provider's stable id of the user (e.g. OIDC sub,
	// Microsoft oid, GitHub's numeric id as text).
	AccountID string
	// Email is as the provider gave it ("" when it gave none);
	// EmailVerified is whether the provider says it verified it.
	Email         string
	EmailVerified bool
	// EmailVerificationUnstated is set when the provider said nothing about
	// verification (e.g. an OpenID Connect issuer without email_verified);
	// only then may trust in the provider stand in for it. A provider that
	// says "unverified" is never overruled.
	EmailVerificationUnstated bool
	Name                      string
	Image                     string
	// Data is the provider's raw profile, for account-info.
	Data map[string]any
}

// OAuthTokens are a provider's tokens. A zero expiry means none was given.
type OAuthTokens struct {
	AccessToken           string
	RefreshToken          string
	IDToken               string
	AccessTokenExpiresAt  time.Time
	RefreshTokenExpiresAt time.Time
	// Scopes are the granted scopes from the token response.
	Scopes []string
}

// AuthorizationRequest is what the authorization URL of one flow carries.
type AuthorizationRequest struct {
	State       string
	RedirectURI string
	// CodeVerifier is the flow's PKCE secret; providers that support PKCE
	// send its S256 challenge, the others ignore it.
	CodeVerifier string
	// Nonce binds an OpenID Connect id token to this flow.
	Nonce string
	// Scopes are requested on top of the provider's defaults.
	Scopes    []string
	LoginHint string
}

// OAuthProvider is one configured identity provider (Google, GitHub, a
// generic OpenID Connect issuer, ...). Adapters speak its protocol over
// HTTP and verify what it returns (id token signature, issuer, audience,
// expiry, nonce).
type OAuthProvider interface {
	// ID is the provider id of the wire and of account rows ("google").
	ID() string
	// AuthorizationURL is where the browser goes to sign in.
	AuthorizationURL(req AuthorizationRequest) (string, error)
	// Exchange trades an authorization code for tokens;
	// ErrProviderRejected when the provider refuses it.
	Exchange(ctx context.Context, code, codeVerifier, redirectURI string) (OAuthTokens, error)
	// UserInfo tells who the tokens belong to, checking an id token
	// against nonce when the provider issues one.
	UserInfo(ctx context.Context, tokens OAuthTokens, nonce string) (ProviderUser, error)
	// Refresh trades a refresh token for new tokens.
	Refresh(ctx context.Context, refreshToken string) (OAuthTokens, error)
	// VerifyIDToken checks an id token issued to this client (signature,
	// issuer, audience, expiry, and nonce when it is not "") and returns
	// its user; ErrIDTokenNotSupported for providers without OpenID
	// Connect.
	VerifyIDToken(ctx context.Context, idToken, nonce string) (ProviderUser, error)
}

// OAuthProviders are the configured providers by id.
type OAuthProviders interface {
	Provider(id string) (OAuthProvider, bool)
}

// TokenCipher seals provider tokens before they are stored and opens them
// when they are used, with an AEAD keyed from the server secret; sealed
// values name their key, so the secret can rotate.
type TokenCipher interface {
	Seal(plain string) (string, error)
	Open(sealed string) (string, error)
}

// Failures of providers, which adapters return (wrapping the cause).
var (
	// ErrProviderRejected is a provider refusing a code, a token or a
	// refresh (an OAuth error answer, a 4xx).
	ErrProviderRejected = failure.New(failure.Invalid, "PROVIDER_REJECTED", "The provider refused the request")
	// ErrIDTokenNotSupported answers id-token sign-in with a provider that
	// has no id tokens.
	ErrIDTokenNotSupported = failure.New(failure.NotFound, "ID_TOKEN_NOT_SUPPORTED", "id_token not supported")
	// ErrInvalidIDToken is an id token that does not verify.
	ErrInvalidIDToken = failure.New(failure.Unauthenticated, "INVALID_TOKEN", "Invalid token")
)
