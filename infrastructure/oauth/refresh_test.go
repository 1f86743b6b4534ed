package oauth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"maps"
	"testing"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/infrastructure/oauth"
	"github.com/beep/iam/infrastructure/oauth/oauthtest"
)

// TestRefresh checks each kind's refresh request (SOCIAL.md §4.5):
// grant_type and refresh_token plus the client authentication, and
// Microsoft's scope.
func TestRefresh(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	cases := []struct {
		name  string
		kind  oauth.Kind
		edit  func(*oauth.Config)
		basic bool
		extra map[string]string
	}{
		{name: "google", kind: oauth.Google},
		{name: "microsoft adds scope", kind: oauth.Microsoft, extra: map[string]string{"scope": "openid profile email User.Read offline_access"}},
		{name: "microsoft adds scope with the configured scopes", kind: oauth.Microsoft, edit: func(c *oauth.Config) { c.Scopes = []string{"Mail.Read"} },
			extra: map[string]string{"scope": "openid profile email User.Read offline_access Mail.Read"}},
		{name: "discord", kind: oauth.Discord},
		{name: "linkedin", kind: oauth.LinkedIn},
		{name: "twitter authenticates with Basic", kind: oauth.Twitter, basic: true},
		{name: "generic OIDC", kind: oauth.OIDC},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, fake, tc.kind, tc.edit)
			first := signIn(t, fake, p, tc.kind)
			got, err := p.Refresh(context.Background(), first.RefreshToken)
			if err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			if got.AccessToken == "" || got.AccessToken == first.AccessToken {
				t.Errorf("refreshed access token = %q, want a new one (first %q)", got.AccessToken, first.AccessToken)
			}
			if got.RefreshToken != first.RefreshToken {
				t.Errorf("refresh token = %q, want the unrotated %q", got.RefreshToken, first.RefreshToken)
			}
			if !got.AccessTokenExpiresAt.After(fixedNow) {
				t.Errorf("AccessTokenExpiresAt = %v, want after %v", got.AccessTokenExpiresAt, fixedNow)
			}

			req := refreshRequestWith(t, fake, tc.kind, first.RefreshToken)
			want := with(map[string]string{"grant_type": "refresh_token", "refresh_token": first.RefreshToken}, tc.extra)
			if tc.basic {
				basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(oauthtest.ClientID(tc.kind)+":"+oauthtest.ClientSecret(tc.kind)))
				if got := req.Header.Get("Authorization"); got != basic {
					t.Errorf("Authorization = %q, want %q", got, basic)
				}
			} else {
				want["client_id"], want["client_secret"] = oauthtest.ClientID(tc.kind), oauthtest.ClientSecret(tc.kind)
			}
			if got := flatten(t, req.Form); !maps.Equal(got, want) {
				t.Errorf("refresh request body:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// TestRefreshRefused covers a refresh the provider refuses: GitHub's
// classic tokens have no refresh token, and GitHub answers 200 {error}.
func TestRefreshRefused(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	for _, kind := range []oauth.Kind{oauth.GitHub, oauth.Google} {
		p := newProvider(t, fake, kind, nil)
		_, err := p.Refresh(context.Background(), "rt-unknown")
		if !errors.Is(err, authn.ErrProviderRejected) {
			t.Errorf("%s Refresh(unknown) = %v, want ErrProviderRejected", kind, err)
		}
		req := refreshRequestWith(t, fake, kind, "rt-unknown")
		if req.Form.Get("client_id") != oauthtest.ClientID(kind) || req.Form.Get("grant_type") != "refresh_token" {
			t.Errorf("%s refresh body = %v, want grant_type=refresh_token and body credentials", kind, req.Form)
		}
		if _, err := p.Refresh(context.Background(), ""); !errors.Is(err, authn.ErrProviderRejected) {
			t.Errorf("%s Refresh(\"\") = %v, want ErrProviderRejected", kind, err)
		}
	}
}

// refreshRequestWith is the one refresh request that carried rt.
func refreshRequestWith(t *testing.T, fake *oauthtest.Server, kind oauth.Kind, rt string) oauthtest.Request {
	t.Helper()
	var found []oauthtest.Request
	for _, r := range fake.RequestsTo(kind, oauthtest.Token) {
		if r.Form.Get("grant_type") == "refresh_token" && r.Form.Get("refresh_token") == rt {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("the fake saw %d %s refresh requests with the token, want 1", len(found), kind)
	}
	return found[0]
}
