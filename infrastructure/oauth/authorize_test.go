package oauth_test

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/infrastructure/oauth"
	"github.com/beep/iam/infrastructure/oauth/oauthtest"
	"golang.org/x/oauth2"
)

// TestAuthorizationURL checks every kind's authorization URL against the
// parameters better-auth 1.7.25 sends (SOCIAL.md §1.5): the endpoint, the
// scope defaults and order, PKCE for all but discord and linkedin, the
// nonce for generic OIDC only, login_hint where it is sent, and the
// provider extras (include_granted_scopes, prompt=none).
func TestAuthorizationURL(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	challenge := oauth2.S256ChallengeFromVerifier(verifier)
	pkce := map[string]string{"code_challenge_method": "S256", "code_challenge": challenge}

	cases := []struct {
		name   string
		kind   oauth.Kind
		edit   func(*oauth.Config)
		req    func(*authn.AuthorizationRequest)
		path   string
		params map[string]string
	}{
		{
			name: "google", kind: oauth.Google, path: "/google/o/oauth2/v2/auth",
			params: with(pkce, map[string]string{"scope": "email profile openid", "include_granted_scopes": "true"}),
		},
		{
			name: "google with configured and requested scopes and a login hint", kind: oauth.Google, path: "/google/o/oauth2/v2/auth",
			edit: func(c *oauth.Config) { c.Scopes = []string{"https://www.googleapis.com/auth/drive.readonly"} },
			req:  func(r *authn.AuthorizationRequest) { r.Scopes = []string{"extra"}; r.LoginHint = "a@example.com" },
			params: with(pkce, map[string]string{
				"scope":                  "email profile openid https://www.googleapis.com/auth/drive.readonly extra",
				"include_granted_scopes": "true", "login_hint": "a@example.com",
			}),
		},
		{
			name: "microsoft on the common tenant", kind: oauth.Microsoft, path: "/microsoft/common/oauth2/v2.0/authorize",
			params: with(pkce, map[string]string{"scope": "openid profile email User.Read offline_access"}),
		},
		{
			name: "microsoft on a configured tenant with a login hint", kind: oauth.Microsoft, path: "/microsoft/contoso.onmicrosoft.com/oauth2/v2.0/authorize",
			edit:   func(c *oauth.Config) { c.Tenant = "contoso.onmicrosoft.com" },
			req:    func(r *authn.AuthorizationRequest) { r.LoginHint = "a@example.com" },
			params: with(pkce, map[string]string{"scope": "openid profile email User.Read offline_access", "login_hint": "a@example.com"}),
		},
		{
			name: "github", kind: oauth.GitHub, path: "/github/login/oauth/authorize",
			req:    func(r *authn.AuthorizationRequest) { r.LoginHint = "octo" },
			params: with(pkce, map[string]string{"scope": "read:user user:email", "login_hint": "octo"}),
		},
		{
			name: "discord: no PKCE, prompt=none, request scopes before configured ones, no login hint", kind: oauth.Discord, path: "/discord/api/oauth2/authorize",
			edit:   func(c *oauth.Config) { c.Scopes = []string{"guilds"} },
			req:    func(r *authn.AuthorizationRequest) { r.Scopes = []string{"connections"}; r.LoginHint = "a@example.com" },
			params: map[string]string{"scope": "identify email connections guilds", "prompt": "none"},
		},
		{
			name: "linkedin: no PKCE", kind: oauth.LinkedIn, path: "/linkedin/oauth/v2/authorization",
			req:    func(r *authn.AuthorizationRequest) { r.LoginHint = "a@example.com" },
			params: map[string]string{"scope": "profile email openid", "login_hint": "a@example.com"},
		},
		{
			name: "twitter: no login hint", kind: oauth.Twitter, path: "/twitter/i/oauth2/authorize",
			req:    func(r *authn.AuthorizationRequest) { r.LoginHint = "a@example.com" },
			params: with(pkce, map[string]string{"scope": "users.read tweet.read offline.access users.email"}),
		},
		{
			name: "generic OIDC: openid first, the nonce", kind: oauth.OIDC, path: "/oidc/authorize",
			params: with(pkce, map[string]string{"scope": "openid email profile", "nonce": nonce}),
		},
		{
			name: "generic OIDC: request scopes before configured ones", kind: oauth.OIDC, path: "/oidc/authorize",
			edit:   func(c *oauth.Config) { c.Scopes = []string{"groups"} },
			req:    func(r *authn.AuthorizationRequest) { r.Scopes = []string{"offline_access"} },
			params: with(pkce, map[string]string{"scope": "openid offline_access email profile groups", "nonce": nonce}),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, fake, tc.kind, tc.edit)
			req := request(tc.kind)
			if tc.req != nil {
				tc.req(&req)
			}
			raw, err := p.AuthorizationURL(req)
			if err != nil {
				t.Fatalf("AuthorizationURL: %v", err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("AuthorizationURL = %q, not a URL: %v", raw, err)
			}
			if got, want := u.Scheme+"://"+u.Host+u.Path, fake.URL+tc.path; got != want {
				t.Errorf("endpoint = %s, want %s", got, want)
			}
			want := with(map[string]string{
				"response_type": "code", "client_id": oauthtest.ClientID(tc.kind), "state": state, "redirect_uri": callbackURL(tc.kind),
			}, tc.params)
			if got := flatten(t, u.Query()); !maps.Equal(got, want) {
				t.Errorf("parameters:\n got %v\nwant %v", got, want)
			}
			if strings.Contains(u.RawQuery, "%20") {
				t.Errorf("query %q encodes spaces as %%20, want + (URLSearchParams)", u.RawQuery)
			}
		})
	}
}

// TestAuthorizationURLRefusesIncompleteRequests checks that a flow
// without state or redirect URI, or a Google flow without a verifier,
// gets no URL.
func TestAuthorizationURLRefusesIncompleteRequests(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	cases := []struct {
		name string
		kind oauth.Kind
		edit func(*authn.AuthorizationRequest)
	}{
		{"no state", oauth.GitHub, func(r *authn.AuthorizationRequest) { r.State = "" }},
		{"no redirect uri", oauth.Discord, func(r *authn.AuthorizationRequest) { r.RedirectURI = "" }},
		{"google without a verifier", oauth.Google, func(r *authn.AuthorizationRequest) { r.CodeVerifier = "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := request(tc.kind)
			tc.edit(&req)
			if u, err := newProvider(t, fake, tc.kind, nil).AuthorizationURL(req); err == nil {
				t.Errorf("AuthorizationURL = %q, want an error", u)
			}
		})
	}
}

// with returns the union of maps, later ones winning.
func with(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// flatten turns single-valued url.Values into a map, failing on repeats.
func flatten(t *testing.T, v url.Values) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if len(v[k]) != 1 {
			t.Errorf("parameter %s has %d values %q, want 1", k, len(v[k]), v[k])
		}
		out[k] = v.Get(k)
	}
	return out
}
