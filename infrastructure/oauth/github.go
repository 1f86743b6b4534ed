package oauth

import (
	"context"
	"errors"
	"net/http"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"golang.org/x/oauth2"
)

var githubScopes = []string{"read:user", "user:email"}

// githubAPIHeader asks for GitHub's versioned JSON.
var githubAPIHeader = http.Header{"Accept": {"application/vnd.github+json"}}

// GitHubProvider is GitHub sign-in: OAuth 2.0 with PKCE. The user comes
// from /user and /user/emails; accountId is the numeric id as text.
type GitHubProvider struct {
	core
	scopes []string
	ep     Endpoints
}

var _ authn.OAuthProvider = (*GitHubProvider)(nil)

// NewGitHub returns the GitHub provider.
func NewGitHub(cfg Config, opts ...Option) (*GitHubProvider, error) {
	if err := cfg.validate(string(GitHub), GitHub); err != nil {
		return nil, err
	}
	return &GitHubProvider{core: newCore(string(GitHub), cfg, buildOptions(opts)), scopes: cfg.Scopes,
		ep: cfg.Endpoints.withDefaults(defaultEndpoints[GitHub])}, nil
}

// AuthorizationURL sends the default scopes, the configured ones, the
// request's, login_hint, and the S256 challenge.
func (p *GitHubProvider) AuthorizationURL(req authn.AuthorizationRequest) (string, error) {
	var extra []oauth2.AuthCodeOption
	if req.LoginHint != "" {
		extra = append(extra, oauth2.SetAuthURLParam("login_hint", req.LoginHint))
	}
	return p.authCodeURL(p.ep.AuthURL, req, joinScopes(githubScopes, p.scopes, req.Scopes), true, extra...)
}

// Exchange trades the code with its PKCE verifier. GitHub refuses a bad
// code with 200 {"error":…}, which is ErrProviderRejected like a 4xx.
func (p *GitHubProvider) Exchange(ctx context.Context, code, codeVerifier, redirectURI string) (authn.OAuthTokens, error) {
	return p.exchange(ctx, p.ep.TokenURL, code, codeVerifier, redirectURI, true)
}

// Refresh trades a refresh token (GitHub apps with expiring tokens).
func (p *GitHubProvider) Refresh(ctx context.Context, refreshToken string) (authn.OAuthTokens, error) {
	return p.refresh(ctx, p.ep.TokenURL, refreshToken, nil)
}

type githubEmail struct {
	Email    string `json:"email"`
	Primary  bool   `json:"primary"`
	Verified bool   `json:"verified"`
}

// UserInfo reads /user, then /user/emails, as better-auth does: the email
// is the profile's public one, else the primary entry's, else the first
// entry's; EmailVerified is the verified flag of the entry with that
// email (false when none). A refused /user/emails (no user:email grant)
// counts as no entries; one that fails for an outage fails the call.
func (p *GitHubProvider) UserInfo(ctx context.Context, tokens authn.OAuthTokens, _ string) (authn.ProviderUser, error) {
	var profile map[string]any
	if err := getJSON(ctx, p.http.api, "fetch github user", p.ep.UserInfoURL, tokens.AccessToken, githubAPIHeader, &profile); err != nil {
		return authn.ProviderUser{}, err
	}
	id := idString(profile, "id")
	if id == "" {
		return authn.ProviderUser{}, rejected("fetch github user", errors.New("no id"))
	}
	var emails []githubEmail
	if err := getJSON(ctx, p.http.api, "fetch github emails", p.ep.EmailsURL, tokens.AccessToken, githubAPIHeader, &emails); err != nil {
		if failure.KindOf(err) == failure.Unavailable {
			return authn.ProviderUser{}, err
		}
		emails = nil
	}
	email := str(profile, "email")
	if email == "" && len(emails) > 0 {
		chosen := emails[0]
		for _, e := range emails {
			if e.Primary {
				chosen = e
				break
			}
		}
		email = chosen.Email
		profile["email"] = email
	}
	verified := false
	for _, e := range emails {
		if email != "" && e.Email == email {
			verified = e.Verified
			break
		}
	}
	name := str(profile, "name")
	if name == "" {
		name = str(profile, "login")
	}
	return authn.ProviderUser{AccountID: id, Email: email, EmailVerified: verified, Name: name, Image: str(profile, "avatar_url"), Data: profile}, nil
}

// VerifyIDToken is not supported: GitHub issues no id tokens.
func (p *GitHubProvider) VerifyIDToken(context.Context, string, string) (authn.ProviderUser, error) {
	return authn.ProviderUser{}, authn.ErrIDTokenNotSupported
}
