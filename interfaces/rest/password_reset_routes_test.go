package rest_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beep/iam/domain/mail"
)

const resetRequested = `{"status":true,"message":"If this email exists in our system, check your email for the reset link"}`

// requestReset asks for a reset link for email and returns its token.
func (s *testServer) requestReset(t *testing.T, email string) string {
	t.Helper()
	res := s.post(t, "/request-password-reset", `{"email":"`+email+`","redirectTo":"/reset"}`)
	if res.status != http.StatusOK || res.body != resetRequested {
		t.Fatalf("request-password-reset = %d %s", res.status, res.body)
	}
	return linkToken(t, s.lastMail(t, mail.KindPasswordReset, email).URL)
}

func TestRequestPasswordReset(t *testing.T) {
	s := newServer(t, withTrustedOrigins("https://app.example.com"))
	s.signUp(t, "User One", "u1@example.com")
	known := s.post(t, "/request-password-reset", `{"email":"U1@example.com","redirectTo":"https://app.example.com/reset"}`)
	unknown := s.post(t, "/request-password-reset", `{"email":"nobody@example.com","redirectTo":"https://app.example.com/reset"}`)
	if known.body != resetRequested {
		t.Fatalf("request-password-reset = %d %s", known.status, known.body)
	}
	sameAnswer(t, "known vs unknown address", known, unknown)
	if n := s.mailCount(mail.KindPasswordReset); n != 1 {
		t.Fatalf("%d reset mails, want 1 (for the known address only)", n)
	}
	link := s.lastMail(t, mail.KindPasswordReset, "u1@example.com").URL
	if !strings.HasPrefix(link, s.origin+"/api/auth/reset-password/") || linkQuery(t, link, "callbackURL") != "https://app.example.com/reset" {
		t.Fatalf("reset link %s", link)
	}
	// /forget-password is gone in better-auth 1.7.
	if res := s.post(t, "/forget-password", `{"email":"u1@example.com"}`); res.status != http.StatusNotFound || res.body != "" {
		t.Fatalf("forget-password = %d %q", res.status, res.body)
	}
}

func TestRequestPasswordResetRejects(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"bad address", `{"email":"not-an-email"}`, 400, `{"message":"[body.email] Invalid email address","code":"VALIDATION_ERROR"}`},
		{"no address", `{"redirectTo":"/reset"}`, 400, `{"message":"[body.email] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"foreign redirectTo", `{"email":"a@example.com","redirectTo":"https://evil.example/reset"}`, 403, `{"message":"Invalid redirectURL","code":"INVALID_REDIRECT_URL"}`},
		{"protocol-relative redirectTo", `{"email":"a@example.com","redirectTo":"//evil.example/reset"}`, 403, `{"message":"Invalid redirectURL","code":"INVALID_REDIRECT_URL"}`},
		{"redirectTo not a string", `{"email":"a@example.com","redirectTo":{}}`, 400, `{"message":"Invalid redirectURL: expected a string"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.post(t, "/request-password-reset", tc.body), tc.status, tc.want)
		})
	}
}

func TestResetPasswordLink(t *testing.T) {
	s := newServer(t, withTrustedOrigins("https://app.example.com"))
	s.signUp(t, "User One", "u1@example.com")
	token := s.requestReset(t, "u1@example.com")

	// The mailed link itself lands on the reset page with the token.
	res := s.get(t, s.linkPath(t, s.lastMail(t, mail.KindPasswordReset, "u1@example.com").URL))
	if res.status != http.StatusFound || res.header.Get("Location") != s.origin+"/reset?token="+token {
		t.Fatalf("reset link = %d, Location %q", res.status, res.header.Get("Location"))
	}
	if res.header.Get("Referrer-Policy") != "no-referrer" || res.body != "" {
		t.Fatalf("reset link: Referrer-Policy %q, body %q", res.header.Get("Referrer-Policy"), res.body)
	}
	tests := []struct{ name, path, want string }{
		{"absolute callbackURL", "/reset-password/" + token + "?callbackURL=" + url.QueryEscape("https://app.example.com/r?a=1&token=old"),
			"https://app.example.com/r?a=1&token=" + token},
		{"unknown token", "/reset-password/nope?callbackURL=%2Freset", s.origin + "/reset?error=INVALID_TOKEN"},
		{"huge token", "/reset-password/" + strings.Repeat("a", 2000) + "?callbackURL=%2Freset", s.origin + "/reset?error=INVALID_TOKEN"},
		{"empty callbackURL", "/reset-password/" + token + "?callbackURL=", s.origin + "/api/auth/error?error=INVALID_TOKEN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.get(t, tc.path)
			if res.status != http.StatusFound || res.header.Get("Location") != tc.want {
				t.Fatalf("got %d %s, Location %q, want %q", res.status, res.body, res.header.Get("Location"), tc.want)
			}
		})
	}
	// Landing does not use the token up; an expired one is refused.
	if res := s.post(t, "/reset-password", `{"newPassword":"password456","token":"`+token+`"}`); res.status != http.StatusOK {
		t.Fatalf("reset after landing = %d %s", res.status, res.body)
	}
	expiring := s.requestReset(t, "u1@example.com")
	s.clock.Advance(61 * time.Minute)
	res = s.get(t, "/reset-password/"+expiring+"?callbackURL=%2Freset")
	if res.header.Get("Location") != s.origin+"/reset?error=INVALID_TOKEN" {
		t.Fatalf("expired token landed on %q", res.header.Get("Location"))
	}
}

