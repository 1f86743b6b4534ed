package rest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/interfaces/rest"
)

func TestSendVerificationEmailSignedOut(t *testing.T) {
	s := newServer(t)
	s.signUp(t, "User One", "u1@example.com")
	s.signUp(t, "User Two", "u2@example.com")
	s.verify(t, "u2@example.com")
	before := s.mailCount(mail.KindVerification)

	unknown := s.post(t, "/send-verification-email", `{"email":"nobody@example.com"}`)
	verified := s.post(t, "/send-verification-email", `{"email":"u2@example.com"}`)
	if n := s.mailCount(mail.KindVerification); n != before {
		t.Fatalf("mail sent to an unknown or verified address (%d → %d)", before, n)
	}
	unverified := s.post(t, "/send-verification-email", `{"email":"U1@example.com","callbackURL":"/welcome"}`)
	if unverified.status != http.StatusOK || unverified.body != `{"status":true}` {
		t.Fatalf("send-verification-email = %d %s", unverified.status, unverified.body)
	}
	// Nothing in the answer tells the three apart.
	sameAnswer(t, "unknown vs unverified", unknown, unverified)
	sameAnswer(t, "verified vs unverified", verified, unverified)
	m := s.lastMail(t, mail.KindVerification, "u1@example.com")
	if got := linkQuery(t, m.URL, "callbackURL"); got != "/welcome" {
		t.Fatalf("link callbackURL = %q in %s", got, m.URL)
	}
}

// The signed-out answer is padded to the floor, measured from the
// request's arrival, even on the path that does no work. Only the lower
// bound is asserted: an upper one would flake on a loaded machine.
func TestSendVerificationEmailFloor(t *testing.T) {
	const floor = 80 * time.Millisecond
	s := newServer(t, withConfig(func(c *rest.Config) { c.EnumerationFloor = floor }))
	for _, path := range []string{"/send-verification-email", "/request-password-reset"} {
		began := time.Now()
		res := s.post(t, path, `{"email":"nobody@example.com"}`)
		if elapsed := time.Since(began); elapsed < floor {
			t.Fatalf("%s answered after %v, before the %v floor", path, elapsed, floor)
		}
		if res.status != http.StatusOK {
			t.Fatalf("%s = %d %s", path, res.status, res.body)
		}
	}
}

func TestSendVerificationEmailSignedIn(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	before := s.mailCount(mail.KindVerification)
	res := s.post(t, "/send-verification-email", `{"email":"u2@example.com"}`, "Cookie", cookie)
	wantError(t, res, http.StatusBadRequest, `{"message":"Email mismatch","code":"EMAIL_MISMATCH"}`)
	res = s.post(t, "/send-verification-email", `{"email":"u1@example.com","callbackURL":"/done"}`, "Cookie", cookie)
	if res.status != http.StatusOK || res.body != `{"status":true}` {
		t.Fatalf("send-verification-email = %d %s", res.status, res.body)
	}
	if n := s.mailCount(mail.KindVerification); n != before+1 {
		t.Fatalf("verification mails %d → %d, want one more", before, n)
	}
	s.verify(t, "u1@example.com")
	// The session is read from storage: the verification just made shows.
	res = s.post(t, "/send-verification-email", `{"email":"u1@example.com"}`, "Cookie", cookie)
	wantError(t, res, http.StatusBadRequest, `{"message":"Email is already verified","code":"EMAIL_ALREADY_VERIFIED"}`)
}

