package rest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
)

func googleFake() *authntest.Provider {
	return &authntest.Provider{Name: "google",
		User:   authn.ProviderUser{AccountID: "g-1", Email: "gina@example.com", EmailVerified: true, Name: "Gina", Data: map[string]any{"sub": "g-1"}},
		Tokens: authn.OAuthTokens{AccessToken: "g-access", RefreshToken: "g-refresh", Scopes: []string{"openid", "email"}}}
}

// startFlow posts sign-in/social from a fresh browser and returns it, the
// answer and the state the provider received.
func startFlow(t *testing.T, s *testServer, body string) (*jar, result, string) {
	t.Helper()
	browser := newJar()
	res := browser.send(t, s, http.MethodPost, "/sign-in/social", body)
	if res.status != http.StatusOK {
		t.Fatalf("sign-in/social: %d %s", res.status, res.body)
	}
	var out struct{ URL string }
	decode(t, res.body, &out)
	u, err := url.Parse(out.URL)
	must(t, err)
	return browser, res, u.Query().Get("state")
}

func TestSocialSignInWire(t *testing.T) {
	google := googleFake()
	s := newServer(t, withProviders(authntest.Providers{"google": google}), withCookieCache())
	browser, res, state := startFlow(t, s, `{"provider":"google","callbackURL":"/dashboard","newUserCallbackURL":"/welcome"}`)
	equal(t, "keys", keysOf(t, res.body), []string{"url", "redirect"})
	var started struct {
		URL      string
		Redirect bool
	}
	decode(t, res.body, &started)
	if !started.Redirect || res.header.Get("Location") != started.URL {
		t.Fatalf("sign-in/social = %s, Location %q", res.body, res.header.Get("Location"))
	}
	stateLine := ""
	for _, l := range res.header.Values("Set-Cookie") {
		if strings.HasPrefix(l, "better-auth.state=") {
			stateLine = l
		}
	}
	if !strings.Contains(stateLine, "Max-Age=600") || !strings.Contains(stateLine, "HttpOnly") || !strings.Contains(stateLine, "SameSite=Lax") ||
		!strings.HasPrefix(stateLine, "better-auth.state="+signedCookieValue(secret, state)+";") {
		t.Fatalf("state cookie = %q", stateLine)
	}

	// The callback in the same browser signs in and lands on newUserCallbackURL.
	cb := browser.send(t, s, http.MethodGet, "/callback/google?state="+state+"&code="+url.QueryEscape(google.CodeFor(state)), "")
	if cb.status != http.StatusFound || cb.header.Get("Location") != "/welcome" || cb.body != "" {
		t.Fatalf("callback = %d %q %s", cb.status, cb.header.Get("Location"), cb.body)
	}
	if browser.get("better-auth.session_token") == "" || browser.get(dataCookie) == "" || browser.get("better-auth.state") != "" {
		t.Fatalf("cookies after the callback: %v", browser.values)
	}
	me := browser.ok(t, s, http.MethodGet, "/get-session", "")
	if field(t, me, "user", "email") != "gina@example.com" || field(t, me, "user", "emailVerified") != "true" {
		t.Fatalf("get-session after social sign-in = %s", me)
	}
	// list-accounts shows the provider account, without tokens.
	accounts := browser.ok(t, s, http.MethodGet, "/list-accounts", "")
	if !strings.Contains(accounts, `"providerId":"google"`) || strings.Contains(accounts, "g-access") || strings.Contains(accounts, "sealed:") {
		t.Fatalf("list-accounts = %s", accounts)
	}
	// The provider tokens, through the session.
	var list []struct{ ID, ProviderID string }
	decode(t, accounts, &list)
	var googleID string
	for _, a := range list {
		if a.ProviderID == "google" {
			googleID = a.ID
		}
	}
	tok := browser.ok(t, s, http.MethodPost, "/get-access-token", `{"accountId":"`+googleID+`"}`)
	if field(t, tok, "accessToken") != "g-access" || field(t, tok, "scopes") != `["openid","email"]` {
		t.Fatalf("get-access-token = %s", tok)
	}
	info := browser.ok(t, s, http.MethodGet, "/account-info?accountId="+googleID, "")
	equal(t, "account-info keys", keysOf(t, info), []string{"user", "data", "account"})
	// Replaying the callback fails: single use.
	replay := browser.send(t, s, http.MethodGet, "/callback/google?state="+state+"&code=x", "")
	if replay.status != http.StatusFound || replay.header.Get("Location") != s.url+"/api/auth/error?error=state_mismatch" {
		t.Fatalf("replayed callback = %d %q", replay.status, replay.header.Get("Location"))
	}
	page := s.do(t, http.MethodGet, "/error?error=%3Cscript%3Ealert(1)%3C/script%3E", "")
	if page.status != http.StatusOK || strings.Contains(page.body, "<script>") || !strings.Contains(page.body, "&lt;script&gt;") {
		t.Fatalf("error page = %d %s", page.status, page.body)
	}
}

