package oauth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/infrastructure/oauth"
	"github.com/beep/iam/infrastructure/oauth/oauthtest"
)

// The flow secrets every test sends, shaped like the use case's: a 128
// character verifier, a 32 character state and nonce.
var (
	verifier = strings.Repeat("Zx9_-aQ3", 16)
	state    = "st4te-0123456789abcdefghijklmnop"
	nonce    = "n0nce-0123456789abcdefghijklmnop"
)

// fixedNow is the clock of every provider under test.
var fixedNow = time.Date(2026, 11, 28, 22, 0, 0, 0, time.UTC)

// newFake starts a fake provider on the fixed clock.
func newFake(t *testing.T) *oauthtest.Server {
	t.Helper()
	fake := oauthtest.New(t)
	fake.SetClock(func() time.Time { return fixedNow })
	return fake
}

// idOf is the provider id tests use for kind (the generic one is "acme").
func idOf(kind oauth.Kind) string {
	if kind == oauth.OIDC {
		return "acme"
	}
	return string(kind)
}

func callbackURL(kind oauth.Kind) string {
	return "http://127.0.0.1:34501/api/auth/callback/" + idOf(kind)
}

// newProvider builds kind's provider against fake, with cfg changed by
// edit (when not nil), on the fixed clock.
func newProvider(t *testing.T, fake *oauthtest.Server, kind oauth.Kind, edit func(*oauth.Config), opts ...oauth.Option) authn.OAuthProvider {
	t.Helper()
	cfg := fake.Config(kind)
	if edit != nil {
		edit(&cfg)
	}
	opts = append([]oauth.Option{oauth.WithClock(func() time.Time { return fixedNow })}, opts...)
	p, err := oauth.New(idOf(kind), kind, cfg, opts...)
	if err != nil {
		t.Fatalf("oauth.New(%s): %v", kind, err)
	}
	return p
}

// request is the authorization request of one flow of kind.
func request(kind oauth.Kind) authn.AuthorizationRequest {
	return authn.AuthorizationRequest{State: state, RedirectURI: callbackURL(kind), CodeVerifier: verifier, Nonce: nonce}
}

// authorize builds the authorization URL and follows it at the fake,
// returning the code it sends back.
func authorize(t *testing.T, fake *oauthtest.Server, p authn.OAuthProvider, kind oauth.Kind) string {
	t.Helper()
	u, err := p.AuthorizationURL(request(kind))
	if err != nil {
		t.Fatalf("AuthorizationURL: %v", err)
	}
	back, err := fake.Authorize(u)
	if err != nil {
		t.Fatalf("following %s: %v", u, err)
	}
	if back.Error != "" || back.Code == "" || back.State != state {
		t.Fatalf("fake redirected back with code %q state %q error %q %q, want a code and state %q", back.Code, back.State, back.Error, back.ErrorDescription, state)
	}
	return back.Code
}

// signIn runs a flow up to the tokens.
func signIn(t *testing.T, fake *oauthtest.Server, p authn.OAuthProvider, kind oauth.Kind) authn.OAuthTokens {
	t.Helper()
	code := authorize(t, fake, p, kind)
	tokens, err := p.Exchange(context.Background(), code, verifier, callbackURL(kind))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	return tokens
}

// shortTimeout is a client for timeout tests; the fake holds its answer
// far longer.
func shortTimeout() oauth.Option {
	return oauth.WithHTTPClient(&http.Client{Timeout: 200 * time.Millisecond})
}
