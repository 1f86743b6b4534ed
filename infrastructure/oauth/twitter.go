package oauth

import (
	"context"
	"errors"
	"net/url"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
)

var twitterScopes = []string{"users.read", "tweet.read", "offline.access", "users.email"}

// TwitterProvider is X (Twitter) sign-in: OAuth 2.0 with PKCE and the
// client credentials in an HTTP Basic header. The user is /2/users/me;
// accountId is data.id.
type TwitterProvider struct {
	core
	scopes []string
	ep     Endpoints
}

var _ authn.OAuthProvider = (*TwitterProvider)(nil)

// NewTwitter returns the X provider.
func NewTwitter(cfg Config, opts ...Option) (*TwitterProvider, error) {
	if err := cfg.validate(string(Twitter), Twitter); err != nil {
		return nil, err
	}
	p := &TwitterProvider{core: newCore(string(Twitter), cfg, buildOptions(opts)), scopes: cfg.Scopes,
		ep: cfg.Endpoints.withDefaults(defaultEndpoints[Twitter])}
	p.basicAuth = true
	return p, nil
}

// AuthorizationURL sends the default scopes, the configured ones, the
// request's, and the S256 challenge; no login_hint.
func (p *TwitterProvider) AuthorizationURL(req authn.AuthorizationRequest) (string, error) {
	return p.authCodeURL(p.ep.AuthURL, req, joinScopes(twitterScopes, p.scopes, req.Scopes), true)
}

// Exchange trades the code with its PKCE verifier, authenticating with
// Basic (no client_id in the body).
func (p *TwitterProvider) Exchange(ctx context.Context, code, codeVerifier, redirectURI string) (authn.OAuthTokens, error) {
	return p.exchange(ctx, p.ep.TokenURL, code, codeVerifier, redirectURI, true)
}

// Refresh trades a refresh token, authenticating with Basic.
func (p *TwitterProvider) Refresh(ctx context.Context, refreshToken string) (authn.OAuthTokens, error) {
	return p.refresh(ctx, p.ep.TokenURL, refreshToken, nil)
}

// UserInfo makes better-auth's two calls: /2/users/me with
// user.fields=profile_image_url, then with user.fields=confirmed_email
// (a separate call, because it fails without the users.email grant). The
// confirmed email, when there is one, is Email with EmailVerified;
// otherwise Email is "" and the use case decides the placeholder. The
// second call being refused counts as no email; its failing for an
// outage fails the call, so an outage never signs up a user without
// their address.
func (p *TwitterProvider) UserInfo(ctx context.Context, tokens authn.OAuthTokens, _ string) (authn.ProviderUser, error) {
	var profile struct {
		Data map[string]any `json:"data"`
	}
	if err := getJSON(ctx, p.http.api, "fetch x user", p.fields("profile_image_url"), tokens.AccessToken, nil, &profile); err != nil {
		return authn.ProviderUser{}, err
	}
	data := profile.Data
	id := idString(data, "id")
	if id == "" {
		return authn.ProviderUser{}, rejected("fetch x user", errors.New("no data.id"))
	}
	var withEmail struct {
		Data map[string]any `json:"data"`
	}
	email := ""
	if err := getJSON(ctx, p.http.api, "fetch x email", p.fields("confirmed_email"), tokens.AccessToken, nil, &withEmail); err != nil {
		if failure.KindOf(err) == failure.Unavailable {
			return authn.ProviderUser{}, err
		}
	} else {
		email = str(withEmail.Data, "confirmed_email")
	}
	if email != "" {
		data["email"] = email
	}
	return authn.ProviderUser{AccountID: id, Email: email, EmailVerified: email != "", Name: str(data, "name"),
		Image: str(data, "profile_image_url"), Data: map[string]any{"data": data}}, nil
}

func (p *TwitterProvider) fields(f string) string {
	u, err := url.Parse(p.ep.UserInfoURL)
	if err != nil {
		return p.ep.UserInfoURL
	}
	q := u.Query()
	q.Set("user.fields", f)
	u.RawQuery = q.Encode()
	return u.String()
}

// VerifyIDToken is not supported: X issues no id tokens.
func (p *TwitterProvider) VerifyIDToken(context.Context, string, string) (authn.ProviderUser, error) {
	return authn.ProviderUser{}, authn.ErrIDTokenNotSupported
}
