package authn_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/identity"
)

// socialHarness is the harness with two providers: google (trusted for
// implicit linking) and github (not trusted).
type socialHarness struct {
	*harness
	google, github, twitter *authntest.Provider
}

func newSocialHarness(t *testing.T, tweak ...func(*authn.Policy)) *socialHarness {
	t.Helper()
	h := &socialHarness{harness: newHarness(t)}
	h.google = &authntest.Provider{Name: "google",
		User:   authn.ProviderUser{AccountID: "g-1", Email: "Victim@Example.com", EmailVerified: true, Name: "Vic Tim", Image: "https://img.example/v.png"},
		Tokens: authn.OAuthTokens{AccessToken: "g-access", RefreshToken: "g-refresh", IDToken: "g-id", Scopes: []string{"openid", "email"}, AccessTokenExpiresAt: start.Add(time.Hour)}}
	h.github = &authntest.Provider{Name: "github", NoIDTokens: true,
		User:   authn.ProviderUser{AccountID: "4242", Email: "victim@example.com", EmailVerified: false, Name: "octo"},
		Tokens: authn.OAuthTokens{AccessToken: "gh-access", Scopes: []string{"read:user", "user:email"}}}
	h.twitter = &authntest.Provider{Name: "twitter", NoIDTokens: true, User: authn.ProviderUser{AccountID: "x-99", Name: "bird"},
		Tokens: authn.OAuthTokens{AccessToken: "x-access"}}
	deps := h.deps()
	deps.Providers = authntest.Providers{"google": h.google, "github": h.github, "twitter": h.twitter}
	deps.Cipher = authntest.Cipher{}
	policy := testPolicy()
	policy.Social.Linking.Trusted = map[string]bool{"google": true}
	for _, f := range tweak {
		f(&policy)
	}
	h.svc = authn.NewService(deps, policy)
	return h
}

// flow starts a sign-in with provider p and returns the callback input a
// browser that completed it at the provider would send.
func (h *socialHarness) flow(t *testing.T, p *authntest.Provider) authn.FinishSocialInput {
	t.Helper()
	started, err := h.svc.StartSocial(context.Background(), authn.StartSocialInput{
		ProviderID: p.Name, CallbackURL: "/dashboard", ErrorCallbackURL: "/oops", NewUserCallbackURL: "/welcome",
	})
	if err != nil {
		t.Fatalf("StartSocial: %v", err)
	}
	return authn.FinishSocialInput{ProviderID: p.Name, State: started.State, StateCookie: started.State, Code: p.CodeFor(started.State)}
}

func socialCode(t *testing.T, err error) string {
	t.Helper()
	var se *authn.SocialError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a SocialError", err)
	}
	return se.Code
}

