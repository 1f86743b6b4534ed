package oauth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"golang.org/x/oauth2"
)

var microsoftScopes = []string{"openid", "profile", "email", "User.Read", "offline_access"}

// consumerTenantID is the tenant of every personal Microsoft account.
const consumerTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// MicrosoftProvider is Microsoft Entra ID sign-in: OpenID Connect with
// PKCE against {authority}/{tenant}/oauth2/v2.0. The user is the verified
// id token plus the Graph profile photo; accountId is the oid claim.
//
// Tokens from the multi-tenant endpoints (common, organizations,
// consumers) are issued by {authority}/{tid}/v2.0 of the user's own
// tenant, so the issuer is checked against that template with the token's
// own tid, the signature against the configured tenant's keys, and the
// account class against the tenant: organizations refuses personal
// accounts, consumers takes only them, a specific tenant only its own tid
// (a tenant domain is resolved to its tid through its discovery document,
// once).
type MicrosoftProvider struct {
	core
	tenant   string
	scopes   []string
	ep       Endpoints
	verifier *idTokenVerifier

	mu  sync.Mutex
	tid string // the configured tenant's id, once known
}

var _ authn.OAuthProvider = (*MicrosoftProvider)(nil)

// NewMicrosoft returns the Microsoft provider.
func NewMicrosoft(cfg Config, opts ...Option) (*MicrosoftProvider, error) {
	if err := cfg.validate(string(Microsoft), Microsoft); err != nil {
		return nil, err
	}
	o := buildOptions(opts)
	p := &MicrosoftProvider{
		core: newCore(string(Microsoft), cfg, o), tenant: cfg.Tenant, scopes: cfg.Scopes,
		ep: cfg.Endpoints.withDefaults(defaultEndpoints[Microsoft]),
	}
	if p.tenant == "" {
		p.tenant = "common"
	}
	if guid.MatchString(p.tenant) {
		p.tid = strings.ToLower(p.tenant)
	}
	// The issuer is checked by checkTenant, not go-oidc.
	p.verifier = newIDTokenVerifier(p.http.api, p.tenantURL("/discovery/v2.0/keys"), "", cfg.ClientID, []string{"RS256"}, idTokenMaxAge, o.now)
	return p, nil
}

func (p *MicrosoftProvider) tenantURL(path string) string {
	return p.ep.Authority + "/" + url.PathEscape(p.tenant) + path
}

// AuthorizationURL sends the default scopes, the configured ones, the
// request's, login_hint, and the S256 challenge.
func (p *MicrosoftProvider) AuthorizationURL(req authn.AuthorizationRequest) (string, error) {
	var extra []oauth2.AuthCodeOption
	if req.LoginHint != "" {
		extra = append(extra, oauth2.SetAuthURLParam("login_hint", req.LoginHint))
	}
	return p.authCodeURL(p.tenantURL("/oauth2/v2.0/authorize"), req, joinScopes(microsoftScopes, p.scopes, req.Scopes), true, extra...)
}

// Exchange trades the code with its PKCE verifier.
func (p *MicrosoftProvider) Exchange(ctx context.Context, code, codeVerifier, redirectURI string) (authn.OAuthTokens, error) {
	return p.exchange(ctx, p.tenantURL("/oauth2/v2.0/token"), code, codeVerifier, redirectURI, true)
}

// Refresh trades a refresh token, sending scope (the default and
// configured scopes) as better-auth does.
func (p *MicrosoftProvider) Refresh(ctx context.Context, refreshToken string) (authn.OAuthTokens, error) {
	scope := strings.Join(joinScopes(microsoftScopes, p.scopes), " ")
	return p.refresh(ctx, p.tenantURL("/oauth2/v2.0/token"), refreshToken, url.Values{"scope": {scope}})
}

// UserInfo verifies the id token of the token response, then fetches the
// 48x48 Graph photo with the access token as image (a data: URL, as
// better-auth writes it); a missing photo or a failed fetch leaves no
// image. The nonce is not checked: the authorization URL carries none.
func (p *MicrosoftProvider) UserInfo(ctx context.Context, tokens authn.OAuthTokens, _ string) (authn.ProviderUser, error) {
	if tokens.IDToken == "" {
		return authn.ProviderUser{}, invalidIDToken(errors.New("microsoft token response has no id token"))
	}
	u, err := p.VerifyIDToken(ctx, tokens.IDToken, "")
	if err != nil || tokens.AccessToken == "" || p.ep.PhotoURL == "" {
		return u, err
	}
	if photo, err := getBytes(ctx, p.http.api, "fetch profile photo", p.ep.PhotoURL, tokens.AccessToken); err == nil && len(photo) > 0 {
		u.Image = "data:image/jpeg;base64, " + base64.StdEncoding.EncodeToString(photo)
		u.Data["picture"] = u.Image
	}
	return u, nil
}

