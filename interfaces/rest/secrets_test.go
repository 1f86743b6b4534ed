package rest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/interfaces/rest"
)

var newSecret = []byte("the-new-secret-0123456789abcdef0123456789ab")

// After a rotation (the new secret first, the old one kept), everything the
// old secret signed still verifies and everything new is signed with the
// new one.
func TestSecretRotation(t *testing.T) {
	c := &counting{}
	before := newServer(t, withCookieCache(), withCounting(c)) // the harness's Secret alone
	_, up := before.signUp(t, "User One", "u1@example.com")
	after := newServer(t, withShared(before), withCookieCache(), withConfig(func(cfg *rest.Config) {
		cfg.Secrets = [][]byte{newSecret, secret}
	}))

	reads := c.getSession.Load()
	res := after.do(t, http.MethodGet, "/get-session", "", "Cookie", newJar(up).header())
	if !strings.HasPrefix(res.body, `{"session"`) || c.getSession.Load() != reads {
		t.Fatalf("old session cookie and cache entry: %d storage reads, %s", c.getSession.Load()-reads, res.body)
	}
	raw := tokenOf(t, up)
	if res := after.do(t, http.MethodGet, "/get-session", "", "Authorization", "Bearer "+signedCookieValueRaw(secret, raw)); !strings.Contains(res.body, raw) {
		t.Fatalf("old bearer token: %s", res.body)
	}

	// An old dont_remember marker still keeps a due session from being
	// extended; one of an unknown secret does not.
	after.clock.Advance(25 * time.Hour)
	token := cookiePair(t, up, "better-auth.session_token")
	marker := "better-auth.dont_remember=" + signedCookieValue(secret, "true")
	if res := after.do(t, http.MethodGet, "/get-session?disableCookieCache=1", "", "Cookie", token+"; "+marker); len(res.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("refreshed despite the old marker: %q", res.header.Values("Set-Cookie"))
	}
	unknown := "better-auth.dont_remember=" + signedCookieValue([]byte("unknown"), "true")
	res = after.do(t, http.MethodGet, "/get-session?disableCookieCache=1", "", "Cookie", token+"; "+unknown)
	if lines := res.header.Values("Set-Cookie"); len(lines) == 0 || !strings.HasPrefix(lines[0], "better-auth.session_token=") {
		t.Fatalf("not refreshed with an unknown marker: %q", lines)
	}

	// New values are signed with the new secret, which the old edge does
	// not know.
	in := after.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password123"}`)
	want := "better-auth.session_token=" + signedCookieValue(newSecret, tokenOf(t, in))
	if got := cookiePair(t, in, "better-auth.session_token"); got != want {
		t.Fatalf("new cookie %s, want %s", got, want)
	}
	if res := before.do(t, http.MethodGet, "/get-session", "", "Cookie", newJar(in).header()); res.body != "null" {
		t.Fatalf("a cookie of an unknown secret verified: %s", res.body)
	}
}

// A dont_remember cookie with a bad signature is ignored, as if absent: the
// session is refreshed like any other.
func TestTamperedDontRememberIgnored(t *testing.T) {
	for _, marker := range []string{
		"better-auth.dont_remember=true.AmS%2BfUdVTLMMmJePckVgwJ1mK%2FQAuf%2F5Q7gxaBXqTFY%3D",
		"better-auth.dont_remember=true",
		"better-auth.dont_remember=" + url.QueryEscape(signedCookieValueRaw([]byte("other"), "true")),
	} {
		s := newServer(t)
		cookie, _ := s.signUp(t, "User One", "u1@example.com")
		s.clock.Advance(25 * time.Hour)
		res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", cookie+"; "+marker)
		lines := res.header.Values("Set-Cookie")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], cookie+"; Max-Age=2592000;") {
			t.Fatalf("%s: Set-Cookie %q, want a refresh", marker, lines)
		}
		// Sign-in with rememberMe does not expire a marker that is not
		// genuine either (setSessionCookie reads it as absent).
		in := s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password123"}`, "Cookie", marker)
		if sc := in.header.Values("Set-Cookie"); len(sc) != 1 {
			t.Fatalf("%s: sign-in Set-Cookie %q", marker, sc)
		}
	}
}
