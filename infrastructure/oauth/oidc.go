package oauth

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// oidcScopes are a generic provider's scopes after openid.
var oidcScopes = []string{"email", "profile"}

// discoveryRetry is how long a failed discovery is remembered before the
// next call tries again, so a down issuer costs callers one timeout per
// period, not one each.
const discoveryRetry = 5 * time.Second

// discoveryTimeout bounds discovery started by AuthorizationURL, which
// has no context of its own.
const discoveryTimeout = 10 * time.Second

// supportedAlgs are the id token algorithms go-oidc verifies.
var supportedAlgs = []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512, oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA}

// OIDCProvider is any OpenID Connect issuer (better-auth's genericOAuth
// with a discovery URL): the code flow with PKCE and a nonce, client
// credentials in the body, and a verified id token (signature with the
// issuer's JWKS, issuer, audience, expiry, iat, nonce). accountId is the
// id token's sub.
//
// Discovery (go-oidc's, at {issuer}/.well-known/openid-configuration) is
// lazy: the first call that needs the issuer's endpoints fetches it, and
// success is kept for the provider's life (go-oidc refetches the JWKS when
// an unknown key appears). A failure is an Unavailable error, remembered
// for 5 s and then retried, so an issuer that is down at start-up costs
// sign-ins with it, never the server's start. Discover lets the runtime
// warm it up (and log) at start.
type OIDCProvider struct {
	core
	issuer string
	scopes []string

	mu       sync.Mutex
	disc     *discovered
	failedAt time.Time
	failure  error
}

// discovered is what discovery yields.
type discovered struct {
	authURL, tokenURL, userInfoURL string
	verifier                       *idTokenVerifier
}

var _ authn.OAuthProvider = (*OIDCProvider)(nil)

// NewOIDC returns a generic OpenID Connect provider with the given id
// (lower-case letters, digits, _ and -) for cfg.Issuer. It makes no
// request.
func NewOIDC(id string, cfg Config, opts ...Option) (*OIDCProvider, error) {
	if err := cfg.validate(id, OIDC); err != nil {
		return nil, err
	}
	return &OIDCProvider{core: newCore(id, cfg, buildOptions(opts)), issuer: cfg.Issuer,
		scopes: joinScopes(oidcScopes, cfg.Scopes)}, nil
}

// Discover fetches the issuer's discovery document if it has not been
// fetched yet.
func (p *OIDCProvider) Discover(ctx context.Context) error {
	_, err := p.discover(ctx)
	return err
}

func (p *OIDCProvider) discover(ctx context.Context) (*discovered, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.disc != nil {
		return p.disc, nil
	}
	if p.failure != nil && p.now().Sub(p.failedAt) < discoveryRetry {
		return nil, p.failure
	}
	d, err := p.fetchDiscovery(ctx)
	if err != nil {
		p.failure, p.failedAt = unavailable("discover "+p.issuer, err), p.now()
		return nil, p.failure
	}
	p.disc, p.failure = d, nil
	return d, nil
}

func (p *OIDCProvider) fetchDiscovery(ctx context.Context) (*discovered, error) {
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, p.http.api), p.issuer)
	if err != nil {
		return nil, err
	}
	var meta struct {
		JWKSURL string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := op.Claims(&meta); err != nil {
		return nil, err
	}
	ep := op.Endpoint()
	if ep.AuthURL == "" || ep.TokenURL == "" || meta.JWKSURL == "" {
		return nil, errors.New("discovery document lacks authorization_endpoint, token_endpoint or jwks_uri")
	}
	var algs []string
	for _, a := range meta.Algs {
		if slices.Contains(supportedAlgs, a) {
			algs = append(algs, a)
		}
	}
	return &discovered{
		authURL: ep.AuthURL, tokenURL: ep.TokenURL, userInfoURL: op.UserInfoEndpoint(),
		verifier: newIDTokenVerifier(p.http.api, meta.JWKSURL, p.issuer, p.clientID, algs, 0, p.now),
	}, nil
}

