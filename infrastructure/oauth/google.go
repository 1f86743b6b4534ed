package oauth

import (
	"context"
	"errors"
	"time"

	"github.com/beep/iam/application/authn"
	"golang.org/x/oauth2"
)

// googleIssuer is the issuer of Google id tokens; go-oidc also accepts
// the scheme-less "accounts.google.com" Google sometimes writes.
const googleIssuer = "https://accounts.google.com"

// idTokenMaxAge is the oldest id token Google and Microsoft sign-ins take,
// better-auth's maxTokenAge.
const idTokenMaxAge = time.Hour

var googleScopes = []string{"email", "profile", "openid"}

// GoogleProvider is Google sign-in: OpenID Connect with PKCE and
// include_granted_scopes=true. The user is the verified id token of the
// token response; accountId is its sub.
type GoogleProvider struct {
	core
	scopes   []string
	ep       Endpoints
	verifier *idTokenVerifier
}

var _ authn.OAuthProvider = (*GoogleProvider)(nil)

// NewGoogle returns the Google provider.
func NewGoogle(cfg Config, opts ...Option) (*GoogleProvider, error) {
	if err := cfg.validate(string(Google), Google); err != nil {
		return nil, err
	}
	o := buildOptions(opts)
	p := &GoogleProvider{core: newCore(string(Google), cfg, o), scopes: cfg.Scopes, ep: cfg.Endpoints.withDefaults(defaultEndpoints[Google])}
	p.verifier = newIDTokenVerifier(p.http.api, p.ep.JWKSURL, googleIssuer, cfg.ClientID, []string{"RS256"}, idTokenMaxAge, o.now)
	return p, nil
}

// AuthorizationURL sends the default scopes, then the configured ones,
// then the request's; login_hint; the S256 challenge (required, as
// better-auth requires it); include_granted_scopes=true.
func (p *GoogleProvider) AuthorizationURL(req authn.AuthorizationRequest) (string, error) {
	if req.CodeVerifier == "" {
		return "", errors.New("oauth: google needs a code verifier")
	}
	var extra []oauth2.AuthCodeOption
	if req.LoginHint != "" {
		extra = append(extra, oauth2.SetAuthURLParam("login_hint", req.LoginHint))
	}
	extra = append(extra, oauth2.SetAuthURLParam("include_granted_scopes", "true"))
	return p.authCodeURL(p.ep.AuthURL, req, joinScopes(googleScopes, p.scopes, req.Scopes), true, extra...)
}

// Exchange trades the code with its PKCE verifier.
func (p *GoogleProvider) Exchange(ctx context.Context, code, codeVerifier, redirectURI string) (authn.OAuthTokens, error) {
	return p.exchange(ctx, p.ep.TokenURL, code, codeVerifier, redirectURI, true)
}

// Refresh trades a refresh token.
func (p *GoogleProvider) Refresh(ctx context.Context, refreshToken string) (authn.OAuthTokens, error) {
	return p.refresh(ctx, p.ep.TokenURL, refreshToken, nil)
}

// UserInfo verifies the token response's id token and reads the user from
// it. The nonce is not checked: Google's authorization URL carries none
// (as better-auth's), so its id tokens carry none.
func (p *GoogleProvider) UserInfo(ctx context.Context, tokens authn.OAuthTokens, _ string) (authn.ProviderUser, error) {
	if tokens.IDToken == "" {
		return authn.ProviderUser{}, invalidIDToken(errors.New("google token response has no id token"))
	}
	return p.VerifyIDToken(ctx, tokens.IDToken, "")
}

// VerifyIDToken checks a Google id token: RS256 with Google's keys, issuer,
// audience, expiry, at most an hour old, and the nonce when given.
func (p *GoogleProvider) VerifyIDToken(ctx context.Context, idToken, nonce string) (authn.ProviderUser, error) {
	tok, err := p.verifier.verify(ctx, idToken, nonce)
	if err != nil {
		return authn.ProviderUser{}, err
	}
	return oidcUser(tok.Subject, tok.Claims), nil
}

// oidcUser maps standard OpenID Connect claims.
func oidcUser(sub string, claims map[string]any) authn.ProviderUser {
	_, stated := claims["email_verified"]
	return authn.ProviderUser{
		AccountID: sub, Email: str(claims, "email"), EmailVerified: truthy(claims["email_verified"]),
		EmailVerificationUnstated: !stated,
		Name:                      str(claims, "name"), Image: str(claims, "picture"), Data: claims,
	}
}
