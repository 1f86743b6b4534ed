package oauth_test

import (
	"context"
	"encoding/base64"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/beep/iam/infrastructure/oauth"
	"github.com/beep/iam/infrastructure/oauth/oauthtest"
)

// TestExchange runs each kind's code flow against the fake, which checks
// client authentication, single use, redirect_uri and PKCE, and then
// checks the token request as recorded (SOCIAL.md §2.3) and the tokens as
// parsed (§2.3, §2.5's table).
func TestExchange(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	secs := func(n int) time.Time { return fixedNow.Add(time.Duration(n) * time.Second) }

	cases := []struct {
		kind oauth.Kind
		// verifier: the body carries code_verifier; basic: the client
		// authenticates with HTTP Basic, not in the body.
		verifier, basic bool
		// What the parsed tokens hold.
		scopes        []string
		accessExpiry  time.Time
		refresh       bool
		refreshExpiry time.Time
		idToken       bool
	}{
		{kind: oauth.Google, verifier: true, scopes: []string{"email", "profile", "openid"}, accessExpiry: secs(3599), refresh: true, idToken: true},
		{kind: oauth.Microsoft, verifier: true, scopes: []string{"openid", "profile", "email", "User.Read"}, accessExpiry: secs(3599), refresh: true, idToken: true},
		// GitHub answers "read:user,user:email", no expiry, no refresh token.
		{kind: oauth.GitHub, verifier: true, scopes: []string{"read:user", "user:email"}},
		{kind: oauth.Discord, scopes: []string{"identify", "email"}, accessExpiry: secs(604800), refresh: true},
		// LinkedIn answers a comma separated scope and a refresh token expiry.
		{kind: oauth.LinkedIn, scopes: []string{"profile", "email", "openid"}, accessExpiry: secs(5183999), refresh: true, refreshExpiry: secs(31535999)},
		{kind: oauth.Twitter, verifier: true, basic: true, scopes: []string{"users.read", "tweet.read", "offline.access", "users.email"}, accessExpiry: secs(7200), refresh: true},
		{kind: oauth.OIDC, verifier: true, scopes: []string{"openid", "email", "profile"}, accessExpiry: secs(3599), refresh: true, idToken: true},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, fake, tc.kind, nil)
			code := authorize(t, fake, p, tc.kind)
			tokens, err := p.Exchange(context.Background(), code, verifier, callbackURL(tc.kind))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}

			reqs := tokenRequestsWith(fake, tc.kind, code)
			if len(reqs) != 1 {
				t.Fatalf("the fake saw %d token requests with the code, want 1", len(reqs))
			}
			req := reqs[0]
			want := map[string]string{"grant_type": "authorization_code", "code": code, "redirect_uri": callbackURL(tc.kind)}
			if tc.verifier {
				want["code_verifier"] = verifier
			}
			if tc.basic {
				basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(oauthtest.ClientID(tc.kind)+":"+oauthtest.ClientSecret(tc.kind)))
				if got := req.Header.Get("Authorization"); got != basic {
					t.Errorf("Authorization = %q, want %q", got, basic)
				}
			} else {
				want["client_id"], want["client_secret"] = oauthtest.ClientID(tc.kind), oauthtest.ClientSecret(tc.kind)
				if got := req.Header.Get("Authorization"); got != "" {
					t.Errorf("Authorization = %q, want none (client_secret_post)", got)
				}
			}
			if got := flatten(t, req.Form); !maps.Equal(got, want) {
				t.Errorf("token request body:\n got %v\nwant %v", got, want)
			}
			if got := req.Header.Get("Accept"); got != "application/json" {
				t.Errorf("Accept = %q, want application/json", got)
			}

			if tokens.AccessToken == "" {
				t.Error("no access token")
			}
			if got := tokens.RefreshToken != ""; got != tc.refresh {
				t.Errorf("refresh token present = %v, want %v", got, tc.refresh)
			}
			if got := tokens.IDToken != ""; got != tc.idToken {
				t.Errorf("id token present = %v, want %v", got, tc.idToken)
			}
			if !tokens.AccessTokenExpiresAt.Equal(tc.accessExpiry) {
				t.Errorf("AccessTokenExpiresAt = %v, want %v", tokens.AccessTokenExpiresAt, tc.accessExpiry)
			}
			if !tokens.RefreshTokenExpiresAt.Equal(tc.refreshExpiry) {
				t.Errorf("RefreshTokenExpiresAt = %v, want %v", tokens.RefreshTokenExpiresAt, tc.refreshExpiry)
			}
			if !slices.Equal(tokens.Scopes, tc.scopes) {
				t.Errorf("Scopes = %q, want %q", tokens.Scopes, tc.scopes)
			}
		})
	}
}

// tokenRequestsWith are the token requests that carried code.
func tokenRequestsWith(fake *oauthtest.Server, kind oauth.Kind, code string) []oauthtest.Request {
	var out []oauthtest.Request
	for _, r := range fake.RequestsTo(kind, oauthtest.Token) {
		if r.Form.Get("code") == code {
			out = append(out, r)
		}
	}
	return out
}