func TestSendVerificationEmailRejects(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"bad address", `{"email":"not-an-email"}`, 400, `{"message":"[body.email] Invalid email address","code":"VALIDATION_ERROR"}`},
		{"no address", `{}`, 400, `{"message":"[body.email] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"callbackURL not a string", `{"email":"a@example.com","callbackURL":5}`, 400, `{"message":"Invalid callbackURL: expected a string"}`},
		{"foreign callbackURL", `{"email":"a@example.com","callbackURL":"https://evil.example/x"}`, 403, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.post(t, "/send-verification-email", tc.body), tc.status, tc.want)
		})
	}
}

func TestVerifyEmail(t *testing.T) {
	s := newServer(t, withTrustedOrigins("https://app.example.com"))
	res := s.post(t, "/sign-up/email", `{"name":"User One","email":"u1@example.com","password":"password123","callbackURL":"https://app.example.com/welcome?x=1"}`)
	jar := newJar(res)
	link := s.lastMail(t, mail.KindVerification, "u1@example.com").URL
	if got := linkQuery(t, link, "callbackURL"); got != "https://app.example.com/welcome?x=1" {
		t.Fatalf("link %s does not lead to sign-up's callbackURL", link)
	}

	res = s.get(t, s.linkPath(t, link))
	if res.status != http.StatusFound || res.body != "" || res.header.Get("Location") != "https://app.example.com/welcome?x=1" {
		t.Fatalf("verify-email = %d %q, Location %q", res.status, res.body, res.header.Get("Location"))
	}
	if rp := res.header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Fatalf("Referrer-Policy %q on a redirect away from a token URL", rp)
	}
	// No session is opened (autoSignInAfterVerification is off).
	if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("verify-email set %q", sc)
	}
	if u := userOf(t, jar.send(t, s, http.MethodGet, "/get-session", "").body); u["emailVerified"] != true {
		t.Fatalf("user after verification = %v", u)
	}
	// Tokens are stateless: the link works again, and without a
	// callbackURL the answer is JSON.
	res = s.get(t, "/verify-email?token="+url.QueryEscape(linkToken(t, link)))
	if res.status != http.StatusOK || res.body != `{"status":true,"user":null}` {
		t.Fatalf("verify-email again = %d %s", res.status, res.body)
	}
}

// With the cookie cache on, the browser that opens the link gets a cache
// entry with the new state, not one saying unverified for minutes more.
func TestVerifyEmailRefreshesTheCallersCookieCache(t *testing.T) {
	s := newServer(t, withCookieCache())
	_, up := s.signUp(t, "User One", "u1@example.com")
	_, other := s.signUp(t, "User Two", "u2@example.com")
	me, stranger := newJar(up), newJar(other)
	link := s.linkPath(t, s.lastMail(t, mail.KindVerification, "u1@example.com").URL)

	// Someone else's browser opening the link gets no cookie of ours.
	s.verify(t, "u2@example.com")
	if res := stranger.send(t, s, http.MethodGet, link, ""); len(res.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("another user's cookies were re-issued: %q", res.header.Values("Set-Cookie"))
	}
	res := me.send(t, s, http.MethodGet, link, "")
	if res.status != http.StatusFound || me.get("better-auth.session_data") == "" {
		t.Fatalf("verify-email = %d, cookies %q", res.status, res.header.Values("Set-Cookie"))
	}
	if u := userOf(t, me.send(t, s, http.MethodGet, "/get-session", "").body); u["emailVerified"] != true {
		t.Fatalf("cached user after verification = %v", u)
	}
}

func TestVerifyEmailFailures(t *testing.T) {
	enabled := withPolicy(func(p *authn.Policy) { p.DeleteUserEnabled = true })
	s := newServer(t, enabled, withTrustedOrigins("https://app.example.com"))
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	gone := linkToken(t, s.lastMail(t, mail.KindVerification, "u1@example.com").URL)
	if res := s.post(t, "/delete-user", `{}`, "Cookie", cookie); res.status != http.StatusOK {
		t.Fatalf("delete-user = %d %s", res.status, res.body)
	}
	// A new account on the old address: the old token names another user.
	s.signUp(t, "User One Again", "u1@example.com")
	s.signUp(t, "User Three", "u3@example.com")
	fresh := linkToken(t, s.lastMail(t, mail.KindVerification, "u3@example.com").URL)

	const alg = "eyJhbGciOiJub25lIn0" // {"alg":"none"}
	tests := []struct {
		name, token, code, message string
	}{
		{"unknown", "nope", "INVALID_TOKEN", "Invalid token"},
		{"alg none", alg + ".eyJlbWFpbCI6InUzQGV4YW1wbGUuY29tIn0.", "INVALID_TOKEN", "Invalid token"},
		{"tampered", fresh + "x", "INVALID_TOKEN", "Invalid token"},
		{"empty", "", "INVALID_TOKEN", "Invalid token"},
		{"huge", strings.Repeat("a", 10000), "INVALID_TOKEN", "Invalid token"},
		// The address now belongs to another account (better-auth:
		// email-verification.mjs, "INVALID_TOKEN" on a userId mismatch).
		{"another user's", gone, "INVALID_TOKEN", "Invalid token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := "/verify-email?token=" + url.QueryEscape(tc.token)
			wantError(t, s.get(t, q), http.StatusUnauthorized, `{"message":"`+tc.message+`","code":"`+tc.code+`"}`)
			for cb, want := range map[string]string{
				"/cb":                          "/cb?error=" + tc.code,
				"/cb?x=1":                      "/cb?x=1&error=" + tc.code,
				"/cb?x=1&":                     "/cb?x=1&error=" + tc.code,
				"/cb#top":                      "/cb?error=" + tc.code + "#top",
				"https://app.example.com":      "https://app.example.com/?error=" + tc.code,
				"https://app.example.com/?a=b": "https://app.example.com/?a=b&error=" + tc.code,
			} {
				res := s.get(t, q+"&callbackURL="+url.QueryEscape(cb))
				if res.status != http.StatusFound || res.header.Get("Location") != want || res.body != "" {
					t.Fatalf("callbackURL %s: %d %q, Location %q, want %q", cb, res.status, res.body, res.header.Get("Location"), want)
				}
				if res.header.Get("Referrer-Policy") != "no-referrer" {
					t.Fatalf("no Referrer-Policy on the error redirect")
				}
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		s.emails.Expire()
		res := s.get(t, "/verify-email?token="+url.QueryEscape(fresh))
		wantError(t, res, http.StatusUnauthorized, `{"message":"Token expired","code":"TOKEN_EXPIRED"}`)
		res = s.get(t, "/verify-email?callbackURL=%2Fcb&token="+url.QueryEscape(fresh))
		if res.header.Get("Location") != "/cb?error=TOKEN_EXPIRED" {
			t.Fatalf("expired redirect = %d %q", res.status, res.header.Get("Location"))
		}
	})
}

func TestVerifyEmailUserNotFound(t *testing.T) {
	enabled := withPolicy(func(p *authn.Policy) { p.DeleteUserEnabled = true })
	s := newServer(t, enabled)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	token := linkToken(t, s.lastMail(t, mail.KindVerification, "u1@example.com").URL)
	if res := s.post(t, "/delete-user", `{}`, "Cookie", cookie); res.status != http.StatusOK {
		t.Fatalf("delete-user = %d %s", res.status, res.body)
	}
	res := s.get(t, "/verify-email?token="+url.QueryEscape(token))
	wantError(t, res, http.StatusUnauthorized, `{"message":"User not found","code":"USER_NOT_FOUND"}`)
}

func TestVerifyEmailRejects(t *testing.T) {
	sp := &spy{}
	s := newServer(t, withSpy(sp))
	s.signUp(t, "User One", "u1@example.com")
	token := url.QueryEscape(linkToken(t, s.lastMail(t, mail.KindVerification, "u1@example.com").URL))
	tests := []struct {
		name, query string
		status      int
		want        string
	}{
		{"no token", "", 400, `{"message":"[query.token] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"two tokens", "token=a&token=b", 400, `{"message":"[query.token] Invalid input: expected string, received array","code":"VALIDATION_ERROR"}`},
		{"two callbackURLs", "token=a&callbackURL=/a&callbackURL=/b", 400, `{"message":"[query.callbackURL] Invalid input: expected string, received array","code":"VALIDATION_ERROR"}`},
		{"foreign callbackURL", "token=" + token + "&callbackURL=https%3A%2F%2Fevil.example%2F", 403, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"protocol-relative callbackURL", "token=" + token + "&callbackURL=%2F%2Fevil.example", 403, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"javascript callbackURL", "token=" + token + "&callbackURL=javascript%3Aalert(1)", 403, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.get(t, "/verify-email?"+tc.query), tc.status, tc.want)
		})
	}
	// A refused link is not used, and an absurd token is refused unread.
	s.get(t, "/verify-email?token="+strings.Repeat("a", 5000))
	if n := sp.verifyEmail.Load(); n != 0 {
		t.Fatalf("VerifyEmail called %d times for refused requests", n)
	}
	if u := userOf(t, s.signIn(t, "u1@example.com").send(t, s, http.MethodGet, "/get-session", "").body); u["emailVerified"] != false {
		t.Fatal("a refused request verified the address")
	}
}
