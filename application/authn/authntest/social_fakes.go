package authntest

import (
	"context"
	"net/url"
	"strings"
	"sync"

	"github.com/beep/iam/application/authn"
)

// Provider is an in-memory authn.OAuthProvider: it hands out codes for a
// configured user and checks what the use cases send it (the PKCE
// verifier, the redirect URI, the nonce). Infrastructure tests use the HTTP
// fake in infrastructure/oauth/oauthtest instead.
type Provider struct {
	Name string
	// User is who signs in; Tokens what the exchange returns.
	User   authn.ProviderUser
	Tokens authn.OAuthTokens
	// NoIDTokens makes VerifyIDToken answer ErrIDTokenNotSupported.
	NoIDTokens bool
	// ExchangeErr, UserInfoErr and RefreshErr make those calls fail.
	ExchangeErr, UserInfoErr, RefreshErr error

	mu        sync.Mutex
	requests  []authn.AuthorizationRequest
	exchanged []string // codes traded
	refreshed int
}

// ID implements authn.OAuthProvider.
func (p *Provider) ID() string { return p.Name }

// AuthorizationURL implements authn.OAuthProvider: the URL carries the
// request so tests can read it back (LastRequest).
func (p *Provider) AuthorizationURL(req authn.AuthorizationRequest) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = append(p.requests, req)
	q := url.Values{"state": {req.State}, "redirect_uri": {req.RedirectURI}, "nonce": {req.Nonce}, "scope": {strings.Join(req.Scopes, " ")}}
	return "https://" + p.Name + ".example/authorize?" + q.Encode(), nil
}

// LastRequest is the most recent authorization request.
func (p *Provider) LastRequest() authn.AuthorizationRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.requests) == 0 {
		return authn.AuthorizationRequest{}
	}
	return p.requests[len(p.requests)-1]
}

// CodeFor is the code the provider issues for the flow whose state is
// given: it encodes the verifier the flow must present.
func (p *Provider) CodeFor(state string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range p.requests {
		if r.State == state {
			return "code-for:" + r.CodeVerifier
		}
	}
	return "code-for:unknown"
}

// Exchange implements authn.OAuthProvider, refusing a code whose PKCE
// verifier does not match, and a code traded twice.
func (p *Provider) Exchange(_ context.Context, code, codeVerifier, _ string) (authn.OAuthTokens, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ExchangeErr != nil {
		return authn.OAuthTokens{}, p.ExchangeErr
	}
	for _, c := range p.exchanged {
		if c == code {
			return authn.OAuthTokens{}, authn.ErrProviderRejected
		}
	}
	if code != "code-for:"+codeVerifier {
		return authn.OAuthTokens{}, authn.ErrProviderRejected
	}
	p.exchanged = append(p.exchanged, code)
	return p.Tokens, nil
}

// UserInfo implements authn.OAuthProvider.
func (p *Provider) UserInfo(context.Context, authn.OAuthTokens, string) (authn.ProviderUser, error) {
	if p.UserInfoErr != nil {
		return authn.ProviderUser{}, p.UserInfoErr
	}
	return p.User, nil
}

// Refresh implements authn.OAuthProvider: a new access token each time.
func (p *Provider) Refresh(_ context.Context, refreshToken string) (authn.OAuthTokens, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.RefreshErr != nil || refreshToken != p.Tokens.RefreshToken {
		return authn.OAuthTokens{}, authn.ErrProviderRejected
	}
	p.refreshed++
	t := p.Tokens
	t.AccessToken = p.Tokens.AccessToken + "-refreshed-" + string(rune('0'+p.refreshed))
	t.RefreshToken = ""
	return t, nil
}

// Refreshed counts refreshes.
func (p *Provider) Refreshed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refreshed
}

// VerifyIDToken implements authn.OAuthProvider: "valid-id-token" (with
// the nonce "nonce" when one is asked) names User.
func (p *Provider) VerifyIDToken(_ context.Context, idToken, nonce string) (authn.ProviderUser, error) {
	if p.NoIDTokens {
		return authn.ProviderUser{}, authn.ErrIDTokenNotSupported
	}
	if idToken != "valid-id-token" || (nonce != "" && nonce != "nonce") {
		return authn.ProviderUser{}, authn.ErrInvalidIDToken
	}
	return p.User, nil
}

// Providers is an in-memory authn.OAuthProviders.
type Providers map[string]*Provider

// Provider implements authn.OAuthProviders.
func (ps Providers) Provider(id string) (authn.OAuthProvider, bool) {
	p, ok := ps[id]
	if !ok {
		return nil, false
	}
	return p, true
}

// Cipher is a reversible authn.TokenCipher that marks what it sealed, so
// tests can see that nothing is stored in the clear.
type Cipher struct{}

// Seal implements authn.TokenCipher.
func (Cipher) Seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	return "sealed:" + reverse(plain), nil
}

// Open implements authn.TokenCipher.
func (Cipher) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	rest, ok := strings.CutPrefix(sealed, "sealed:")
	if !ok {
		return "", authn.ErrInvalidToken
	}
	return reverse(rest), nil
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

var (
	_ authn.OAuthProvider  = (*Provider)(nil)
	_ authn.OAuthProviders = Providers(nil)
	_ authn.TokenCipher    = Cipher{}
)
