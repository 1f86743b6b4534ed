package oauth_test

import (
	"context"
	"encoding/base64"
	"reflect"
	"testing"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/infrastructure/oauth"
	"github.com/beep/iam/infrastructure/oauth/oauthtest"
)

// TestUserInfo maps each kind's user as better-auth does (SOCIAL.md §0.7
// and §2.4): the account id, email and its verified flag, name and image.
func TestUserInfo(t *testing.T) {
	t.Parallel()
	ptr := func(s string) *string { return &s }
	ada := func(kind oauth.Kind, edit func(*oauthtest.User)) oauthtest.User {
		u := oauthtest.DefaultUser(kind)
		if edit != nil {
			edit(&u)
		}
		return u
	}
	cases := []struct {
		name string
		kind oauth.Kind
		user oauthtest.User
		want authn.ProviderUser
	}{
		{
			name: "google: the id token's sub and claims", kind: oauth.Google, user: ada(oauth.Google, nil),
			want: authn.ProviderUser{AccountID: "108234567890123456789", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace", Image: "https://img.example/ada.png"},
		},
		{
			name: "google: email_verified false", kind: oauth.Google, user: ada(oauth.Google, func(u *oauthtest.User) { u.EmailVerified = false }),
			want: authn.ProviderUser{AccountID: "108234567890123456789", Email: "ada@example.com", Name: "Ada Lovelace", Image: "https://img.example/ada.png"},
		},
		{
			name: "microsoft: oid, verified through verified_primary_email, no photo", kind: oauth.Microsoft, user: ada(oauth.Microsoft, nil),
			want: authn.ProviderUser{AccountID: "00000000-0000-0000-66f3-3332eca7ea81", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace"},
		},
		{
			name: "microsoft: a plain email is unverified; the Graph photo is the image", kind: oauth.Microsoft,
			user: ada(oauth.Microsoft, func(u *oauthtest.User) { u.EmailVerified = false; u.Photo = []byte("JPEG") }),
			want: authn.ProviderUser{AccountID: "00000000-0000-0000-66f3-3332eca7ea81", Email: "ada@example.com", Name: "Ada Lovelace",
				Image: "data:image/jpeg;base64, " + base64.StdEncoding.EncodeToString([]byte("JPEG"))},
		},
		{
			name: "microsoft: an email_verified claim wins", kind: oauth.Microsoft,
			user: ada(oauth.Microsoft, func(u *oauthtest.User) { u.Claims = map[string]any{"email_verified": "true"}; u.EmailVerified = false }),
			want: authn.ProviderUser{AccountID: "00000000-0000-0000-66f3-3332eca7ea81", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace"},
		},
		{
			name: "github: numeric id as text, the primary private email", kind: oauth.GitHub, user: ada(oauth.GitHub, nil),
			want: authn.ProviderUser{AccountID: "7770001", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace", Image: "https://img.example/ada.png"},
		},
		{
			name: "github: the primary email even when unverified, and its flag", kind: oauth.GitHub,
			user: ada(oauth.GitHub, func(u *oauthtest.User) {
				u.GitHubEmails = []oauthtest.GitHubEmail{
					{Email: "other@example.com", Verified: true, Visibility: ptr("private")},
					{Email: "primary@example.com", Primary: true, Verified: false},
				}
			}),
			want: authn.ProviderUser{AccountID: "7770001", Email: "primary@example.com", Name: "Ada Lovelace", Image: "https://img.example/ada.png"},
		},
		{
			name: "github: the first email without a primary one", kind: oauth.GitHub,
			user: ada(oauth.GitHub, func(u *oauthtest.User) {
				u.GitHubEmails = []oauthtest.GitHubEmail{{Email: "first@example.com", Verified: true}, {Email: "second@example.com"}}
			}),
			want: authn.ProviderUser{AccountID: "7770001", Email: "first@example.com", EmailVerified: true, Name: "Ada Lovelace", Image: "https://img.example/ada.png"},
		},
		{
			name: "github: the public profile email, verified by its entry", kind: oauth.GitHub,
			user: ada(oauth.GitHub, func(u *oauthtest.User) {
				u.GitHubPublicEmail = true
				u.GitHubEmails = []oauthtest.GitHubEmail{{Email: "primary@example.com", Primary: true, Verified: true}, {Email: "ada@example.com", Verified: true}}
			}),
			want: authn.ProviderUser{AccountID: "7770001", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace", Image: "https://img.example/ada.png"},
		},
		{
			name: "github: no email at all, and the login as name", kind: oauth.GitHub,
			user: ada(oauth.GitHub, func(u *oauthtest.User) { u.Email = ""; u.Name = "" }),
			want: authn.ProviderUser{AccountID: "7770001", Name: "ada", Image: "https://img.example/ada.png"},
		},
		{
			name: "discord: the default avatar of a user without discriminator", kind: oauth.Discord, user: ada(oauth.Discord, nil),
			want: authn.ProviderUser{AccountID: "80351110224678912", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace",
				Image: "https://cdn.discordapp.com/embed/avatars/5.png"}, // (80351110224678912 >> 22) % 6
		},
		{
			name: "discord: an animated avatar, the username as name, unverified", kind: oauth.Discord,
			user: ada(oauth.Discord, func(u *oauthtest.User) {
				u.Picture = "a_1269e74af4df7417b13759eae50c83dc"
				u.Name = ""
				u.EmailVerified = false
			}),
			want: authn.ProviderUser{AccountID: "80351110224678912", Email: "ada@example.com", Name: "ada",
				Image: "https://cdn.discordapp.com/avatars/80351110224678912/a_1269e74af4df7417b13759eae50c83dc.gif"},
		},
		{
			name: "discord: a legacy discriminator", kind: oauth.Discord,
			user: ada(oauth.Discord, func(u *oauthtest.User) { u.Discriminator = "1337" }),
			want: authn.ProviderUser{AccountID: "80351110224678912", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace",
				Image: "https://cdn.discordapp.com/embed/avatars/2.png"}, // 1337 % 5
		},
		{
			name: "linkedin: userinfo sub", kind: oauth.LinkedIn, user: ada(oauth.LinkedIn, nil),
			want: authn.ProviderUser{AccountID: "782bbtaQ", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace", Image: "https://img.example/ada.png"},
		},
		{
			name: "twitter: data.id and the confirmed email", kind: oauth.Twitter, user: ada(oauth.Twitter, nil),
			want: authn.ProviderUser{AccountID: "2244994945", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace", Image: "https://img.example/ada.png"},
		},
		{
			name: "twitter: no email leaves Email empty for the use case's placeholder", kind: oauth.Twitter,
			user: ada(oauth.Twitter, func(u *oauthtest.User) { u.Email = "" }),
			want: authn.ProviderUser{AccountID: "2244994945", Name: "Ada Lovelace", Image: "https://img.example/ada.png"},
		},
		{
			name: "generic OIDC: the id token's claims", kind: oauth.OIDC, user: ada(oauth.OIDC, nil),
			want: authn.ProviderUser{AccountID: "oidc-user-1", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace", Image: "https://img.example/ada.png"},
		},
		{
			name: "generic OIDC: userinfo when the id token has no email", kind: oauth.OIDC,
			user: ada(oauth.OIDC, func(u *oauthtest.User) { u.Claims = map[string]any{"email": nil, "name": nil} }),
			want: authn.ProviderUser{AccountID: "oidc-user-1", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace", Image: "https://img.example/ada.png"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			fake.SetUser(tc.kind, tc.user)
			p := newProvider(t, fake, tc.kind, nil)
			got, err := p.UserInfo(context.Background(), signIn(t, fake, p, tc.kind), nonce)
			if err != nil {
				t.Fatalf("UserInfo: %v", err)
			}
			if got.Data == nil {
				t.Error("Data is nil, want the raw profile")
			}
			got.Data = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("UserInfo:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestUserInfoData checks the raw profile kept for account-info, in
// better-auth's shape.
func TestUserInfoData(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	get := func(kind oauth.Kind) map[string]any {
		t.Helper()
		p := newProvider(t, fake, kind, nil)
		u, err := p.UserInfo(context.Background(), signIn(t, fake, p, kind), nonce)
		if err != nil {
			t.Fatalf("%s UserInfo: %v", kind, err)
		}
		return u.Data
	}

	if d := get(oauth.GitHub); d["login"] != "ada" || d["email"] != "ada@example.com" || d["id"] == nil {
		t.Errorf("github Data = %v, want /user with the chosen email filled in", d)
	}
	if d := get(oauth.Google); d["sub"] != "108234567890123456789" || d["iss"] != "https://accounts.google.com" {
		t.Errorf("google Data = %v, want the id token claims", d)
	}
	if d := get(oauth.Discord); d["image_url"] != "https://cdn.discordapp.com/embed/avatars/5.png" {
		t.Errorf("discord Data = %v, want /users/@me with image_url", d)
	}
	d := get(oauth.Twitter)
	data, _ := d["data"].(map[string]any)
	if data["id"] != "2244994945" || data["email"] != "ada@example.com" {
		t.Errorf("twitter Data = %v, want {data: {..., email}}", d)
	}
}

// TestUserInfoRequests checks the user calls each kind makes.
func TestUserInfoRequests(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	for _, kind := range []oauth.Kind{oauth.GitHub, oauth.Twitter, oauth.Microsoft} {
		p := newProvider(t, fake, kind, nil)
		tokens := signIn(t, fake, p, kind)
		if _, err := p.UserInfo(context.Background(), tokens, nonce); err != nil {
			t.Fatalf("%s UserInfo: %v", kind, err)
		}
	}

	for _, ep := range []oauthtest.Endpoint{oauthtest.UserInfo, oauthtest.Emails} {
		reqs := fake.RequestsTo(oauth.GitHub, ep)
		if len(reqs) != 1 {
			t.Fatalf("github %s requests = %d, want 1", ep, len(reqs))
		}
		if ua := reqs[0].Header.Get("User-Agent"); ua == "" {
			t.Errorf("github %s request has no User-Agent; GitHub refuses those", ep)
		}
		if got := reqs[0].Header.Get("Authorization"); len(got) < len("Bearer x") || got[:7] != "Bearer " {
			t.Errorf("github %s Authorization = %q, want a bearer token", ep, got)
		}
	}

	var fields []string
	for _, r := range fake.Requests() {
		if r.Kind == oauth.Twitter && (r.Endpoint == oauthtest.UserInfo || r.Endpoint == oauthtest.Emails) {
			fields = append(fields, r.Query.Get("user.fields"))
		}
	}
	if len(fields) != 2 || fields[0] != "profile_image_url" || fields[1] != "confirmed_email" {
		t.Errorf("twitter user.fields of its calls = %q, want [profile_image_url confirmed_email]", fields)
	}

	if n := len(fake.RequestsTo(oauth.Microsoft, oauthtest.Photo)); n != 1 {
		t.Errorf("microsoft photo requests = %d, want 1", n)
	}
}
