package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/infrastructure/oauth"
	"github.com/beep/iam/infrastructure/oauth/oauthtest"
)

// errorClass is how a test expects a call to fail.
type errorClass int

const (
	rejectedErr errorClass = iota + 1
	unavailableErr
	invalidIDTokenErr
)

func (c errorClass) check(t *testing.T, call string, err error) {
	t.Helper()
	var ok bool
	switch c {
	case rejectedErr:
		ok = errors.Is(err, authn.ErrProviderRejected)
	case unavailableErr:
		ok = errors.Is(err, failure.ErrUnavailable) && !errors.Is(err, authn.ErrProviderRejected)
	case invalidIDTokenErr:
		ok = errors.Is(err, authn.ErrInvalidIDToken)
	}
	if !ok {
		t.Errorf("%s = %v, want %s", call, err, [...]string{"", "ErrProviderRejected", "a failure.Unavailable", "ErrInvalidIDToken"}[c])
	}
}

// TestExchangeFaults covers the token exchange failing: provider errors
// (GitHub's 200 {error} among them), codes the fake refuses (PKCE
// mismatch, reuse, another redirect_uri), 500s and timeouts.
func TestExchangeFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		kind  oauth.Kind
		fault *oauthtest.Fault
		// exchange changes what the provider sends (nil: the right code,
		// verifier and redirect URI).
		exchange func(code string) (string, string, string)
		slow     bool
		want     errorClass
	}{
		{name: "google invalid_grant", kind: oauth.Google, fault: &oauthtest.Fault{Error: "invalid_grant"}, want: rejectedErr},
		{name: "github 200 with an error", kind: oauth.GitHub, fault: &oauthtest.Fault{Error: "bad_verification_code"}, want: rejectedErr},
		{name: "twitter 401", kind: oauth.Twitter, fault: &oauthtest.Fault{Status: http.StatusUnauthorized, Error: "invalid_client"}, want: rejectedErr},
		{name: "google PKCE mismatch", kind: oauth.Google, want: rejectedErr,
			exchange: func(code string) (string, string, string) {
				return code, strings.Repeat("w", 128), callbackURL(oauth.Google)
			}},
		{name: "github PKCE mismatch", kind: oauth.GitHub, want: rejectedErr,
			exchange: func(code string) (string, string, string) {
				return code, strings.Repeat("w", 128), callbackURL(oauth.GitHub)
			}},
		{name: "twitter PKCE mismatch", kind: oauth.Twitter, want: rejectedErr,
			exchange: func(code string) (string, string, string) {
				return code, strings.Repeat("w", 128), callbackURL(oauth.Twitter)
			}},
		{name: "generic OIDC without a verifier", kind: oauth.OIDC, want: rejectedErr,
			exchange: func(code string) (string, string, string) { return code, "", callbackURL(oauth.OIDC) }},
		{name: "another redirect uri", kind: oauth.Discord, want: rejectedErr,
			exchange: func(code string) (string, string, string) { return code, "", "http://127.0.0.1:1/elsewhere" }},
		{name: "an unknown code", kind: oauth.LinkedIn, want: rejectedErr,
			exchange: func(string) (string, string, string) { return "code-forged", "", callbackURL(oauth.LinkedIn) }},
		{name: "github 500", kind: oauth.GitHub, fault: &oauthtest.Fault{Status: http.StatusInternalServerError}, want: unavailableErr},
		{name: "microsoft 503", kind: oauth.Microsoft, fault: &oauthtest.Fault{Status: http.StatusServiceUnavailable, Error: "temporarily_unavailable"}, want: unavailableErr},
		{name: "discord timeout", kind: oauth.Discord, fault: &oauthtest.Fault{Delay: time.Minute}, slow: true, want: unavailableErr},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			var opts []oauth.Option
			if tc.slow {
				opts = append(opts, shortTimeout())
			}
			p := newProvider(t, fake, tc.kind, nil, opts...)
			code := authorize(t, fake, p, tc.kind)
			if tc.fault != nil {
				fake.Fail(tc.kind, oauthtest.Token, *tc.fault)
			}
			c, v, r := code, verifier, callbackURL(tc.kind)
			if tc.exchange != nil {
				c, v, r = tc.exchange(code)
			}
			tokens, err := p.Exchange(context.Background(), c, v, r)
			tc.want.check(t, "Exchange", err)
			if err != nil && (strings.Contains(err.Error(), code) || strings.Contains(err.Error(), verifier)) {
				t.Errorf("error %q quotes the code or verifier", err)
			}
			if tokens.AccessToken != "" {
				t.Errorf("Exchange returned access token %q with its error", tokens.AccessToken)
			}
		})
	}
}