func TestSocialCallbackFromAnotherBrowser(t *testing.T) {
	google := googleFake()
	s := newServer(t, withProviders(authntest.Providers{"google": google}))
	_, _, state := startFlow(t, s, `{"provider":"google","callbackURL":"/dashboard","errorCallbackURL":"/login"}`)
	// An attacker makes the victim's browser (no state cookie) open the
	// callback: login CSRF is refused, and the flow is not burnt.
	victim := newJar()
	res := victim.send(t, s, http.MethodGet, "/callback/google?state="+state+"&code="+url.QueryEscape(google.CodeFor(state)), "")
	if res.status != http.StatusFound || res.header.Get("Location") != s.url+"/api/auth/error?error=state_mismatch" || victim.get("better-auth.session_token") != "" {
		t.Fatalf("callback without the state cookie = %d %q", res.status, res.header.Get("Location"))
	}
	// A provider refusal goes to the flow's errorCallbackURL with its code.
	browser, _, state2 := startFlow(t, s, `{"provider":"google","callbackURL":"/dashboard","errorCallbackURL":"/login?from=social"}`)
	res = browser.send(t, s, http.MethodGet, "/callback/google?state="+state2+"&error=access_denied&error_description=no%20thanks", "")
	if res.header.Get("Location") != "/login?from=social&error=access_denied&error_description=no+thanks" {
		t.Fatalf("provider refusal redirects to %q", res.header.Get("Location"))
	}
}

func TestSocialBadInput(t *testing.T) {
	s := newServer(t, withProviders(authntest.Providers{"google": googleFake()}))
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"unknown provider", `{"provider":"myspace"}`, 404, `{"message":"Provider not found","code":"PROVIDER_NOT_FOUND"}`},
		{"no provider", `{}`, 400, `{"message":"[body.provider] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"open redirect", `{"provider":"google","callbackURL":"https://evil.example/x"}`, 403, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"open redirect on error", `{"provider":"google","errorCallbackURL":"//evil.example"}`, 403, `{"message":"Invalid errorCallbackURL","code":"INVALID_ERROR_CALLBACK_URL"}`},
		{"open redirect for new users", `{"provider":"google","newUserCallbackURL":"javascript:alert(1)"}`, 403, `{"message":"Invalid newUserCallbackURL","code":"INVALID_NEW_USER_CALLBACK_URL"}`},
		{"scopes not a list", `{"provider":"google","scopes":"admin"}`, 400, `{"message":"[body.scopes] Invalid input: expected array, received string","code":"VALIDATION_ERROR"}`},
		{"forged id token", `{"provider":"google","idToken":{"token":"forged"}}`, 401, `{"message":"Invalid token","code":"INVALID_TOKEN"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := s.post(t, "/sign-in/social", tt.body)
			if res.status != tt.status || res.body != tt.want {
				t.Fatalf("got %d %s, want %d %s", res.status, res.body, tt.status, tt.want)
			}
		})
	}
	for _, path := range []string{"/get-access-token", "/refresh-token"} {
		if res := s.post(t, path, `{"accountId":"x"}`); res.status != http.StatusUnauthorized || res.body != "" {
			t.Errorf("%s without a session = %d %q, want an empty 401", path, res.status, res.body)
		}
	}
}

func TestSocialIDTokenAndUnlink(t *testing.T) {
	google := googleFake()
	s := newServer(t, withProviders(authntest.Providers{"google": google}))
	res := s.post(t, "/sign-in/social", `{"provider":"google","idToken":{"token":"valid-id-token","nonce":"nonce"}}`)
	if res.status != http.StatusOK || field(t, res.body, "redirect") != "false" || field(t, res.body, "user", "email") != "gina@example.com" {
		t.Fatalf("id-token sign-in = %d %s", res.status, res.body)
	}
	browser := newJar(res)
	var list []struct{ ID string }
	decode(t, browser.ok(t, s, http.MethodGet, "/list-accounts", ""), &list)
	unlink := browser.send(t, s, http.MethodPost, "/unlink-account", `{"accountId":"`+list[0].ID+`"}`)
	wantError(t, unlink, http.StatusBadRequest, `{"message":"You can't unlink your last account","code":"FAILED_TO_UNLINK_LAST_ACCOUNT"}`)
	old := browser.send(t, s, http.MethodPost, "/unlink-account", `{"providerId":"google"}`)
	if old.status != http.StatusBadRequest {
		t.Fatalf("pre-1.7 unlink body: %d %s", old.status, old.body)
	}
}
