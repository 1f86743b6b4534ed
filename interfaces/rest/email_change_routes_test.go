package rest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/mail"
)

// An unverified user verifies the new address directly; opening the link
// with the session moves the account and re-issues the session's cookies.
func TestChangeEmailUnverified(t *testing.T) {
	s := newServer(t, withCookieCache())
	_, up := s.signUp(t, "User One", "u1@example.com")
	me := newJar(up)
	res := me.send(t, s, http.MethodPost, "/change-email", `{"newEmail":"New@example.com","callbackURL":"/moved"}`)
	if res.status != http.StatusOK || res.body != `{"status":true}` {
		t.Fatalf("change-email = %d %s", res.status, res.body)
	}
	m := s.lastMail(t, mail.KindVerification, "new@example.com")
	if linkQuery(t, m.URL, "callbackURL") != "/moved" {
		t.Fatalf("link %s", m.URL)
	}
	// Without the callbackURL the answer carries the moved user.
	res = me.send(t, s, http.MethodGet, "/verify-email?token="+linkToken(t, m.URL), "")
	if res.status != http.StatusOK {
		t.Fatalf("verify-email = %d %s", res.status, res.body)
	}
	equal(t, "keys", keysOf(t, res.body), []string{"status", "user"})
	equal(t, "user keys", keysOf(t, res.body, "user"), userKeys)
	if u := userOf(t, res.body); u["email"] != "new@example.com" || u["emailVerified"] != true {
		t.Fatalf("user = %v", u)
	}
	if me.get("better-auth.session_data") == "" || len(res.header.Values("Set-Cookie")) == 0 {
		t.Fatalf("cookies not re-issued: %q", res.header.Values("Set-Cookie"))
	}
	if u := userOf(t, me.send(t, s, http.MethodGet, "/get-session", "").body); u["email"] != "new@example.com" {
		t.Fatalf("cached session still says %v", u["email"])
	}
	s.lastMail(t, mail.KindEmailChanged, "u1@example.com")
}

// A verified user first approves from the old address, then verifies the
// new one.
func TestChangeEmailVerified(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	s.verify(t, "u1@example.com")
	res := s.post(t, "/change-email", `{"newEmail":"new@example.com","callbackURL":"/moved"}`, "Cookie", cookie)
	if res.status != http.StatusOK || res.body != `{"status":true}` {
		t.Fatalf("change-email = %d %s", res.status, res.body)
	}
	confirm := s.lastMail(t, mail.KindChangeEmailConfirmation, "u1@example.com")
	res = s.get(t, s.linkPath(t, confirm.URL))
	if res.status != http.StatusFound || res.header.Get("Location") != "/moved" {
		t.Fatalf("confirmation = %d %q", res.status, res.header.Get("Location"))
	}
	verify := s.lastMail(t, mail.KindVerification, "new@example.com")
	res = s.get(t, s.linkPath(t, verify.URL))
	if res.status != http.StatusFound {
		t.Fatalf("verification = %d %s", res.status, res.body)
	}
	if res := s.post(t, "/sign-in/email", `{"email":"new@example.com","password":"password123"}`); res.status != http.StatusOK {
		t.Fatalf("sign-in on the new address = %d %s", res.status, res.body)
	}
}

func TestChangeEmailRejects(t *testing.T) {
	s := newServer(t, withTrustedOrigins("https://app.example.com"))
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"same address", `{"newEmail":"u1@example.com"}`, 400, `{"message":"Email is the same"}`},
		{"same address, other case", `{"newEmail":"U1@Example.com"}`, 400, `{"message":"Email is the same"}`},
		{"bad address", `{"newEmail":"not-an-email"}`, 400, `{"message":"[body.newEmail] Invalid email address","code":"VALIDATION_ERROR"}`},
		{"no address", `{}`, 400, `{"message":"[body.newEmail] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"foreign callbackURL", `{"newEmail":"n@example.com","callbackURL":"https://evil.example"}`, 403, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.post(t, "/change-email", tc.body, "Cookie", cookie), tc.status, tc.want)
		})
	}
	t.Run("disabled", func(t *testing.T) {
		s := newServer(t, withPolicy(func(p *authn.Policy) { p.Email.ChangeEmailEnabled = false }))
		cookie, _ := s.signUp(t, "User One", "u1@example.com")
		res := s.post(t, "/change-email", `{"newEmail":"n@example.com"}`, "Cookie", cookie)
		wantError(t, res, http.StatusBadRequest, `{"message":"Change email is disabled","code":"CHANGE_EMAIL_DISABLED"}`)
	})
}

// Asking for a taken address looks like asking for a free one, and sends
// nothing.
func TestChangeEmailToATakenAddress(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	s.signUp(t, "User Two", "u2@example.com")
	before := len(s.store.Mail())
	taken := s.post(t, "/change-email", `{"newEmail":"u2@example.com"}`, "Cookie", cookie)
	if n := len(s.store.Mail()); n != before {
		t.Fatalf("mail queued for a taken address")
	}
	free := s.post(t, "/change-email", `{"newEmail":"u3@example.com"}`, "Cookie", cookie)
	if free.status != http.StatusOK {
		t.Fatalf("change-email = %d %s", free.status, free.body)
	}
	sameAnswer(t, "taken vs free address", taken, free)
}

// change-email reads the session from storage but does not need a fresh
// one (better-auth: sensitiveSessionMiddleware).
func TestChangeEmailOldSession(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	s.clock.Advance(48 * time.Hour)
	if res := s.post(t, "/change-email", `{"newEmail":"u3@example.com"}`, "Cookie", cookie); res.status != http.StatusOK {
		t.Fatalf("change-email = %d %s", res.status, res.body)
	}
}

// A change link opened in another user's session is refused, as
// better-auth refuses it: the change must not complete in a stranger's
// browser.
func TestChangeEmailLinkInAnotherSession(t *testing.T) {
	s := newServer(t)
	owner, _ := s.signUp(t, "User One", "u1@example.com")
	other, _ := s.signUp(t, "User Two", "u2@example.com")
	if res := s.post(t, "/change-email", `{"newEmail":"new@example.com"}`, "Cookie", owner); res.status != http.StatusOK {
		t.Fatalf("change-email = %d %s", res.status, res.body)
	}
	link := s.linkPath(t, s.lastMail(t, mail.KindVerification, "new@example.com").URL)
	res := s.do(t, http.MethodGet, link, "", "Cookie", other)
	// The link carries callbackURL=/ (the default), so the refusal is a
	// redirect with the code.
	if res.status != http.StatusFound || res.header.Get("Location") != "/?error=INVALID_USER" {
		t.Fatalf("opened in another session = %d %q, want 302 to /?error=INVALID_USER", res.status, res.header.Get("Location"))
	}
	if res := s.do(t, http.MethodGet, link, "", "Cookie", owner); res.status != http.StatusOK && res.status != http.StatusFound {
		t.Fatalf("the owner's session = %d %s", res.status, res.body)
	}
}