// TestCodeIsSingleUse checks that a replayed code is refused.
func TestCodeIsSingleUse(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	p := newProvider(t, fake, oauth.GitHub, nil)
	code := authorize(t, fake, p, oauth.GitHub)
	if _, err := p.Exchange(context.Background(), code, verifier, callbackURL(oauth.GitHub)); err != nil {
		t.Fatalf("first Exchange: %v", err)
	}
	_, err := p.Exchange(context.Background(), code, verifier, callbackURL(oauth.GitHub))
	rejectedErr.check(t, "second Exchange", err)
}

// TestAuthorizeDenied checks the fake's access_denied: the browser comes
// back with the error and the state, and no code.
func TestAuthorizeDenied(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	fake.Fail(oauth.Google, oauthtest.Authorize, oauthtest.Fault{Error: "access_denied", Description: "The user denied access", Times: 1})
	p := newProvider(t, fake, oauth.Google, nil)
	u, err := p.AuthorizationURL(request(oauth.Google))
	if err != nil {
		t.Fatalf("AuthorizationURL: %v", err)
	}
	back, err := fake.Authorize(u)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if back.Error != "access_denied" || back.ErrorDescription != "The user denied access" || back.State != state || back.Code != "" {
		t.Errorf("callback = %+v, want error=access_denied with its description, state %q and no code", back, state)
	}
	if back.URL.Host != "127.0.0.1:34501" || back.URL.Path != "/api/auth/callback/google" {
		t.Errorf("callback URL = %s, want the redirect_uri", back.URL)
	}
	// Times: 1, so the next attempt signs in.
	authorize(t, fake, p, oauth.Google)
}