func TestResetPasswordLinkRejects(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, path string
		status     int
		want       string
	}{
		{"no callbackURL", "/reset-password/abc", 400, `{"message":"[query.callbackURL] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"two callbackURLs", "/reset-password/abc?callbackURL=/a&callbackURL=/b", 400, `{"message":"[query.callbackURL] Invalid input: expected string, received array","code":"VALIDATION_ERROR"}`},
		{"foreign callbackURL", "/reset-password/abc?callbackURL=https%3A%2F%2Fevil.example", 403, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"backslash callbackURL", "/reset-password/abc?callbackURL=%2F%5Cevil.example", 403, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.get(t, tc.path), tc.status, tc.want)
		})
	}
	// The token is one path segment, as in better-call's router.
	for _, path := range []string{"/reset-password/?callbackURL=%2Fr", "/reset-password/a/b?callbackURL=%2Fr"} {
		if res := s.get(t, path); res.status != http.StatusNotFound || res.body != "" {
			t.Fatalf("%s = %d %q, want an empty 404", path, res.status, res.body)
		}
	}
}

func TestResetPassword(t *testing.T) {
	s := newServer(t)
	s.signUp(t, "User One", "u1@example.com")
	other := s.signIn(t, "u1@example.com")
	token := s.requestReset(t, "u1@example.com")

	res := s.post(t, "/reset-password", `{"newPassword":"short","token":"`+token+`"}`)
	wantError(t, res, http.StatusBadRequest, `{"message":"Password too short","code":"PASSWORD_TOO_SHORT"}`)
	res = s.post(t, "/reset-password", `{"newPassword":"`+strings.Repeat("a", 129)+`","token":"`+token+`"}`)
	wantError(t, res, http.StatusBadRequest, `{"message":"Password too long","code":"PASSWORD_TOO_LONG"}`)

	// The token may come in the query; the answer sets no cookie.
	res = s.post(t, "/reset-password?token="+token, `{"newPassword":"password456"}`)
	if res.status != http.StatusOK || res.body != `{"status":true}` {
		t.Fatalf("reset-password = %d %s", res.status, res.body)
	}
	if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("reset-password set %q", sc)
	}
	if res := other.send(t, s, http.MethodGet, "/get-session", ""); res.body != "null" {
		t.Fatalf("a session outlived the reset: %s", res.body)
	}
	if res := s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password456"}`); res.status != http.StatusOK {
		t.Fatalf("sign-in with the new password = %d %s", res.status, res.body)
	}
	// Single use.
	res = s.post(t, "/reset-password", `{"newPassword":"password789","token":"`+token+`"}`)
	wantError(t, res, http.StatusBadRequest, `{"message":"Invalid token","code":"INVALID_TOKEN"}`)

	expired := s.requestReset(t, "u1@example.com")
	s.clock.Advance(61 * time.Minute)
	res = s.post(t, "/reset-password", `{"newPassword":"password789","token":"`+expired+`"}`)
	wantError(t, res, http.StatusBadRequest, `{"message":"Invalid token","code":"INVALID_TOKEN"}`)
}

func TestResetPasswordRejects(t *testing.T) {
	sp := &spy{}
	s := newServer(t, withSpy(sp))
	invalid := `{"message":"Invalid token","code":"INVALID_TOKEN"}`
	tests := []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"no token", "/reset-password", `{"newPassword":"password456"}`, 400, invalid},
		{"empty tokens", "/reset-password?token=", `{"newPassword":"password456","token":""}`, 400, invalid},
		{"no password", "/reset-password", `{"token":"abc"}`, 400, `{"message":"[body.newPassword] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"token not a string", "/reset-password", `{"newPassword":"password456","token":5}`, 400, `{"message":"[body.token] Invalid input: expected string, received number","code":"VALIDATION_ERROR"}`},
		{"two query tokens", "/reset-password?token=a&token=b", `{"newPassword":"password456"}`, 400, `{"message":"[query.token] Invalid input: expected string, received array","code":"VALIDATION_ERROR"}`},
		{"body before query", "/reset-password?token=a&token=b", `{}`, 400, `{"message":"[body.newPassword] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"huge token", "/reset-password", `{"newPassword":"password456","token":"` + strings.Repeat("a", 5000) + `"}`, 400, invalid},
		{"forged token", "/reset-password", `{"newPassword":"password456","token":"abcdefghijklmnopqrstuvwx"}`, 400, invalid},
		// better-auth's order: the length is checked before the token.
		{"forged token, short password", "/reset-password", `{"newPassword":"x","token":"abcdefghijklmnopqrstuvwx"}`, 400, `{"message":"Password too short","code":"PASSWORD_TOO_SHORT"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.post(t, tc.path, tc.body), tc.status, tc.want)
		})
	}
	// Only the two forged tokens of a plausible length reach the use case
	// (which looks them up before hashing anything); the rest are refused
	// at the edge.
	if n := sp.resetPassword.Load(); n != 2 {
		t.Fatalf("ResetPassword called %d times, want 2 (the forged tokens)", n)
	}
}

// Of concurrent redeems of one token exactly one changes the password.
func TestResetPasswordRace(t *testing.T) {
	s := newServer(t)
	s.signUp(t, "User One", "u1@example.com")
	token := s.requestReset(t, "u1@example.com")
	const n = 8
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			codes[i] = s.post(t, "/reset-password", `{"newPassword":"password456","token":"`+token+`"}`).status
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		if c == http.StatusOK {
			ok++
		} else if c != http.StatusBadRequest {
			t.Fatalf("status %d", c)
		}
	}
	if ok != 1 {
		t.Fatalf("%d redeems succeeded, want 1 (%v)", ok, codes)
	}
}