// AuthorizationURL sends openid, the request's scopes, then email profile
// and the configured ones (better-auth's generic order), login_hint, the
// nonce and the S256 challenge.
func (p *OIDCProvider) AuthorizationURL(req authn.AuthorizationRequest) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), discoveryTimeout)
	defer cancel()
	d, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	scopes := joinScopes(req.Scopes, p.scopes)
	if !slices.Contains(scopes, "openid") {
		scopes = append([]string{"openid"}, scopes...)
	}
	var extra []oauth2.AuthCodeOption
	if req.LoginHint != "" {
		extra = append(extra, oauth2.SetAuthURLParam("login_hint", req.LoginHint))
	}
	if req.Nonce != "" {
		extra = append(extra, oauth2.SetAuthURLParam("nonce", req.Nonce))
	}
	return p.authCodeURL(d.authURL, req, scopes, true, extra...)
}

// Exchange trades the code with its PKCE verifier.
func (p *OIDCProvider) Exchange(ctx context.Context, code, codeVerifier, redirectURI string) (authn.OAuthTokens, error) {
	d, err := p.discover(ctx)
	if err != nil {
		return authn.OAuthTokens{}, err
	}
	return p.exchange(ctx, d.tokenURL, code, codeVerifier, redirectURI, true)
}

// Refresh trades a refresh token.
func (p *OIDCProvider) Refresh(ctx context.Context, refreshToken string) (authn.OAuthTokens, error) {
	d, err := p.discover(ctx)
	if err != nil {
		return authn.OAuthTokens{}, err
	}
	return p.refresh(ctx, d.tokenURL, refreshToken, nil)
}

// UserInfo verifies the token response's id token, whose nonce must be
// the flow's (nonce may not be "": every flow sends one, and a token
// without the binding is refused, like better-auth's
// nonce_binding_missing). When its claims hold both sub and email they
// are the profile; otherwise the userinfo endpoint is, and its sub must
// be the id token's. A sign-in (a nonce was sent) must get an id token:
// without one nothing binds the answer to this flow and issuer. Only
// account-info (no nonce, an access token alone) reads the userinfo
// endpoint by itself.
func (p *OIDCProvider) UserInfo(ctx context.Context, tokens authn.OAuthTokens, nonce string) (authn.ProviderUser, error) {
	d, err := p.discover(ctx)
	if err != nil {
		return authn.ProviderUser{}, err
	}
	if tokens.IDToken == "" && nonce != "" {
		return authn.ProviderUser{}, invalidIDToken(errors.New("the token response has no id token to bind the sign-in to"))
	}
	sub := ""
	if tokens.IDToken != "" {
		if nonce == "" {
			return authn.ProviderUser{}, invalidIDToken(errors.New("no nonce to bind the id token to"))
		}
		tok, err := d.verifier.verify(ctx, tokens.IDToken, nonce)
		if err != nil {
			return authn.ProviderUser{}, err
		}
		if str(tok.Claims, "email") != "" {
			return oidcUser(tok.Subject, tok.Claims), nil
		}
		sub = tok.Subject
	}
	if d.userInfoURL == "" {
		return authn.ProviderUser{}, rejected("fetch userinfo", errors.New("the issuer has no userinfo endpoint"))
	}
	var profile map[string]any
	if err := getJSON(ctx, p.http.api, "fetch userinfo", d.userInfoURL, tokens.AccessToken, nil, &profile); err != nil {
		return authn.ProviderUser{}, err
	}
	got := idString(profile, "sub")
	switch {
	case got == "":
		return authn.ProviderUser{}, rejected("fetch userinfo", errors.New("no sub"))
	case sub != "" && got != sub:
		return authn.ProviderUser{}, invalidIDToken(errors.New("userinfo sub is not the id token's"))
	}
	return oidcUser(got, profile), nil
}

// VerifyIDToken checks an id token of the issuer (and the nonce when
// given) and reads the user from its claims.
func (p *OIDCProvider) VerifyIDToken(ctx context.Context, idToken, nonce string) (authn.ProviderUser, error) {
	d, err := p.discover(ctx)
	if err != nil {
		return authn.ProviderUser{}, err
	}
	tok, err := d.verifier.verify(ctx, idToken, nonce)
	if err != nil {
		return authn.ProviderUser{}, err
	}
	return oidcUser(tok.Subject, tok.Claims), nil
}