// TestUserInfoFaults covers the user calls failing.
func TestUserInfoFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		kind   oauth.Kind
		ep     oauthtest.Endpoint
		fault  oauthtest.Fault
		slow   bool
		tokens func(authn.OAuthTokens) authn.OAuthTokens
		want   errorClass
	}{
		{name: "github /user 500", kind: oauth.GitHub, ep: oauthtest.UserInfo, fault: oauthtest.Fault{Status: 500}, want: unavailableErr},
		{name: "github /user/emails 502", kind: oauth.GitHub, ep: oauthtest.Emails, fault: oauthtest.Fault{Status: 502}, want: unavailableErr},
		{name: "discord 401", kind: oauth.Discord, ep: oauthtest.UserInfo, fault: oauthtest.Fault{Status: 401, Error: "invalid_token"}, want: rejectedErr},
		{name: "linkedin timeout", kind: oauth.LinkedIn, ep: oauthtest.UserInfo, fault: oauthtest.Fault{Delay: time.Minute}, slow: true, want: unavailableErr},
		{name: "twitter /2/users/me 500", kind: oauth.Twitter, ep: oauthtest.UserInfo, fault: oauthtest.Fault{Status: 500}, want: unavailableErr},
		{name: "twitter email lookup 503", kind: oauth.Twitter, ep: oauthtest.Emails, fault: oauthtest.Fault{Status: 503}, want: unavailableErr},
		{name: "generic userinfo 500", kind: oauth.OIDC, ep: oauthtest.UserInfo, fault: oauthtest.Fault{Status: 500}, want: unavailableErr},
		{name: "a revoked access token", kind: oauth.Discord, want: rejectedErr,
			tokens: func(t authn.OAuthTokens) authn.OAuthTokens { t.AccessToken = "at-revoked"; return t }},
		{name: "google without an id token", kind: oauth.Google, want: invalidIDTokenErr,
			tokens: func(t authn.OAuthTokens) authn.OAuthTokens { t.IDToken = ""; return t }},
		{name: "microsoft without an id token", kind: oauth.Microsoft, want: invalidIDTokenErr,
			tokens: func(t authn.OAuthTokens) authn.OAuthTokens { t.IDToken = ""; return t }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			if tc.kind == oauth.OIDC {
				// Without email in the id token, the userinfo endpoint is called.
				u := oauthtest.DefaultUser(oauth.OIDC)
				u.Claims = map[string]any{"email": nil}
				fake.SetUser(oauth.OIDC, u)
			}
			var opts []oauth.Option
			if tc.slow {
				opts = append(opts, shortTimeout())
			}
			p := newProvider(t, fake, tc.kind, nil, opts...)
			tokens := signIn(t, fake, p, tc.kind)
			if tc.ep != "" {
				fake.Fail(tc.kind, tc.ep, tc.fault)
			}
			if tc.tokens != nil {
				tokens = tc.tokens(tokens)
			}
			_, err := p.UserInfo(context.Background(), tokens, nonce)
			tc.want.check(t, "UserInfo", err)
			if err != nil && strings.Contains(err.Error(), tokens.AccessToken) {
				t.Errorf("error %q quotes the access token", err)
			}
		})
	}
}

// TestUserInfoSoftFaults covers the lookups whose refusal is not fatal,
// as in better-auth: GitHub's emails and X's confirmed email refused
// (no user:email or users.email grant) mean no email, and a Microsoft
// photo that fails means no image.
func TestUserInfoSoftFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind  oauth.Kind
		ep    oauthtest.Endpoint
		fault oauthtest.Fault
		check func(authn.ProviderUser) bool
	}{
		{oauth.GitHub, oauthtest.Emails, oauthtest.Fault{Status: 403}, func(u authn.ProviderUser) bool { return u.Email == "" && !u.EmailVerified }},
		{oauth.Twitter, oauthtest.Emails, oauthtest.Fault{Status: 403}, func(u authn.ProviderUser) bool { return u.Email == "" && !u.EmailVerified }},
		{oauth.Microsoft, oauthtest.Photo, oauthtest.Fault{Status: 500}, func(u authn.ProviderUser) bool { return u.Image == "" && u.Email != "" }},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			u := oauthtest.DefaultUser(tc.kind)
			u.Photo = []byte("JPEG")
			fake.SetUser(tc.kind, u)
			p := newProvider(t, fake, tc.kind, nil)
			tokens := signIn(t, fake, p, tc.kind)
			fake.Fail(tc.kind, tc.ep, tc.fault)
			got, err := p.UserInfo(context.Background(), tokens, nonce)
			if err != nil {
				t.Fatalf("UserInfo: %v", err)
			}
			if !tc.check(got) || got.AccountID == "" {
				t.Errorf("UserInfo with %s failing = %+v", tc.ep, got)
			}
		})
	}
}

// TestOversizedAnswer checks that a body over 1 MiB is not read whole.
func TestOversizedAnswer(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	u := oauthtest.DefaultUser(oauth.GitHub)
	u.Profile = map[string]any{"bio": strings.Repeat("x", 2<<20)}
	fake.SetUser(oauth.GitHub, u)
	p := newProvider(t, fake, oauth.GitHub, nil)
	_, err := p.UserInfo(context.Background(), signIn(t, fake, p, oauth.GitHub), "")
	unavailableErr.check(t, "UserInfo with a 2 MiB profile", err)
}
