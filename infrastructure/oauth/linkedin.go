package oauth

import (
	"context"
	"errors"

	"github.com/beep/iam/application/authn"
	"golang.org/x/oauth2"
)

var linkedinScopes = []string{"profile", "email", "openid"}

// LinkedInProvider is LinkedIn sign-in ("Sign In with LinkedIn using
// OpenID Connect"), used as better-auth uses it: the code flow without
// PKCE, and the user from the userinfo endpoint; accountId is its sub.
type LinkedInProvider struct {
	core
	scopes []string
	ep     Endpoints
}

var _ authn.OAuthProvider = (*LinkedInProvider)(nil)

// NewLinkedIn returns the LinkedIn provider.
func NewLinkedIn(cfg Config, opts ...Option) (*LinkedInProvider, error) {
	if err := cfg.validate(string(LinkedIn), LinkedIn); err != nil {
		return nil, err
	}
	return &LinkedInProvider{core: newCore(string(LinkedIn), cfg, buildOptions(opts)), scopes: cfg.Scopes,
		ep: cfg.Endpoints.withDefaults(defaultEndpoints[LinkedIn])}, nil
}

// AuthorizationURL sends the default scopes, the configured ones, the
// request's, and login_hint; no PKCE.
func (p *LinkedInProvider) AuthorizationURL(req authn.AuthorizationRequest) (string, error) {
	var extra []oauth2.AuthCodeOption
	if req.LoginHint != "" {
		extra = append(extra, oauth2.SetAuthURLParam("login_hint", req.LoginHint))
	}
	return p.authCodeURL(p.ep.AuthURL, req, joinScopes(linkedinScopes, p.scopes, req.Scopes), false, extra...)
}

// Exchange trades the code; no code_verifier is sent.
func (p *LinkedInProvider) Exchange(ctx context.Context, code, _, redirectURI string) (authn.OAuthTokens, error) {
	return p.exchange(ctx, p.ep.TokenURL, code, "", redirectURI, false)
}

// Refresh trades a refresh token.
func (p *LinkedInProvider) Refresh(ctx context.Context, refreshToken string) (authn.OAuthTokens, error) {
	return p.refresh(ctx, p.ep.TokenURL, refreshToken, nil)
}

// UserInfo reads the userinfo endpoint.
func (p *LinkedInProvider) UserInfo(ctx context.Context, tokens authn.OAuthTokens, _ string) (authn.ProviderUser, error) {
	var profile map[string]any
	if err := getJSON(ctx, p.http.api, "fetch linkedin userinfo", p.ep.UserInfoURL, tokens.AccessToken, nil, &profile); err != nil {
		return authn.ProviderUser{}, err
	}
	sub := str(profile, "sub")
	if sub == "" {
		return authn.ProviderUser{}, rejected("fetch linkedin userinfo", errors.New("no sub"))
	}
	return oidcUser(sub, profile), nil
}

// VerifyIDToken is not supported, as in better-auth.
func (p *LinkedInProvider) VerifyIDToken(context.Context, string, string) (authn.ProviderUser, error) {
	return authn.ProviderUser{}, authn.ErrIDTokenNotSupported
}