func TestSocialSignUpThenSignIn(t *testing.T) {
	h := newSocialHarness(t)
	ctx := context.Background()
	in := h.flow(t, h.google)
	req := h.google.LastRequest()
	if req.RedirectURI != "https://auth.example/api/auth/callback/google" || len(req.CodeVerifier) != 128 || req.Nonce == "" {
		t.Fatalf("authorization request = %+v", req)
	}
	out, err := h.svc.FinishSocial(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	u := out.Authenticated.User
	if out.Redirect != "/welcome" || u.Email != "victim@example.com" || !u.EmailVerified || u.Name != "Vic Tim" || out.Authenticated.Session.Token == "" {
		t.Fatalf("sign-up outcome = %+v", out)
	}
	if active := out.Authenticated.Session.ActiveOrganizationID; active == nil || len(out.Authenticated.Context) != 1 {
		t.Fatal("a social sign-up got no personal organization")
	}
	acc, err := h.repos.Accounts.ByProvider(ctx, "google", "g-1")
	if err != nil || acc.UserID != u.ID || acc.AccessToken == "g-access" || !strings.HasPrefix(acc.AccessToken, "sealed:") ||
		acc.Scope != "openid,email" || !acc.AccessTokenExpiresAt.Equal(start.Add(time.Hour)) {
		t.Fatalf("stored account = %+v, %v (tokens must be sealed)", acc, err)
	}

	again, err := h.svc.FinishSocial(ctx, h.flow(t, h.google))
	if err != nil || again.Authenticated.User.ID != u.ID || again.Redirect != "/dashboard" {
		t.Fatalf("second sign-in = %+v, %v", again, err)
	}
}

func TestSocialCallbackState(t *testing.T) {
	h := newSocialHarness(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		mutate func(in *authn.FinishSocialInput)
		code   string
	}{
		{"no state", func(in *authn.FinishSocialInput) { in.State = "" }, "state_not_found"},
		{"no state cookie", func(in *authn.FinishSocialInput) { in.StateCookie = "" }, "state_mismatch"},
		{"another flow's cookie", func(in *authn.FinishSocialInput) { in.StateCookie = "someone-elses-state-0000000000000" }, "state_mismatch"},
		{"unknown state", func(in *authn.FinishSocialInput) { in.State, in.StateCookie = "forged", "forged" }, "state_mismatch"},
		{"another provider's callback", func(in *authn.FinishSocialInput) { in.ProviderID = "github" }, "state_mismatch"},
		{"provider refused", func(in *authn.FinishSocialInput) {
			in.ProviderError, in.ProviderDescription = "access_denied", "user said no"
		}, "access_denied"},
		{"provider error with injection", func(in *authn.FinishSocialInput) { in.ProviderError = "x\r\nLocation: https://evil.example" }, "xLocation: https://evil.example"},
		{"no code", func(in *authn.FinishSocialInput) { in.Code = "" }, "no_code"},
		{"PKCE verifier mismatch", func(in *authn.FinishSocialInput) { in.Code = "code-for:a-stolen-code" }, "invalid_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := h.flow(t, h.google)
			tt.mutate(&in)
			_, err := h.svc.FinishSocial(ctx, in)
			if got := socialCode(t, err); got != tt.code {
				t.Fatalf("code = %q, want %q (%v)", got, tt.code, err)
			}
		})
	}

	t.Run("a callback without the cookie does not burn the flow", func(t *testing.T) {
		in := h.flow(t, h.google)
		stolen := in
		stolen.StateCookie = ""
		if _, err := h.svc.FinishSocial(ctx, stolen); socialCode(t, err) != "state_mismatch" {
			t.Fatal(err)
		}
		if _, err := h.svc.FinishSocial(ctx, in); err != nil {
			t.Fatalf("the rightful browser's callback after a replay without cookie: %v", err)
		}
		if _, err := h.svc.FinishSocial(ctx, in); socialCode(t, err) != "state_mismatch" {
			t.Fatalf("replayed callback: %v", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		in := h.flow(t, h.google)
		h.clock.Advance(10*time.Minute + time.Second)
		_, err := h.svc.FinishSocial(ctx, in)
		var se *authn.SocialError
		if !errors.As(err, &se) || se.Code != "state_mismatch" || se.RedirectTo != "/oops" {
			t.Fatalf("expired flow: %v", err)
		}
	})
	t.Run("provider down", func(t *testing.T) {
		in := h.flow(t, h.google)
		h.google.UserInfoErr = errors.New("503")
		defer func() { h.google.UserInfoErr = nil }()
		if _, err := h.svc.FinishSocial(ctx, in); socialCode(t, err) != "unable_to_get_user_info" {
			t.Fatal(err)
		}
	})
}

// TestAccountPreHijacking: an attacker registers the victim's address
// with a password (never verified) before the victim's first Google
// sign-in. The Google identity must not join the attacker's account.
func TestAccountPreHijacking(t *testing.T) {
	h := newSocialHarness(t)
	ctx := context.Background()
	attacker := h.signUp(t, "victim@example.com")
	_, err := h.svc.FinishSocial(ctx, h.flow(t, h.google))
	if got := socialCode(t, err); got != "account_not_linked" {
		t.Fatalf("victim's Google sign-in onto the squatted address: %q, want account_not_linked", got)
	}
	accounts, _ := h.repos.Accounts.ListByUser(ctx, attacker.User.ID)
	if len(accounts) != 1 {
		t.Fatalf("the attacker's user holds %d accounts, want only the password", len(accounts))
	}
	// The id-token flow obeys the same rule.
	_, err = h.svc.SignInWithIDToken(ctx, authn.SignInWithIDTokenInput{ProviderID: "google", IDToken: "valid-id-token"})
	if !errors.Is(err, authn.ErrOAuthLinkError) {
		t.Fatalf("id-token sign-in onto the squatted address: %v", err)
	}
}

func TestImplicitLinking(t *testing.T) {
	ctx := context.Background()
	verify := func(h *socialHarness, email identity.Email) identity.User {
		u, _ := h.repos.Users.ByEmail(ctx, email)
		u.EmailVerified = true
		_ = h.repos.Users.Update(ctx, u)
		return u
	}
	t.Run("trusted provider, verified local user", func(t *testing.T) {
		h := newSocialHarness(t)
		h.signUp(t, "victim@example.com")
		owner := verify(h, "victim@example.com")
		out, err := h.svc.FinishSocial(ctx, h.flow(t, h.google))
		if err != nil || out.Authenticated.User.ID != owner.ID || out.Redirect != "/dashboard" {
			t.Fatalf("implicit link = %+v, %v", out, err)
		}
	})
	t.Run("untrusted provider without a verified email", func(t *testing.T) {
		h := newSocialHarness(t)
		h.signUp(t, "victim@example.com")
		verify(h, "victim@example.com")
		if _, err := h.svc.FinishSocial(ctx, h.flow(t, h.github)); socialCode(t, err) != "account_not_linked" {
			t.Fatal(err)
		}
	})
	t.Run("sign-up disabled", func(t *testing.T) {
		h := newSocialHarness(t, func(p *authn.Policy) { p.Social.SignUpEnabled = false })
		if _, err := h.svc.FinishSocial(ctx, h.flow(t, h.google)); socialCode(t, err) != "signup_disabled" {
			t.Fatal(err)
		}
	})
	t.Run("no email", func(t *testing.T) {
		h := newSocialHarness(t)
		h.github.User.Email = ""
		if _, err := h.svc.FinishSocial(ctx, h.flow(t, h.github)); socialCode(t, err) != "email_not_found" {
			t.Fatal(err)
		}
	})
	t.Run("twitter without email gets an unverified placeholder", func(t *testing.T) {
		h := newSocialHarness(t)
		out, err := h.svc.FinishSocial(ctx, h.flow(t, h.twitter))
		if err != nil || out.Authenticated.User.Email != "x-99@twitter.placeholder.invalid" || out.Authenticated.User.EmailVerified {
			t.Fatalf("twitter sign-up = %+v, %v", out, err)
		}
	})
}

func TestExplicitLinking(t *testing.T) {
	ctx := context.Background()
	linkFlow := func(t *testing.T, h *socialHarness, who authn.Authenticated, p *authntest.Provider) authn.FinishSocialInput {
		t.Helper()
		cur := authn.CurrentSession{User: who.User, Session: who.Session}
		started, err := h.svc.LinkSocial(ctx, cur, authn.StartSocialInput{ProviderID: p.Name, CallbackURL: "/settings"})
		if err != nil {
			t.Fatal(err)
		}
		return authn.FinishSocialInput{ProviderID: p.Name, State: started.State, StateCookie: started.State, Code: p.CodeFor(started.State)}
	}
	t.Run("links with the same email, keeps the session", func(t *testing.T) {
		h := newSocialHarness(t)
		h.github.User.EmailVerified = true
		alice := h.signUp(t, "victim@example.com")
		out, err := h.svc.FinishSocial(ctx, linkFlow(t, h, alice, h.github))
		if err != nil || out.Authenticated != nil || out.Redirect != "/settings" {
			t.Fatalf("link = %+v, %v", out, err)
		}
		if acc, err := h.repos.Accounts.ByProvider(ctx, "github", "4242"); err != nil || acc.UserID != alice.User.ID {
			t.Fatalf("linked account = %+v, %v", acc, err)
		}
	})
	tests := []struct {
		name  string
		setup func(h *socialHarness)
		code  string
	}{
		{"provider does not vouch for the email", func(h *socialHarness) {}, "unable_to_link_account"},
		{"different email", func(h *socialHarness) { h.github.User.Email, h.github.User.EmailVerified = "other@example.com", true }, "email_does_not_match"},
		{"account owned by someone else", func(h *socialHarness) {
			h.github.User.EmailVerified = true
			h.github.User.Email = "bob@example.com"
			if _, err := h.svc.FinishSocial(ctx, h.flow(t, h.github)); err != nil { // bob signs up with GitHub
				t.Fatal(err)
			}
			h.github.User.Email = "victim@example.com"
		}, "account_already_linked_to_different_user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newSocialHarness(t)
			alice := h.signUp(t, "victim@example.com")
			tt.setup(h)
			if _, err := h.svc.FinishSocial(ctx, linkFlow(t, h, alice, h.github)); socialCode(t, err) != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
		})
	}
	t.Run("the linking session was revoked before the callback", func(t *testing.T) {
		h := newSocialHarness(t)
		h.github.User.EmailVerified = true
		alice := h.signUp(t, "victim@example.com")
		in := linkFlow(t, h, alice, h.github)
		if err := h.svc.SignOut(ctx, alice.Session.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.FinishSocial(ctx, in); socialCode(t, err) != "unable_to_link_account" {
			t.Fatal(err)
		}
	})
	t.Run("different emails allowed by policy", func(t *testing.T) {
		h := newSocialHarness(t, func(p *authn.Policy) { p.Social.Linking.AllowDifferentEmails = true })
		h.github.User.Email, h.github.User.EmailVerified = "other@example.com", true
		alice := h.signUp(t, "victim@example.com")
		if _, err := h.svc.FinishSocial(ctx, linkFlow(t, h, alice, h.github)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestUnlinkAndProviderTokens(t *testing.T) {
	h := newSocialHarness(t)
	ctx := context.Background()
	out, err := h.svc.FinishSocial(ctx, h.flow(t, h.google))
	if err != nil {
		t.Fatal(err)
	}
	me := *out.Authenticated
	acc, _ := h.repos.Accounts.ByProvider(ctx, "google", "g-1")

	got, err := h.svc.GetAccessToken(ctx, me.User.ID, acc.ID)
	if err != nil || got.AccessToken != "g-access" || got.IDToken != "g-id" || strings.Join(got.Scopes, " ") != "openid email" || h.google.Refreshed() != 0 {
		t.Fatalf("GetAccessToken = %+v, %v", got, err)
	}
	h.clock.Advance(time.Hour - 2*time.Second) // about to expire: refreshed first
	got, err = h.svc.GetAccessToken(ctx, me.User.ID, acc.ID)
	if err != nil || got.AccessToken != "g-access-refreshed-1" || h.google.Refreshed() != 1 {
		t.Fatalf("GetAccessToken near expiry = %+v, %v", got, err)
	}
	stored, _ := h.repos.Accounts.ByID(ctx, acc.ID)
	if stored.RefreshToken == "" || stored.Scope != "openid,email" {
		t.Fatalf("a refresh lost the refresh token or the scope: %+v", stored)
	}
	r, err := h.svc.RefreshToken(ctx, me.User.ID, acc.ID)
	if err != nil || r.Tokens.AccessToken != "g-access-refreshed-2" || r.Tokens.RefreshToken != "g-refresh" || r.AccountID != acc.ID {
		t.Fatalf("RefreshToken = %+v, %v", r, err)
	}

	// Another user's account id finds nothing.
	bob := h.signUp(t, "bob@example.com")
	if _, err := h.svc.GetAccessToken(ctx, bob.User.ID, acc.ID); !errors.Is(err, identity.ErrAccountNotFound) {
		t.Fatalf("someone else's account: %v", err)
	}
	// Bob's only account cannot go; Victim's Google account is her only one too.
	bobAccounts, _ := h.repos.Accounts.ListByUser(ctx, bob.User.ID)
	if err := h.svc.UnlinkAccount(ctx, bob.Session, bobAccounts[0].ID); !errors.Is(err, authn.ErrLastAccount) {
		t.Fatalf("unlink the last account: %v", err)
	}
	if err := h.svc.UnlinkAccount(ctx, me.Session, acc.ID); !errors.Is(err, authn.ErrLastAccount) {
		t.Fatalf("unlink the only (social) account: %v", err)
	}
	h.clock.Advance(25 * time.Hour)
	if err := h.svc.UnlinkAccount(ctx, me.Session, acc.ID); !errors.Is(err, authn.ErrSessionNotFresh) {
		t.Fatalf("unlink with a stale session: %v", err)
	}
}

func TestUnlinkOneOfTwo(t *testing.T) {
	h := newSocialHarness(t)
	ctx := context.Background()
	h.github.User.EmailVerified = true
	alice := h.signUp(t, "victim@example.com")
	cur := authn.CurrentSession{User: alice.User, Session: alice.Session}
	started, _ := h.svc.LinkSocial(ctx, cur, authn.StartSocialInput{ProviderID: "github", CallbackURL: "/"})
	if _, err := h.svc.FinishSocial(ctx, authn.FinishSocialInput{ProviderID: "github", State: started.State, StateCookie: started.State, Code: h.github.CodeFor(started.State)}); err != nil {
		t.Fatal(err)
	}
	gh, _ := h.repos.Accounts.ByProvider(ctx, "github", "4242")
	if err := h.svc.UnlinkAccount(ctx, alice.Session, "account__not-mine"); !errors.Is(err, identity.ErrAccountNotFound) {
		t.Fatalf("unlink an unknown id: %v", err)
	}
	if err := h.svc.UnlinkAccount(ctx, alice.Session, gh.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.repos.Accounts.ByID(ctx, gh.ID); !errors.Is(err, identity.ErrAccountNotFound) {
		t.Fatal("unlinked account still there")
	}
}

func TestSignInWithIDToken(t *testing.T) {
	h := newSocialHarness(t)
	ctx := context.Background()
	got, err := h.svc.SignInWithIDToken(ctx, authn.SignInWithIDTokenInput{ProviderID: "google", IDToken: "valid-id-token", Nonce: "nonce"})
	if err != nil || got.User.Email != "victim@example.com" || got.Session.Token == "" {
		t.Fatalf("SignInWithIDToken = %+v, %v", got, err)
	}
	for _, tt := range []struct {
		in   authn.SignInWithIDTokenInput
		want error
	}{
		{authn.SignInWithIDTokenInput{ProviderID: "google", IDToken: "forged"}, authn.ErrInvalidIDToken},
		{authn.SignInWithIDTokenInput{ProviderID: "google", IDToken: "valid-id-token", Nonce: "replayed"}, authn.ErrInvalidIDToken},
		{authn.SignInWithIDTokenInput{ProviderID: "github", IDToken: "valid-id-token"}, authn.ErrIDTokenNotSupported},
		{authn.SignInWithIDTokenInput{ProviderID: "myspace", IDToken: "valid-id-token"}, authn.ErrProviderNotFound},
	} {
		if _, err := h.svc.SignInWithIDToken(ctx, tt.in); !errors.Is(err, tt.want) {
			t.Errorf("SignInWithIDToken(%+v) = %v, want %v", tt.in, err, tt.want)
		}
	}
}

// TestIdentityIsTheProviderSubject: the account is keyed by the provider's
// subject, not the email: a changed email at the provider is the same
// user; another subject with a known email is not merged silently.
func TestIdentityIsTheProviderSubject(t *testing.T) {
	h := newSocialHarness(t)
	ctx := context.Background()
	first, err := h.svc.FinishSocial(ctx, h.flow(t, h.google))
	if err != nil {
		t.Fatal(err)
	}
	h.google.User.Email = "renamed@example.com"
	again, err := h.svc.FinishSocial(ctx, h.flow(t, h.google))
	if err != nil || again.Authenticated.User.ID != first.Authenticated.User.ID {
		t.Fatalf("same subject, new email = %+v, %v; want the same user", again, err)
	}
	h.github.User = authn.ProviderUser{AccountID: "other-sub", Email: "victim@example.com", EmailVerified: false}
	if _, err := h.svc.FinishSocial(ctx, h.flow(t, h.github)); socialCode(t, err) != "account_not_linked" {
		t.Fatalf("another subject presenting a known, unverified-by-provider email: %v", err)
	}
}

// TestSocialSignUpVerification: a provider that did not verify the
// address gets the user a verification email, as an email sign-up does;
// a verified one, and a placeholder address, get none.
func TestSocialSignUpVerification(t *testing.T) {
	h := newSocialHarness(t)
	ctx := context.Background()
	// A provider that does not vouch for the address cannot sign anyone up
	// with it: the address may be someone else's.
	h.github.User.Email = "unverified@example.com"
	if _, err := h.svc.FinishSocial(ctx, h.flow(t, h.github)); socialCode(t, err) != "email_not_verified" {
		t.Fatalf("sign-up with an unverified provider email: %v", err)
	}
	if _, err := h.repos.Users.ByEmail(ctx, "unverified@example.com"); !errors.Is(err, identity.ErrUserNotFound) {
		t.Fatal("a user was created for an address the provider does not vouch for")
	}
	// A trusted provider silent about verification signs up an unverified
	// user, who is mailed a verification link.
	h.google.User = authn.ProviderUser{AccountID: "g-silent", Email: "unverified@example.com", EmailVerificationUnstated: true}
	if _, err := h.svc.FinishSocial(ctx, h.flow(t, h.google)); err != nil {
		t.Fatal(err)
	}
	msg, ok := h.store.LastMail("verification", "unverified@example.com")
	if !ok || !strings.Contains(msg.URL, "callbackURL=%2Fdashboard") {
		t.Fatalf("verification email = %+v (queued: %v)", msg, ok)
	}
	before := h.mailCount("verification")
	h.google.User = authn.ProviderUser{AccountID: "g-2", Email: "sure@example.com", EmailVerified: true}
	if _, err := h.svc.FinishSocial(ctx, h.flow(t, h.google)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.FinishSocial(ctx, h.flow(t, h.twitter)); err != nil {
		t.Fatal(err)
	}
	if h.mailCount("verification") != before {
		t.Fatal("a verified or placeholder address was sent a verification email")
	}
}

// TestTrustNeverOverrulesUnverified: a trusted provider that says the
// address is unverified (an attacker's account there) cannot take over the
// verified user who owns that address.
func TestTrustNeverOverrulesUnverified(t *testing.T) {
	h := newSocialHarness(t)
	ctx := context.Background()
	victim := h.signUp(t, "victim@example.com")
	u := victim.User
	u.EmailVerified = true
	if err := h.repos.Users.Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	h.google.User = authn.ProviderUser{AccountID: "attacker", Email: "victim@example.com", EmailVerified: false}
	if _, err := h.svc.FinishSocial(ctx, h.flow(t, h.google)); socialCode(t, err) != "account_not_linked" {
		t.Fatalf("attacker's unverified address at a trusted provider: %v", err)
	}
}

func TestPlaceholderAddressesCannotBeSquatted(t *testing.T) {
	h := newSocialHarness(t)
	_, err := h.svc.SignUp(context.Background(), authn.SignUpInput{Name: "Squatter", Email: "x-99@twitter.placeholder.invalid", Password: "correct horse", RememberMe: true})
	if !errors.Is(err, identity.ErrInvalidEmail) {
		t.Fatalf("sign-up with a placeholder address: %v", err)
	}
}