// VerifyIDToken checks a Microsoft id token: RS256 with the tenant's keys,
// audience, expiry, at most an hour old, the tenant rules above, the
// nonce when given, and a non-empty oid.
func (p *MicrosoftProvider) VerifyIDToken(ctx context.Context, idToken, nonce string) (authn.ProviderUser, error) {
	tok, err := p.verifier.verify(ctx, idToken, nonce)
	if err != nil {
		return authn.ProviderUser{}, err
	}
	if err := p.checkTenant(ctx, tok.Issuer, tok.Claims); err != nil {
		return authn.ProviderUser{}, err
	}
	oid := strings.TrimSpace(str(tok.Claims, "oid"))
	if oid == "" {
		return authn.ProviderUser{}, invalidIDToken(errors.New("microsoft id token has no oid"))
	}
	c := tok.Claims
	email := str(c, "email")
	verified := truthy(c["email_verified"])
	if _, ok := c["email_verified"]; !ok && email != "" {
		verified = listed(c["verified_primary_email"], email) || listed(c["verified_secondary_email"], email)
	}
	return authn.ProviderUser{AccountID: oid, Email: email, EmailVerified: verified, Name: str(c, "name"), Image: str(c, "picture"), Data: c}, nil
}

// checkTenant binds the token to a tenant: iss must be
// {authority}/{tid}/v2.0 for the token's own tid, and tid must be one the
// configured tenant admits.
func (p *MicrosoftProvider) checkTenant(ctx context.Context, iss string, claims map[string]any) error {
	tid, _ := claims["tid"].(string)
	if tid == "" {
		return invalidIDToken(errors.New("microsoft id token has no tid"))
	}
	if want := p.ep.Authority + "/" + tid + "/v2.0"; iss != want {
		return invalidIDToken(fmt.Errorf("microsoft id token issuer %q is not its tenant's %q", iss, want))
	}
	switch p.tenant {
	case "common":
		return nil
	case "organizations":
		if strings.EqualFold(tid, consumerTenantID) {
			return invalidIDToken(errors.New("personal microsoft account on the organizations endpoint"))
		}
		return nil
	case "consumers":
		if !strings.EqualFold(tid, consumerTenantID) {
			return invalidIDToken(errors.New("work or school account on the consumers endpoint"))
		}
		return nil
	}
	want, err := p.tenantID(ctx)
	if err != nil {
		return err
	}
	if !strings.EqualFold(tid, want) {
		return invalidIDToken(fmt.Errorf("microsoft id token from tenant %q, not %q", tid, want))
	}
	return nil
}

// tenantID is the configured tenant's id: the tenant itself when it is an
// id, else the tid in the issuer of its discovery document, fetched once.
func (p *MicrosoftProvider) tenantID(ctx context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tid != "" {
		return p.tid, nil
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if err := getJSON(ctx, p.http.api, "discover microsoft tenant", p.tenantURL("/v2.0/.well-known/openid-configuration"), "", nil, &doc); err != nil {
		if failure.KindOf(err) == failure.Unavailable {
			return "", err
		}
		// Flattened: a refused discovery is a misconfigured tenant, not
		// the provider refusing the caller's token.
		return "", unavailable("discover microsoft tenant", errors.New(err.Error()))
	}
	rest, ok := strings.CutPrefix(doc.Issuer, p.ep.Authority+"/")
	tid, ok2 := strings.CutSuffix(rest, "/v2.0")
	if !ok || !ok2 || !guid.MatchString(tid) {
		return "", unavailable("discover microsoft tenant", fmt.Errorf("issuer %q names no tenant id", doc.Issuer))
	}
	p.tid = strings.ToLower(tid)
	return p.tid, nil
}

// listed reports whether v, a JSON array, holds s.
func listed(v any, s string) bool {
	l, _ := v.([]any)
	return slices.Contains(l, any(s))
}
